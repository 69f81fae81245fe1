# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit printer farm``: every printer of the atelier in one live table (or once in JSON)."""

from __future__ import annotations

import json
import time

import click
from rich.console import Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from kit.clickfr import FiniteFloatRange
from kit.console import console
from kit.errors import KitError
from kit.messages import format_duration_fr
from printers.atelier_config import (
    PrinterEntry,
    atelier_printers,
    configured_timeout_s,
    with_api_key,
)
from printers.backend import STATE_LABELS_FR, PrinterState, PrinterStatus, Temperature
from printers.farm import Farm, FarmRow

#: Rich colour of each state in the table.
STATE_STYLES: dict[PrinterState, str] = {
    PrinterState.OFFLINE: "dim",
    PrinterState.CONNECTING: "cyan",
    PrinterState.IDLE: "green",
    PrinterState.HEATING: "yellow",
    PrinterState.PRINTING: "bold blue",
    PrinterState.PAUSED: "magenta",
    PrinterState.CANCELLING: "magenta",
    PrinterState.ERROR: "bold red",
    PrinterState.UNREACHABLE: "red",
}

_HEATER_NAMES_FR = {"bed": "plateau", "chamber": "caisson"}


def heater_label_fr(heater: str) -> str:
    if heater in _HEATER_NAMES_FR:
        return _HEATER_NAMES_FR[heater]
    if heater.startswith("tool") and heater[4:].isascii() and heater[4:].isdigit():
        index = int(heater[4:])
        return "buse" if index == 0 else f"buse {index + 1}"
    return heater


def format_temperature(t: Temperature) -> str:
    if t.target_c > 0:
        return f"{t.actual_c:.0f}/{t.target_c:.0f} °C"
    return f"{t.actual_c:.0f} °C"


def format_temperatures(temps: dict[str, Temperature]) -> str:
    """« buse 205/210 °C · plateau 60 °C »."""
    order = sorted(temps, key=lambda h: (h != "tool0", not h.startswith("tool"), h))
    return " · ".join(f"{heater_label_fr(h)} {format_temperature(temps[h])}" for h in order)


def format_job(status: PrinterStatus) -> tuple[str, str]:
    """(job text, remaining time text) for a status."""
    job = status.job
    if job is None:
        return "—", "—"
    text = f"{job.file_name} ({job.fraction_done * 100:.0f} %)"
    if job.layer is not None:
        text += f", couche {job.layer}"
    if status.state in (PrinterState.IDLE, PrinterState.OFFLINE):
        return text, "—"
    remaining = "—" if job.remaining_s is None else format_duration_fr(job.remaining_s)
    return text, remaining


def short_message(message: str, address: str) -> str:
    """A message cut down for a table cell: its first sentence, without the address (which
    has its own column). ``--json`` keeps the whole message."""
    text = message.replace(f" « {address} »", "").split("\n", 1)[0]
    end = text.find(". ")
    return text[: end + 1] if end > 0 else text


#: Below this terminal width the address column is left out (it is in the configuration).
ADDRESS_COLUMN_MIN_WIDTH = 110


def farm_table(rows: list[FarmRow], *, show_address: bool = True) -> Table:
    table = Table(title="Imprimantes de l'atelier", title_justify="left", expand=False)
    table.add_column("Imprimante", style="bold", no_wrap=True)
    table.add_column("État", no_wrap=True)
    table.add_column("Températures", min_width=12)
    table.add_column("Impression", min_width=14)
    table.add_column("Reste", justify="right", no_wrap=True)
    if show_address:
        table.add_column("Adresse", style="dim", overflow="ellipsis", no_wrap=True, max_width=22)
    for row in rows:
        status = row.status
        state = Text(STATE_LABELS_FR[status.state], style=STATE_STYLES[status.state])
        job_text, remaining = format_job(status)
        if status.message_fr and status.state in (
            PrinterState.ERROR,
            PrinterState.UNREACHABLE,
            PrinterState.OFFLINE,
        ):
            job_text = short_message(status.message_fr, row.entry.address)
        cells: list[str | Text] = [
            row.entry.name,
            state,
            format_temperatures(status.temperatures) or "—",
            job_text,
            remaining,
        ]
        if show_address:
            cells.append(row.entry.address)
        table.add_row(*cells)
    return table


def _load_entries() -> list[PrinterEntry]:
    entries = atelier_printers()
    if not entries:
        raise KitError(
            "Aucune imprimante dans la configuration de l'atelier.",
            hint="Ajoutez-en une par imprimante, par exemple :\n"
            "  kit config set printers.ender1.port /dev/ttyUSB0\n"
            "  kit config set printers.prusa.url http://octopi.local",
        )
    return [with_api_key(entry) for entry in entries]


@click.command("farm")
@click.option("--json", "as_json", is_flag=True, help="Un seul relevé, en JSON, pour un script.")
@click.option(
    "--interval",
    "interval_s",
    type=FiniteFloatRange(0.2, 3600),
    default=2.0,
    show_default=True,
    metavar="SECONDES",
    help="Temps entre deux relevés du tableau.",
)
@click.option(
    "--count",
    type=click.IntRange(1),
    default=None,
    metavar="N",
    help="S'arrête après N relevés (par défaut : jusqu'à Ctrl-C).",
)
def farm(as_json: bool, interval_s: float, count: int | None) -> None:
    """Toutes les imprimantes de l'atelier dans un tableau qui se met à jour.

    La liste vient de la configuration (« kit config set printers.NOM.port … » pour une
    imprimante USB, « printers.NOM.url … » pour OctoPrint). Une imprimante qui ne répond pas
    apparaît « injoignable » ; les autres continuent d'être suivies.
    """
    entries = _load_entries()
    timeout_s = configured_timeout_s()
    with Farm(entries, timeout_s=timeout_s) as printers:
        if as_json:
            rows = printers.poll()
            click.echo(
                json.dumps(
                    {"printers": [row.to_json() for row in rows]}, ensure_ascii=False, indent=2
                )
            )
            return
        _live(printers, interval_s, count)


def _live(printers: Farm, interval_s: float, count: int | None) -> None:
    done = 0
    footer = Text("Ctrl-C pour quitter.", style="dim")
    wide = console.width >= ADDRESS_COLUMN_MIN_WIDTH
    try:
        with Live(console=console, auto_refresh=False, transient=False) as live:
            while True:
                started = time.monotonic()
                # A slow printer must not hold the others back: wait one interval at most.
                last = count is not None and done + 1 >= count
                rows = printers.poll(wait_s=None if last else interval_s)  # last one complete
                done += 1
                stamp = time.strftime("%H:%M:%S")
                live.update(
                    Group(
                        farm_table(rows, show_address=wide),
                        Text(f"Relevé de {stamp}.", style="dim"),
                        footer,
                    ),
                    refresh=True,
                )
                if count is not None and done >= count:
                    return
                time.sleep(max(0.0, interval_s - (time.monotonic() - started)))
    except KeyboardInterrupt:
        return
