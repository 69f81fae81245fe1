# SPDX-License-Identifier: GPL-3.0-or-later
"""The badges an atelier can deliver, as data: ``lessons/badges/NOM.toml``.

A badge file names the badge (French), its support (one of :data:`lessons.model.SUPPORTS`,
which also picks the picture's template), a description, the criteria, the lesson objectives
they come from, and what earns it::

    nom = "Pilote mBot"
    support = "robot"
    description = "…"
    criteres = ["…", "…"]
    mots_cles = ["robotique"]

    [obtenu_par]
    type = "defi"                 # defi, impression, carte or animateur
    defis = ["parcours"]          # for « defi »: the challenges that earn it

    [[objectifs]]
    lecon = "robot-obstacles-college"
    ids = ["O1", "O2"]
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from pathlib import Path

from kit.badges.credential import BadgeInfo
from kit.errors import InputFileError, KitError
from kit.files import data_error_fr
from lessons.model import SUPPORTS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BADGES_DIR = Path(__file__).resolve().parent / "badges"

#: What earns a badge, in the words the animateur reads.
EARNED_BY: dict[str, str] = {
    "defi": "défi du robot réussi",
    "impression": "impression 3D terminée",
    "carte": "carte programmée",
    "animateur": "décision de l'animateur",
}
_KEYS = {"nom", "support", "description", "criteres", "mots_cles", "obtenu_par", "objectifs"}


@dataclass(frozen=True)
class ObjectiveRef:
    lesson: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class BadgeDefinition:
    slug: str
    name: str
    support: str
    description: str
    criteria: tuple[str, ...]
    tags: tuple[str, ...]
    earned_by: str
    challenges: tuple[str, ...]
    objectives: tuple[ObjectiveRef, ...]

    @property
    def earned_by_fr(self) -> str:
        if self.earned_by == "defi" and self.challenges:
            return f"{EARNED_BY['defi']} : {', '.join(self.challenges)}"
        return EARNED_BY[self.earned_by]

    def info(self) -> BadgeInfo:
        """What the credential needs (:mod:`kit.badges.credential`)."""
        return BadgeInfo(
            slug=self.slug,
            name=self.name,
            description=self.description,
            criteria=self.criteria,
            support=self.support,
            tags=self.tags,
        )


def badge_files(folder: Path = BADGES_DIR) -> list[Path]:
    return sorted(folder.glob("*.toml"))


def available_badges(folder: Path = BADGES_DIR) -> list[str]:
    return [path.stem for path in badge_files(folder)]


def _strings(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"« {what} » doit être une liste de textes non vides")
    return tuple(v.strip() for v in value)


def _parse(slug: str, data: dict[str, object]) -> BadgeDefinition:
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ValueError(f"clés inconnues : {', '.join(unknown)}")
    support = str(data["support"])
    if support not in SUPPORTS:
        raise ValueError(f"support inconnu : « {support} » ({', '.join(SUPPORTS)})")
    earned = data["obtenu_par"]
    if not isinstance(earned, dict):
        raise ValueError("« obtenu_par » doit être une table")
    kind = str(earned["type"])
    if kind not in EARNED_BY:
        raise ValueError(f"« obtenu_par.type » inconnu : « {kind} » ({', '.join(EARNED_BY)})")
    challenges = _strings(earned.get("defis", []), "obtenu_par.defis") if "defis" in earned else ()
    if kind == "defi" and not challenges:
        raise ValueError("un badge obtenu par un défi nomme ses défis (obtenu_par.defis)")
    objectives = []
    raw_objectives = data.get("objectifs", [])
    if not isinstance(raw_objectives, list) or not raw_objectives:
        raise ValueError("« objectifs » relie le badge aux objectifs d'au moins une leçon")
    for item in raw_objectives:
        if not isinstance(item, dict):
            raise ValueError("chaque « objectifs » est une table (lecon, ids)")
        objectives.append(ObjectiveRef(str(item["lecon"]), _strings(item["ids"], "ids")))
    name = str(data["nom"]).strip()
    description = str(data["description"]).strip()
    if not name or not description:
        raise ValueError("« nom » et « description » ne peuvent pas être vides")
    return BadgeDefinition(
        slug=slug,
        name=name,
        support=support,
        description=description,
        criteria=_strings(data["criteres"], "criteres"),
        tags=_strings(data.get("mots_cles", []), "mots_cles"),
        earned_by=kind,
        challenges=challenges,
        objectives=tuple(objectives),
    )


def load_badge(name: str, folder: Path = BADGES_DIR) -> BadgeDefinition:
    """A badge by its name (the file's stem, « pilote-mbot »), or a French error."""
    path = folder / f"{name}.toml"
    if "/" in name or "\\" in name or not path.is_file():
        known = available_badges(folder)
        close = difflib.get_close_matches(name.lower(), known, n=3, cutoff=0.5)
        hint = (
            "Vouliez-vous dire : " + ", ".join(close) + " ?"
            if close
            else "« kit badge liste » affiche les badges disponibles."
        )
        raise KitError(f"Badge inconnu : « {name} ».", hint=hint)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _parse(path.stem, data)
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(f"Le badge « {path} » est mal formé : {exc}") from exc
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise InputFileError(f"Le badge « {path} » est mal formé : {data_error_fr(exc)}.") from exc


def load_all_badges(folder: Path = BADGES_DIR) -> list[BadgeDefinition]:
    order = list(SUPPORTS)
    badges = [load_badge(name, folder) for name in available_badges(folder)]
    return sorted(badges, key=lambda b: (order.index(b.support), b.slug))


def badges_for_challenge(challenge: str, folder: Path = BADGES_DIR) -> list[BadgeDefinition]:
    """The badges a passed robot challenge earns."""
    badges = load_all_badges(folder)
    return [b for b in badges if b.earned_by == "defi" and challenge in b.challenges]
