# SPDX-License-Identifier: GPL-3.0-or-later
"""Pacing rules: minimum time per défi, per objective assessed at the bilan, per participant
(at the bilan and at the accueil's needs round).

The rules are data (``lessons/rythme.toml``), each with its source or labelled as the kit's own
rule of thumb; a rule that is not met is a warning carrying the rule's reason, never a failure:
a trainer may have good reasons to go faster, but should know it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from kit.messages import number_fr
from lessons.model import Lesson

RULES_FILE = Path(__file__).resolve().parent / "rythme.toml"


@dataclass(frozen=True)
class PacingRule:
    ident: str
    what: str
    minutes: float
    source: str
    reason: str


@cache
def load_rules(path: Path = RULES_FILE) -> dict[str, PacingRule]:
    """The pacing rules by id (read once)."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    rules = {}
    for raw in data["regles"]:
        rule = PacingRule(
            ident=str(raw["id"]),
            what=str(raw["quoi"]),
            minutes=float(raw["minutes"]),
            source=str(raw["source"]),
            reason=str(raw["raison"]),
        )
        rules[rule.ident] = rule
    return rules


def participants(lesson: Lesson) -> int:
    """The largest number in the lesson's « effectif » (« 6 à 8 étudiants » -> 8), at least 1."""
    numbers = [int(n) for n in re.findall(r"\d+", lesson.group_size)]
    return max(numbers, default=1)


def assessed_at_bilan(lesson: Lesson) -> int:
    """How many objectives say they are assessed at the bilan (« Au bilan, … »)."""
    return sum(1 for o in lesson.objectives if "bilan" in o.evaluation.casefold())


def _minutes(value: float) -> str:
    return number_fr(value, 1)


def pacing_warnings(lesson: Lesson) -> list[tuple[int, str]]:
    """``(line, message)`` for each pacing rule the lesson does not meet."""
    rules = load_rules()
    found: list[tuple[int, str]] = []

    def cite(rule: PacingRule) -> str:
        return f"{rule.reason} ({rule.source})"

    defi = rules["defi"]
    for phase in lesson.phases:
        if phase.kind == "defi" and phase.minutes < defi.minutes:
            found.append(
                (
                    phase.line,
                    f"le défi « {phase.title} » dure {phase.minutes} min, moins de "
                    f"{_minutes(defi.minutes)} min : {cite(defi)}",
                )
            )
    per_person = rules["accueil-participant"]
    people = participants(lesson)
    accueil = [p for p in lesson.phases if p.kind == "accueil"]
    if accueil and accueil[0].minutes + 1e-9 < people * per_person.minutes:
        found.append(
            (
                accueil[0].line,
                f"l'accueil dure {accueil[0].minutes} min pour {people} participants : il en "
                f"faudrait au moins {_minutes(people * per_person.minutes)} "
                f"({_minutes(per_person.minutes)} min par participant : {cite(per_person)})",
            )
        )
    per_objective = rules["bilan-objectif"]
    per_participant = rules["bilan-participant"]
    bilan_minutes = sum(p.minutes for p in lesson.phases if p.kind == "bilan")
    objectives = assessed_at_bilan(lesson)
    needed = objectives * per_objective.minutes + people * per_participant.minutes
    bilans = [p for p in lesson.phases if p.kind == "bilan"]
    if bilans and bilan_minutes + 1e-9 < needed:
        found.append(
            (
                bilans[0].line,
                f"le bilan dure {bilan_minutes} min pour {objectives} objectif(s) évalué(s) et "
                f"{people} participants : il en faudrait au moins {_minutes(needed)} "
                f"({_minutes(per_objective.minutes)} min par objectif : {cite(per_objective)} ; "
                f"{_minutes(per_participant.minutes)} min par participant : "
                f"{cite(per_participant)})",
            )
        )
    return found
