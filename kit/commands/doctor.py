# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit doctor``: before the group arrives, what is plugged in and what will not work."""

from __future__ import annotations

import json

import click
from rich.markup import escape
from rich.table import Table

from kit.console import console
from kit.doctor import DoctorReport, run_doctor

_DRIVE_KIND_FR = {"circuitpy": "lecteur CIRCUITPY", "uf2": "lecteur de démarrage UF2"}


def render(report: DoctorReport) -> None:
    console.print(
        f"[bold]atelier-kit {report.kit_version}[/bold] — Python {report.python_version}"
        f" — {report.platform}"
    )
    versions = ", ".join(f"{name} {ver or 'absent'}" for name, ver in report.packages.items())
    console.print(f"Bibliothèques : {versions}")

    console.print()
    if report.ports:
        table = Table(title="Ports série", title_justify="left")
        table.add_column("Port", no_wrap=True)
        table.add_column("USB")
        table.add_column("Probablement")
        table.add_column("Description")
        for port in report.ports:
            # Device names and descriptions come from the USB device: never rich markup.
            label = escape(port.label)
            table.add_row(
                escape(port.device),
                port.vid_pid or "—",
                f"{label}\n[dim]{escape(port.detail)}[/dim]" if port.detail else label,
                escape(port.description) or "—",
            )
        console.print(table)
    else:
        console.print("[yellow]Aucun port série détecté.[/yellow]")

    console.print()
    if report.drives:
        for drive in report.drives:
            kind = _DRIVE_KIND_FR.get(drive.kind, drive.kind)
            extra = []
            if drive.circuitpython_version:
                extra.append(f"CircuitPython {drive.circuitpython_version}")
            if drive.board_id:
                extra.append(f"carte {drive.board_id}")
            suffix = f" ({', '.join(extra)})" if extra else ""
            console.print(f"• {kind} : {escape(drive.path + suffix)}")
    else:
        console.print("Aucun lecteur CIRCUITPY ni lecteur de démarrage UF2.")

    if report.permission is not None:
        console.print()
        colour = "green" if report.permission.ok else "red"
        console.print(f"[{colour}]Accès aux ports :[/{colour}] {report.permission.message}")
        if report.permission.fix:
            console.print(report.permission.fix)

    for line in report.advice:
        console.print()
        console.print(f"[yellow]Conseil :[/yellow] {line}")


@click.command()
@click.option(
    "--json", "as_json", is_flag=True, help="Affiche le rapport en JSON (pour les scripts)."
)
def doctor(as_json: bool) -> None:
    """Ce qui est branché, et ce qui ne marchera pas, avant l'arrivée du groupe."""
    report = run_doctor()
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        render(report)
