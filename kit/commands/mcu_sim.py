# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit mcu sim``: run a program on the simulated CircuitPython board, see its LEDs."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click
from rich.live import Live
from rich.markup import escape
from rich.text import Text

from kit.clickfr import FiniteFloatRange
from kit.console import console, err_console
from kit.drawing import check_picture_target
from kit.errors import EXIT_FAILURE, KitError
from kit.messages import seconds_fr

#: Refresh rate of the live view (frames per second of wall time).
LIVE_FPS = 20
#: Console lines shown after a run (the last ones; a program printing in a tight loop
#: would otherwise flood the terminal).
MAX_CONSOLE_LINES = 200


@click.command("sim")
@click.argument("script", metavar="PROGRAMME")
@click.option("--board", "board_name", metavar="CARTE", help="La carte simulée (kit mcu boards).")
@click.option(
    "--duree",
    type=FiniteFloatRange(min=0.01, max=3600),
    default=10.0,
    show_default=True,
    help="Temps simulé, en secondes (un programme sans fin s'arrête là).",
)
@click.option(
    "--picture", "picture", metavar="IMAGE", help="Dessine la chronologie (.png ou .svg)."
)
@click.option(
    "--entree",
    "inputs",
    multiple=True,
    metavar="NOM@T=VALEUR",
    help="Entrée simulée, par exemple BUTTON_A@2=1 (bouton appuyé à 2 s). Répétable.",
)
@click.option(
    "--vitesse",
    type=FiniteFloatRange(min=0, max=1000),
    default=None,
    help="Vitesse de l'affichage en direct (1 = temps réel, 0 = le plus vite possible). "
    "Par défaut : temps réel dans un terminal, sinon le plus vite possible.",
)
def sim_cmd(
    script: str,
    board_name: str | None,
    duree: float,
    picture: str | None,
    inputs: tuple[str, ...],
    vitesse: float | None,
) -> None:
    """Lance PROGRAMME sur une carte CircuitPython simulée.

    Les LED et NeoPixels s'affichent en direct dans le terminal ; --picture dessine ce qui
    s'est passé sur chaque broche. PROGRAMME est un fichier .py ou un programme de séance
    du kit (« clignoter », « servo »…).
    """
    from firmware.boards import get_board
    from firmware.deploy import deploy
    from firmware.lesson_scripts import resolve_script
    from sim.circuitpython.cpmodules import FROZEN_FALLBACKS as SIMULATED
    from sim.circuitpython.folder import prepare_folder
    from sim.circuitpython.inputs import parse_inputs
    from sim.circuitpython.runner import run_program

    path, lesson = resolve_script(script)
    if board_name is None:
        if lesson is None:
            raise KitError("Indiquez la carte avec --board (liste : « kit mcu boards »).")
        board_name = lesson.boards[0]
    board = get_board(board_name)
    if picture is not None:
        check_picture_target(picture)  # before a simulation that may last minutes
    spec = " ".join(inputs) if inputs else (lesson.inputs if lesson else "")
    parse_inputs(spec)  # refuse a malformed input before anything runs
    if lesson is not None and not lesson.runs_on(board.id):
        err_console.print(
            f"[yellow]Attention :[/yellow] « {lesson.name} » est prévu pour "
            f"{', '.join(lesson.boards)}, pas pour {board.id}."
        )

    folder = Path(tempfile.mkdtemp(prefix="kit-circuitpy-"))
    try:
        prepare_folder(folder, board)
        result = deploy(path, drive=folder, board_name=board.id, simulator_modules=SIMULATED)
        for warning in result.plan.warnings:
            err_console.print(f"[yellow]Attention :[/yellow] {escape(warning)}")
        run = run_program(folder, board, duration_s=duree, inputs_spec=spec)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    speed = vitesse if vitesse is not None else (1.0 if console.is_terminal else 0.0)
    console.print(
        f"Carte simulée : [bold]{escape(board.name)}[/bold] — {seconds_fr(duree)} de temps simulé",
        highlight=False,
    )
    if speed > 0 and console.is_terminal:
        _live_replay(run, speed)
    else:
        lines = run.timeline.text().rstrip("\n").split("\n")
        if lines != [""]:
            console.print("[dim]--- console de la carte ---[/dim]")
            if len(lines) > MAX_CONSOLE_LINES:
                console.print(
                    f"[dim]… {len(lines) - MAX_CONSOLE_LINES} lignes plus haut non "
                    "affichées …[/dim]"
                )
                lines = lines[-MAX_CONSOLE_LINES:]
            console.out("\n".join(lines), highlight=False)
            console.print("[dim]---[/dim]")
    _summary(run)
    if picture is not None:
        from sim.circuitpython.picture import draw_timeline

        title = f"{path.name} sur {board.name} — {seconds_fr(duree)} simulées"
        saved = draw_timeline(run.timeline, duration_s=duree, title=title).save(picture)
        console.print(f"Chronologie dessinée : {escape(str(saved))}")
    if run.failed:
        _print_error(run.error)
        sys.exit(EXIT_FAILURE)


def _print_error(error: dict[str, Any]) -> None:
    line = error.get("line") or 0
    where = f"ligne {line} de {error.get('file', 'code.py')}" if line else "au démarrage"
    err_console.print(
        f"[bold red]Erreur {escape(where)} :[/bold red] {escape(str(error.get('type')))} — "
        f"{escape(str(error.get('message')))}",
        highlight=False,
    )
    if error.get("source_line"):
        err_console.print(f"  {line} | {escape(str(error['source_line']))}", highlight=False)


def _summary(run: Any) -> None:
    from sim.circuitpython.picture import visible_colour

    timeline = run.timeline
    for pin, series in sorted(timeline.digital.items()):
        if pin in timeline.pixels:
            continue
        switches = sum(1 for _, v in series if v)
        console.print(f"{pin} : allumée {switches} fois", highlight=False)
    from sim.circuitpython.picture import is_servo, servo_angle

    for pin, series in sorted(timeline.pwm.items()):
        if is_servo(series):
            angles = [a for _, d, f in series[1:] if (a := servo_angle(d, f)) is not None]
            if angles:
                console.print(
                    f"{pin} : servomoteur de {min(angles):.0f}° à {max(angles):.0f}°",
                    highlight=False,
                )
                continue
        freqs = sorted({f for _, d, f in series if d})
        console.print(
            f"{pin} : {len(series)} réglages PWM, fréquences {', '.join(map(str, freqs[:8]))} Hz",
            highlight=False,
        )
    for pin, series in sorted(timeline.pixels.items()):
        colours = {c for _, frame in series for c in frame}
        last = series[-1][1] if series else ()
        swatch = Text(f"{pin} : {len(series)} mises à jour, {len(colours)} couleurs ; fin : ")
        for colour in last:
            swatch.append("●", style="#{:02x}{:02x}{:02x}".format(*visible_colour(colour)))
        console.print(swatch)
    if run.end == "limit":
        console.print(
            f"Fin de la simulation à {seconds_fr(run.duration_s)} (le programme tournait encore : "
            "c'est normal pour une boucle sans fin).",
            highlight=False,
        )
    elif run.end == "ok":
        ended = f"{run.end_s:.2f}".replace(".", ",")
        console.print(f"Le programme s'est terminé à {ended} s.", highlight=False)
    elif run.end == "reload":
        console.print("Le programme a demandé un redémarrage de la carte.")


def _frame(state: dict[str, Any], t: float) -> Text:
    from sim.circuitpython.picture import visible_colour

    text = Text(f"t = {t:6.2f} s   ".replace(".", ","))
    for pin, value in sorted(state["digital"].items()):
        if pin in state["pixels"]:
            continue
        text.append(f"{pin} ")
        text.append("●  ", style="bold yellow" if value else "grey35")
    for pin, colours in sorted(state["pixels"].items()):
        text.append(f"{pin} ")
        for colour in colours:
            style = "#{:02x}{:02x}{:02x}".format(*visible_colour(colour)) if any(colour) else (
                "grey23"
            )
            text.append("●", style=style)
        text.append("  ")
    for pin, (duty, freq) in sorted(state["pwm"].items()):
        percent = 0 if duty is None else duty * 100 / 65535
        text.append(f"{pin} {percent:4.1f} % à {freq} Hz  ")
    return text


def _live_replay(run: Any, speed: float) -> None:
    """Replay the recorded events at ``speed`` times real time, drawing LEDs in place."""
    events: list[tuple[float, str, str, Any]] = []
    timeline = run.timeline
    for pin, series in timeline.digital.items():
        events += [(t, "digital", pin, v) for t, v in series]
    for pin, pseries in timeline.pwm.items():
        events += [(t, "pwm", pin, (d, f)) for t, d, f in pseries]
    for pin, xseries in timeline.pixels.items():
        events += [(t, "pixels", pin, c) for t, c in xseries]
    events += [(t, "out", "", text) for t, text in timeline.output]
    events.sort(key=lambda e: e[0])
    state: dict[str, Any] = {"digital": {}, "pwm": {}, "pixels": {}}
    start = time.monotonic()
    end_s = min(run.duration_s, max(run.end_s, 0.0))
    pending_text = ""
    with Live(_frame(state, 0.0), console=console, refresh_per_second=LIVE_FPS) as live:
        index = 0
        t_virtual = 0.0
        while t_virtual < end_s or index < len(events):
            t_virtual = (time.monotonic() - start) * speed
            while index < len(events) and events[index][0] <= t_virtual:
                _t, kind, pin, value = events[index]
                if kind == "out":
                    pending_text += value
                    while "\n" in pending_text:
                        line, pending_text = pending_text.split("\n", 1)
                        live.console.print(line, highlight=False, markup=False)
                elif kind == "digital":
                    state["digital"][pin] = value
                else:
                    state[kind][pin] = value
                index += 1
            live.update(_frame(state, min(t_virtual, end_s)))
            if t_virtual >= end_s and index >= len(events):
                break
            time.sleep(1 / LIVE_FPS)
        if pending_text:
            live.console.print(pending_text, highlight=False, markup=False)


def register(group: click.Group) -> None:
    """Attach this module's commands to ``kit mcu``."""
    group.add_command(sim_cmd)
