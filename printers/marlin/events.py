# SPDX-License-Identifier: GPL-3.0-or-later
"""What a printer says, as small immutable events (one per received line, or per message)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HeaterReading:
    """One heater in a temperature report (°C); ``target_c`` is None when not reported."""

    actual_c: float
    target_c: float | None


@dataclass(frozen=True)
class TemperatureReport:
    """Heaters keyed ``tool0``, ``tool1``, ``bed``, ``chamber`` (the backend's names)."""

    heaters: dict[str, HeaterReading] = field(default_factory=dict)


@dataclass(frozen=True)
class Ok:
    """``ok``; ADVANCED_OK adds the last line number and the free planner/queue slots.

    ``temperatures`` is set when the ``ok`` carries an M105 answer (``ok T:210.0 /210.0 …``).
    """

    line_number: int | None = None
    planner_free: int | None = None
    queue_free: int | None = None
    temperatures: TemperatureReport | None = None


@dataclass(frozen=True)
class Resend:
    """The firmware wants every line from ``line_number`` on again."""

    line_number: int


@dataclass(frozen=True)
class Busy:
    """``busy: processing`` and friends: still working, wait longer."""

    reason: str


@dataclass(frozen=True)
class Wait:
    """``wait``: idle firmware waiting for a command (Repetier, old Marlin)."""


@dataclass(frozen=True)
class Start:
    """``start``: the board (re)booted; its line number and queue are reset."""


@dataclass(frozen=True)
class Echo:
    text: str


@dataclass(frozen=True)
class UnknownCommand:
    command: str


class LineErrorKind(enum.Enum):
    CHECKSUM_MISMATCH = "checksum"
    LINE_NUMBER = "line_number"
    NO_CHECKSUM = "no_checksum"
    NO_LINE_NUMBER = "no_line_number"


@dataclass(frozen=True)
class LineError:
    """A transmission error the firmware recovers from by asking for a resend."""

    kind: LineErrorKind
    last_line: int | None
    text: str


class FaultKind(enum.Enum):
    KILLED = "killed"
    THERMAL_RUNAWAY = "thermal_runaway"
    MINTEMP = "mintemp"
    MAXTEMP = "maxtemp"
    HEATING_FAILED = "heating_failed"
    EMERGENCY = "emergency"  # "!!" lines
    STOPPED = "stopped"  # "Printer stopped due to errors…"


@dataclass(frozen=True)
class Fault:
    """The firmware stopped itself; printing cannot continue."""

    kind: FaultKind
    text: str


@dataclass(frozen=True)
class ErrorMessage:
    """Any other ``Error:`` line (does not stop the firmware by itself)."""

    text: str


@dataclass(frozen=True)
class FirmwareInfo:
    """The M115 ``FIRMWARE_NAME:…`` line, split into its fields."""

    fields: dict[str, str]

    @property
    def name(self) -> str:
        return self.fields.get("FIRMWARE_NAME", "")


@dataclass(frozen=True)
class Capability:
    name: str
    enabled: bool


@dataclass(frozen=True)
class SdStatus:
    text: str


@dataclass(frozen=True)
class Other:
    text: str


Event = (
    Ok
    | Resend
    | Busy
    | Wait
    | Start
    | Echo
    | UnknownCommand
    | LineError
    | Fault
    | ErrorMessage
    | FirmwareInfo
    | Capability
    | SdStatus
    | TemperatureReport
    | Other
)
