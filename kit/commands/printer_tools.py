# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit printer temp``, ``kit printer home``, ``kit printer status``: quick USB actions."""

from __future__ import annotations

import json

import click
from rich.table import Table

from kit.clickfr import FiniteFloatRange
from kit.commands.printer_serial import (
    connect_host,
    heater_label,
    port_options,
    temperatures_text,
)
from kit.console import console, err_console
from kit.errors import KitError

#: Highest temperature the kit asks for (°C); profiles may be lower.
MAX_HOTEND_C = 300
MAX_BED_C = 120


@click.command("temp")
@port_options
@click.option(
    "--buse",
    "hotend",
    type=FiniteFloatRange(0, MAX_HOTEND_C),
    default=None,
    help="Consigne de la buse en °C (0 = éteinte).",
)
@click.option(
    "--plateau",
    "bed",
    type=FiniteFloatRange(0, MAX_BED_C),
    default=None,
    help="Consigne du plateau en °C (0 = éteint).",
)
@click.option("--attendre", "wait", is_flag=True, help="Attend que les consignes soient atteintes.")
def temp_cmd(
    port: str, baud: int | None, hotend: float | None, bed: float | None, wait: bool
) -> None:
    """Affiche les températures, ou règle les consignes (--buse, --plateau)."""
    host = connect_host(port, baud)
    try:
        if bed is not None:
            host.command(f"M{190 if wait and bed > 0 else 140} S{bed:g}")
        if hotend is not None:
            if wait and hotend > 0:
                err_console.print(f"Chauffe de la buse à {hotend:g} °C…")
            host.command(f"M{109 if wait and hotend > 0 else 104} S{hotend:g}")
        temps = host.poll_temperatures()
    finally:
        host.close()
    console.print(temperatures_text(temps), highlight=False)


@click.command("home")
@port_options
@click.option(
    "--axes",
    default="",
    metavar="XYZ",
    help="Axes à ramener à l'origine (tous par défaut), par exemple --axes XY.",
)
def home_cmd(port: str, baud: int | None, axes: str) -> None:
    """Ramène les axes à l'origine (G28)."""
    letters = axes.upper().replace(" ", "")
    if any(letter not in "XYZ" for letter in letters):
        raise KitError(f"Axes invalides : « {axes} » (attendu une combinaison de X, Y et Z).")
    command = "G28" + "".join(f" {letter}" for letter in dict.fromkeys(letters))
    host = connect_host(port, baud)
    try:
        err_console.print("Retour à l'origine…")
        host.command(command)
    finally:
        host.close()
    console.print("[green]Axes à l'origine.[/green]")


@click.command("status")
@port_options
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON pour un script.")
def status_cmd(port: str, baud: int | None, as_json: bool) -> None:
    """Firmware, capacités, températures et position de l'imprimante."""
    host = connect_host(port, baud)
    try:
        temps = host.poll_temperatures()
        position_lines = host.command("M114")
    finally:
        host.close()
    position = next((line for line in position_lines if line.startswith("X:")), "")
    identity = host.identity
    if as_json:
        data = {
            "port": port,
            "firmware": identity.name,
            "capabilities": identity.capabilities,
            "temperatures": {
                name: {"actual_c": r.actual_c, "target_c": r.target_c}
                for name, r in temps.items()
            },
            "position": position.split(" Count")[0] if position else None,
        }
        console.print_json(json.dumps(data, ensure_ascii=False))
        return
    table = Table(show_header=False, box=None)
    table.add_row("Port", port)
    table.add_row("Firmware", identity.name)
    table.add_row(
        "Températures auto.", "oui" if identity.has("AUTOREPORT_TEMP") else "non (M105)"
    )
    table.add_row("Arrêt d'urgence immédiat", "oui" if identity.has("EMERGENCY_PARSER") else "non")
    for name, reading in temps.items():
        target = reading.target_c or 0.0
        value = f"{reading.actual_c:.0f} °C" + (f" (consigne {target:.0f} °C)" if target else "")
        table.add_row(heater_label(name).capitalize(), value)
    if position:
        table.add_row("Position", position.split(" Count")[0])
    console.print(table)
