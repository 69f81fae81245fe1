# SPDX-License-Identifier: GPL-3.0-or-later
"""Small G-code files and a connected host on ``sim://marlin`` for the host tests."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from kit.links import open_link
from printers.host import MarlinHost

#: Hotend and bed heat 50 times faster than a real printer: waits stay short in virtual time.
FAST = "heat_scale=50&residency_s=1"


def arc_lines(segments: int, *, segment_mm: float = 0.2, feed_mm_min: int = 3000) -> list[str]:
    """Short segments along a circle, extruding, as a slicer writes a curved wall."""
    radius = 10.0
    step = segment_mm / radius
    lines = []
    e = 0.0
    for i in range(segments):
        angle = i * step
        e += 0.01
        x = 100 + radius * math.cos(angle)
        y = 100 + radius * math.sin(angle)
        lines.append(f"G1 X{x:.3f} Y{y:.3f} E{e:.5f} F{feed_mm_min}")
    return lines


def write_gcode(path: Path, body: list[str], *, heat: bool = True) -> Path:
    """A small file that passes the preflight; ``heat=False`` sets the hotend target
    without waiting for it (no heating time in the print, only a preflight warning)."""
    head = ["; atelier-kit test file", "M104 S200", "G28", "G92 E0"]
    if heat:
        head = [head[0], "M140 S60", "M104 S200", "M190 S60", "M109 S200", *head[2:]]
    text = "\n".join([*head, ";LAYER:0", "G1 Z0.2 F600", *body, "M104 S0", "M140 S0", "M84"])
    path.write_text(text + "\n", encoding="utf-8")
    return path


def file_commands(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        code = line.split(";", 1)[0].strip()
        if code:
            out.append(code)
    return out


def connect(url: str, *, baudrate: int = 115200, **kwargs: object) -> MarlinHost:
    link = open_link(url, baudrate=baudrate, timeout_s=0.1)
    host = MarlinHost(link, **kwargs)  # type: ignore[arg-type]
    host.connect()
    return host


def executed_file_commands(
    host: MarlinHost, first_file_line_number: int, polls: Iterable[int] = ()
) -> list[str]:
    """Commands the simulator executed with a line number from the file's range, without the
    host's temperature polls (``PrintJob.poll_line_numbers``)."""
    device = host.link.device  # type: ignore[attr-defined]
    skipped = set(polls)
    return [
        c.command
        for c in device.executed
        if c.line_number is not None
        and c.line_number >= first_file_line_number
        and c.line_number not in skipped
    ]
