# SPDX-License-Identifier: GPL-3.0-or-later
"""Synthetic ESP firmware images for tests and benchmarks (nothing is downloaded).

An image is a valid ESP application image for the chosen chip: the 8-byte header, the
16-byte extended header with the chip id, one DROM segment holding the payload, the checksum
byte padded to 16 bytes. ``combined_bin`` places it where CircuitPython's combined ``.bin``
places its bootloader (0x1000 on ESP32-S2, 0x0 on ESP32-S3), padded with ``FF`` before.
"""

from __future__ import annotations

import random

from firmware.esp_image import CHIP_IMAGE_IDS, build_app_image


def payload(size: int, *, seed: int = 1, compressible: bool = False) -> bytes:
    """``size`` bytes: random, or text-like (zlib shrinks it to roughly 60 %, as it does
    CircuitPython's firmware)."""
    rng = random.Random(seed)
    if not compressible:
        return rng.randbytes(size)
    words = [rng.randbytes(rng.randint(2, 9)) for _ in range(600)]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words) if rng.random() < 0.7 else rng.randbytes(3)
    return bytes(out[:size])


def app_image(chip: str, body: bytes) -> bytes:
    return build_app_image(chip, body)


def combined_bin(chip: str, size: int, *, seed: int = 1, compressible: bool = False) -> bytes:
    """A file of exactly ``size`` bytes as written at flash offset 0 for ``chip``."""
    _, bootloader_offset = CHIP_IMAGE_IDS[chip]
    room = size - bootloader_offset - 24 - 8 - 16
    image = app_image(chip, payload(room, seed=seed, compressible=compressible))
    return (b"\xff" * bootloader_offset + image)[:size].ljust(size, b"\xff")
