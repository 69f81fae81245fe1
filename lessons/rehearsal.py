# SPDX-License-Identifier: GPL-3.0-or-later
"""Rehearsing the jury's atelier simulation: the draw, phase timings, self-evaluation, report.

Everything here is data and pure functions; the terminal flow (prompts, live timer) lives in
``kit/commands/rehearse.py``. The draw is reproducible: the same seed gives the same support,
lesson, public and situation, so a trainer can hand a candidate « tirage 4217 ».

The self-evaluation grid is *derived* from the activities of the first CCP of the titre
professionnel (as listed in the lesson files' ``competences``); it is not the jury's official
evaluation grid, and every output says so.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from kit import __version__
from kit.errors import InputFileError, KitError
from kit.files import read_toml_input
from kit.messages import format_duration_fr
from lessons.catalog import PACKAGE_DIR
from lessons.model import COMPETENCES, SUPPORTS, Lesson, Phase

if TYPE_CHECKING:
    import jinja2

CARDS_FILE = PACKAGE_DIR / "cartes.toml"
TEMPLATES_DIR = PACKAGE_DIR / "templates"

GRID_NOTICE = (
    "Grille d'auto-évaluation dérivée des activités du référentiel (CCP1) — "
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
    ident: str
    text: str
    advice: str
    supports: tuple[str, ...] = ()  # the supports it is drawn for; empty: every support

    def fits(self, support: str) -> bool:
        return not self.supports or support in self.supports


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
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    def cards(key: str) -> list[Card]:
        found = []
        for item in data[key]:
            supports = tuple(item.get("supports", ()))
            unknown = sorted(set(supports) - set(SUPPORTS))
            if unknown:
                raise ValueError(f"{path}: card {item['id']!r} names unknown supports {unknown}")
            found.append(Card(item["id"], item["texte"], item["conseil"], supports))
        return found

    return cards("publics"), cards("situations")


def draw(lessons: list[Lesson], *, seed: int, support: str | None = None) -> Draw:
    """The jury's draw: a support (unless given), its certification lesson, a public, a situation.

    Only the seed decides: the same seed and support always give the same draw. The support is
    drawn even when it is given, so that ``--support S --seed N``, with S the support that
    ``--tirage --seed N`` drew, replays that draw exactly (the command the report prints).
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
    fitting = [card for card in situations if card.fits(chosen_support)]
    return Draw(seed, chosen_support, lesson, rng.choice(publics), rng.choice(fitting))


def looks_at(phase: Phase) -> tuple[str, ...]:
    return JURY_LOOKS_AT.get(phase.kind, ()) + GENERAL_LOOKS_AT


def phase_warning(elapsed_s: float, planned_s: float) -> tuple[str, str]:
    """``(level, message)`` for a phase's running time: ``ok``, ``bientot`` or ``depasse``."""
    if elapsed_s > planned_s:
        return "depasse", f"dépassement de {format_duration_fr(elapsed_s - planned_s)}"
    if elapsed_s >= WARN_FRACTION * planned_s:
        return "bientot", f"il reste {format_duration_fr(planned_s - elapsed_s)}"
    return "ok", ""


@dataclass
class PhaseTiming:
    phase: Phase
    actual_s: float

    @property
    def planned_s(self) -> float:
        return self.phase.minutes * 60.0

    @property
    def delta_s(self) -> float:
        return self.actual_s - self.planned_s

    @property
    def warning(self) -> str:
        level, message = phase_warning(self.actual_s, self.planned_s)
        return message if level == "depasse" else ""


@dataclass
class DemoOutcome:
    command_line: str
    ok: bool
    detail: str


@dataclass
class Rehearsal:
    draw: Draw
    timings: list[PhaseTiming] = field(default_factory=list)
    demos: list[DemoOutcome] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)
    comment: str = ""
    date: str = field(default_factory=lambda: dt.date.today().strftime("%d/%m/%Y"))

    @property
    def total_s(self) -> float:
        return sum(timing.actual_s for timing in self.timings)

    @property
    def planned_total_s(self) -> float:
        return self.draw.lesson.minutes * 60.0

    def score_by_competence(self) -> list[tuple[str, int, int]]:
        """``(activity label, points, maximum)`` for each CCP1 activity of the grid."""
        rows = []
        for key, label in COMPETENCES.items():
            criteria = [c for c in GRID if c.competence == key]
            points = sum(self.scores.get(c.ident, 0) for c in criteria)
            rows.append((label, points, 3 * len(criteria)))
        return rows


# --- answers file for --non-interactif -------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    support: str | None
    minutes: tuple[float, ...]
    demonstration: bool
    scores: dict[str, int]
    comment: str


def load_answers(path: Path) -> Answers:
    """Read the answers of a non-interactive rehearsal (TOML), with French errors."""
    source = Path(path)
    data = read_toml_input(source, what="fichier de réponses")
    known = {"support", "minutes", "demonstration", "autoevaluation", "commentaire"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputFileError(f"Clé inconnue dans « {source} » : {', '.join(unknown)}.")
    minutes = data.get("minutes", [])
    if not isinstance(minutes, list) or not all(
        isinstance(m, (int, float)) and not isinstance(m, bool) and 0 <= m <= 600 for m in minutes
    ):
        raise InputFileError(
            f"« minutes » ({source}) : une liste de durées en minutes, une par phase."
        )
    scores = data.get("autoevaluation", {})
    if not isinstance(scores, dict):
        raise InputFileError(f"« autoevaluation » ({source}) doit être une table.")
    idents = {c.ident for c in GRID}
    for key, value in scores.items():
        if key not in idents:
            raise InputFileError(
                f"Critère inconnu « {key} » dans « {source} » "
                f"(critères : {', '.join(sorted(idents))})."
            )
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            raise InputFileError(f"Note de « {key} » : un entier de 0 à 3 ({source}).")
    support = data.get("support")
    if support is not None and not isinstance(support, str):
        raise InputFileError(f"« support » ({source}) doit être un texte.")
    demonstration = data.get("demonstration", True)
    if not isinstance(demonstration, bool):
        raise InputFileError(f"« demonstration » ({source}) vaut true ou false.")
    comment = data.get("commentaire", "")
    if not isinstance(comment, str):
        raise InputFileError(f"« commentaire » ({source}) doit être un texte.")
    return Answers(
        support=support,
        minutes=tuple(float(m) for m in minutes),
        demonstration=demonstration,
        scores=dict(scores),
        comment=comment,
    )


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


def _report_context(rehearsal: Rehearsal) -> dict[str, Any]:
    return {
        "r": rehearsal,
        "d": rehearsal.draw,
        "grid": GRID,
        "scale": SCALE,
        "competences": COMPETENCES,
        "by_competence": rehearsal.score_by_competence(),
        "notice": GRID_NOTICE,
        "support_label": SUPPORTS[rehearsal.draw.support],
        "version": __version__,
    }


def report_markdown(rehearsal: Rehearsal) -> str:
    return _environment(False).get_template("rapport.md.j2").render(**_report_context(rehearsal))


def report_html(rehearsal: Rehearsal) -> str:
    css = (TEMPLATES_DIR / "print.css").read_text(encoding="utf-8")
    return (
        _environment(True)
        .get_template("rapport.html.j2")
        .render(css=css, **_report_context(rehearsal))
    )


def report_stem(rehearsal: Rehearsal) -> str:
    return f"repetition-{rehearsal.draw.lesson.ident}-tirage{rehearsal.draw.seed}"
