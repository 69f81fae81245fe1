# SPDX-License-Identifier: GPL-3.0-or-later
"""Which chip an ESP firmware ``.bin`` is built for, read from its image header (no I/O).

An ESP application or bootloader image starts with ``E9``, the segment count, the flash mode,
the flash size/frequency and the entry point (8 bytes), then an extended header of 16 bytes
whose bytes 4-5 hold the chip id (little-endian). CircuitPython's combined ``.bin`` is written
at flash offset 0 and holds the second-stage bootloader at the chip's bootloader offset
(0x1000 on ESP32 and ESP32-S2, 0x0 on ESP32-S3 and later), so that is where the kit looks.
Chip ids and offsets: Espressif's "Firmware Image Format" documentation.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

IMAGE_MAGIC = 0xE9
HEADER_LEN = 24
CHIP_ID_OFFSET = 12

#: chip name (as in the board catalogue) -> (image chip id, bootloader flash offset)
CHIP_IMAGE_IDS: dict[str, tuple[int, int]] = {
    "esp32": (0, 0x1000),
    "esp32s2": (2, 0x1000),
    "esp32c3": (5, 0x0),
    "esp32s3": (9, 0x0),
    "esp32c2": (12, 0x0),
    "esp32c6": (13, 0x0),
    "esp32h2": (16, 0x0),
}

CHIP_LABELS: dict[str, str] = {
    "esp32": "ESP32",
    "esp32s2": "ESP32-S2",
    "esp32s3": "ESP32-S3",
    "esp32c3": "ESP32-C3",
    "esp32c2": "ESP32-C2",
    "esp32c6": "ESP32-C6",
    "esp32h2": "ESP32-H2",
    "rp2040": "RP2040",
    "samd21": "SAMD21",
    "samd51": "SAMD51",
}


#: Where an application's read-only data is mapped (DROM), the segment's load address.
DROM_ADDRESS: dict[str, int] = {"esp32s2": 0x3F000020, "esp32s3": 0x3C000020,
                                "esp32c3": 0x3C000020}


def build_app_image(chip: str, body: bytes) -> bytes:
    """A valid application image for ``chip`` holding ``body`` in one DROM segment.

    Header (magic, one segment, DIO flash mode, 4 MB / 40 MHz, entry point), extended header
    with the chip id, the segment, then the XOR checksum (seed 0xEF) padded to 16 bytes, as
    Espressif's "Firmware Image Format" describes them.
    """
    chip_id, _ = CHIP_IMAGE_IDS[chip]
    drom = DROM_ADDRESS.get(chip, 0x3C000020)
    header = struct.pack("<BBBBI", IMAGE_MAGIC, 1, 2, 0x20, drom)
    extended = struct.pack("<B3sHBHH4sB", 0xEE, b"\x00\x00\x00", chip_id, 0, 0, 0, b"", 0)
    body = body + b"\x00" * (-len(body) % 4)
    segment = struct.pack("<II", drom, len(body)) + body
    image = header + extended + segment
    check = 0xEF
    for byte in body:
        check ^= byte
    return image + b"\x00" * (15 - len(image) % 16) + bytes([check])


@dataclass(frozen=True)
class ImageHeader:
    file_offset: int
    segments: int
    chip_id: int
    chip: str | None  # None when the id is not one the kit knows


def chip_for_id(chip_id: int) -> str | None:
    for name, (image_id, _) in CHIP_IMAGE_IDS.items():
        if image_id == chip_id:
            return name
    return None


def parse_header(data: bytes, file_offset: int = 0) -> ImageHeader | None:
    """The image header at ``file_offset`` of ``data``, or None if there is none there."""
    if file_offset < 0 or len(data) < file_offset + HEADER_LEN:
        return None
    if data[file_offset] != IMAGE_MAGIC:
        return None
    segments = data[file_offset + 1]
    if not 1 <= segments <= 16:
        return None
    (chip_id,) = struct.unpack_from("<H", data, file_offset + CHIP_ID_OFFSET)
    return ImageHeader(file_offset, segments, chip_id, chip_for_id(chip_id))


def find_header(data: bytes, flash_offset: int, expected_chip: str) -> ImageHeader | None:
    """Find the image header of a ``.bin`` meant for ``flash_offset`` on ``expected_chip``.

    Looks first where the expected chip's bootloader lives (relative to where the file is
    written), then at the start of the file (an application image written on its own).
    """
    _, bootloader_offset = CHIP_IMAGE_IDS.get(expected_chip, (None, 0))
    candidates = []
    if bootloader_offset >= flash_offset:
        candidates.append(bootloader_offset - flash_offset)
    candidates += [0, 0x1000]
    for offset in dict.fromkeys(candidates):
        header = parse_header(data, offset)
        if header is not None:
            return header
    return None


#: The text the kit's exercise image carries: ``kit exemples`` ships one so the README's
#: ``kit mcu flash`` line runs on the simulated chip; it is not a firmware, and
#: ``kit mcu flash`` refuses to write it to a real board.
EXERCISE_MARK = b"atelier-kit : image d'exercice pour le simulateur, pas un micrologiciel."


def exercise_image(chip: str, size: int = 16_384) -> bytes:
    """A ``.bin`` of ``size`` bytes laid out as CircuitPython's combined one (image at the
    chip's bootloader offset), whose data is :data:`EXERCISE_MARK` repeated."""
    _, bootloader_offset = CHIP_IMAGE_IDS[chip]
    room = max(len(EXERCISE_MARK), size - bootloader_offset - HEADER_LEN - 8 - 16)
    body = (EXERCISE_MARK * (room // len(EXERCISE_MARK) + 1))[:room]
    image = b"\xff" * bootloader_offset + build_app_image(chip, body)
    return image.ljust(size, b"\xff")


def is_exercise_image(data: bytes) -> bool:
    """Whether ``data`` is the kit's exercise image (its mark within the first 8 KiB)."""
    return EXERCISE_MARK in data[:8192]
