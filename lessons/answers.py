# SPDX-License-Identifier: GPL-3.0-or-later
"""The answers file of ``kit rehearse --non-interactif``: reading it, checking it, a model of it.

The answers file is one more front-end of :class:`lessons.oral.OralRehearsal`: every prompt of
the oral names the key its answer lives under (``Prompt.key``), so a missing or bad answer is
reported with that key before anything is shown or written. :func:`answers_template` writes a
commented file for a given draw (``kit rehearse --modele-reponses FICHIER``), which runs as is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.errors import InputFileError
from kit.files import read_toml_input
from lessons.oral import ADAPTATION_QUESTION, Answer, Kind, OralRehearsal, Prompt
from lessons.rehearsal import GRID, SCALE
from lessons.titles import DURATION_PARTS, Title

TEMPLATE_HINT = (
    "« kit rehearse --modele-reponses FICHIER » (avec --support et --seed) écrit un fichier de "
    "réponses commenté à compléter."
)

#: Keys of the answers file, in the order of the oral.
KEYS = (
    "titre", "support", "tirage", "demonstration", "duree_presentation", "duree_atelier",
    "duree_questions", "dossier", "presentation_minutes", "minutes", "adaptation",
    "questions_minutes", "autoevaluation", "commentaire",
)  # fmt: skip

#: Upper bound of a duration in an answers file, in minutes (a typo, not a rehearsal, beyond).
MAX_MINUTES = 600


@dataclass(frozen=True)
class Answers:
    source: Path
    data: dict[str, Any]

    @property
    def title(self) -> str | None:
        return self._text("titre")

    @property
    def support(self) -> str | None:
        return self._text("support")

    @property
    def seed(self) -> int | None:
        value = self.data.get("tirage")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._error("tirage", "un numéro de tirage (entier positif ou nul)")
        return value

    @property
    def demonstration(self) -> bool:
        value = self.data.get("demonstration", True)
        if not isinstance(value, bool):
            raise self._error("demonstration", "true ou false")
        return value

    def duration_min(self, part: str) -> float | None:
        key = f"duree_{part}"
        if key not in self.data:
            return None
        return self._minutes(self.data[key], key, minimum=1)

    def _text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            raise self._error(key, "un texte entre guillemets")
        return value

    def _error(self, key: str, expected: str) -> InputFileError:
        return InputFileError(
            f"Clé « {key} » du fichier de réponses « {self.source} » : {expected} attendu.",
            hint=TEMPLATE_HINT,
        )

    def _missing(self, key: str, what: str) -> InputFileError:
        return InputFileError(
            f"Clé manquante « {key} » dans le fichier de réponses « {self.source} » ({what}).",
            hint=TEMPLATE_HINT,
        )

    def _minutes(self, value: Any, key: str, *, minimum: float = 0) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not minimum <= value <= MAX_MINUTES
        ):
            raise self._error(key, f"une durée en minutes, de {minimum:g} à {MAX_MINUTES}")
        return float(value)

    def _list(self, key: str, count: int, what: str) -> list[float]:
        if key not in self.data:
            raise self._missing(key, what)
        values = self.data[key]
        if not isinstance(values, list):
            raise self._error(key, f"une liste de {count} durée(s) en minutes ({what})")
        if len(values) != count:
            raise InputFileError(
                f"Clé « {key} » du fichier de réponses « {self.source} » : {len(values)} "
                f"durée(s) données pour {count} attendue(s) ({what}).",
                hint=TEMPLATE_HINT,
            )
        return [self._minutes(value, f"{key}[{i + 1}]") for i, value in enumerate(values)]

    def _table(self, key: str, what: str) -> dict[str, Any]:
        if key not in self.data:
            raise self._missing(key, what)
        table = self.data[key]
        if not isinstance(table, dict):
            raise self._error(key, f"une table [{key}]")
        return table

    def check(self, oral: OralRehearsal) -> None:
        """Every answer the oral will ask for is there and well typed; else a French error
        naming the key. Called before anything is shown, so nothing is half-done."""
        unknown = sorted(set(self.data) - set(KEYS))
        if unknown:
            raise InputFileError(
                f"Clé inconnue dans le fichier de réponses « {self.source} » : "
                f"{', '.join(unknown)} (clés possibles : {', '.join(KEYS)}).",
                hint=TEMPLATE_HINT,
            )
        _ = (self.title, self.support, self.seed, self.demonstration)  # their types
        for part in DURATION_PARTS:
            self.duration_min(part)
        self._dossier(oral.title)
        if "presentation_minutes" not in self.data:
            raise self._missing("presentation_minutes", "durée de votre présentation")
        self._minutes(self.data["presentation_minutes"], "presentation_minutes")
        phases = len(oral.lesson.phases)
        self._list("minutes", phases, f"une par phase du déroulé « {oral.lesson.ident} »")
        if "adaptation" not in self.data:
            raise self._missing("adaptation", "comment vous avez adapté l'atelier")
        self._text("adaptation")
        self._list("questions_minutes", len(oral.questions), "une par question du jury")
        self._scores()
        self._text("commentaire")

    def _dossier(self, title: Title) -> dict[str, bool]:
        table = self._table("dossier", "ce que vous apportez")
        idents = [item.ident for item in title.dossier]
        for key, value in table.items():
            if key not in idents:
                raise InputFileError(
                    f"Élément de dossier inconnu « {key} » dans « {self.source} » "
                    f"(éléments : {', '.join(idents)}).",
                    hint=TEMPLATE_HINT,
                )
            if not isinstance(value, bool):
                raise self._error(f"dossier.{key}", "true ou false")
        for ident in idents:
            if ident not in table:
                raise self._missing(f"dossier.{ident}", "true si vous l'avez, false sinon")
        return table

    def _scores(self) -> dict[str, int]:
        table = self._table("autoevaluation", "vos notes de 0 à 3")
        idents = [criterion.ident for criterion in GRID]
        for key, value in table.items():
            if key not in idents:
                raise InputFileError(
                    f"Critère inconnu « {key} » dans « {self.source} » "
                    f"(critères : {', '.join(sorted(idents))}).",
                    hint=TEMPLATE_HINT,
                )
            if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
                raise self._error(f"autoevaluation.{key}", "une note entière de 0 à 3")
        for ident in idents:
            if ident not in table:
                raise InputFileError(
                    f"Note manquante pour « {ident} » dans le fichier de réponses "
                    f"« {self.source} » (clé « autoevaluation.{ident} »).",
                    hint=TEMPLATE_HINT,
                )
        return table

    def value_for(self, prompt: Prompt) -> Answer:
        """The answer to ``prompt`` (after :meth:`check`). Demonstrations are the caller's:
        it runs them when :attr:`demonstration` is true."""
        if prompt.kind is Kind.CHECK:
            return bool(self.data["dossier"][prompt.key.partition(".")[2]])
        if prompt.kind is Kind.SCORE:
            return int(self.data["autoevaluation"][prompt.key.partition(".")[2]])
        if prompt.kind is Kind.TIMED:
            value = self.data[prompt.key]
            minutes = value[prompt.index] if isinstance(value, list) else value
            return float(minutes) * 60.0
        if prompt.kind is Kind.TEXT:
            return str(self.data.get(prompt.key, ""))
        raise ValueError(f"no answer in a file for a {prompt.kind} prompt")


def load_answers(path: Path) -> Answers:
    """Read an answers file (TOML) in French errors; :meth:`Answers.check` checks it fits."""
    source = Path(path)
    return Answers(source, read_toml_input(source, what="fichier de réponses"))


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def answers_template(oral: OralRehearsal) -> str:
    """A commented answers file for this draw, valid as written (example values to replace)."""
    draw = oral.draw
    lesson = oral.lesson
    lines = [
        "# Fichier de réponses de « kit rehearse --non-interactif » (TOML).",
        f"# Titre : {oral.title.label} ; tirage n° {draw.seed} : {lesson.title} ({lesson.ident}).",
        f"# Public : {draw.public.text}",
        f"# Situation : {draw.situation.text}",
        "# Les durées sont celles que vous avez mesurées en répétant, en minutes ; les valeurs",
        "# écrites ici sont des exemples à remplacer, pas des durées officielles.",
        "",
        f"titre = {_toml(oral.title.ident)}",
        f"support = {_toml(draw.support)}",
        f"tirage = {draw.seed}",
        "# Lancer les démonstrations du déroulé sur les simulateurs : true ou false.",
        "demonstration = false",
        "",
        "# Durées fixées par votre centre d'examen (aucune n'a été trouvée dans les textes",
        "# publiés) : décommentez pour que le rapport signale où le jury vous arrêterait.",
    ]
    for part, label in DURATION_PARTS.items():
        if part == "atelier":
            lines.append(f"# duree_{part} = {oral.lesson.minutes}   # {label} (celle du déroulé)")
        else:
            lines.append(f"# duree_{part} =    # {label} : la durée annoncée, en minutes")
    lines += ["", "# Présentation de votre pratique : combien de minutes vous avez parlé.",
              "presentation_minutes = 10", "",
              "# Simulation d'atelier : une durée par phase, dans l'ordre du déroulé.",
              "minutes = ["]  # fmt: skip
    for number, phase in enumerate(lesson.phases, 1):
        lines.append(f"  {phase.minutes},   # {number}. {phase.kind_label} : {phase.title} "
                     f"(prévu {phase.minutes} min)")  # fmt: skip
    lines += ["]", "", f"# {ADAPTATION_QUESTION}",
              'adaptation = ""', "",
              "# Questions du jury (questions d'entraînement du kit) : une durée de réponse par",
              "# question, dans cet ordre.",
              "questions_minutes = ["]  # fmt: skip
    for number, question in enumerate(oral.questions, 1):
        lines.append(f"  3,   # {number}. {question.text}")
    lines += ["]", "", "# Un commentaire pour vous-même (facultatif).", 'commentaire = ""', ""]
    lines += ["# Le dossier à apporter : true si vous l'avez, false sinon.", "[dossier]"]
    for item in oral.title.dossier:
        lines.append(f"{item.ident} = true   # {item.text}")
    scale = ", ".join(f"{k} = {v}" for k, v in SCALE.items())
    lines += ["", f"# Auto-évaluation, une note de 0 à 3 ({scale}).", "[autoevaluation]"]
    for criterion in GRID:
        lines.append(f"{criterion.ident} = 2   # {criterion.text}")
    return "\n".join(lines) + "\n"
