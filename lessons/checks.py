# SPDX-License-Identifier: GPL-3.0-or-later
"""Pedagogical and timing checks on lessons, and on the whole catalogue.

The schema guarantees that a lesson *reads*; these checks say whether it *holds*: phases that
add up to the announced duration, a « Vérifier » in every guided task, objectives written with
observable verbs, a certification format of 40 minutes, at least two adaptations, and a
catalogue covering each of the five supports in both formats.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from lessons.model import (
    ATELIER_MAX_MINUTES,
    ATELIER_MIN_MINUTES,
    CERTIFICATION_MINUTES,
    SUPPORTS,
    Lesson,
)
from lessons.pacing import pacing_warnings

#: Supports whose lessons must run at least one kit command against a simulator.
HARDWARE_SUPPORTS = ("impression-3d", "robot", "microcontroleur")
MIN_LESSONS = 11

#: Verbs that describe an intention, not something a trainer can observe (Bloom's taxonomy
#: practice: an objective states what the participant will *do*).
NOT_OBSERVABLE = {
    "comprendre", "connaître", "connaitre", "savoir", "découvrir", "apprendre",
    "sensibiliser", "maîtriser", "appréhender", "percevoir", "s'approprier",
}  # fmt: skip
INFINITIVE_ENDINGS = ("er", "ir", "re", "oir")


@dataclass(frozen=True)
class Finding:
    """A problem found in a lesson (``line`` of its file, 0 when it concerns the catalogue)."""

    where: str
    line: int
    message: str
    #: A warning (a pacing rule of thumb, for instance) is shown but does not fail the check.
    warning: bool = False


def _first_verb(text: str) -> str:
    word = text.split()[0].casefold() if text.split() else ""
    if word in ("se", "s'") and len(text.split()) > 1:
        return word + " " + text.split()[1].casefold()
    return word


def check_lesson(lesson: Lesson) -> list[Finding]:
    """Everything wrong with one lesson's content and timings (empty when it is sound)."""
    found: list[Finding] = []

    def add(message: str, line: int = 0) -> None:
        found.append(Finding(lesson.ident, line, message))

    total = lesson.phase_minutes
    if total != lesson.minutes:
        add(
            f"les phases durent {total} min au total, mais la leçon annonce {lesson.minutes} min.",
            lesson.phases[0].line,
        )
    if lesson.format == "certification" and lesson.minutes != CERTIFICATION_MINUTES:
        add(f"le format certification dure {CERTIFICATION_MINUTES} min, pas {lesson.minutes}.")
    if lesson.format == "atelier" and not (
        ATELIER_MIN_MINUTES <= lesson.minutes <= ATELIER_MAX_MINUTES
    ):
        add(
            f"un atelier dure de {ATELIER_MIN_MINUTES} à {ATELIER_MAX_MINUTES} min, "
            f"pas {lesson.minutes}."
        )

    kinds = [phase.kind for phase in lesson.phases]
    if kinds[0] != "accueil":
        add("la première phase doit être l'accueil.", lesson.phases[0].line)
    if "tache-guidee" not in kinds:
        add("le déroulé n'a aucune tâche guidée.")
    if "bilan" not in kinds:
        add("le déroulé n'a pas de phase de bilan et d'évaluation.")
    elif "bilan" not in kinds[-2:]:
        add("le bilan doit venir en fin de séance (avant-dernière ou dernière phase).")
    for phase in lesson.phases:
        if phase.kind == "tache-guidee" and not phase.verify:
            add(f"la tâche guidée « {phase.title} » n'a pas de « Vérifier ».", phase.line)

    seen: set[str] = set()
    for objective in lesson.objectives:
        if objective.ident in seen:
            add(f"l'objectif « {objective.ident} » est en double.")
        seen.add(objective.ident)
        verb = _first_verb(objective.text)
        bare = verb.split()[-1] if verb else ""
        if bare.startswith(("s'", "s’")):
            bare = bare[2:]
        if verb in NOT_OBSERVABLE or bare in NOT_OBSERVABLE:
            add(
                f"l'objectif {objective.ident} commence par « {verb} », qui n'est pas observable "
                "(préférez : identifier, réaliser, programmer, expliquer…)."
            )
        elif not bare.endswith(INFINITIVE_ENDINGS):
            add(f"l'objectif {objective.ident} doit commencer par un verbe à l'infinitif.")

    found.extend(_room_and_jury(lesson))
    for line, message in pacing_warnings(lesson):
        found.append(Finding(lesson.ident, line, message, warning=True))

    if len(lesson.adaptations) < 2:
        add("prévoyez au moins deux adaptations à d'autres publics.")
    if lesson.support in HARDWARE_SUPPORTS and not lesson.commands():
        add("une leçon sur ce support doit lancer au moins une commande du kit (simulateur).")
    return found


#: Words showing that the accueil gathers the participants' needs, that the lesson says where
#: to refer someone, and that the bilan leaves a written trace (compared without case).
NEEDS_WORDS = ("besoin", "attente")
ORIENTATION_WORDS = ("orient",)
WRITTEN_TRACE_WORDS = ("écrit", "post-it", "trace", "questionnaire", "fiche d'évaluation")
JURY_WORDS = ("jury", "juré")


def _room_and_jury(lesson: Lesson) -> list[Finding]:
    """What a jury looks at: needs gathered at the accueil, orientation, a written bilan, and,
    for the certification format, how to run the lesson with two jurors as participants."""
    found = []

    def mentions(texts: list[str], words: tuple[str, ...]) -> bool:
        folded = " ".join(texts).casefold()
        return any(word in folded for word in words)

    accueil = [p for p in lesson.phases if p.kind == "accueil"]
    if accueil and not mentions([accueil[0].animateur, accueil[0].participants], NEEDS_WORDS):
        found.append(
            Finding(
                lesson.ident,
                accueil[0].line,
                "l'accueil ne recueille pas les besoins ni les attentes des participants "
                "(un tour de table : qu'attendez-vous de la séance ?).",
            )
        )
    around = [
        f"{p.animateur} {p.participants}"
        for p in lesson.phases
        if p.kind in ("accueil", "bilan", "prolongement")
    ]
    if not mentions(around, ORIENTATION_WORDS):
        found.append(
            Finding(
                lesson.ident,
                0,
                "ni l'accueil, ni le bilan, ni le prolongement ne disent vers quels services "
                "locaux orienter une personne (orientation).",
            )
        )
    for phase in lesson.phases:
        if phase.kind == "bilan" and not mentions(
            [phase.animateur, phase.participants], WRITTEN_TRACE_WORDS
        ):
            found.append(
                Finding(
                    lesson.ident,
                    phase.line,
                    f"le bilan « {phase.title} » ne laisse pas de trace écrite des retours "
                    "des participants.",
                )
            )
    if lesson.format == "certification" and not mentions(
        [f"{a.public} {a.text}" for a in lesson.adaptations], JURY_WORDS
    ):
        found.append(
            Finding(
                lesson.ident,
                0,
                "format certification : ajoutez une adaptation pour la simulation devant le jury, "
                "où deux jurés jouent les participants.",
            )
        )
    return found


def check_catalogue(lessons: list[Lesson]) -> list[Finding]:
    """Coverage of the five supports: at least two lessons each, both formats, varied publics."""
    found: list[Finding] = []
    if len(lessons) < MIN_LESSONS:
        found.append(
            Finding("catalogue", 0, f"{len(lessons)} leçons : il en faut au moins {MIN_LESSONS}.")
        )
    by_support: dict[str, list[Lesson]] = defaultdict(list)
    idents: set[str] = set()
    for lesson in lessons:
        by_support[lesson.support].append(lesson)
        if lesson.ident in idents:
            found.append(Finding(lesson.ident, 0, "identifiant en double dans le catalogue."))
        idents.add(lesson.ident)
    for support, label in SUPPORTS.items():
        group = by_support.get(support, [])
        formats = {lesson.format for lesson in group}
        if len(group) < 2:
            found.append(Finding("catalogue", 0, f"{label} : il faut au moins deux leçons."))
        for wanted in ("certification", "atelier"):
            if wanted not in formats:
                found.append(
                    Finding("catalogue", 0, f"{label} : aucune leçon au format « {wanted} ».")
                )
        publics = [lesson.public.who.casefold() for lesson in group]
        if len(set(publics)) != len(publics):
            found.append(Finding("catalogue", 0, f"{label} : varier les publics des leçons."))
    return found
