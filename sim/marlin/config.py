# SPDX-License-Identifier: GPL-3.0-or-later
"""Options of the simulated Marlin printer (``sim://marlin?option=value&...``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sim.device import (
    SimOptionError,
    option_bool,
    option_float,
    option_int,
    reject_unknown_options,
)

DIALECTS = ("marlin", "prusa", "klipper")

KNOWN_OPTIONS = {
    "baud",
    "latency_ms",
    "bufsize",
    "rx_buffer",
    "planner_blocks",
    "advanced_ok",
    "emergency_parser",
    "dialect",
    "autoreport",
    "reset_on_open",
    "boot_s",
    "cmd_us",
    "residency_s",
    "heat_scale",
    "corrupt_in",
    "corrupt_out",
    "seed",
    "drop_ok",
    "reset_at_line",
    "runaway_at",
    "disconnect_at_line",
    "hang_at_line",
    "extrude_min_c",
}


@dataclass(frozen=True)
class MarlinConfig:
    """Everything that can differ between two simulated printers.

    Defaults describe Marlin 2.x on an 8-bit board: BUFSIZE 4, RX_BUFFER_SIZE 128, 16 planner
    blocks, auto-reset when the port opens, no ADVANCED_OK and no emergency parser.
    """

    baud: int | None = None  # None: follow the host's setting
    latency_s: float = 0.001
    bufsize: int = 4
    rx_buffer: int = 128
    planner_blocks: int = 16
    advanced_ok: bool = False
    emergency_parser: bool = False
    dialect: str = "marlin"
    autoreport: bool = True
    reset_on_open: bool = True
    boot_s: float = 1.0
    cmd_s: float = 0.0002
    residency_s: float = 10.0
    heat_scale: float = 1.0
    corrupt_in: float = 0.0
    corrupt_out: float = 0.0
    seed: int = 0
    drop_ok: tuple[int, ...] = ()
    reset_at_line: int | None = None
    runaway_at_s: float | None = None
    disconnect_at_line: int | None = None
    hang_at_line: int | None = None
    #: EXTRUDE_MINTEMP of PREVENT_COLD_EXTRUSION: below it an E move is refused (0: never).
    extrude_min_c: float = 170.0

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> MarlinConfig:
        reject_unknown_options(options, KNOWN_OPTIONS, "marlin")
        dialect = options.get("dialect", "marlin").strip().lower()
        if dialect not in DIALECTS:
            raise SimOptionError(
                f"Dialecte inconnu : « {dialect} ». Possibles : {', '.join(DIALECTS)}."
            )
        baud = option_int(options, "baud", 0, minimum=0, maximum=4_000_000)
        drop_ok: list[int] = []
        for item in options.get("drop_ok", "").split(","):
            if item.strip():
                drop_ok.append(option_int({"drop_ok": item.strip()}, "drop_ok", 0, minimum=1))
        return cls(
            baud=baud or None,
            latency_s=option_float(options, "latency_ms", 1.0, minimum=0.0, maximum=1000.0)
            / 1000.0,
            bufsize=option_int(options, "bufsize", 4, minimum=1, maximum=64),
            rx_buffer=option_int(options, "rx_buffer", 128, minimum=16, maximum=65536),
            planner_blocks=option_int(options, "planner_blocks", 16, minimum=2, maximum=256),
            advanced_ok=option_bool(options, "advanced_ok", False),
            emergency_parser=option_bool(options, "emergency_parser", False),
            dialect=dialect,
            autoreport=option_bool(options, "autoreport", True),
            reset_on_open=option_bool(options, "reset_on_open", dialect != "klipper"),
            boot_s=option_float(options, "boot_s", 1.0, minimum=0.0, maximum=30.0),
            cmd_s=option_float(options, "cmd_us", 200.0, minimum=0.0, maximum=1e6) / 1e6,
            residency_s=option_float(options, "residency_s", 10.0, minimum=0.0, maximum=600.0),
            heat_scale=option_float(options, "heat_scale", 1.0, minimum=0.01, maximum=1000.0),
            corrupt_in=option_float(options, "corrupt_in", 0.0, minimum=0.0, maximum=0.5),
            corrupt_out=option_float(options, "corrupt_out", 0.0, minimum=0.0, maximum=0.5),
            seed=option_int(options, "seed", 0),
            drop_ok=tuple(drop_ok),
            reset_at_line=_optional_int(options, "reset_at_line"),
            runaway_at_s=(
                option_float(options, "runaway_at", 0.0, minimum=0.0)
                if "runaway_at" in options
                else None
            ),
            disconnect_at_line=_optional_int(options, "disconnect_at_line"),
            hang_at_line=_optional_int(options, "hang_at_line"),
            extrude_min_c=option_float(
                options, "extrude_min_c", 170.0, minimum=0.0, maximum=300.0
            ),
        )


def _optional_int(options: Mapping[str, str], name: str) -> int | None:
    if name not in options:
        return None
    return option_int(options, name, 0, minimum=1)
