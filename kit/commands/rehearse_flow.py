# SPDX-License-Identifier: GPL-3.0-or-later
"""The terminal front-end of ``kit rehearse``: the oral model driven by prompts and a live timer.

The oral itself (parts, timing, alerts, what to ask) is :class:`lessons.oral.OralRehearsal`;
this module only shows its prompts, reads the keyboard (or the answers file), measures time
with the wall clock, runs the demonstrations on the simulators and writes the report. Imported
only when the command runs, so that starting the kit stays quick.

Everything shown is built as rich ``Text`` (styles, no markup strings), so lesson text, card
text and the candidate's own words are printed as written, square brackets included.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.live import Live
from rich.panel import Panel
from rich.prompt import Confirm, IntPrompt, Prompt
from rich.rule import Rule
from rich.text import Text

from kit.console import console, err_console
from kit.errors import KitError
from kit.files import atomic_write_text, ensure_folder
from kit.messages import format_duration_fr
from lessons import catalog
from lessons import rehearsal as rh
from lessons.answers import Answers, answers_template, load_answers
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
from lessons.titles import get_title

STYLES = {"ok": "green", "bientot": "yellow", "depasse": "bold red", "arret": "bold red",
          "manque": "bold red"}  # fmt: skip


@dataclass(frozen=True)
class Options:
    support: str | None
    tirage: bool
    seed: int | None
    title: str | None
    answers_path: Path | None
    template_path: Path | None
    output: Path
    presentation_min: float | None
    atelier_min: float | None
    questions_min: float | None


class _Confirm(Confirm):
    choices = ["o", "n"]
    validate_error_message = "[prompt.invalid]Répondez o (oui) ou n (non)."


class _IntPrompt(IntPrompt):
    validate_error_message = "[prompt.invalid]Entrez un nombre entier."
    illegal_choice_message = "[prompt.invalid]Choisissez une des valeurs proposées."


def _say(text: str = "", style: str | None = None) -> None:
    console.print(Text(text, style=style or ""))


def _choose_support() -> str:
    keys = list(SUPPORTS)
    for number, key in enumerate(keys, 1):
        _say(f"  {number}. {SUPPORTS[key]} ({key})")
    answer = Prompt.ask(
        Text("Quel support voulez-vous répéter ? (numéro ou nom)"), console=console
    ).strip()
    if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(keys):
        return keys[int(answer) - 1]
    return catalog.check_support(answer) or keys[0]


def _show_draw(oral: OralRehearsal) -> None:
    draw = oral.draw
    lesson = draw.lesson
    body = Text()

    def field(label: str, value: str, style: str = "") -> None:
        body.append(f"{label} : ", style="bold")
        body.append(f"{value}\n", style=style)

    field("Titre", f"{oral.title.label} — {oral.title.text}")
    field("Support", SUPPORTS[draw.support])
    field("Déroulé", f"{lesson.title} ({lesson.ident}, {lesson.minutes} min)")
    field("Public annoncé par le jury", draw.public.text)
    body.append(f"Piste : {draw.public.advice}\n", style="dim")
    field("Situation", draw.situation.text)
    body.append(f"Piste : {draw.situation.advice}\n", style="dim")
    field("Adaptations déjà prévues dans le déroulé",
          ", ".join(a.public for a in lesson.adaptations))  # fmt: skip
    body.append("\nDurées :\n", style="bold")
    for notice in oral.durations.notices:
        body.append(f"  • {notice}\n")
    if oral.title.competences_notice:
        body.append(f"\n{oral.title.competences_notice}", style="yellow")
    console.print(Panel(body, title=Text(f"Tirage n° {draw.seed}"), title_align="left"))


def _show_prompt(prompt: OralPrompt) -> None:
    if prompt.kind not in (Kind.TIMED, Kind.TEXT) or not (prompt.title or prompt.lines):
        return
    body = Text()
    if prompt.part is not Part.ATELIER:
        body.append(f"{prompt.question}\n", style="bold")
    for line in prompt.lines:
        label, sep, rest = line.partition(" : ")
        if sep:
            body.append(f"{label} : ", style="bold")
            body.append(f"{rest}\n")
        else:
            body.append(f"{line}\n")
    if prompt.looks_at:
        body.append("\nLe jury regarde :\n", style="bold magenta")
        for item in prompt.looks_at:
            body.append(f"  • {item}\n")
    subtitle = None
    if prompt.kind is Kind.TIMED and prompt.limit_s is not None:
        subtitle = Text(f"le jury arrête à {format_duration_fr(prompt.limit_s)}")
    body.rstrip()
    console.print(
        Panel(
            body if body.plain else Text(prompt.question),
            title=Text(prompt.title),
            subtitle=subtitle,
            title_align="left",
            subtitle_align="right",
        )
    )


def _run_demo(prompt: OralPrompt) -> tuple[DemoOutcome, ...]:
    import tempfile

    from kit.commands.lesson import command_exists
    from lessons.steps import display, run_step

    outcomes = []
    with tempfile.TemporaryDirectory(prefix="kit-repetition-") as tmp:
        for command in prompt.commands:
            line = display(command)
            _say(f"$ {line}", "cyan")
            with err_console.status(Text("Démonstration sur le simulateur…")):
                result = run_step(command, Path(tmp), command_exists)
            detail = "; ".join(result.problems)
            outcomes.append(DemoOutcome(line, result.ok, detail))
            if result.ok:
                for output_line in result.output.strip().splitlines()[-4:]:
                    _say(f"  {output_line}", "dim")
                _say(f"  ✓ démonstration réussie ({format_duration_fr(result.seconds)})", "green")
            else:
                text = Text(f"  ✗ {detail}", style="red")
                text.append(" — c'est le moment du plan B.")
                console.print(text)
    return tuple(outcomes)


def _timer_text(oral: OralRehearsal, prompt: OralPrompt, elapsed_s: float) -> Text:
    status = oral.timer(elapsed_s)
    style = STYLES[status.level]
    minutes, seconds = divmod(int(elapsed_s), 60)
    budget = prompt.planned_s if prompt.planned_s is not None else prompt.limit_s
    shown = f"⏱  {minutes:02d}:{seconds:02d}"
    shown += f" / {format_duration_fr(budget)}" if budget is not None else " (aucune limite fixée)"
    text = Text(shown, style=style)
    if status.message:
        text.append(f"  — {status.message}", style=style)
    if prompt.part is Part.ATELIER:
        text.append(
            f"   (atelier : {format_duration_fr(prompt.before_s + elapsed_s)} / "
            f"{format_duration_fr(oral.durations.atelier_s)})",
            style="dim",
        )
    text.append("  (Entrée : suite)", style="dim")
    return text


def _wait_for_enter(oral: OralRehearsal, prompt: OralPrompt) -> float:
    """Run the live timer until the candidate presses Enter; returns the elapsed seconds."""
    started = time.monotonic()
    if not sys.stdin.isatty():
        # A pipe: no live timer to draw, and Python may already hold the next lines in its
        # buffer, where select() would not see them. Read the line.
        if sys.stdin.readline() == "":
            raise EOFError
        return time.monotonic() - started
    try:
        import select

        select.select([sys.stdin], [], [], 0)
    except (ImportError, OSError, ValueError):  # Windows consoles: no select on stdin
        input()
        return time.monotonic() - started
    with (
        _keys_without_echo(),
        Live(
            _timer_text(oral, prompt, 0), console=console, refresh_per_second=4, transient=True
        ) as live,  # fmt: skip
    ):
        while True:
            elapsed = time.monotonic() - started
            live.update(_timer_text(oral, prompt, elapsed))
            ready, _, _ = select.select([sys.stdin], [], [], 0.25)
            if ready:
                key = _read_key()
                if key == "":  # end of input: stop the rehearsal cleanly
                    raise EOFError
                if key in ("\n", "\r"):
                    return time.monotonic() - started


@contextlib.contextmanager
def _keys_without_echo() -> Iterator[None]:
    """In a terminal, read keys one by one without echo, so Enter does not scroll the timer."""
    try:
        import termios
        import tty

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd) if sys.stdin.isatty() else None
    except (ImportError, OSError, ValueError, AttributeError):
        saved = None
    except Exception:  # termios.error: not a terminal after all
        saved = None
    if saved is None:
        yield
        return
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _read_key() -> str:
    """One key of the terminal (cbreak mode)."""
    return os.read(sys.stdin.fileno(), 1).decode("utf-8", "replace")


def _ask(oral: OralRehearsal, prompt: OralPrompt) -> bool | float | int | str:
    """The candidate's answer to ``prompt`` from the keyboard."""
    if prompt.kind is Kind.CHECK:
        return _Confirm.ask(Text(f"  {prompt.question}"), default=True, console=console)
    if prompt.kind is Kind.TIMED:
        return _wait_for_enter(oral, prompt)
    if prompt.kind is Kind.SCORE:
        return _IntPrompt.ask(Text(f"  {prompt.question}"), choices=[str(k) for k in rh.SCALE],
                              console=console)  # fmt: skip
    return Prompt.ask(Text(prompt.question), default="", show_default=False,
                      console=console)  # fmt: skip


def _from_file(answers: Answers, prompt: OralPrompt) -> bool | float | int | str:
    value = answers.value_for(prompt)
    if prompt.kind is Kind.CHECK:
        _say(f"  {prompt.question} → {'oui' if value else 'non'}")
    elif prompt.kind is Kind.SCORE:
        _say(f"  {prompt.question} → {value}")
    elif prompt.kind is Kind.TEXT and value:
        _say(f"{prompt.question} → {value}")
    assert not isinstance(value, tuple)
    return value


def _show_feedback(prompt: OralPrompt, value: object, feedback: Feedback) -> None:
    if prompt.kind is Kind.CHECK and feedback.message:
        _say(f"    {feedback.message}", STYLES[feedback.level])
    if prompt.kind is not Kind.TIMED or not isinstance(value, float):
        return
    text = f"Durée : {format_duration_fr(value)}"
    if prompt.planned_s is not None:
        text += f" (prévu {format_duration_fr(prompt.planned_s)})"
    if feedback.message:
        text += f" — {feedback.message}"
    _say(text, STYLES[feedback.level])


def _drive(oral: OralRehearsal, answers: Answers | None) -> None:
    """Ask every prompt of the oral until it is over."""
    part: Part | None = None
    while (prompt := oral.current) is not None:
        if prompt.part is not part:
            part = prompt.part
            console.print()
            console.print(Rule(Text(PART_LABELS[part], style="bold")))
            if part is Part.AUTOEVALUATION:
                _say(rh.GRID_NOTICE, "yellow")
                _say("Échelle : " + ", ".join(f"{k} = {v}" for k, v in rh.SCALE.items()) + ".")
            elif part is Part.QUESTIONS:
                from lessons.titles import QUESTIONS_NOTICE

                _say(QUESTIONS_NOTICE, "yellow")
        _show_prompt(prompt)
        if prompt.kind is Kind.DEMO:
            wanted = (
                answers.demonstration
                if answers is not None
                else _Confirm.ask(Text(prompt.question), default=True, console=console)
            )
            oral.answer(_run_demo(prompt) if wanted else ())
            continue
        value = _from_file(answers, prompt) if answers is not None else _ask(oral, prompt)
        _show_feedback(prompt, value, oral.answer(value))


def write_report(oral: OralRehearsal, output: Path) -> tuple[Path, Path]:
    stem = rh.report_stem(oral)
    md_path = atomic_write_text(output / f"{stem}.md", rh.report_markdown(oral))
    html_path = atomic_write_text(output / f"{stem}.html", rh.report_html(oral))
    return md_path, html_path


def run_rehearsal(options: Options) -> None:
    if options.support and options.tirage:
        raise KitError("Choisissez soit --support, soit --tirage, pas les deux.")
    catalog.check_support(options.support)
    if options.answers_path and options.template_path:
        raise KitError("Choisissez soit --non-interactif, soit --modele-reponses, pas les deux.")
    answers = load_answers(options.answers_path) if options.answers_path else None
    title = get_title(options.title or (answers.title if answers is not None else None))
    support = options.support
    if not support and not options.tirage and options.template_path is None:
        if answers is not None:
            support = catalog.check_support(answers.support)
        else:
            support = _choose_support()
    seed = options.seed
    if seed is None and answers is not None:
        seed = answers.seed
    if seed is None:
        seed = secrets.randbelow(10_000)

    draw = rh.draw(catalog.load_all(), seed=seed, support=support)

    def minutes(part: str, given: float | None) -> float | None:
        if given is not None or answers is None:
            return given
        return answers.duration_min(part)

    durations = durations_for(
        title,
        draw.lesson,
        presentation_min=minutes("presentation", options.presentation_min),
        atelier_min=minutes("atelier", options.atelier_min),
        questions_min=minutes("questions", options.questions_min),
    )
    oral = OralRehearsal.start(draw, title, durations)
    if options.template_path is not None:
        if options.template_path.exists():
            raise KitError(
                f"Le fichier « {options.template_path} » existe déjà : il contient peut-être "
                "vos réponses, le kit ne l'écrase pas.",
                hint="Choisissez un autre nom, ou supprimez-le d'abord.",
            )
        path = atomic_write_text(options.template_path, answers_template(oral))
        _say(f"Fichier de réponses écrit : {path} (tirage n° {seed}, {draw.lesson.ident}).")
        _say(f"Complétez-le, puis : kit rehearse --non-interactif {path}")
        return
    if answers is not None:
        answers.check(oral)
    output = ensure_folder(options.output)

    _show_draw(oral)
    if answers is None:
        Prompt.ask(Text("Entrée pour commencer la répétition"), default="", show_default=False,
                   console=console)  # fmt: skip
    try:
        _drive(oral, answers)
    except KeyboardInterrupt:
        oral.interrupt()
        md_path, html_path = write_report(oral, output)
        err_console.print(Text(f"Répétition interrompue : rapport partiel écrit dans {md_path} "
                               f"et {html_path}.", style="yellow"))  # fmt: skip
        raise

    md_path, html_path = write_report(oral, output)
    console.print()
    total = oral.atelier_total_s
    atelier = oral.atelier_alert
    text = (f"Atelier : {format_duration_fr(total)} pour "
            f"{format_duration_fr(draw.lesson.minutes * 60)} prévues")  # fmt: skip
    _say(text + (f" — {atelier.message}." if atelier.message else "."), STYLES[atelier.level])
    for label, points, maximum in oral.score_by_competence():
        _say(f"  {label} : {points}/{maximum}")
    missing = oral.missing_dossier()
    if missing:
        _say(f"À prévoir pour le dossier : {'; '.join(missing)}.", "yellow")
    _say(f"Rapport : {md_path} et {html_path}")
