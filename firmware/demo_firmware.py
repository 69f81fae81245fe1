# SPDX-License-Identifier: GPL-3.0-or-later
"""A demonstration firmware image, to rehearse ``kit mcu flash`` on the simulators offline.

It is a valid ESP image for the board's chip (the header, chip id and checksum the flasher
and the simulated ROM check), laid out as CircuitPython's combined ``.bin`` (bootloader at the
chip's bootloader offset), but its content is a French notice, not a program: it is offered
for ``sim://`` ports only, never written to a real board.
"""

from __future__ import annotations

from firmware.boards import Board
from firmware.esp_image import CHIP_IMAGE_IDS, build_app_image
from kit.errors import KitError

#: Size of the demonstration image (a real CircuitPython .bin is about 1.5 MB; a smaller
#: image keeps the rehearsal quick while still showing the progress of a real transfer).
DEMO_SIZE_BYTES = 256 * 1024
#: File names of the demonstration images start so (never a name from circuitpython.org).
DEMO_PREFIX = "demonstration-"
NOTICE = (
    "atelier-kit : micrologiciel de demonstration pour le simulateur, pas CircuitPython. "
    "Ne pas installer sur une vraie carte.\n"
)


def demo_image(board: Board) -> tuple[str, bytes]:
    """(file name, content) of the demonstration image for ``board``'s chip."""
    if board.flash_method != "esptool" or board.chip not in CHIP_IMAGE_IDS:
        raise KitError(
            f"Pas d'image de démonstration pour {board.name} : elle sert aux cartes ESP32 "
            "installées par le port série simulé (sim://esp32s3, sim://esp32s2)."
        )
    _, bootloader_offset = CHIP_IMAGE_IDS[board.chip]
    room = DEMO_SIZE_BYTES - bootloader_offset - 64
    notice = NOTICE.encode("ascii")
    body = (notice * (room // len(notice) + 1))[:room]
    image = b"\xff" * bootloader_offset + build_app_image(board.chip, body)
    return f"{DEMO_PREFIX}{board.id}.bin", image.ljust(DEMO_SIZE_BYTES, b"\xff")
