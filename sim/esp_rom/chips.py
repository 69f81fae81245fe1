# SPDX-License-Identifier: GPL-3.0-or-later
"""What differs between the simulated chips: identity, register addresses, eFuse values.

Data, not code (the shape of esptool's ``targets/``): the loader reads these values. Addresses
and values come from Espressif's technical reference manuals as esptool uses them (chip magic
register, eFuse MAC words, SPI0 "user command" registers); the eFuse words are chosen so that
esptool describes the chips of the atelier's boards (QT Py ESP32-S2: ESP32-S2FNR2; Feather
ESP32-S3: 4 MB embedded flash, 2 MB PSRAM).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: ESP_ROM reads this address to tell chips apart on ESP8266/ESP32/ESP32-S2.
CHIP_DETECT_MAGIC_REG = 0x40001000


@dataclass(frozen=True)
class ChipProfile:
    name: str  # catalogue name: esp32s3
    label: str  # ESP32-S3
    image_chip_id: int
    magic_value: int
    #: GET_SECURITY_INFO: ESP32-S2 answers 12 bytes (no chip id), later chips 20.
    security_info_has_chip_id: bool
    spi_base: int
    mac_efuse_reg: int
    rom_banner: str
    efuse_words: dict[int, int] = field(default_factory=dict)
    #: RAM ranges (start, end) where MEM_BEGIN may load code (IRAM and DRAM).
    ram_ranges: tuple[tuple[int, int], ...] = ()


SPI_CMD_OFFS = 0x00
SPI_ADDR_OFFS = 0x04
SPI_USR_OFFS = 0x18
SPI_USR1_OFFS = 0x1C
SPI_USR2_OFFS = 0x20
SPI_MOSI_DLEN_OFFS = 0x24
SPI_MISO_DLEN_OFFS = 0x28
SPI_W0_OFFS = 0x58

PROFILES: dict[str, ChipProfile] = {
    "esp32s3": ChipProfile(
        name="esp32s3",
        label="ESP32-S3",
        image_chip_id=9,
        magic_value=0x00000009,
        security_info_has_chip_id=True,
        spi_base=0x60002000,
        mac_efuse_reg=0x60007044,
        rom_banner="ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\n",
        efuse_words={
            # BLOCK1 word 3: wafer minor version 2, embedded flash 4 MB (flash cap 2).
            0x60007050: (2 << 18) | (2 << 27),
            # BLOCK1 word 4: flash vendor XMC (1), embedded PSRAM 2 MB (psram cap 2),
            # PSRAM vendor AP_3v3 (1): esptool prints "Embedded Flash 4MB (XMC)".
            0x60007054: 1 | (2 << 3) | (1 << 7),
        },
        ram_ranges=((0x3FC88000, 0x3FD00000), (0x40370000, 0x403E0000)),
    ),
    "esp32s2": ChipProfile(
        name="esp32s2",
        label="ESP32-S2",
        image_chip_id=2,
        magic_value=0x000007C6,
        security_info_has_chip_id=False,
        spi_base=0x3F402000,
        mac_efuse_reg=0x3F41A044,
        rom_banner="ESP-ROM:esp32s2-rc4-20191025\r\nBuild:Oct 25 2019\r\n",
        efuse_words={
            # BLOCK1 word 3: embedded flash 4 MB (version 2) and PSRAM 2 MB (version 1).
            0x3F41A050: (2 << 21) | (1 << 28),
            # BLOCK2 word 4: ADC and temperature sensor calibration, eFuse version 1.
            0x3F41A06C: 1 << 4,
        },
        ram_ranges=((0x3FFB0000, 0x40000000), (0x40020000, 0x40070000)),
    ),
    "esp32c3": ChipProfile(
        name="esp32c3",
        label="ESP32-C3",
        image_chip_id=5,
        magic_value=0x1B31506F,
        security_info_has_chip_id=True,
        spi_base=0x60002000,
        mac_efuse_reg=0x60008844,
        rom_banner="ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\n",
        ram_ranges=((0x3FC80000, 0x3FCE0000), (0x4037C000, 0x403E0000)),
    ),
}

DEFAULT_MACS: dict[str, str] = {
    "esp32s3": "f4:12:fa:43:7a:10",
    "esp32s2": "7c:df:a1:02:5c:3e",
    "esp32c3": "58:cf:79:0a:11:22",
}

#: JEDEC capacity byte of a Winbond W25Qxx flash, by size in MiB (RDID answers EF 40 xx).
FLASH_CAPACITY_CODES: dict[int, int] = {1: 0x14, 2: 0x15, 4: 0x16, 8: 0x17, 16: 0x18}
FLASH_MANUFACTURER = 0xEF  # Winbond
FLASH_MEMORY_TYPE = 0x40
