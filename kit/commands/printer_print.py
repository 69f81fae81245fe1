# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit printer print``: stream a G-code file to a USB printer, with progress and Ctrl-C menu.

The file is checked completely before the port is even opened. The first Ctrl-C pauses the
feeding and asks what to do (resume, stay paused, cancel); without a terminal, Ctrl-C (or
SIGTERM) cancels directly. A cancel always ends with heaters, fan and motors off.
Exit code 0 only when the whole file was executed.
"""

from __future__ import annotations

import signal
import sys
import time
from types import FrameType
from typing import Any

import click

from kit.clickfr import FiniteFloatRange
from kit.commands.print_preflight import FORCE_HELP, preflight_gate
from kit.commands.print_progress import PrintProgress, ProgressStatus
from kit.commands.printer_serial import connect_host, port_options, temperatures_text
from kit.commands.record import record_event
from kit.console import console, err_console
from kit.errors import EXIT_INTERRUPTED, DeviceFault, KitError
from kit.messages import format_duration_fr
from printers.print_file import check_print_file
from printers.print_job import JobSnapshot, JobState, PrintJob, remaining_from

#: Wall-clock seconds between two redraws of the progress line.
REDRAW_S = 0.1
#: Said once, as soon as the printer drops an extrusion because the nozzle is too cold.
COLD_EXTRUSION_NOTICE = (
    "[yellow]Attention :[/yellow] l'imprimante refuse d'extruder, la buse est trop froide "
    "(« cold extrusion prevented ») : la tête bouge mais le fil ne sort pas. Vérifiez la "
    "température demandée ; annulez avec Ctrl-C si la pièce est ratée."
)


#: SIGTERM's exit status by the shell convention (128 + 15); Ctrl-C's is 130.
EXIT_TERMINATED = 128 + signal.SIGTERM
#: Wall-clock bound on a cancel after a signal: the process ends within 5 s.
CANCEL_WALL_S = 4.0
CANCEL_CONFIRMED = (
    "[yellow]Impression annulée[/yellow] : l'imprimante a confirmé les chauffes coupées ; "
    "ventilateur et moteurs coupés. "
)
CANCEL_UNCONFIRMED = (
    "[bold red]Impression annulée, mais l'imprimante n'a pas confirmé l'arrêt des chauffes"
    "[/bold red] : la buse ou le plateau sont peut-être encore chauds. Vérifiez-la et "
    "coupez-la à l'interrupteur si besoin. "
)
EXIT_AT_ONCE = (
    "[bold red]Arrêt immédiat[/bold red] (second signal) : les chauffes sont peut-être encore "
    "allumées. Coupez l'imprimante à l'interrupteur."
)


class _ExitNow(Exception):  # noqa: N818 - a control-flow signal, not an error
    """A second signal while cancelling: leave at once."""


class _Interrupts:
    """Ctrl-C and SIGTERM turned into flags the print loop looks at between two steps.

    A signal during a cancel (the second one) raises :class:`_ExitNow` at once, wherever the
    loop is waiting. ``exit_code`` follows the first signal: 130 for SIGINT, 143 for SIGTERM.
    """

    def __init__(self) -> None:
        self.requested = 0
        self.terminate = False
        self.asking = False
        self.cancelling = False
        self._previous: list[tuple[int, Any]] = []

    @property
    def exit_code(self) -> int:
        return EXIT_TERMINATED if self.terminate else EXIT_INTERRUPTED

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous.append((signum, signal.getsignal(signum)))
            signal.signal(signum, self._on_signal)

    def restore(self) -> None:
        for signum, handler in self._previous:
            signal.signal(signum, handler)
        self._previous.clear()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.cancelling:
            raise _ExitNow
        if signum == signal.SIGTERM:
            self.terminate = True
        self.requested += 1
        if self.asking:
            raise KeyboardInterrupt


def _status_text(snap: JobSnapshot, temps: str) -> ProgressStatus:
    return ProgressStatus(
        remaining_s=snap.remaining_s,
        temperatures=temps,
        elapsed_s=snap.elapsed_s,
        layer=f"couche {snap.layer}/{snap.layers_total}" if snap.layers_total else "",
        lines=f"ligne {snap.commands_done}/{snap.commands_total}",
        state="EN PAUSE" if snap.state is JobState.PAUSED else "",
    )


def _ask(job: PrintJob, interrupts: _Interrupts) -> str:
    """Ask pause/resume/cancel in the terminal; a second Ctrl-C means cancel."""
    interrupts.asking = True
    try:
        while True:
            err_console.print(
                "[bold]Impression en pause.[/bold] Que faire ? "
                "\\[r] reprendre · \\[p] rester en pause · \\[a] annuler · "
                "\\[u] arrêt d'urgence (M112)"
            )
            try:
                answer = (
                    str(click.prompt("Votre choix", default="r", show_default=True, err=True))
                    .strip()
                    .lower()
                )
            except (KeyboardInterrupt, click.exceptions.Abort, EOFError):
                return "a"
            if answer[:1] in ("r", "a", "u"):
                return answer[:1]
            if answer[:1] == "p":
                err_console.print("En pause. Appuyez sur Entrée quand vous voulez choisir.")
                try:
                    input()
                except (KeyboardInterrupt, EOFError):
                    return "a"
    finally:
        interrupts.asking = False
        interrupts.requested = 0


@click.command("print")
@click.argument("gcode_file", metavar="FICHIER")
@port_options
@click.option(
    "--profile",
    default=None,
    metavar="NOM",
    help="Profil d'imprimante (vérification et temps restant). Par défaut : celui de "
    "l'imprimante de ce port dans la liste de l'atelier, sinon celui pour lequel le fichier "
    "a été tranché, sinon « generic ».",
)
@click.option("--forcer", "force", is_flag=True, help=FORCE_HELP)
@click.option(
    "--park-z",
    type=FiniteFloatRange(0, 50),
    default=0.0,
    metavar="MM",
    help="En pause, lève la buse de MM millimètres (0 : ne bouge pas).",
)
@click.option(
    "--ping-pong",
    is_flag=True,
    help="Une ligne à la fois, comme les anciens logiciels (firmware capricieux).",
)
@click.option(
    "--rx-buffer",
    "rx_buffer",
    type=click.IntRange(32, 65536),
    default=None,
    metavar="OCTETS",
    help="Taille du tampon de réception du firmware (RX_BUFFER_SIZE de Marlin, 128 sur "
    "une carte 8 bits) : plus de lignes envoyées d'avance. Par défaut : celle du profil si "
    "elle est connue, sinon 64, la plus petite courante.",
)
def print_cmd(
    gcode_file: str,
    port: str,
    baud: int | None,
    profile: str | None,
    park_z: float,
    ping_pong: bool,
    force: bool,
    rx_buffer: int | None,
) -> None:
    """Imprime FICHIER (G-code) sur l'imprimante branchée en USB.

    Le fichier est vérifié en entier avant tout envoi : un problème bloquant (hors du
    volume d'impression, température trop haute, extrusion à froid…) refuse l'impression,
    sauf avec --forcer. Ctrl-C met en pause et propose de reprendre ou d'annuler ; une
    annulation coupe chauffes, ventilateur et moteurs.
    """
    checked = check_print_file(gcode_file)
    profile = profile or _listed_profile(port)
    default_baud = 115200
    if profile:
        from printers.profile import load_profile

        loaded = load_profile(profile)
        default_baud = loaded.baud
        rx_buffer = rx_buffer or loaded.rx_buffer_bytes
    # A file the analysis cannot read (no move at all) is still sent: check_print_file
    # accepted every line; it just has no time estimate.
    analysis = preflight_gate(checked.path, profile, force=force, required=False)
    remaining_at = remaining_from(analysis) if analysis is not None else None
    interactive = sys.stdin.isatty() and err_console.is_terminal
    layers = ""
    if checked.layers:
        layers = f", {checked.layers} couche{'s' if checked.layers > 1 else ''}"
    err_console.print(
        f"Vérification de « {checked.path.name} » : {checked.commands} commandes{layers}. "
        "Connexion à l'imprimante…",
        highlight=False,
    )
    if checked.framed_lines:
        err_console.print(
            f"{checked.framed_lines} ligne{'s' if checked.framed_lines > 1 else ''} du fichier "
            "portai" + ("ent" if checked.framed_lines > 1 else "t") + " déjà un numéro (N…) "
            "et une somme de contrôle (*…) : vérifiées, puis retirées (le kit numérote "
            "lui-même chaque ligne envoyée).",
            highlight=False,
        )
    host = connect_host(
        port, baud, ping_pong=ping_pong, default_baud=default_baud, rx_buffer_bytes=rx_buffer
    )
    interrupts = _Interrupts()
    interrupts.install()
    try:
        err_console.print(f"Imprimante : {host.identity.name}", highlight=False)
        job = PrintJob(host, checked, remaining_at=remaining_at)
        cancelled = _run(job, interrupts, interactive, park_z)
    except _ExitNow:
        err_console.print(EXIT_AT_ONCE, highlight=False)
        sys.exit(interrupts.exit_code)
    finally:
        interrupts.restore()
        host.close()
    snap = job.snapshot()
    cold = host.cold_extrusions
    record_event(
        "print",
        {
            "completed": not cancelled,
            "seconds": snap.elapsed_s,
            "filament_g": analysis.filament_g * snap.fraction if analysis else None,
            "cost_eur": analysis.filament_cost_eur * snap.fraction if analysis else None,
        },
    )
    if cancelled:
        text = CANCEL_CONFIRMED if job.heaters_off_confirmed else CANCEL_UNCONFIRMED
        err_console.print(text + job.last_line_sentence(), highlight=False)
        sys.exit(interrupts.exit_code)
    console.print(
        f"[green]Impression terminée[/green] : {snap.commands_total} commandes en "
        f"{format_duration_fr(snap.elapsed_s)}.",
        highlight=False,
    )
    if cold:
        plural = "s" if cold > 1 else ""
        err_console.print(
            f"[yellow]Attention :[/yellow] {cold} déplacement{plural} sans filament (buse "
            "trop froide) : vérifiez la pièce.",
            highlight=False,
        )


def _listed_profile(port: str | None) -> str | None:
    """The profile of the atelier's printer on this port, if the printer list names one."""
    from printers.atelier_config import BackendKind, atelier_printers

    if not port:
        return None
    try:
        entries = atelier_printers()
    except KitError:
        return None  # a broken printer list is reported by kit printer farm, not here
    for entry in entries:
        if entry.backend is BackendKind.SERIAL and entry.address == port and entry.profile:
            return entry.profile
    return None


def _run(job: PrintJob, interrupts: _Interrupts, interactive: bool, park_z: float) -> bool:
    """Drive the job to its end; True when it was cancelled."""
    host = job.host
    name = job.checked.path.name
    last_draw = 0.0
    warned_cold = False
    cancel_deadline: float | None = None
    with PrintProgress(name) as progress:
        while not job.finished:
            if interrupts.requested and job.state is not JobState.CANCELLING:
                if interactive and not interrupts.terminate:
                    job.pause(park_z_mm=park_z)
                    progress.pause_display()
                    choice = _ask(job, interrupts)
                    progress.resume_display()
                    if choice == "r":
                        job.resume()
                    elif choice == "u":
                        # The printer halts at once; the next step reports it (exit 1).
                        host.emergency_stop()
                    else:
                        job.cancel()
                else:
                    err_console.print(
                        "Interruption : annulation de l'impression (chauffes, ventilateur et "
                        "moteurs coupés)… Un second Ctrl-C quitte sans attendre."
                    )
                    job.cancel()
                interrupts.requested = 0
            if job.state is JobState.CANCELLING:
                interrupts.cancelling = True
                if cancel_deadline is None:
                    cancel_deadline = time.monotonic() + CANCEL_WALL_S
                if time.monotonic() > cancel_deadline:
                    break  # not confirmed in time: said so by the caller
                try:
                    job.step()
                except DeviceFault:
                    break  # the printer stopped answering: heaters not confirmed off
                continue
            job.step()
            if host.cold_extrusions and not warned_cold:
                warned_cold = True
                progress.notice(COLD_EXTRUSION_NOTICE)
            now = time.monotonic()
            if now - last_draw >= REDRAW_S or job.finished:
                last_draw = now
                snap = job.snapshot()
                status = _status_text(snap, temperatures_text(host.temperatures))
                progress.update(snap.fraction * 100.0, status)
    return job.state in (JobState.CANCELLED, JobState.CANCELLING) or cancel_deadline is not None
