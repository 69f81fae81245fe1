# SPDX-License-Identifier: GPL-3.0-or-later
"""The OctoPrint side of ``kit printer print`` and ``kit printer status`` (``--octoprint URL``).

The commands belong to the serial host (``--port``). :func:`add_octoprint_path` gives them an
``--octoprint URL`` option at registration: with it (or with ``octoprint.url`` configured and
no ``--port``) the command runs here instead; without it, the serial command runs unchanged.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kit.console import console, err_console
from kit.errors import EXIT_FAILURE, EXIT_INTERRUPTED, KitError
from kit.files import require_input_file
from kit.messages import format_duration_fr
from printers.atelier_config import (
    BackendKind,
    atelier_printers,
    configured_timeout_s,
    default_octoprint_url,
    normalise_url,
    resolve_api_key,
)
from printers.backend import STATE_LABELS_FR, PrinterState, PrinterStatus
from printers.farm import status_to_json
from printers.job_watch import JobOutcome, wait_for_job
from printers.octoprint_backend import OctoPrintBackend

from .print_preflight import preflight_gate
from .print_progress import PrintProgress, ProgressStatus
from .printer_farm import STATE_STYLES, format_job, format_temperatures

#: Seconds between two looks at the job while following a print.
FOLLOW_POLL_S = 1.0

#: Remaining seconds of a print as a function of the fraction done (0.0 to 1.0).
RemainingFn = Callable[[float], float | None]
PreflightFn = Callable[[Path, str | None, bool], RemainingFn | None]


def octoprint_url(option: str | None) -> str:
    """The server to use: ``--octoprint URL``, else ``octoprint.url`` from the config."""
    if option:
        return normalise_url(option)
    url = default_octoprint_url()
    if url is None:
        raise KitError(
            "Aucun serveur OctoPrint indiqué.",
            hint="Ajoutez --octoprint http://octopi.local, ou enregistrez-le une fois pour "
            "toutes : « kit config set octoprint.url http://octopi.local ».",
        )
    return url


def open_octoprint(option: str | None) -> OctoPrintBackend:
    url = octoprint_url(option)
    backend = OctoPrintBackend(
        url, resolve_api_key(url), name=url, timeout_s=configured_timeout_s()
    )
    backend.connect()
    return backend


def show_status(url_option: str | None, as_json: bool) -> None:
    """``kit printer status --octoprint URL``."""
    backend = open_octoprint(url_option)
    try:
        status = backend.status()
        version = backend.server_version()
    finally:
        backend.close()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "printer": backend.url,
                    "backend": "octoprint",
                    "server_version": version,
                    **status_to_json(status),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    console.print(f"[bold]Imprimante OctoPrint[/bold] {backend.url} (OctoPrint {version})")
    style = STATE_STYLES[status.state]
    console.print(f"  État : [{style}]{STATE_LABELS_FR[status.state]}[/{style}]")
    temps = format_temperatures(status.temperatures)
    console.print(f"  Températures : {temps or '—'}")
    if status.job is not None:
        job_text, remaining = format_job(status)
        console.print(f"  Impression : {job_text}")
        if remaining != "—":
            console.print(f"  Temps restant : {remaining}")
    if status.message_fr:
        console.print(f"  {status.message_fr}")


def _status_text(
    status: PrinterStatus, remaining_at: RemainingFn | None = None
) -> ProgressStatus:
    """What the progress line shows, as for the serial print.

    The remaining time comes from the kit's own estimate of the file (``remaining_at``, from
    the preflight analysis, at the byte OctoPrint has reached) when there is one, else from
    OctoPrint's.
    """
    job = status.job
    remaining_s = job.remaining_s if job is not None else None
    if job is not None and remaining_at is not None:
        remaining_s = remaining_at(job.fraction_done)
    state = ""
    if status.state is PrinterState.PAUSED:
        state = "EN PAUSE"
    elif status.state is PrinterState.HEATING:
        state = "chauffe"
    return ProgressStatus(
        remaining_s=remaining_s,
        temperatures=format_temperatures(status.temperatures) or "températures inconnues",
        elapsed_s=job.elapsed_s if job is not None else None,
        layer=f"couche {job.layer}" if job is not None and job.layer is not None else "",
        state=state,
    )


def _ask_after_interrupt(backend: OctoPrintBackend) -> None:
    """First Ctrl-C: pause on the server and ask what to do (as the serial print does)."""
    if not (sys.stdin.isatty() and err_console.is_terminal):
        err_console.print("Interruption : annulation de l'impression sur le serveur…")
        backend.cancel()
        raise _Cancelled
    backend.pause()
    while True:
        err_console.print(
            "[bold]Impression en pause.[/bold] Que faire ? \\[r] reprendre · \\[a] annuler · "
            "\\[q] quitter le suivi (l'impression reste en pause sur le serveur)"
        )
        try:
            answer = click.prompt("Votre choix", default="r", err=True).strip().lower()
        except (KeyboardInterrupt, click.exceptions.Abort, EOFError):
            answer = "a"
        if answer[:1] == "r":
            backend.resume()
            return
        if answer[:1] == "a":
            backend.cancel()
            raise _Cancelled
        if answer[:1] == "q":
            err_console.print("Suivi arrêté ; reprenez ou annulez depuis OctoPrint.")
            raise SystemExit(EXIT_INTERRUPTED)


class _Cancelled(Exception):
    """The user cancelled the print from the kit (Ctrl-C)."""


def preflight(source: Path, profile_name: str | None, force: bool = False) -> RemainingFn:
    """Analyse the file for the printer's profile; refuse (exit 1) when a check forbids it.

    Returns the file's remaining time as a function of the fraction printed.
    """
    analysis = preflight_gate(source, profile_name, force=force)
    assert analysis is not None  # required=True: the gate raised otherwise
    size = analysis.size_bytes
    return lambda fraction: analysis.remaining_s_at(int(fraction * size))


def _profile_for(url: str, profile: str | None) -> str | None:
    """``--profile``, else the profile of the listed printer behind this server."""
    if profile:
        return profile
    for entry in atelier_printers():
        if entry.backend is BackendKind.OCTOPRINT and entry.address == url and entry.profile:
            return entry.profile
    return None


def print_file(
    gcode_file: str,
    url_option: str | None,
    *,
    profile: str | None = None,
    check: PreflightFn | None = preflight,
    follow: bool = True,
    force: bool = False,
) -> None:
    """``kit printer print FILE --octoprint URL``: check, upload, start, follow to the end."""
    source = require_input_file(gcode_file, what="fichier G-code")
    url = octoprint_url(url_option)
    remaining_at = None
    if check is not None:  # raises (exit 1) when a check forbids the print
        remaining_at = check(source, _profile_for(url, profile), force)
    backend = open_octoprint(url)
    try:
        backend.start_print(source)
        err_console.print(
            f"« {source.name} » envoyé à {backend.url} : impression lancée.", highlight=False
        )
        if not follow:
            return
        _follow(backend, source.name, remaining_at)
    except KeyboardInterrupt:
        # Ctrl-C outside the follow loop's own handling (while the job was being sent, or
        # before the loop took over): the print may be running on the server with nobody
        # watching it. Cancel it there; "no print running" is fine.
        err_console.print("Interruption : annulation de l'impression sur le serveur…")
        with contextlib.suppress(KitError):
            backend.cancel()
        raise SystemExit(EXIT_INTERRUPTED) from None
    finally:
        backend.close()


def _follow(
    backend: OctoPrintBackend, file_name: str, remaining_at: RemainingFn | None = None
) -> None:
    cancelled_here = False
    with PrintProgress(file_name) as progress:

        def update(status: PrinterStatus) -> None:
            done = status.job.fraction_done * 100.0 if status.job is not None else 0.0
            if status.state is PrinterState.IDLE and done < 100.0:
                return  # before the start, or after a cancel (OctoPrint resets the progress)
            progress.update(done, _status_text(status, remaining_at))

        while True:
            try:
                result = wait_for_job(backend, file_name, on_status=update, poll_s=FOLLOW_POLL_S)
                break
            except KeyboardInterrupt:
                progress.pause_display()
                try:
                    _ask_after_interrupt(backend)
                except _Cancelled:
                    cancelled_here = True
                progress.resume_display()
    if result.outcome is JobOutcome.DONE:
        elapsed = result.last_status.job.elapsed_s if result.last_status.job else 0.0
        took = f" en {format_duration_fr(elapsed)}" if elapsed else ""
        console.print(f"[green]Impression terminée[/green] : « {file_name} »{took}.")
        return
    if cancelled_here:
        err_console.print("[yellow]Impression annulée[/yellow] sur le serveur OctoPrint.")
        raise SystemExit(EXIT_INTERRUPTED)
    raise KitError(
        f"L'impression de « {file_name} » a été annulée avant la fin (depuis OctoPrint ?).",
        exit_code=EXIT_FAILURE,
    )


def _dispatch(
    command: click.Command,
    run_octoprint: Callable[[str | None, dict[str, Any]], None],
) -> click.Command:
    serial_callback = command.callback
    assert serial_callback is not None

    def callback(**kwargs: Any) -> None:
        url = kwargs.pop("octoprint")
        port = kwargs.get("port")
        if url is not None and port is not None:
            raise click.UsageError("Indiquez --port (USB) ou --octoprint (serveur), pas les deux.")
        if url is None and port is None and default_octoprint_url() is None:
            raise click.UsageError(
                "Indiquez le port de l'imprimante (--port /dev/ttyUSB0, sim://marlin) ou "
                "son serveur (--octoprint http://octopi.local)."
            )
        if port is None:
            for option in ("baud", "ping_pong"):
                if kwargs.get(option):
                    name = option.replace("_", "-")
                    raise click.UsageError(f"--{name} ne concerne que les imprimantes USB.")
            run_octoprint(url, kwargs)
            return
        serial_callback(**kwargs)

    command.callback = callback
    return command


def add_octoprint_path(command: click.Command) -> click.Command:
    """Give the serial ``print`` or ``status`` command its ``--octoprint URL`` path.

    ``--port`` stops being required: one of ``--port`` and ``--octoprint`` is (or
    ``octoprint.url`` in the configuration).
    """
    if any(param.name == "octoprint" for param in command.params):
        return command  # already given its OctoPrint path
    for param in command.params:
        if param.name == "port":
            param.required = False
    command.params.append(
        click.Option(
            ["--octoprint", "octoprint"],
            metavar="URL",
            default=None,
            help="Serveur OctoPrint de l'imprimante (http://octopi.local) au lieu de --port.",
        )
    )
    command.help = inspect.cleandoc(command.help or "") + OCTOPRINT_HELP.get(command.name or "", "")
    if command.name == "print":
        return _dispatch(
            command,
            lambda url, kw: print_file(
                kw["gcode_file"], url, profile=kw.get("profile"), force=bool(kw.get("force"))
            ),
        )
    if command.name == "status":
        return _dispatch(command, lambda url, kw: show_status(url, bool(kw.get("as_json"))))
    raise ValueError(f"no OctoPrint path for the command {command.name!r}")


OCTOPRINT_HELP = {
    "print": "\n\nAvec --octoprint URL : le fichier est vérifié, envoyé au serveur OctoPrint "
    "et imprimé par lui ; le kit suit l'impression jusqu'au bout (Ctrl-C : pause, reprise "
    "ou annulation sur le serveur).",
    "status": "\n\nAvec --octoprint URL : l'état, les températures et l'impression en cours "
    "de l'imprimante reliée à ce serveur OctoPrint.",
}
