# SPDX-License-Identifier: GPL-3.0-or-later
"""A NOR flash chip kept sparse: only sectors that hold something other than ``FF`` exist.

NOR flash semantics: erasing sets a 4 KiB sector to ``FF``; programming can only clear bits
(the stored byte becomes ``old & new``), which is why loaders erase before writing. A 4 MB
chip costs memory only for what was written.
"""

from __future__ import annotations

import hashlib

SECTOR_SIZE = 4096
ERASED = 0xFF


class SparseFlash:
    def __init__(self, size_bytes: int) -> None:
        self.size = size_bytes
        self._sectors: dict[int, bytearray] = {}

    def _check(self, address: int, length: int) -> None:
        if address < 0 or length < 0 or address + length > self.size:
            raise ValueError(f"flash access {address:#x}+{length:#x} beyond {self.size:#x}")

    def erase(self, address: int, length: int) -> None:
        """Erase every sector that ``[address, address+length)`` touches."""
        self._check(address, length)
        if length == 0:
            return
        first = address // SECTOR_SIZE
        last = (address + length - 1) // SECTOR_SIZE
        for index in range(first, last + 1):
            self._sectors.pop(index, None)

    def erase_all(self) -> None:
        self._sectors.clear()

    def program(self, address: int, data: bytes) -> None:
        """Program ``data`` at ``address`` (bits can only go from 1 to 0)."""
        self._check(address, len(data))
        pos = 0
        while pos < len(data):
            index, start = divmod(address + pos, SECTOR_SIZE)
            chunk = data[pos : pos + SECTOR_SIZE - start]
            sector = self._sectors.get(index)
            if sector is None:
                if all(b == ERASED for b in chunk):
                    pos += len(chunk)
                    continue
                sector = bytearray(b"\xff" * SECTOR_SIZE)
                self._sectors[index] = sector
            old = int.from_bytes(sector[start : start + len(chunk)], "big")
            new = old & int.from_bytes(chunk, "big")
            sector[start : start + len(chunk)] = new.to_bytes(len(chunk), "big")
            pos += len(chunk)

    def read(self, address: int, length: int) -> bytes:
        self._check(address, length)
        out = bytearray()
        pos = 0
        while pos < length:
            index, start = divmod(address + pos, SECTOR_SIZE)
            take = min(SECTOR_SIZE - start, length - pos)
            sector = self._sectors.get(index)
            if sector is None:
                out += b"\xff" * take
            else:
                out += sector[start : start + take]
            pos += take
        return bytes(out)

    def md5(self, address: int, length: int) -> bytes:
        digest = hashlib.md5()
        step = 64 * 1024
        for pos in range(address, address + length, step):
            digest.update(self.read(pos, min(step, address + length - pos)))
        return digest.digest()

    def used_sectors(self) -> int:
        return len(self._sectors)
