# SPDX-License-Identifier: GPL-3.0-or-later
"""What Marlin, Prusa firmware and Klipper's serial emulation say differently."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str
    banner: tuple[str, ...]
    firmware_line: str
    checks_line_numbers: bool
    unknown_prefix: str  # before Unknown command:
    temperature_style: str  # "marlin", "prusa", "klipper"
    kill_lines: tuple[str, ...]


MARLIN = Dialect(
    name="marlin",
    banner=(
        "start",
        "echo:Marlin 2.1.2.1",
        "echo: Last Updated: 2023-07-13 | Author: (none, default config)",
        "echo:Compiled: Jul 13 2023",
        "echo: Free Memory: 2154  PlannerBufferBytes: 1232",
        "echo:SD card ok",
    ),
    firmware_line=(
        "FIRMWARE_NAME:Marlin 2.1.2.1 (Jul 13 2023 12:00:00) SOURCE_CODE_URL:"
        "github.com/MarlinFirmware/Marlin PROTOCOL_VERSION:1.0 MACHINE_TYPE:atelier-kit sim "
        "EXTRUDER_COUNT:1 UUID:cede2a2f-41a2-4748-9b12-c55c62f367ff"
    ),
    checks_line_numbers=True,
    unknown_prefix="echo:",
    temperature_style="marlin",
    kill_lines=("Error:Printer halted. kill() called!",),
)

PRUSA = Dialect(
    name="prusa",
    banner=("start", "echo: 3.13.2-7080", "echo: Last Updated: Oct 2 2023", "echo:SD card ok"),
    firmware_line=(
        "FIRMWARE_NAME:Prusa-Firmware 3.13.2 based on Marlin FIRMWARE_URL:"
        "https://github.com/prusa3d/Prusa-Firmware PROTOCOL_VERSION:1.0 MACHINE_TYPE:"
        "Prusa i3 MK3S EXTRUDER_COUNT:1 UUID:00000000-0000-0000-0000-000000000000"
    ),
    checks_line_numbers=True,
    unknown_prefix="echo:",
    temperature_style="prusa",
    kill_lines=("Error:Printer halted. kill() called!",),
)

KLIPPER = Dialect(
    name="klipper",
    banner=("// Klipper state: Ready",),
    firmware_line="FIRMWARE_NAME:Klipper FIRMWARE_VERSION:v0.12.0-atelier",
    checks_line_numbers=False,
    unknown_prefix="// ",
    temperature_style="klipper",
    kill_lines=("!! Shutdown due to M112 command",),
)

DIALECTS = {d.name: d for d in (MARLIN, PRUSA, KLIPPER)}


def temperature_text(
    style: str,
    hotend: tuple[float, float],
    bed: tuple[float, float],
    powers: tuple[int, int],
) -> str:
    t, tt = hotend
    b, bt = bed
    if style == "klipper":
        return f"B:{b:.1f} /{bt:.1f} T0:{t:.1f} /{tt:.1f}"
    if style == "prusa":
        return (
            f"T:{t:.1f} /{tt:.1f} B:{b:.1f} /{bt:.1f} T0:{t:.1f} /{tt:.1f} "
            f"@:{powers[0]} B@:{powers[1]} P:{b - 5:.1f} A:28.3"
        )
    return f"T:{t:.2f} /{tt:.2f} B:{b:.2f} /{bt:.2f} @:{powers[0]} B@:{powers[1]}"
