# SPDX-License-Identifier: GPL-3.0-or-later
"""Firmware files kept locally: ``<cache>/firmware/`` (``kit.paths.cache_dir()``).

The kit never downloads: the animateur drops CircuitPython's files there (or gives a path).
Names follow circuitpython.org's downloads, ``adafruit-circuitpython-<board id>-<lang>-
<version>.<uf2|bin>``; the board id is CircuitPython's (``raspberry_pi_pico``…), which the
catalogue lists for each board.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from firmware.boards import Board, load_catalogue
from kit import paths
from kit.errors import InputFileError
from kit.files import require_input_file

_NAME = re.compile(
    r"^adafruit-circuitpython-(?P<board>[a-z0-9_]+?)-(?P<lang>[a-z]{2}(?:_[A-Z]{2})?)-"
    r"(?P<version>\d+\.\d+\.\d+[0-9A-Za-z.\-]*)\.(?P<ext>uf2|bin)$"
)


@dataclass(frozen=True)
class FirmwareFile:
    path: Path
    kind: str  # "uf2" or "bin"
    board: Board | None
    circuitpython_board: str | None
    language: str | None
    version: str | None
    size: int


def firmware_dir() -> Path:
    return paths.cache_dir() / "firmware"


def _version_key(version: str | None) -> tuple[int, ...]:
    if not version:
        return ()
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def describe(path: Path) -> FirmwareFile:
    match = _NAME.match(path.name)
    board = cp_board = lang = version = None
    if match:
        cp_board, lang, version = match["board"], match["lang"], match["version"]
        for candidate in load_catalogue().values():
            if cp_board in candidate.circuitpython_ids:
                board = candidate
    kind = path.suffix.lower().lstrip(".")
    return FirmwareFile(path, kind, board, cp_board, lang, version, path.stat().st_size)


def list_firmware() -> list[FirmwareFile]:
    """The ``.uf2`` and ``.bin`` files of the cache, newest version first per board."""
    folder = firmware_dir()
    if not folder.is_dir():
        return []
    files = [
        describe(p)
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in (".uf2", ".bin")
    ]
    return sorted(
        files,
        key=lambda f: (f.board.id if f.board else "~", tuple(-v for v in _version_key(f.version))),
    )


def resolve(spec: str | None, board: Board) -> Path:
    """The file to flash: a path, a file name of the cache, or (``None``) the newest cached
    firmware for ``board``."""
    if spec:
        candidate = Path(spec).expanduser()
        if candidate.exists() or candidate.is_absolute() or "/" in spec or "\\" in spec:
            return require_input_file(candidate, what="fichier de micrologiciel")
        cached = firmware_dir() / spec
        if cached.exists():
            return require_input_file(cached, what="fichier de micrologiciel")
        return require_input_file(candidate, what="fichier de micrologiciel")
    wanted = "bin" if board.flash_method == "esptool" else "uf2"
    for item in list_firmware():
        if item.board is not None and item.board.id == board.id and item.kind == wanted:
            return item.path
    raise InputFileError(
        f"Aucun micrologiciel .{wanted} pour « {board.name} » dans {firmware_dir()}.",
        hint="Indiquez le chemin du fichier, ou déposez le fichier de circuitpython.org dans "
        "ce dossier (« kit mcu firmware list » montre ce qui s'y trouve).",
    )
