# SPDX-License-Identifier: GPL-3.0-or-later
"""What every printer backend offers, whatever sits behind it (USB serial or OctoPrint).

The serial host and the OctoPrint client both implement :class:`PrinterBackend`; the CLI,
the farm view and the lessons only use this interface.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable


class PrinterState(enum.Enum):
    """Coarse state shown to the animateur (French labels in :data:`STATE_LABELS_FR`)."""

    OFFLINE = "offline"
    CONNECTING = "connecting"
    IDLE = "idle"
    HEATING = "heating"
    PRINTING = "printing"
    PAUSED = "paused"
    CANCELLING = "cancelling"
    ERROR = "error"
    UNREACHABLE = "unreachable"


STATE_LABELS_FR: dict[PrinterState, str] = {
    PrinterState.OFFLINE: "hors ligne",
    PrinterState.CONNECTING: "connexion…",
    PrinterState.IDLE: "prête",
    PrinterState.HEATING: "chauffe",
    PrinterState.PRINTING: "impression",
    PrinterState.PAUSED: "en pause",
    PrinterState.CANCELLING: "annulation…",
    PrinterState.ERROR: "erreur",
    PrinterState.UNREACHABLE: "injoignable",
}


@dataclass(frozen=True)
class Temperature:
    """One heater: current and target temperature in °C (target 0 = off)."""

    actual_c: float
    target_c: float


@dataclass(frozen=True)
class JobProgress:
    file_name: str
    fraction_done: float  # 0.0 to 1.0
    elapsed_s: float
    remaining_s: float | None  # None while unknown
    layer: int | None = None


@dataclass(frozen=True)
class PrinterStatus:
    state: PrinterState
    temperatures: dict[str, Temperature] = field(default_factory=dict)  # "tool0", "bed"…
    job: JobProgress | None = None
    message_fr: str | None = None  # last error or notice, in French


@runtime_checkable
class PrinterBackend(Protocol):
    """A printer the kit can drive. Every method raises :class:`kit.errors.KitError`
    (French message) when the printer or the server refuses or does not answer."""

    name: str

    def connect(self) -> None: ...

    def close(self) -> None: ...

    def status(self) -> PrinterStatus: ...

    def start_print(self, gcode_file: Path) -> None:
        """Upload (if needed) and start printing ``gcode_file``."""
        ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def cancel(self) -> None: ...

    def set_temperatures(
        self, *, hotend_c: float | None = None, bed_c: float | None = None
    ) -> None: ...

    def send_command(self, command: str) -> list[str]:
        """Send one G-code command; return the printer's reply lines."""
        ...
