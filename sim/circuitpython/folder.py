# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulated board's CIRCUITPY folder: ``boot_out.txt``, ``code.py``, ``lib/``, settings.

A fresh folder looks like a board straight after installing CircuitPython: a ``code.py``
that prints « Hello World! », an empty ``lib/`` and an empty ``settings.toml``. Every boot
rewrites ``boot_out.txt`` with the version line and the board id, as the firmware does.
"""

from __future__ import annotations

from pathlib import Path

from firmware.boards import Board

DEFAULT_VERSION = "9.2.1"
DEFAULT_BUILD_DATE = "2024-11-20"
FRESH_CODE = 'print("Hello World!")\n'

_CHIP_LABEL = {
    "samd21": "samd21g18",
    "samd51": "samd51j19",
    "rp2040": "rp2040",
    "esp32s2": "ESP32S2",
    "esp32s3": "ESP32S3",
}


def version_line(board: Board, version: str = DEFAULT_VERSION) -> str:
    """The banner CircuitPython prints and writes first in ``boot_out.txt``."""
    chip = _CHIP_LABEL.get(board.chip, board.chip)
    return f"Adafruit CircuitPython {version} on {DEFAULT_BUILD_DATE}; {board.name} with {chip}"


def cp_board_id(board: Board) -> str:
    return board.circuitpython_ids[0] if board.circuitpython_ids else board.id


def boot_out_text(board: Board, version: str = DEFAULT_VERSION) -> str:
    return f"{version_line(board, version)}\nBoard ID:{cp_board_id(board)}\nUID:5AD1B2C3D4E5\n"


def prepare_folder(root: Path, board: Board, version: str = DEFAULT_VERSION) -> Path:
    """Make ``root`` a CIRCUITPY folder (keeping what is already there); write boot_out.txt."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "lib").mkdir(exist_ok=True)
    code = root / "code.py"
    if not any((root / name).exists() for name in ("code.txt", "code.py", "main.txt", "main.py")):
        code.write_text(FRESH_CODE, encoding="utf-8")
    settings = root / "settings.toml"
    if not settings.exists():
        settings.write_text("", encoding="utf-8")
    (root / "boot_out.txt").write_text(boot_out_text(board, version), encoding="utf-8")
    return root


def code_file(root: Path) -> str | None:
    """The file CircuitPython would run at boot (``code.txt``, ``code.py``, ``main.txt``…)."""
    for name in ("code.txt", "code.py", "main.txt", "main.py"):
        if (root / name).is_file():
            return name
    return None
