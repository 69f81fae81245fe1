# SPDX-License-Identifier: GPL-3.0-or-later
"""Python sources for what a real board runs compiled: ``.mpy`` files and firmware libraries.

A CIRCUITPY drive holds ``.mpy`` files (bytecode for CircuitPython's VM) and the firmware has
frozen libraries; the simulated board runs CPython, so it takes the same libraries' sources
from the kit's cache (the source bundles, or the sdists fetched from PyPI). The parent
process reads them and hands them to the worker with its start message: the worker itself
reads nothing outside the board folder.
"""

from __future__ import annotations

from pathlib import Path

from firmware.boards import Board
from firmware.bundles import cached_library_sources, cached_source
from sim.circuitpython.cpmodules import FROZEN_FALLBACKS

#: Prefix of the firmware libraries' sources (CircuitPython's ``sys.path`` entry for them).
FROZEN_PREFIX = ".frozen/"


def board_sources(root: Path, board: Board) -> dict[str, str]:
    """``{board path: source}`` for the drive's ``.mpy`` files and the firmware libraries."""
    sources: dict[str, str] = {}
    firmware_sources: dict[str, str] = {}
    for name in (*board.frozen, *board.core_libraries):
        if name in FROZEN_FALLBACKS:
            continue  # the simulator has its own
        for board_path, text in cached_library_sources(name).items():
            firmware_sources[FROZEN_PREFIX + board_path.removeprefix("lib/")] = text
    # The simulator's own modules (neopixel) stand in for a compiled copy when the firmware
    # libraries the real one needs (adafruit_pixelbuf, a C module) have no source in the cache.
    complete = all(
        any(key.startswith(f"{FROZEN_PREFIX}{name}") for key in firmware_sources)
        for name in board.core_libraries
    )
    for path in sorted(root.rglob("*.mpy")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        top = relative.parts[1 if relative.parts[0] == "lib" else 0].removesuffix(".mpy")
        if top in FROZEN_FALLBACKS and not complete:
            continue
        source = cached_source(relative.as_posix())
        if source is not None:
            sources[relative.as_posix()] = source
    sources.update(firmware_sources)
    return sources
