# SPDX-License-Identifier: GPL-3.0-or-later
"""The flow of ``kit rehearse``: draw, phases with the live timer, self-evaluation, report.

Imported only when the command runs, so that starting the kit stays quick.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from rich.live import Live
from rich.markup import escape as e
from rich.panel import Panel
from rich.prompt import Confirm, IntPrompt, Prompt
from rich.text import Text

from kit.console import console, err_console
from kit.errors import InputFileError, KitError
from kit.files import atomic_write_text, ensure_folder
from kit.messages import format_duration_fr
from lessons import catalog
from lessons import rehearsal as rh
from lessons.model import SUPPORTS, Phase
from lessons.steps import display, run_step


class _Confirm(Confirm):
    choices = ["o", "n"]
    validate_error_message = "[prompt.invalid]Répondez o (oui) ou n (non)."


class _IntPrompt(IntPrompt):
    validate_error_message = "[prompt.invalid]Entrez un nombre entier."
    illegal_choice_message = "[prompt.invalid]Choisissez une des valeurs proposées."


def _choose_support() -> str:
    keys = list(SUPPORTS)
    for number, key in enumerate(keys, 1):
        console.print(f"  {number}. {SUPPORTS[key]} ({key})")
    answer = Prompt.ask(
        "Quel support voulez-vous répéter ? (numéro ou nom)", console=console
    ).strip()
    if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(keys):
        return keys[int(answer) - 1]
    return catalog.check_support(answer) or keys[0]


def _show_draw(draw: rh.Draw) -> None:
    lesson = draw.lesson
    console.print(
        Panel(
            f"[bold]Support :[/bold] {SUPPORTS[draw.support]}\n"
            f"[bold]Déroulé :[/bold] {e(lesson.title)} ({lesson.ident}, {lesson.minutes} min)\n\n"
            f"[bold]Public annoncé par le jury :[/bold] {e(draw.public.text)}\n"
            f"[dim]Piste : {e(draw.public.advice)}[/dim]\n\n"
            f"[bold]Situation :[/bold] {e(draw.situation.text)}\n"
            f"[dim]Piste : {e(draw.situation.advice)}[/dim]\n\n"
            "[bold]Adaptations déjà prévues dans le déroulé :[/bold] "
            + e(", ".join(a.public for a in lesson.adaptations)),
            title=f"Tirage n° {draw.seed}",
            title_align="left",
        )
    )


def _show_phase(number: int, count: int, phase: Phase, start_min: int) -> None:
    lines = [
        f"[bold]L'animateur :[/bold] {e(phase.animateur)}",
        f"[bold]Les participants :[/bold] {e(phase.participants)}",
    ]
    if phase.verify:
        lines.append(f"[bold green]Vérifier :[/bold green] {e(phase.verify)}")
    lines.append("")
    lines.append("[bold magenta]Le jury regarde :[/bold magenta]")
    lines.extend(f"  • {item}" for item in rh.looks_at(phase))
    console.print(
        Panel(
            "\n".join(lines),
            title=e(f"Phase {number}/{count} — {phase.kind_label} : {phase.title}"),
            subtitle=f"prévu : {phase.minutes} min (de {start_min} à {start_min + phase.minutes})",
            title_align="left",
            subtitle_align="right",
        )
    )


def _run_demo(phase: Phase, outcomes: list[rh.DemoOutcome]) -> None:
    import tempfile

    from kit.commands.lesson import command_exists

    with tempfile.TemporaryDirectory(prefix="kit-repetition-") as tmp:
        for command in phase.commands:
            line = display(command)
            console.print(f"[cyan]$ {line}[/cyan]", highlight=False)
            with err_console.status("Démonstration sur le simulateur…"):
                result = run_step(command, Path(tmp), command_exists)
            detail = "; ".join(result.problems)
            outcomes.append(rh.DemoOutcome(line, result.ok, detail))
            if result.ok:
                for line in result.output.strip().splitlines()[-4:]:
                    console.print(f"  [dim]{line}[/dim]", markup=False, highlight=False)
                console.print(
                    f"  [green]✓ démonstration réussie[/green] "
                    f"({format_duration_fr(result.seconds)})"
                )
            else:
                console.print(f"  [red]✗ {detail}[/red] — c'est le moment du plan B.")


def _timer_text(elapsed_s: float, planned_s: float, before_s: float, total_s: float) -> Text:
    level, message = rh.phase_warning(elapsed_s, planned_s)
    style = {"ok": "green", "bientot": "yellow", "depasse": "bold red"}[level]
    minutes, seconds = divmod(int(elapsed_s), 60)
    text = Text(f"⏱  {minutes:02d}:{seconds:02d} / {format_duration_fr(planned_s)}", style=style)
    if message:
        text.append(f"  — {message}", style=style)
    text.append(
        f"   (séance : {format_duration_fr(before_s + elapsed_s)} / "
        f"{format_duration_fr(total_s)})  Entrée pour passer à la phase suivante",
        style="dim",
    )
    return text


def _wait_for_enter(planned_s: float, before_s: float, total_s: float) -> float:
    """Run the live timer until the candidate presses Enter; returns the phase's duration."""
    started = time.monotonic()
    try:
        import select

        select.select([sys.stdin], [], [], 0)
    except (ImportError, OSError, ValueError):  # Windows consoles: no select on stdin
        input()
        return time.monotonic() - started
    with (
        _keys_without_echo(),
        Live(
            _timer_text(0, planned_s, before_s, total_s),
            console=console,
            refresh_per_second=4,
            transient=True,
        ) as live,
    ):
        while True:
            elapsed = time.monotonic() - started
            live.update(_timer_text(elapsed, planned_s, before_s, total_s))
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
    """One key in a terminal (cbreak mode), one line otherwise (pipes, tests)."""
    if sys.stdin.isatty():
        return os.read(sys.stdin.fileno(), 1).decode("utf-8", "replace")
    line = sys.stdin.readline()
    return "\n" if line.endswith("\n") or line else line


def _print_timing(timing: rh.PhaseTiming) -> None:
    level, message = rh.phase_warning(timing.actual_s, timing.planned_s)
    style = {"ok": "green", "bientot": "green", "depasse": "red"}[level]
    extra = f" — {message}" if level == "depasse" else ""
    console.print(
        f"[{style}]Durée : {format_duration_fr(timing.actual_s)} "
        f"(prévu {format_duration_fr(timing.planned_s)}){extra}[/{style}]"
    )


def run_rehearsal(
    support: str | None, tirage: bool, seed: int | None, answers_path: Path | None, sortie: Path
) -> None:
    if support and tirage:
        raise KitError("Choisissez soit --support, soit --tirage, pas les deux.")
    catalog.check_support(support)
    answers = rh.load_answers(answers_path) if answers_path else None
    if not support and not tirage:
        if answers is not None:
            support = catalog.check_support(answers.support)
        else:
            support = _choose_support()
    if seed is None:
        seed = secrets.randbelow(10_000)

    draw = rh.draw(catalog.load_all(), seed=seed, support=support)
    lesson = draw.lesson
    if answers is not None and len(answers.minutes) != len(lesson.phases):
        raise InputFileError(
            f"Le fichier de réponses donne {len(answers.minutes)} durée(s) mais le déroulé "
            f"« {lesson.ident} » a {len(lesson.phases)} phases."
        )
    session = rh.Rehearsal(draw=draw)
    _show_draw(draw)
    if answers is None:
        Prompt.ask("Entrée pour commencer la répétition", default="", show_default=False)

    start_min = 0
    for number, phase in enumerate(lesson.phases, 1):
        _show_phase(number, len(lesson.phases), phase, start_min)
        start_min += phase.minutes
        if phase.commands:
            wanted = (
                answers.demonstration
                if answers is not None
                else _Confirm.ask("Lancer la démonstration sur le simulateur ?", default=True)
            )
            if wanted:
                _run_demo(phase, session.demos)
        if answers is not None:
            actual_s = answers.minutes[number - 1] * 60.0
        else:
            actual_s = _wait_for_enter(phase.minutes * 60.0, session.total_s, lesson.minutes * 60.0)
        timing = rh.PhaseTiming(phase, actual_s)
        session.timings.append(timing)
        _print_timing(timing)

    console.print()
    console.print(f"[bold]Auto-évaluation[/bold] — [yellow]{rh.GRID_NOTICE}[/yellow]")
    scale = ", ".join(f"{k} = {v}" for k, v in rh.SCALE.items())
    console.print(f"Échelle : {scale}.")
    for criterion in rh.GRID:
        if answers is not None:
            if criterion.ident not in answers.scores:
                raise InputFileError(
                    f"Note manquante pour « {criterion.ident} » dans le fichier de réponses."
                )
            score = answers.scores[criterion.ident]
            console.print(f"  {criterion.text} → {score}")
        else:
            score = _IntPrompt.ask(
                f"  {criterion.text}", choices=[str(k) for k in rh.SCALE], console=console
            )
        session.scores[criterion.ident] = score
    if answers is not None:
        session.comment = answers.comment
    else:
        session.comment = Prompt.ask("Un commentaire pour vous-même", default="").strip()

    ensure_folder(sortie)
    stem = rh.report_stem(session)
    md_path = atomic_write_text(sortie / f"{stem}.md", rh.report_markdown(session))
    html_path = atomic_write_text(sortie / f"{stem}.html", rh.report_html(session))
    total = session.total_s
    planned = session.planned_total_s
    colour = "green" if total <= planned else "red"
    console.print()
    console.print(
        f"[{colour}]Séance : {format_duration_fr(total)} pour {format_duration_fr(planned)} "
        f"prévues.[/{colour}]"
    )
    for label, points, maximum in session.score_by_competence():
        console.print(f"  {label} : {points}/{maximum}")
    console.print(f"Rapport : {md_path} et {html_path}")
