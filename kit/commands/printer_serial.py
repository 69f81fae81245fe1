# SPDX-License-Identifier: GPL-3.0-or-later
"""What the serial printer commands share: the ``--port``/``--baud`` options and connecting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kit.links import open_link
from printers.host import MarlinHost
from printers.marlin.events import HeaterReading

F = TypeVar("F", bound=Callable[..., Any])

_HEATER_NAMES_FR = {"bed": "plateau", "chamber": "caisson"}


def port_options(func: F) -> F:
    """``--port URL`` (required) and ``--baud N``."""
    func = click.option(
        "--baud",
        type=click.IntRange(300, 4_000_000),
        default=None,
        help="Vitesse du port (115200 par défaut, 250000 sur certaines imprimantes).",
    )(func)
    func = click.option(
        "--port",
        "-p",
        required=True,
        metavar="PORT",
        help="Port de l'imprimante : /dev/ttyUSB0, COM3, ou sim://marlin pour le simulateur.",
    )(func)
    return func


def connect_host(
    port: str,
    baud: int | None,
    *,
    ping_pong: bool = False,
    default_baud: int = 115200,
    rx_buffer_bytes: int | None = None,
) -> MarlinHost:
    """Open ``port`` and connect to the printer (boot banner, M110, M115).

    ``rx_buffer_bytes`` is the firmware's receive buffer when known (``--rx-buffer``): the
    host keeps one byte less in flight. Unknown, it assumes the smallest common one (64).
    """
    link = open_link(port, baudrate=baud or default_baud, timeout_s=0.1)
    if rx_buffer_bytes is not None:
        host = MarlinHost(
            link, port_name=port, ping_pong=ping_pong, rx_buffer_bytes=rx_buffer_bytes - 1
        )
    else:
        host = MarlinHost(link, port_name=port, ping_pong=ping_pong)
    try:
        host.connect()
    except BaseException:
        host.close()
        raise
    return host


def heater_label(name: str) -> str:
    if name.startswith("tool"):
        index = int(name[4:] or 0)
        return "buse" if index == 0 else f"buse {index + 1}"
    return _HEATER_NAMES_FR.get(name, name)


def temperatures_text(temperatures: dict[str, HeaterReading]) -> str:
    """« buse 205/210 °C · plateau 60/60 °C »."""
    parts = []
    for name in sorted(temperatures, key=lambda n: (n != "tool0", n)):
        reading = temperatures[name]
        target = reading.target_c or 0.0
        if target > 0:
            parts.append(f"{heater_label(name)} {reading.actual_c:.0f}/{target:.0f} °C")
        else:
            parts.append(f"{heater_label(name)} {reading.actual_c:.0f} °C")
    return " · ".join(parts) if parts else "températures inconnues"
