# SPDX-License-Identifier: GPL-3.0-or-later
"""The certification titles the rehearsal knows (REMN 2019 CCP1, Médiateur numérique 2025).

Data, not code: ``lessons/titres.toml`` holds each title's competences, the training questions
drawn for the jury's part, the dossier to bring, and the official durations (none was found in
the published texts; docs/certification.md cites what was read). The lesson files name REMN's
CCP1 competences; :func:`lesson_competences` maps them onto either title.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from kit.errors import KitError
from lessons.catalog import PACKAGE_DIR
from lessons.model import COMPETENCES, Lesson

TITLES_FILE = PACKAGE_DIR / "titres.toml"
#: The title rehearsed when none is given: the one in force since the arrêté of 20 May 2025.
DEFAULT_TITLE = "mediateur-2025"

#: The three timed parts of the oral; an official duration for each would come from a published
#: text (``[titres.durees]`` with its source); none was found.
DURATION_PARTS: dict[str, str] = {
    "presentation": "présentation de votre pratique",
    "atelier": "simulation d'atelier",
    "questions": "questions du jury",
}

QUESTIONS_NOTICE = (
    "Questions d'entraînement écrites pour le kit à partir des compétences du titre : "
    "ce ne sont pas les questions du jury."
)


@dataclass(frozen=True)
class Competence:
    ident: str
    short: str
    text: str
    from_remn: tuple[str, ...]
    transversal: bool
    questions: tuple[str, ...]


@dataclass(frozen=True)
class DossierItem:
    ident: str
    text: str
    #: ``texte``: a published text names it; ``kit``: the kit's own advice.
    source: str


@dataclass(frozen=True)
class OfficialDuration:
    minutes: float
    source: str


@dataclass(frozen=True)
class Title:
    ident: str
    label: str
    text: str
    exam: str
    competences_notice: str
    competences: tuple[Competence, ...]
    dossier: tuple[DossierItem, ...]
    durations: dict[str, OfficialDuration]

    def competence(self, ident: str) -> Competence:
        for competence in self.competences:
            if competence.ident == ident:
                return competence
        raise KeyError(ident)

    def for_remn(self, remn_key: str) -> Competence | None:
        """The competence of this title that takes over REMN CCP1's ``remn_key``."""
        for competence in self.competences:
            if remn_key in competence.from_remn:
                return competence
        return None


def _load(path: Path) -> dict[str, Title]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    titles: dict[str, Title] = {}
    for item in data["titres"]:
        competences = tuple(
            Competence(
                c["id"],
                c["court"],
                c["texte"],
                tuple(c.get("depuis_remn", ())),
                bool(c.get("transversal", False)),
                tuple(c["questions"]),
            )
            for c in item["competences"]
        )
        for competence in competences:
            unknown = sorted(set(competence.from_remn) - set(COMPETENCES))
            if unknown:
                raise ValueError(f"{path}: {competence.ident!r} maps unknown REMN keys {unknown}")
            if not competence.questions:
                raise ValueError(f"{path}: {competence.ident!r} has no question")
        dossier = tuple(DossierItem(d["id"], d["texte"], d["source"]) for d in item["dossier"])
        for entry in dossier:
            if entry.source not in ("texte", "kit"):
                raise ValueError(f"{path}: dossier item {entry.ident!r}: source {entry.source!r}")
        durations = {
            part: OfficialDuration(float(value["minutes"]), str(value["source"]))
            for part, value in item.get("durees", {}).items()
        }
        unknown_parts = sorted(set(durations) - set(DURATION_PARTS))
        if unknown_parts:
            raise ValueError(f"{path}: unknown duration parts {unknown_parts}")
        titles[item["id"]] = Title(
            ident=item["id"],
            label=item["intitule"],
            text=item["texte"],
            exam=item["epreuve"],
            competences_notice=item.get("avertissement_competences", ""),
            competences=competences,
            dossier=dossier,
            durations=durations,
        )
    return titles


@lru_cache(maxsize=4)
def load_titles(path: Path = TITLES_FILE) -> dict[str, Title]:
    return _load(path)


def get_title(ident: str | None) -> Title:
    """The title named on the command line (``remn-2019``, ``mediateur-2025``); French errors."""
    titles = load_titles()
    key = (ident or DEFAULT_TITLE).strip().lower()
    if key not in titles:
        raise KitError(
            f"Titre inconnu : « {ident} ».",
            hint=f"Titres connus : {', '.join(sorted(titles))}.",
        )
    return titles[key]


def lesson_competences(lesson: Lesson, title: Title) -> list[Competence]:
    """The competences of ``title`` a lesson works on, in the title's order.

    A lesson names REMN CCP1 keys; for another title each key is carried over through the
    title's ``depuis_remn`` mapping, and transversal competences apply to every lesson.
    """
    keys = set(lesson.competences)
    return [
        competence
        for competence in title.competences
        if competence.transversal or keys & set(competence.from_remn)
    ]
