# SPDX-License-Identifier: GPL-3.0-or-later
"""The memory-mapped registers esptool reads and writes through READ_REG/WRITE_REG.

Only what esptool relies on is modelled: the chip-detect magic word, the eFuse words (MAC,
chip revision, embedded flash/PSRAM), and the SPI0 controller's "user command" mode that
esptool drives register by register to send raw SPI flash commands (RDID ``9F``, SFDP ``5A``,
status reads, reset ``66``/``99``). Every other address reads as the last value written, or 0.
"""

from __future__ import annotations

from sim.esp_rom import chips
from sim.esp_rom.chips import ChipProfile

SPI_CMD_USR = 1 << 18
SPI_USR_MISO = 1 << 28

#: A small SFDP table: the "SFDP" signature, revision 1.6, one JEDEC parameter header.
SFDP_TABLE = b"SFDP\x06\x01\x00\xff" + b"\x00\x06\x01\x10\x80\x00\x00\xff" + b"\xff" * 16


class RegisterFile:
    def __init__(self, profile: ChipProfile, mac: bytes, flash_size_mib: int) -> None:
        self.profile = profile
        self._values: dict[int, int] = dict(profile.efuse_words)
        self._values[chips.CHIP_DETECT_MAGIC_REG] = profile.magic_value
        # esptool assembles the MAC from two eFuse words: bytes 0-1 in the low half of the
        # second word, bytes 2-5 in the first one (big-endian within the MAC).
        self._values[profile.mac_efuse_reg] = int.from_bytes(mac[2:6], "big")
        self._values[profile.mac_efuse_reg + 4] = int.from_bytes(mac[0:2], "big")
        capacity = chips.FLASH_CAPACITY_CODES[flash_size_mib]
        self.flash_id = bytes([chips.FLASH_MANUFACTURER, chips.FLASH_MEMORY_TYPE, capacity])
        self.spi_commands: list[int] = []

    def read(self, address: int) -> int:
        return self._values.get(address & 0xFFFFFFFF, 0)

    def write(self, address: int, value: int, mask: int = 0xFFFFFFFF) -> None:
        address &= 0xFFFFFFFF
        old = self._values.get(address, 0)
        self._values[address] = (old & ~mask | value & mask) & 0xFFFFFFFF
        if address == self.profile.spi_base + chips.SPI_CMD_OFFS and value & SPI_CMD_USR:
            self._run_spi_user_command()

    def _run_spi_user_command(self) -> None:
        base = self.profile.spi_base
        command = self.read(base + chips.SPI_USR2_OFFS) & 0xFF
        address = self.read(base + chips.SPI_ADDR_OFFS)
        self.spi_commands.append(command)
        if command == 0x9F:  # RDID: manufacturer, memory type, capacity
            answer = self.flash_id
        elif command == 0x5A:  # SFDP read at a 24-bit address
            start = address & 0xFFFFFF
            answer = SFDP_TABLE[start : start + 4].ljust(4, b"\xff")
        elif command in (0x05, 0x35, 0x15):  # status registers: idle, unprotected
            answer = b"\x00"
        else:  # write enable, reset, power modes: nothing to answer
            answer = b""
        miso_bits = 0
        if self.read(base + chips.SPI_USR_OFFS) & SPI_USR_MISO:
            miso_bits = (self.read(base + chips.SPI_MISO_DLEN_OFFS) & 0x3FF) + 1
        word = int.from_bytes(answer[:4].ljust(4, b"\x00"), "little")
        if miso_bits < 32:
            word &= (1 << miso_bits) - 1
        self._values[base + chips.SPI_W0_OFFS] = word
        # The controller clears the USR bit when the transaction is done (esptool polls it).
        self._values[base + chips.SPI_CMD_OFFS] = self.read(base) & ~SPI_CMD_USR
