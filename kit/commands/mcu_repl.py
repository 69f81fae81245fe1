# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit mcu run``, ``kit mcu repl``, ``kit mcu reset``: the board's serial console."""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
import threading

import click
from rich.markup import escape

from kit.clickfr import FiniteFloatRange
from kit.console import console, err_console
from kit.errors import EXIT_FAILURE
from kit.messages import seconds_fr

PORT_HELP = "Port série de la carte (/dev/ttyACM0, COM5, sim://circuitpython…)."
#: Ctrl-] leaves the interactive console (as in miniterm and mpremote).
QUIT_BYTE = b"\x1d"


def _open(port: str):  # type: ignore[no-untyped-def]
    from kit.links import open_link

    return open_link(port, timeout_s=0.05)


def _stdout_writer() -> codecs.IncrementalDecoder:
    return codecs.getincrementaldecoder("utf-8")("replace")


@click.command("run")
@click.argument("script", metavar="PROGRAMME")
@click.option("--port", required=True, metavar="PORT", help=PORT_HELP)
@click.option(
    "--timeout",
    "timeout_s",
    type=FiniteFloatRange(min=0.1, max=86400),
    default=60.0,
    show_default=True,
    help="Au-delà (en secondes), le programme est interrompu (Ctrl-C).",
)
def run_cmd(script: str, port: str, timeout_s: float) -> None:
    """Envoie PROGRAMME à la carte et l'exécute sans le copier (REPL brut).

    Ce que le programme affiche arrive au fur et à mesure. Le programme n'est pas gardé :
    pour qu'il démarre tout seul, utilisez « kit mcu deploy ».
    """
    from firmware.deploy import read_script
    from firmware.lesson_scripts import resolve_script
    from firmware.repl import RawReplClient, check_code_size

    path, _lesson = resolve_script(script)
    source = read_script(path, nothing_done="rien n'a été envoyé à la carte")
    check_code_size(source.text)
    decoder = _stdout_writer()

    def show(data: bytes) -> None:
        text = decoder.decode(data)
        if text:
            sys.stdout.write(text.replace("\r\n", "\n"))
            sys.stdout.flush()

    link = _open(port)
    try:
        client = RawReplClient(link, port_name=port)
        client.enter_raw()
        try:
            result = client.execute(source.text, show, timeout_s=timeout_s)
        except KeyboardInterrupt:
            # Stop the program on the board too, and give it back its normal console.
            with contextlib.suppress(Exception):
                link.write(b"\x03")
                client.leave_raw()
            raise
        show(b"")
        client.leave_raw()
    finally:
        link.close()
    if result.timed_out:
        err_console.print(
            f"[yellow]Le programme tournait encore au bout de {seconds_fr(timeout_s)} : il a été "
            "interrompu (Ctrl-C).[/yellow]"
        )
        sys.exit(EXIT_FAILURE)
    if result.error:
        err_console.print("[bold red]Le programme s'est arrêté sur une erreur :[/bold red]")
        err_console.print(escape(result.error.replace("\r\n", "\n").rstrip()), highlight=False)
        sys.exit(EXIT_FAILURE)


@click.command("reset")
@click.option("--port", required=True, metavar="PORT", help=PORT_HELP)
def reset_cmd(port: str) -> None:
    """Redémarre CircuitPython sur la carte (soft reboot) : code.py se relance."""
    from firmware.repl import RawReplClient

    link = _open(port)
    try:
        RawReplClient(link, port_name=port).soft_reset()
    finally:
        link.close()
    console.print("[green]La carte a redémarré[/green] : code.py se relance.")


@click.command("repl")
@click.option("--port", required=True, metavar="PORT", help=PORT_HELP)
def repl_cmd(port: str) -> None:
    """Console interactive de la carte (>>>), pour essayer du Python ligne à ligne.

    Ctrl-C interrompt le programme en cours ; Ctrl-D redémarre la carte et relance code.py ;
    Ctrl-] quitte la console.
    """
    interactive = sys.stdin.isatty()
    err_console.print(
        "Console de la carte. [bold]Ctrl-C[/bold] : interrompt le programme en cours · "
        "[bold]Ctrl-D[/bold] : redémarre la carte et relance code.py · "
        "[bold]Ctrl-][/bold] : quitter.\nAppuyez sur Entrée si rien ne s'affiche."
    )
    if port.startswith("sim://") and "speed=" not in port:
        # A person types here: the simulated board runs in real time, as a real one would.
        port += ("&" if "?" in port else "?") + "speed=1"
    link = _open(port)
    stop = threading.Event()
    decoder = _stdout_writer()
    out = sys.stdout

    def pump_from_board() -> None:
        while not stop.is_set():
            try:
                data = link.read(max(1, min(link.in_waiting, 4096)))
            except Exception:  # noqa: BLE001 - the link vanished: end the session
                stop.set()
                return
            if data:
                out.write(decoder.decode(data))
                out.flush()

    reader = threading.Thread(target=pump_from_board, daemon=True)
    reader.start()
    try:
        if interactive:
            _interactive_loop(link, stop)
        else:
            _piped_loop(link, stop)
    finally:
        stop.set()
        reader.join(timeout=1)
        link.close()


def _interactive_loop(link, stop: threading.Event) -> None:  # type: ignore[no-untyped-def]
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd)
        while not stop.is_set():
            data = os.read(fd, 64)
            if not data or QUIT_BYTE in data:
                data = data.split(QUIT_BYTE)[0]
                if data:
                    link.write(data)
                break
            link.write(data.replace(b"\n", b"\r"))
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        sys.stdout.write("\n")


def _piped_loop(link, stop: threading.Event) -> None:  # type: ignore[no-untyped-def]
    """Lines from a pipe are typed one by one; the session ends at end of input."""
    from kit.links import link_clock

    clock = link_clock(link)
    # Ctrl-C stops a running code.py, Enter leaves « Press any key »: we reach ">>>".
    link.write(b"\x03\r")
    end = clock() + 0.3
    while clock() < end and not stop.is_set():
        stop.wait(0.01)
    for raw in sys.stdin.buffer:
        if stop.is_set():
            break
        link.write(raw.rstrip(b"\r\n").split(QUIT_BYTE)[0] + b"\r")
        if QUIT_BYTE in raw:
            break
        end = clock() + 0.3
        while clock() < end and not stop.is_set():
            stop.wait(0.01)
    end = clock() + 0.5
    while clock() < end and not stop.is_set():
        stop.wait(0.01)
    with contextlib.suppress(Exception):
        link.flush()


def register(group: click.Group) -> None:
    """Attach this module's commands to ``kit mcu``."""
    for command in (run_cmd, repl_cmd, reset_cmd):
        group.add_command(command)
