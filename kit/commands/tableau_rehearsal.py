# SPDX-License-Identifier: GPL-3.0-or-later
"""The web front-end of the oral rehearsal: :class:`lessons.oral.OralRehearsal` behind a page.

Like the terminal flow (``rehearse_flow``), this module only shows the model's prompts, measures
time and hands the answers in: the parts, the budgets, the alerts and the report are the model's
and :mod:`lessons.rehearsal`'s. The draw is the one of ``kit rehearse`` (same seed, same draw),
and the report files are the same two files, written by the same function.

Time comes from an injected clock (``time.monotonic`` by default) so that a test can run the
rehearsal with a sped-up or hand-driven clock. Every method is called under the session's lock:
the page's requests come from several browsers and the timer's tick from the event loop.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.errors import KitError
from kit.messages import format_duration_fr
from lessons import catalog
from lessons import rehearsal as rh
from lessons.model import SUPPORTS
from lessons.oral import (
    PART_LABELS,
    DemoOutcome,
    Feedback,
    Kind,
    OralRehearsal,
    Part,
    durations_for,
)
from lessons.oral import Prompt as OralPrompt
from lessons.titles import QUESTIONS_NOTICE, get_title, load_titles

Clock = Callable[[], float]

#: Feedback levels as the page colours them: orange when 80 % of the budget is used, red past it.
LEVEL_CLASSES = {"ok": "ok", "bientot": "orange", "depasse": "rouge", "arret": "rouge",
                 "manque": "rouge"}  # fmt: skip


@dataclass(frozen=True)
class StartRequest:
    title: str | None
    support: str | None  # None: drawn, as with ``kit rehearse --tirage``
    presentation_min: float | None = None
    atelier_min: float | None = None
    questions_min: float | None = None


def choices() -> dict[str, Any]:
    """What the start form offers: the titles and the supports."""
    return {
        "titles": [(ident, f"{t.label} — {t.text}") for ident, t in load_titles().items()],
        "supports": list(SUPPORTS.items()),
    }


def _minutes(value: float | None) -> float | None:
    if value is not None and not 1 <= value <= 600:
        raise KitError("Une durée se donne en minutes, entre 1 et 600.")
    return value


def new_oral(request: StartRequest, seed: int) -> OralRehearsal:
    """The oral ``kit rehearse --titre T --support S --seed N`` (or ``--tirage``) would run."""
    title = get_title(request.title)
    catalog.check_support(request.support)
    draw = rh.draw(catalog.load_all(), seed=seed, support=request.support)
    durations = durations_for(
        title,
        draw.lesson,
        presentation_min=_minutes(request.presentation_min),
        atelier_min=_minutes(request.atelier_min),
        questions_min=_minutes(request.questions_min),
    )
    return OralRehearsal.start(draw, title, durations)


def _prompt_json(oral: OralRehearsal, prompt: OralPrompt) -> dict[str, Any]:
    budget = prompt.planned_s if prompt.planned_s is not None else prompt.limit_s
    notice = ""
    if prompt.part is Part.AUTOEVALUATION:
        scale = ", ".join(f"{k} = {v}" for k, v in rh.SCALE.items())
        notice = f"{rh.GRID_NOTICE} Échelle : {scale}."
    elif prompt.part is Part.QUESTIONS:
        notice = QUESTIONS_NOTICE
    return {
        "part": prompt.part.value,
        "part_label": PART_LABELS[prompt.part],
        "kind": prompt.kind.value,
        "title": prompt.title,
        "question": prompt.question,
        "lines": list(prompt.lines),
        "looks_at": list(prompt.looks_at),
        "index": prompt.index,
        "count": prompt.count,
        "budget": None if budget is None else format_duration_fr(budget),
        "limit": None if prompt.limit_s is None else format_duration_fr(prompt.limit_s),
        "commands": [" ".join(c.argv) for c in prompt.commands],
        "scale": [[k, v] for k, v in rh.SCALE.items()],
        "notice": notice,
    }


class WebRehearsal:
    """One rehearsal at a time for the whole page: every browser sees and drives the same one."""

    def __init__(self, output: Path, clock: Clock, on_change: Callable[[], None]) -> None:
        self.output = output
        self.clock = clock
        self.on_change = on_change
        self.lock = threading.RLock()
        self.oral: OralRehearsal | None = None
        self.started_at: float | None = None  # clock() when the current timed prompt began
        self.feedback: list[tuple[str, str]] = []  # (level, French sentence), latest last
        self.reports: tuple[Path, Path] | None = None
        self.busy = ""  # what runs in the background (a demonstration), shown on the page

    # --- driving the model ---------------------------------------------------------------------

    def start(self, request: StartRequest, seed: int) -> None:
        with self.lock:
            if self.busy:
                raise KitError("Une démonstration est en cours : attendez sa fin.")
            self.oral = new_oral(request, seed)
            self.feedback = []
            self.reports = None
            self._prompt_began()
        self.on_change()

    def _prompt_began(self) -> None:
        oral = self.oral
        prompt = oral.current if oral is not None else None
        self.started_at = self.clock() if prompt is not None and prompt.kind is Kind.TIMED else None
        if oral is not None and oral.done and self.reports is None:
            self.reports = self._write_report(oral)

    def _write_report(self, oral: OralRehearsal) -> tuple[Path, Path]:
        from kit.commands.rehearse_flow import write_report

        return write_report(oral, self.output)

    def elapsed_s(self) -> float | None:
        with self.lock:
            if self.started_at is None:
                return None
            return max(0.0, self.clock() - self.started_at)

    def answer(self, expected_index: int, value: bool | float | int | str) -> None:
        """Answer the current prompt; ``expected_index`` is the position the page showed, so a
        double press (or two browsers pressing at once) answers one prompt, not two."""
        with self.lock:
            oral = self._running()
            if self._position() != expected_index or self.busy:
                return
            prompt = oral.current
            assert prompt is not None
            if prompt.kind is Kind.TIMED:
                value = self.elapsed_s() or 0.0
            try:
                feedback = oral.answer(value)
            except ValueError:
                raise KitError(f"Réponse invalide pour « {prompt.question} ».") from None
            self._note(prompt, value, feedback)
            self._prompt_began()
        self.on_change()

    def _position(self) -> int:
        assert self.oral is not None
        return self.oral.position

    def _running(self) -> OralRehearsal:
        if self.oral is None or self.oral.done:
            raise KitError("Aucune répétition en cours : commencez-en une.")
        return self.oral

    def _note(self, prompt: OralPrompt, value: object, feedback: Feedback) -> None:
        if prompt.kind is Kind.TIMED and isinstance(value, float):
            text = f"{prompt.title or prompt.question} — durée : {format_duration_fr(value)}"
            if prompt.planned_s is not None:
                text += f" (prévu {format_duration_fr(prompt.planned_s)})"
            if feedback.message:
                text += f" — {feedback.message}"
            self.feedback.append((feedback.level, text))
        elif feedback.message:
            self.feedback.append((feedback.level, f"{prompt.question} — {feedback.message}"))

    def run_demo(self, expected_index: int, wanted: bool) -> None:
        """Run the phase's demonstration on the simulators (in a thread), or skip it."""
        with self.lock:
            oral = self._running()
            prompt = oral.current
            if self._position() != expected_index or self.busy or prompt is None:
                return
            if prompt.kind is not Kind.DEMO:
                return
            if not wanted:
                oral.answer(())
                self._prompt_began()
            else:
                self.busy = "Démonstration sur le simulateur…"
                threading.Thread(
                    target=self._demo_worker, args=(oral, prompt), name="demonstration",
                    daemon=True,
                ).start()  # fmt: skip
        self.on_change()

    def _demo_worker(self, oral: OralRehearsal, prompt: OralPrompt) -> None:
        from kit.commands.lesson import command_exists
        from lessons.steps import display, run_step

        outcomes = []
        with tempfile.TemporaryDirectory(prefix="kit-repetition-") as tmp:
            for command in prompt.commands:
                result = run_step(command, Path(tmp), command_exists)
                outcomes.append(DemoOutcome(display(command), result.ok,
                                            "; ".join(result.problems)))  # fmt: skip
        with self.lock:
            self.busy = ""
            if oral is self.oral and oral.current == prompt:
                oral.answer(tuple(outcomes))
                for outcome in outcomes:
                    if outcome.ok:
                        self.feedback.append(("ok", f"{outcome.command_line} : démonstration "
                                                    "réussie"))  # fmt: skip
                    else:
                        self.feedback.append(
                            (
                                "rouge",
                                f"{outcome.command_line} : "
                                f"{outcome.detail} — c'est le moment du plan B.",
                            )
                        )
                self._prompt_began()
        self.on_change()

    def interrupt(self) -> Path | None:
        """Stop the rehearsal (server stopped): the partial report is written, as on Ctrl-C."""
        with self.lock:
            oral = self.oral
            if oral is None or oral.done:
                return None
            oral.interrupt()
            self.started_at = None
            self.reports = self._write_report(oral)
            md_path = self.reports[0]
        self.on_change()
        return md_path

    # --- what the page shows -------------------------------------------------------------------

    def timer_json(self) -> dict[str, Any] | None:
        """The live timer: elapsed time and the model's alert for it."""
        with self.lock:
            oral = self.oral
            elapsed = self.elapsed_s()
            if oral is None or elapsed is None or oral.current is None:
                return None
            prompt = oral.current
            status = oral.timer(elapsed)
            minutes, seconds = divmod(int(elapsed), 60)
            data: dict[str, Any] = {
                "shown": f"{minutes:02d}:{seconds:02d}",
                "level": LEVEL_CLASSES[status.level],
                "message": status.message,
                "index": self._position(),
            }
            if prompt.part is Part.ATELIER:
                data["atelier"] = (
                    f"Atelier : {format_duration_fr(prompt.before_s + elapsed)} sur "
                    f"{format_duration_fr(oral.durations.atelier_s)}"
                )
            return data

    def state_json(self) -> dict[str, Any]:
        with self.lock:
            oral = self.oral
            data: dict[str, Any] = {
                "step": "choix" if oral is None else ("fin" if oral.done else "en-cours"),
                "busy": self.busy,
                "feedback": [
                    {"level": LEVEL_CLASSES.get(level, level), "text": text}
                    for level, text in self.feedback[-6:]
                ],  # fmt: skip
            }
            if oral is None:
                return data
            draw = oral.draw
            data["draw"] = {
                "seed": draw.seed,
                "title": f"{oral.title.label} — {oral.title.text}",
                "support": SUPPORTS[draw.support],
                "lesson": f"{draw.lesson.title} ({draw.lesson.minutes} min)",
                "public": draw.public.text,
                "situation": draw.situation.text,
                "notices": list(oral.durations.notices),
                "replay": f"kit rehearse --titre {oral.title.ident} --support {draw.support} "
                f"--seed {draw.seed}",
            }
            prompt = oral.current
            if prompt is not None:
                data["index"] = self._position()
                data["prompt"] = _prompt_json(oral, prompt)
            if oral.done:
                data["end"] = self._end_json(oral)
            return data

    def _end_json(self, oral: OralRehearsal) -> dict[str, Any]:
        atelier = oral.atelier_alert
        summary = (
            f"Atelier : {format_duration_fr(oral.atelier_total_s)} pour "
            f"{format_duration_fr(oral.lesson.minutes * 60)} prévues"
            + (f" — {atelier.message}." if atelier.message else ".")
        )
        grid = [
            {
                "text": c.text,
                "competence": oral.criterion_competence(c.competence),
                "score": oral.scores.get(c.ident),
                "label": rh.SCALE.get(oral.scores.get(c.ident, -1), "non noté"),
            }
            for c in rh.GRID
        ]
        return {
            "interrupted": oral.interrupted,
            "summary": summary,
            "summary_level": LEVEL_CLASSES[atelier.level],
            "grid_notice": rh.GRID_NOTICE,
            "grid": grid,
            "by_competence": [f"{label} : {points}/{maximum}"
                              for label, points, maximum in oral.score_by_competence()],
            "missing": oral.missing_dossier(),
            "reports": [str(p) for p in self.reports] if self.reports else [],
            "report_url": "/repetition/rapport" if self.reports else "",
        }  # fmt: skip

    def report_html(self) -> str | None:
        with self.lock:
            if self.reports is None:
                return None
            return self.reports[1].read_text(encoding="utf-8")
