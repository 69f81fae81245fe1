# SPDX-License-Identifier: GPL-3.0-or-later
"""Rehearsing the oral: the draw, what the jury looks at, the self-evaluation grid, the report.

Everything here is data and pure functions; the oral's state machine is :mod:`lessons.oral`,
the terminal flow (prompts, live timer) ``kit/commands/rehearse_flow.py``. The draw is
reproducible: the same seed gives the same support, lesson, public and situation, so a trainer
can hand a candidate « tirage 4217 ».

The self-evaluation grid is written for the kit from the CCP1 activities named in the lesson
files' ``competences`` (regrouped by the rehearsed title's competences); it is not the jury's
official evaluation grid, and every output says so.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from kit import __version__
from kit.errors import KitError
from kit.messages import format_duration_fr
from lessons.catalog import PACKAGE_DIR
from lessons.model import SUPPORTS, Lesson, Phase

if TYPE_CHECKING:
    import jinja2

    from lessons.oral import OralRehearsal

CARDS_FILE = PACKAGE_DIR / "cartes.toml"
TEMPLATES_DIR = PACKAGE_DIR / "templates"

GRID_NOTICE = (
    "Grille d'auto-évaluation écrite pour le kit à partir des compétences du titre — "
    "ce n'est pas la grille officielle d'évaluation du jury."
)

#: 0–3 scale of the self-evaluation.
SCALE: dict[int, str] = {
    0: "pas fait",
    1: "à travailler",
    2: "satisfaisant",
    3: "très bien",
}

#: Fraction of a phase's planned time after which the timer warns that time is running out.
WARN_FRACTION = 0.8


@dataclass(frozen=True)
class Card:
    """A public or a situation of the draw.

    ``supports``: the supports it is drawn for (empty: every support). ``publics`` (situations
    only): the public cards it can happen with (empty: every public), so that « un participant
    âgé » never turns up in a group of collégiens.
    """

    ident: str
    text: str
    advice: str
    supports: tuple[str, ...] = ()
    publics: tuple[str, ...] = ()

    def fits(self, support: str, public: str | None = None) -> bool:
        if self.supports and support not in self.supports:
            return False
        return public is None or not self.publics or public in self.publics


@dataclass(frozen=True)
class Criterion:
    ident: str
    competence: str
    text: str


#: The grid: observable criteria grouped by CCP1 activity.
GRID: tuple[Criterion, ...] = (
    Criterion("objectifs", "programmes", "J'ai annoncé des objectifs clairs, adaptés au public."),
    Criterion("timing", "programmes", "Mon déroulé a tenu dans le temps prévu, phase par phase."),
    Criterion("supports", "ressources", "Mes supports (fiche, visuels, démonstration) étaient "
              "lisibles et adaptés au public."),
    Criterion("plan-b", "ressources", "J'avais un plan B prêt si le matériel ne marchait pas."),
    Criterion("accueil", "accueil", "J'ai accueilli le public et posé le cadre (objectifs, "
              "règles, sécurité)."),
    Criterion("adaptation", "accueil", "J'ai adapté mon discours à la situation tirée et au "
              "public annoncé."),
    Criterion("consignes", "animation", "Mes consignes étaient claires, une étape à la fois."),
    Criterion("verification", "animation", "J'ai vérifié la compréhension à chaque tâche "
              "(« Vérifier »)."),
    Criterion("securite", "animation", "J'ai rappelé les points de vigilance (sécurité, "
              "données personnelles)."),
    Criterion("posture", "animation", "Ma posture était bienveillante ; j'ai laissé faire les "
              "participants sans faire à leur place."),
)  # fmt: skip

#: What the jury looks at, by kind of phase (prompts shown during the rehearsal).
JURY_LOOKS_AT: dict[str, tuple[str, ...]] = {
    "accueil": (
        "Accueil de chaque personne, présentation de soi et du cadre.",
        "Objectifs annoncés clairement, en mots simples.",
    ),
    "brise-glace": (
        "Tout le monde prend la parole ; l'animateur écoute et relance.",
        "Le brise-glace mène au sujet du jour.",
    ),
    "demonstration": (
        "On voit le résultat attendu ; la démonstration reste courte.",
        "Consignes de sécurité dites au bon moment.",
        "Plan B prêt si le matériel ne répond pas.",
    ),
    "apport": (
        "Vocabulaire adapté au public, exemples du quotidien.",
        "Vérification de la compréhension avant de passer à la suite.",
    ),
    "tache-guidee": (
        "Une consigne à la fois ; l'animateur montre puis laisse faire.",
        "Il ne fait pas à la place des participants (les mains dans le dos).",
        "Il vérifie chaque résultat (« Vérifier »).",
    ),
    "defi": ("Les plus rapides sont occupés sans que les autres soient pressés.",),
    "bilan": (
        "Chaque objectif est évalué ; les participants reformulent.",
        "Recueil du ressenti ; clôture dans les temps.",
    ),
    "prolongement": (
        "Des suites concrètes : ressources, prochain atelier, accompagnement individuel.",
    ),
}
GENERAL_LOOKS_AT = (
    "Posture, voix, regard vers tout le groupe.",
    "Adaptation au public et à la situation tirés.",
)


@dataclass(frozen=True)
class Draw:
    seed: int
    support: str
    lesson: Lesson
    public: Card
    situation: Card


def load_cards(path: Path = CARDS_FILE) -> tuple[list[Card], list[Card]]:
    """The public cards and the situation cards."""
    publics, situations = _cards(path)
    return list(publics), list(situations)


@lru_cache(maxsize=4)
def _cards(path: Path) -> tuple[tuple[Card, ...], tuple[Card, ...]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    public_ids = {item["id"] for item in data["publics"]}

    def cards(key: str) -> list[Card]:
        found = []
        for item in data[key]:
            supports = tuple(item.get("supports", ()))
            unknown = sorted(set(supports) - set(SUPPORTS))
            if unknown:
                raise ValueError(f"{path}: card {item['id']!r} names unknown supports {unknown}")
            publics = tuple(item.get("publics", ()))
            unknown = sorted(set(publics) - public_ids)
            if unknown:
                raise ValueError(f"{path}: card {item['id']!r} names unknown publics {unknown}")
            found.append(Card(item["id"], item["texte"], item["conseil"], supports, publics))
        return found

    return tuple(cards("publics")), tuple(cards("situations"))


def draw(lessons: list[Lesson], *, seed: int, support: str | None = None) -> Draw:
    """The jury's draw: a support (unless given), its certification lesson, a public, a situation.

    Only the seed decides: the same seed and support always give the same draw. The support is
    drawn even when it is given, so that ``--support S --seed N``, with S the support that
    ``--tirage --seed N`` drew, replays that draw exactly (the command the report prints). The
    public is drawn among the cards that fit the support, the situation among those that fit
    both the support and the public.
    """
    rng = random.Random(seed)
    drawn_support = rng.choice(sorted(SUPPORTS))
    chosen_support = support if support is not None else drawn_support
    candidates = sorted(
        (lesson for lesson in lessons if lesson.support == chosen_support),
        key=lambda lesson: lesson.ident,
    )
    if not candidates:
        raise KitError(f"Aucune leçon pour le support « {chosen_support} ».")
    certification = [lesson for lesson in candidates if lesson.format == "certification"]
    lesson = rng.choice(certification or candidates)
    publics, situations = load_cards()
    public = rng.choice([card for card in publics if card.fits(chosen_support)])
    fitting = [card for card in situations if card.fits(chosen_support, public.ident)]
    return Draw(seed, chosen_support, lesson, public, rng.choice(fitting))


def looks_at(phase: Phase) -> tuple[str, ...]:
    return JURY_LOOKS_AT.get(phase.kind, ()) + GENERAL_LOOKS_AT


# --- report ----------------------------------------------------------------------------------


def _environment(autoescape: bool) -> jinja2.Environment:
    import jinja2  # imported when a report is written, not on every start of the kit

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    if autoescape:
        from lessons.export import finalize_html

        env.finalize = finalize_html
    from lessons.export import markdown_cell

    env.filters["cell"] = markdown_cell
    env.filters["duree"] = format_duration_fr
    env.filters["ecart"] = lambda s: (
        ("+" if s > 0 else "−" if s < 0 else "") + format_duration_fr(abs(s))
    )
    return env


def html_environment() -> jinja2.Environment:
    """The exported report's HTML environment (escaping, filters), also ``kit tableau``'s."""
    return _environment(True)


def _report_context(oral: OralRehearsal) -> dict[str, Any]:
    from lessons.oral import PART_LABELS
    from lessons.titles import QUESTIONS_NOTICE, lesson_competences

    return {
        "r": oral,
        "d": oral.draw,
        "t": oral.title,
        "parts": {part.value: label for part, label in PART_LABELS.items()},
        "worked": lesson_competences(oral.draw.lesson, oral.title),
        "grid": GRID,
        "scale": SCALE,
        "by_competence": oral.score_by_competence(),
        "notice": GRID_NOTICE,
        "questions_notice": QUESTIONS_NOTICE,
        "support_label": SUPPORTS[oral.draw.support],
        "version": __version__,
    }


def report_markdown(oral: OralRehearsal) -> str:
    return _environment(False).get_template("rapport.md.j2").render(**_report_context(oral))


def report_html(oral: OralRehearsal) -> str:
    css = (TEMPLATES_DIR / "print.css").read_text(encoding="utf-8")
    return (
        _environment(True).get_template("rapport.html.j2").render(css=css, **_report_context(oral))
    )


def report_stem(oral: OralRehearsal) -> str:
    return f"repetition-{oral.draw.lesson.ident}-tirage{oral.draw.seed}"
