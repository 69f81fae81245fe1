# SPDX-License-Identifier: GPL-3.0-or-later
"""The whole oral as one state machine: dossier, presentation, atelier, questions, self-review.

:class:`OralRehearsal` never touches a terminal, a timer or a file (h11's shape; only the
report's date defaults to today when the front-end gives none): it says what
to ask next (:attr:`OralRehearsal.current`, an immutable :class:`Prompt`), takes the answer
(:meth:`OralRehearsal.answer`, with durations measured by the caller) and gives back a
:class:`Feedback`; :meth:`OralRehearsal.timer` tells a live timer what to show for an elapsed
time. The terminal flow (``kit/commands/rehearse_flow.py``), the answers file
(:mod:`lessons.answers`) and a web page are front-ends of this one model. A demonstration step
only says which kit commands it would run; the front-end runs them and hands the outcomes in.

The order follows the oral as candidates describe it: the dossier checked on arrival, the
presentation of one's practice, the atelier simulation phase by phase, how it was adapted to
the drawn public and situation, the jury's questions drawn from the title's competences, then
the self-evaluation and a comment. :meth:`OralRehearsal.interrupt` stops anywhere and the report
shows what was done.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from enum import Enum

from kit.messages import format_duration_fr
from lessons.model import KitCommand, Lesson, Phase
from lessons.rehearsal import GRID, SCALE, WARN_FRACTION, Draw, looks_at
from lessons.titles import DURATION_PARTS, Competence, Title, lesson_competences


class Part(Enum):
    DOSSIER = "dossier"
    PRESENTATION = "presentation"
    ATELIER = "atelier"
    ADAPTATION = "adaptation"
    QUESTIONS = "questions"
    AUTOEVALUATION = "autoevaluation"
    COMMENT = "commentaire"


PART_LABELS: dict[Part, str] = {
    Part.DOSSIER: "Le dossier à apporter",
    Part.PRESENTATION: "Présentation de votre pratique",
    Part.ATELIER: "Simulation d'atelier",
    Part.ADAPTATION: "Adaptation au public et à la situation",
    Part.QUESTIONS: "Questions du jury",
    Part.AUTOEVALUATION: "Auto-évaluation",
    Part.COMMENT: "Commentaire",
}


class Kind(Enum):
    CHECK = "oui-non"  # answer: bool
    DEMO = "demonstration"  # answer: tuple of DemoOutcome (empty when not run)
    TIMED = "minuteur"  # answer: the measured duration in seconds
    TEXT = "texte"  # answer: str
    SCORE = "note"  # answer: int in SCALE


ADAPTATION_QUESTION = "Comment avez-vous adapté l'atelier à ce public et à cette situation ?"
PRESENTATION_QUESTION = (
    "Présentez votre pratique : vos structures, vos publics, les ateliers que vous avez menés."
)
COMMENT_QUESTION = "Un commentaire pour vous-même (facultatif)"


@dataclass(frozen=True)
class DemoOutcome:
    command_line: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class JuryQuestion:
    competence: Competence
    text: str


@dataclass(frozen=True)
class Durations:
    """Where the jury stops each timed part (``None``: no limit known or set), and why."""

    presentation_s: float | None
    atelier_s: float
    questions_s: float | None
    notices: tuple[str, ...]


@dataclass(frozen=True)
class Prompt:
    part: Part
    kind: Kind
    #: Where the answer lives in an answers file: a key, and for lists the position in it.
    key: str
    index: int
    count: int
    question: str
    title: str = ""
    lines: tuple[str, ...] = ()
    looks_at: tuple[str, ...] = ()
    #: Timed prompts: this item's planned time, where the jury stops the part, time used before.
    planned_s: float | None = None
    limit_s: float | None = None
    before_s: float = 0.0
    commands: tuple[KitCommand, ...] = ()


@dataclass(frozen=True)
class Feedback:
    """What a front-end shows after an answer.

    ``level``: ok, bientot (80 % of the time used), depasse (over the item's planned time), arret
    (the jury stops the candidate here), manque (a dossier item is missing).
    """

    level: str
    message: str


Answer = bool | float | int | str | tuple[DemoOutcome, ...]


def durations_for(
    title: Title,
    lesson: Lesson,
    *,
    presentation_min: float | None = None,
    atelier_min: float | None = None,
    questions_min: float | None = None,
) -> Durations:
    """Each part's duration: the candidate's, else an official one (with its source), else none.

    The atelier falls back on the déroulé's own planned time. Never invented: where no
    published text gives a duration, the notice says so and how to set it.
    """
    notices = []
    given = {"presentation": presentation_min, "atelier": atelier_min, "questions": questions_min}
    found: dict[str, float | None] = {}
    for part, label in DURATION_PARTS.items():
        value = given[part]
        official = title.durations.get(part)
        option = f"--duree-{part} MIN"
        if value is not None:
            found[part] = value * 60.0
            notices.append(f"{label.capitalize()} : {format_duration_fr(value * 60)}, "
                           "durée fixée par vous.")  # fmt: skip
        elif official is not None:
            found[part] = official.minutes * 60.0
            notices.append(f"{label.capitalize()} : {format_duration_fr(official.minutes * 60)} "
                           f"({official.source}).")  # fmt: skip
        elif part == "atelier":
            found[part] = lesson.minutes * 60.0
            notices.append(
                f"{label.capitalize()} : {format_duration_fr(lesson.minutes * 60)}, la durée de "
                "votre déroulé ; aucune durée officielle trouvée dans les textes publiés "
                f"({option} pour celle qu'annonce votre centre)."
            )
        else:
            found[part] = None
            notices.append(
                f"{label.capitalize()} : aucune durée officielle trouvée dans les textes publiés ; "
                f"fixez celle qu'annonce votre centre avec {option} (sans elle, le minuteur "
                "compte sans limite)."
            )
    atelier_s = found["atelier"]
    assert atelier_s is not None
    return Durations(found["presentation"], atelier_s, found["questions"], tuple(notices))


def draw_questions(title: Title, lesson: Lesson, seed: int) -> tuple[JuryQuestion, ...]:
    """One training question per competence of the title, the lesson's own competences first.

    Seeded by the title and the draw's number only, so ``tirage N`` asks the same questions on
    every machine without changing the support, lesson and cards that ``N`` draws.
    """
    rng = random.Random(f"{title.ident}:{seed}")
    worked = lesson_competences(lesson, title)
    ordered = worked + [c for c in title.competences if c not in worked]
    return tuple(JuryQuestion(c, rng.choice(c.questions)) for c in ordered)


def alert(
    before_s: float, actual_s: float, planned_s: float | None, limit_s: float | None
) -> Feedback:
    """How a timed item went: against its own planned time and against the part's limit.

    The jury stops the candidate when the part's time is up: the item during which the limit
    passes is where it would have stopped, and anything after it the jury would not have seen.
    """
    overrun = ""
    if planned_s is not None and actual_s > planned_s:
        overrun = f"dépassement de {format_duration_fr(actual_s - planned_s)}"
    # An item that starts exactly when the time is up is the one the jury interrupts (it
    # stops there); only what starts after that moment goes unseen.
    if limit_s is not None and before_s > limit_s:
        return Feedback("arret", "après la fin du temps : le jury ne l'aurait pas vu")
    if limit_s is not None and before_s + actual_s > limit_s:
        stop = f"le jury vous arrête ici ({format_duration_fr(limit_s)} atteintes)"
        return Feedback("arret", f"{overrun} ; {stop}" if overrun else stop)
    if overrun:
        return Feedback("depasse", overrun)
    return Feedback("ok", "")


@dataclass(frozen=True)
class TimedResult:
    prompt: Prompt
    actual_s: float

    @property
    def alert(self) -> Feedback:
        return alert(self.prompt.before_s, self.actual_s, self.prompt.planned_s,
                     self.prompt.limit_s)  # fmt: skip

    @property
    def delta_s(self) -> float | None:
        if self.prompt.planned_s is None:
            return None
        return self.actual_s - self.prompt.planned_s


@dataclass
class OralRehearsal:
    """One candidate's oral, from the dossier check to the comment."""

    draw: Draw
    title: Title
    durations: Durations
    questions: tuple[JuryQuestion, ...]
    date: str = field(default_factory=lambda: dt.date.today().strftime("%d/%m/%Y"))
    dossier: dict[str, bool] = field(default_factory=dict)
    presentation: TimedResult | None = None
    demos: list[DemoOutcome] = field(default_factory=list)
    timings: list[TimedResult] = field(default_factory=list)
    adaptation: str | None = None
    answers: list[TimedResult] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)
    comment: str | None = None
    interrupted: bool = False
    #: The part the oral was stopped in, when :meth:`interrupt` was called.
    interrupted_at: Part | None = None
    _position: int = field(default=0, repr=False)

    @classmethod
    def start(
        cls,
        draw: Draw,
        title: Title,
        durations: Durations,
        date: str | None = None,
    ) -> OralRehearsal:
        oral = cls(draw, title, durations, draw_questions(title, draw.lesson, draw.seed))
        if date is not None:
            oral.date = date
        return oral

    # --- the plan ------------------------------------------------------------------------------

    @property
    def lesson(self) -> Lesson:
        return self.draw.lesson

    def _plan(self) -> list[tuple[Part, Kind, int]]:
        plan: list[tuple[Part, Kind, int]] = []
        plan += [(Part.DOSSIER, Kind.CHECK, i) for i in range(len(self.title.dossier))]
        plan.append((Part.PRESENTATION, Kind.TIMED, 0))
        for number, phase in enumerate(self.lesson.phases):
            if phase.commands:
                plan.append((Part.ATELIER, Kind.DEMO, number))
            plan.append((Part.ATELIER, Kind.TIMED, number))
        plan.append((Part.ADAPTATION, Kind.TEXT, 0))
        plan += [(Part.QUESTIONS, Kind.TIMED, i) for i in range(len(self.questions))]
        plan += [(Part.AUTOEVALUATION, Kind.SCORE, i) for i in range(len(GRID))]
        plan.append((Part.COMMENT, Kind.TEXT, 0))
        return plan

    @property
    def done(self) -> bool:
        return self.interrupted or self._position >= len(self._plan())

    @property
    def position(self) -> int:
        """How many prompts were answered: a front-end names the prompt it answers by it."""
        return self._position

    @property
    def current(self) -> Prompt | None:
        """What to ask now; ``None`` once the oral is over (or interrupted)."""
        if self.done:
            return None
        part, kind, index = self._plan()[self._position]
        return self._prompt(part, kind, index)

    @property
    def current_part(self) -> Part | None:
        prompt = self.current
        return prompt.part if prompt is not None else None

    def _prompt(self, part: Part, kind: Kind, index: int) -> Prompt:
        if part is Part.DOSSIER:
            item = self.title.dossier[index]
            source = "texte publié" if item.source == "texte" else "conseil du kit"
            return Prompt(part, kind, f"dossier.{item.ident}", index, len(self.title.dossier),
                          f"{item.text} ({source}) : l'avez-vous ?")  # fmt: skip
        if part is Part.PRESENTATION:
            limit = self.durations.presentation_s
            return Prompt(
                part, kind, "presentation_minutes", 0, 1, PRESENTATION_QUESTION,
                title=PART_LABELS[part],
                looks_at=(
                    "Des exemples concrets tirés de vos structures et de vos publics.",
                    "Ce que vous avez fait vous-même, et ce que vous en avez appris.",
                ),
                limit_s=limit,
            )  # fmt: skip
        if part is Part.ATELIER:
            phase = self.lesson.phases[index]
            if kind is Kind.DEMO:
                return Prompt(part, kind, "demonstration", index, len(self.lesson.phases),
                              "Lancer la démonstration sur le simulateur ?",
                              title=self._phase_title(index, phase),
                              commands=phase.commands)  # fmt: skip
            return Prompt(
                part, kind, "minutes", index, len(self.lesson.phases),
                "Entrée à la fin de la phase",
                title=self._phase_title(index, phase),
                lines=self._phase_lines(phase),
                looks_at=looks_at(phase),
                planned_s=phase.minutes * 60.0,
                limit_s=self.durations.atelier_s,
                before_s=sum(t.actual_s for t in self.timings),
            )  # fmt: skip
        if part is Part.ADAPTATION:
            return Prompt(part, kind, "adaptation", 0, 1, ADAPTATION_QUESTION,
                          title=PART_LABELS[part],
                          lines=(f"Public : {self.draw.public.text}",
                                 f"Situation : {self.draw.situation.text}"))  # fmt: skip
        if part is Part.QUESTIONS:
            question = self.questions[index]
            return Prompt(
                part, kind, "questions_minutes", index, len(self.questions), question.text,
                title=f"Question {index + 1}/{len(self.questions)}",
                lines=(f"Compétence : {question.competence.short}",),
                limit_s=self.durations.questions_s,
                before_s=sum(a.actual_s for a in self.answers),
            )  # fmt: skip
        if part is Part.AUTOEVALUATION:
            criterion = GRID[index]
            return Prompt(part, kind, f"autoevaluation.{criterion.ident}", index, len(GRID),
                          criterion.text)  # fmt: skip
        return Prompt(part, kind, "commentaire", 0, 1, COMMENT_QUESTION)

    def _phase_title(self, index: int, phase: Phase) -> str:
        start = sum(p.minutes for p in self.lesson.phases[:index])
        return (
            f"Phase {index + 1}/{len(self.lesson.phases)} — {phase.kind_label} : {phase.title} "
            f"(prévu : {phase.minutes} min, de {start} à {start + phase.minutes})"
        )

    @staticmethod
    def _phase_lines(phase: Phase) -> tuple[str, ...]:
        lines = [f"L'animateur : {phase.animateur}", f"Les participants : {phase.participants}"]
        if phase.verify:
            lines.append(f"Vérifier : {phase.verify}")
        return tuple(lines)

    # --- answers -------------------------------------------------------------------------------

    def answer(self, value: Answer) -> Feedback:
        """Record the answer to :attr:`current` and move on."""
        prompt = self.current
        if prompt is None:
            raise ValueError("the oral is over")
        feedback = Feedback("ok", "")
        if prompt.kind is Kind.CHECK:
            if not isinstance(value, bool):
                raise ValueError("a yes/no answer is a bool")
            self.dossier[self.title.dossier[prompt.index].ident] = value
            if not value:
                feedback = Feedback("manque", "à prévoir avant le jour de l'examen")
        elif prompt.kind is Kind.DEMO:
            if not isinstance(value, tuple):
                raise ValueError("a demonstration answer is a tuple of outcomes")
            self.demos.extend(value)
        elif prompt.kind is Kind.TIMED:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError("a timed answer is a duration in seconds")
            result = TimedResult(prompt, float(value))
            if prompt.part is Part.PRESENTATION:
                self.presentation = result
            elif prompt.part is Part.ATELIER:
                self.timings.append(result)
            else:
                self.answers.append(result)
            feedback = result.alert
        elif prompt.kind is Kind.SCORE:
            if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
                raise ValueError("a score is an int of the scale")
            self.scores[GRID[prompt.index].ident] = value
        else:
            if not isinstance(value, str):
                raise ValueError("a text answer is a str")
            if prompt.part is Part.ADAPTATION:
                self.adaptation = value.strip()
            else:
                self.comment = value.strip()
        self._position += 1
        return feedback

    def interrupt(self) -> None:
        """Stop here (Ctrl-C, a closed page): the report shows what was done."""
        if not self.done:
            self.interrupted_at = self.current_part
            self.interrupted = True

    # --- the live timer ------------------------------------------------------------------------

    def timer(self, elapsed_s: float) -> Feedback:
        """What a live timer shows for the current timed prompt after ``elapsed_s``."""
        prompt = self.current
        if prompt is None or prompt.kind is not Kind.TIMED:
            return Feedback("ok", "")
        now = alert(prompt.before_s, elapsed_s, prompt.planned_s, prompt.limit_s)
        if now.level != "ok":
            return now
        budgets = [
            (budget, used)
            for budget, used in (
                (prompt.planned_s, elapsed_s),
                (prompt.limit_s, prompt.before_s + elapsed_s),
            )
            if budget
        ]
        for budget, used in budgets:
            if used >= WARN_FRACTION * budget:
                return Feedback("bientot", f"il reste {format_duration_fr(budget - used)}")
        return now

    # --- results -------------------------------------------------------------------------------

    @property
    def atelier_total_s(self) -> float:
        return sum(t.actual_s for t in self.timings)

    @property
    def atelier_alert(self) -> Feedback:
        return alert(0.0, self.atelier_total_s, self.lesson.minutes * 60.0,
                     self.durations.atelier_s)  # fmt: skip

    @property
    def questions_total_s(self) -> float:
        return sum(a.actual_s for a in self.answers)

    def score_by_competence(self) -> list[tuple[str, int, int]]:
        """``(competence, points, maximum)`` for each competence of the title the grid covers."""
        rows = []
        for competence in self.title.competences:
            criteria = [c for c in GRID if self.title.for_remn(c.competence) == competence]
            if not criteria:
                continue
            points = sum(self.scores.get(c.ident, 0) for c in criteria)
            rows.append((competence.short, points, 3 * len(criteria)))
        return rows

    def criterion_competence(self, remn_key: str) -> str:
        competence = self.title.for_remn(remn_key)
        return competence.short if competence is not None else ""

    def missing_dossier(self) -> list[str]:
        return [item.text for item in self.title.dossier if self.dossier.get(item.ident) is False]
