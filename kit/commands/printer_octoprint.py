# SPDX-License-Identifier: GPL-3.0-or-later
"""The OctoPrint side of ``kit printer print`` and ``kit printer status`` (``--octoprint URL``).

The commands themselves live with the serial host's (``--port``); they hand over here when
``--octoprint`` is given (or ``octoprint.url`` is configured and no port is).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

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
from printers.backend import STATE_LABELS_FR, PrinterStatus
from printers.farm import status_to_json
from printers.job_watch import JobOutcome, wait_for_job
from printers.octoprint_backend import OctoPrintBackend

from .printer_farm import STATE_STYLES, format_job, format_temperatures

#: Profile used by the preflight when neither --profile nor the printer list names one.
DEFAULT_PROFILE = "generic"
#: Seconds between two looks at the job while following a print.
FOLLOW_POLL_S = 1.0

PreflightFn = Callable[[Path, str | None], None]


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
    finally:
        backend.close()
    if as_json:
        click.echo(
            json.dumps(
                {"printer": backend.url, "backend": "octoprint", **status_to_json(status)},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    console.print(f"[bold]Imprimante OctoPrint[/bold] {backend.url}")
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


def _progress_fields(status: PrinterStatus) -> tuple[str, str, str]:
    """(state, temperatures, remaining time) as shown beside the progress bar."""
    job = status.job
    remaining = "—"
    if job is not None and job.remaining_s is not None:
        remaining = format_duration_fr(job.remaining_s)
    temps = format_temperatures(status.temperatures) or "—"
    return STATE_LABELS_FR[status.state], temps, remaining


def _ask_after_interrupt(backend: OctoPrintBackend) -> bool:
    """Ctrl-C while following: pause, resume, cancel, or stop following. True to go on."""
    if not sys.stdin.isatty():
        err_console.print(
            "[yellow]Suivi interrompu.[/yellow] L'impression continue sur le serveur OctoPrint."
        )
        raise SystemExit(EXIT_INTERRUPTED)
    choice = click.prompt(
        "\n[p] pause · [r] reprendre · [a] annuler l'impression · [q] quitter le suivi",
        type=click.Choice(["p", "r", "a", "q"]),
        default="r",
        show_choices=False,
    )
    if choice == "p":
        backend.pause()
    elif choice == "r":
        backend.resume()
    elif choice == "a":
        backend.cancel()
    else:
        err_console.print("L'impression continue sur le serveur OctoPrint.")
        raise SystemExit(0)
    return True


def preflight(source: Path, profile_name: str | None) -> None:
    """Analyse the file for the printer's profile; refuse (exit 1) when a check forbids it."""
    from printers.analysis import analyse_file
    from printers.profile import load_profile

    analysis = analyse_file(source, load_profile(profile_name or DEFAULT_PROFILE))
    for check in analysis.checks:
        if check.severity == "warning":
            err_console.print(f"[yellow]Attention :[/yellow] {check.message}", highlight=False)
    if analysis.printable:
        return
    blocking = "\n".join(f"  • {c.message}" for c in analysis.checks if c.severity == "error")
    raise KitError(
        f"Impression refusée : « {source.name} » ne passe pas la vérification "
        f"(profil « {analysis.profile_name} »).\n{blocking}",
        hint=f"Détail : « kit printer check {source} --profile {analysis.profile_name} ».",
        exit_code=EXIT_FAILURE,
    )


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
) -> None:
    """``kit printer print FILE --octoprint URL``: check, upload, start, follow to the end."""
    source = require_input_file(gcode_file, what="fichier G-code")
    url = octoprint_url(url_option)
    if check is not None:
        check(source, _profile_for(url, profile))  # raises (exit 1) when a check forbids it
    backend = open_octoprint(url)
    try:
        backend.start_print(source)
        err_console.print(
            f"« {source.name} » envoyé à {backend.url} : impression lancée.", highlight=False
        )
        if not follow:
            return
        _follow(backend, source.name)
    finally:
        backend.close()


def _follow(backend: OctoPrintBackend, file_name: str) -> None:
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[state]}"),
        TextColumn("{task.fields[temps]}"),
        TextColumn("reste {task.fields[remaining]}"),
        console=err_console,
        transient=False,
    )
    with progress:
        task = progress.add_task(file_name, total=100.0, state="…", temps="—", remaining="—")

        def update(status: PrinterStatus) -> None:
            done = status.job.fraction_done * 100.0 if status.job is not None else 0.0
            state, temps, remaining = _progress_fields(status)
            progress.update(task, completed=done, state=state, temps=temps, remaining=remaining)

        while True:
            try:
                result = wait_for_job(backend, file_name, on_status=update, poll_s=FOLLOW_POLL_S)
                break
            except KeyboardInterrupt:
                progress.stop()
                _ask_after_interrupt(backend)
                progress.start()
    if result.outcome is JobOutcome.DONE:
        elapsed = result.last_status.job.elapsed_s if result.last_status.job else None
        took = f" en {format_duration_fr(elapsed)}" if elapsed else ""
        console.print(f"[green]Impression de « {file_name} » terminée{took}.[/green]")
        return
    raise KitError(
        f"L'impression de « {file_name} » a été annulée avant la fin.", exit_code=EXIT_FAILURE
    )
