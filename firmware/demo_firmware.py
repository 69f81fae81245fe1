# SPDX-License-Identifier: GPL-3.0-or-later
"""A demonstration firmware image, to rehearse ``kit mcu flash`` on the simulators offline.

It is the kit's exercise image (:func:`firmware.esp_image.exercise_image`, the same one that
``kit exemples`` copies): a valid ESP image for the board's chip (the header, chip id and
checksum the flasher and the simulated ROM check), laid out as CircuitPython's combined
``.bin``, whose content is a French notice, not a program. It is offered for ``sim://`` ports
only, and ``kit mcu flash`` refuses to write it to a real board whatever its file name.
"""

from __future__ import annotations

from firmware.boards import Board
from firmware.esp_image import CHIP_IMAGE_IDS, exercise_image
from kit.errors import KitError

#: Size of the demonstration image (a real CircuitPython .bin is about 1.5 MB; a smaller
#: image keeps the rehearsal quick while still showing the progress of a real transfer).
DEMO_SIZE_BYTES = 256 * 1024
#: File names of the demonstration images start so (never a name from circuitpython.org).
DEMO_PREFIX = "demonstration-"


def demo_image(board: Board) -> tuple[str, bytes]:
    """(file name, content) of the demonstration image for ``board``'s chip."""
    if board.flash_method != "esptool" or board.chip not in CHIP_IMAGE_IDS:
        raise KitError(
            f"Pas d'image de démonstration pour {board.name} : elle sert aux cartes ESP32 "
            "installées par le port série simulé (sim://esp32s3, sim://esp32s2)."
        )
    return f"{DEMO_PREFIX}{board.id}.bin", exercise_image(board.chip, DEMO_SIZE_BYTES)
