# SPDX-License-Identifier: GPL-3.0-or-later
"""Noise on the wire, for fault injection: flip one bit of a byte, never creating a newline.

Line endings are left alone and never created, so that a corrupted line stays one line: this
models the single-bit errors of a noisy USB cable, which Marlin's 8-bit XOR checksum always
detects (two flips of the same bit in one line would not be, so at most one byte per line is
corrupted on the host-to-printer side).
"""

from __future__ import annotations

import random

_LINE_ENDS = (10, 13)


def flip_bit(byte: int, rng: random.Random) -> int:
    if byte in _LINE_ENDS:
        return byte
    for _ in range(8):
        candidate = byte ^ (1 << rng.randrange(7))
        if candidate not in _LINE_ENDS and candidate != 0:
            return candidate
    return byte


def corrupt_output(data: bytes, rate: float, rng: random.Random) -> bytes:
    """Flip bits in ``data`` (printer to host) with probability ``rate`` per byte."""
    if rate <= 0:
        return data
    out = bytearray(data)
    for i, byte in enumerate(out):
        if byte not in _LINE_ENDS and rng.random() < rate:
            out[i] = flip_bit(byte, rng)
    return bytes(out)
