# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit doctor``: before the group arrives, what is plugged in and what will not work."""

from __future__ import annotations

import json
import sys

import click
from rich.markup import escape
from rich.table import Table

from kit.console import console
from kit.doctor import DoctorReport, run_doctor
from kit.errors import EXIT_FAILURE

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

    console.print()
    if report.problems:
        console.print(f"[bold red]Problèmes ({len(report.problems)}) :[/bold red]")
        for problem in report.problems:
            console.print(f"[red]✗[/red] {escape(problem)}", highlight=False)
    else:
        console.print("[green]Configuration et fichiers du kit : rien à signaler.[/green]")


#: Configuration sections written by other commands than « kit config set » (the badge
#: issuer's profile and key, ``kit badge emetteur``): their own commands check them.
OTHER_SECTIONS = frozenset({"badges"})


def domain_problems() -> list[str]:
    """What the kit's commands will refuse in the configuration (unknown keys, a printer of
    the atelier's list without a port…) and in the firmware cache."""
    from kit import config as cfg
    from kit.errors import KitError
    from printers.atelier_config import atelier_printers, setting_value

    problems: list[str] = []
    try:
        config = cfg.load_config()
    except KitError:
        return problems  # already reported as a file problem
    for dotted, value in _settings(config):
        if dotted.split(".")[0] in OTHER_SECTIONS:
            continue
        try:
            setting_value(dotted, str(value))
        except KitError as exc:
            problems.append(f"Configuration : {exc.message}")
    try:
        atelier_printers(config)
    except KitError as exc:
        problems.append(f"Configuration : {exc.message}")
    problems += _firmware_cache_problems()
    return problems


def _settings(table: dict[str, object], prefix: str = "") -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out += _settings(value, dotted + ".")
        else:
            out.append((dotted, value))
    return out


def _firmware_cache_problems() -> list[str]:
    from firmware import esp_image, uf2
    from firmware.firmware_cache import firmware_dir

    folder = firmware_dir()
    if not folder.is_dir():
        return []
    problems = []
    for path in sorted(folder.iterdir()):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in (".bin", ".uf2"):
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(f"Micrologiciel illisible dans le cache : « {path} » ({exc.strerror}).")
            continue
        why = ""
        if suffix == ".bin":
            if not any(esp_image.parse_header(data, at) for at in (0, 0x1000)):
                why = "aucun en-tête d'image ESP"
        else:
            try:
                uf2.parse(data)
            except uf2.Uf2Error as exc:
                why = exc.message
        if why:
            problems.append(
                f"Le fichier « {path.name} » du dossier des micrologiciels ({folder}) n'est pas "
                f"un micrologiciel valide ({why.rstrip('.')}) : « kit mcu flash » le refusera. "
                "Supprimez-le ou téléchargez-le à nouveau."
            )
    return problems


@click.command()
@click.option(
    "--json", "as_json", is_flag=True, help="Affiche le rapport en JSON (pour les scripts)."
)
def doctor(as_json: bool) -> None:
    """Ce qui est branché, et ce qui ne marchera pas, avant l'arrivée du groupe."""
    report = run_doctor()
    report.problems += domain_problems()
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        render(report)
    if report.problems:
        sys.exit(EXIT_FAILURE)
