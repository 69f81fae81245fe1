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

DIALECTS = ("marlin", "marlin2.0", "marlin1", "prusa", "klipper", "reprap")
#: What follows a resend request: see ``sim/marlin/dialects.py`` for each firmware's own.
RESEND_OK = ("after", "none", "twice", "before")

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
    "dup_ok",
    "resend_ok",
    "journal",
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

    Sources (Marlin 2.1.2.1): ``BUFSIZE 4`` and ``BLOCK_BUFFER_SIZE 16`` in
    ``Configuration_adv.h``; ``RX_BUFFER_SIZE`` 128 by default in ``src/inc/Conditionals_adv.h``,
    the ring of ``src/HAL/AVR/MarlinSerial.h`` (and the least STM32 builds get from
    ``buildroot/share/PlatformIO/scripts/stm32_serialbuffer.py``). The printer profiles that
    state a buffer (``rx_buffer`` in ``printers/profiles/*.toml``: ender3, ender3v2, i3mega,
    mk3s 128; mk4 64 over USB CDC) cite their own sources; ``rx_buffer=64`` simulates the
    smallest common one (OctoPrint's VirtualPrinter, stm32duino's default).
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
    #: Numbers of the oks sent twice (a duplicated ok, as a flaky USB-serial bridge does).
    dup_ok: tuple[int, ...] = ()
    #: What follows a resend request; None: the dialect's own.
    resend_ok: str | None = None
    #: File that receives one line per executed command: ``<line number or -> <command>``.
    journal: str | None = None
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
        drop_ok = _int_list(options, "drop_ok")
        resend_ok = options.get("resend_ok", "").strip().lower() or None
        if resend_ok is not None and resend_ok not in RESEND_OK:
            raise SimOptionError(
                f"resend_ok inconnu : « {resend_ok} ». Possibles : {', '.join(RESEND_OK)}."
            )
        return cls(
            baud=baud or None,
            latency_s=option_float(options, "latency_ms", 1.0, minimum=0.0, maximum=1000.0)
            / 1000.0,
            bufsize=option_int(options, "bufsize", 4, minimum=1, maximum=64),
            # A Duet's USB input is flow-controlled (sim/marlin/dialects.py): nothing overflows.
            rx_buffer=option_int(
                options,
                "rx_buffer",
                65536 if dialect == "reprap" else 128,
                minimum=16,
                maximum=65536,
            ),
            planner_blocks=option_int(options, "planner_blocks", 16, minimum=2, maximum=256),
            advanced_ok=option_bool(options, "advanced_ok", False),
            emergency_parser=option_bool(options, "emergency_parser", False),
            dialect=dialect,
            autoreport=option_bool(options, "autoreport", True),
            # Klipper's pseudo-tty and a Duet's native USB do not reset the board on open.
            reset_on_open=option_bool(
                options, "reset_on_open", dialect not in ("klipper", "reprap")
            ),
            boot_s=option_float(options, "boot_s", 1.0, minimum=0.0, maximum=30.0),
            cmd_s=option_float(options, "cmd_us", 200.0, minimum=0.0, maximum=1e6) / 1e6,
            residency_s=option_float(options, "residency_s", 10.0, minimum=0.0, maximum=600.0),
            heat_scale=option_float(options, "heat_scale", 1.0, minimum=0.01, maximum=1000.0),
            corrupt_in=option_float(options, "corrupt_in", 0.0, minimum=0.0, maximum=0.5),
            corrupt_out=option_float(options, "corrupt_out", 0.0, minimum=0.0, maximum=0.5),
            seed=option_int(options, "seed", 0),
            drop_ok=drop_ok,
            dup_ok=_int_list(options, "dup_ok"),
            resend_ok=resend_ok,
            journal=options.get("journal") or None,
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


def _int_list(options: Mapping[str, str], name: str) -> tuple[int, ...]:
    values: list[int] = []
    for item in options.get(name, "").split(","):
        if item.strip():
            values.append(option_int({name: item.strip()}, name, 0, minimum=1))
    return tuple(values)
