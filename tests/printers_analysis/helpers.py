# SPDX-License-Identifier: GPL-3.0-or-later
"""Small helpers shared by the preflight tests."""

from __future__ import annotations

from pathlib import Path

from printers.analysis import Analysis, analyse_file
from printers.profile import load_profile

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "gcode"
NAMETAG = DATA / "nametag-ender3.gcode"
LETTERBLOCK = DATA / "letterblock-mk3s.gcode"
TUBE = DATA / "tube-mk4ish.gcode"

#: A start that every synthetic file can begin with: homed, hot, absolute.
START = "G28\nM104 S200\nM109 S200\nG90\nM82\nG92 E0\n"


def analyse_text(
    folder: Path,
    text: str,
    profile: str = "generic",
    *,
    name: str = "test.gcode",
    slot_minutes: float | None = None,
) -> Analysis:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return analyse_file(path, load_profile(profile), slot_minutes=slot_minutes)


def codes(analysis: Analysis) -> set[str]:
    return {check.code for check in analysis.checks}
