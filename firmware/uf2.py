# SPDX-License-Identifier: GPL-3.0-or-later
"""UF2 files: parse and validate every 512-byte block, or build one (no I/O).

Block layout (Microsoft's UF2 specification, github.com/microsoft/uf2): eight little-endian
32-bit words — magic ``0A324655``, magic ``9E5D5157``, flags, target address, payload size,
block number, number of blocks, family id (or file size) — then 476 data bytes and the final
magic ``0AB16F30``. Flag ``0x2000`` says the family id is present; ``0x0001`` marks a block
not meant for the main flash (bootloaders skip it); ``0x1000`` a file container.

:func:`parse` checks what a bootloader relies on and refuses, with a French message, anything
it would silently ignore or mis-flash: a size that is not a whole number of blocks, a bad
magic, a payload over 476 bytes, block numbers out of sequence or a changing block count, and
(with ``family``) blocks for another chip family.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from kit.errors import InputFileError

BLOCK_SIZE = 512
DATA_SIZE = 476
MAGIC_START0 = 0x0A324655
MAGIC_START1 = 0x9E5D5157
MAGIC_END = 0x0AB16F30
FLAG_NOT_MAIN_FLASH = 0x00000001
FLAG_FILE_CONTAINER = 0x00001000
FLAG_FAMILY_ID = 0x00002000
FLAG_MD5 = 0x00004000
FLAG_EXTENSION_TAGS = 0x00008000
_HEADER = struct.Struct("<8I")
_END = struct.Struct("<I")

#: Family ids of the chips the kit knows (utils/uf2families.json of the UF2 repository).
FAMILY_NAMES: dict[int, str] = {
    0xE48BFF56: "RP2040",
    0x68ED2B88: "SAMD21",
    0x55114460: "SAMD51",
    0xBFDD4EEE: "ESP32-S2",
    0xC47E5767: "ESP32-S3",
    0x1C5F21B0: "ESP32",
    0xD42BA06C: "ESP32-C3",
    0xE48BFF59: "RP2350",
    0xADA52840: "nRF52840",
}


class Uf2Error(InputFileError):
    """The file is not a valid UF2 image for the board."""


@dataclass(frozen=True)
class Uf2Block:
    number: int
    count: int
    flags: int
    address: int
    family: int | None
    payload: bytes


@dataclass(frozen=True)
class Uf2Image:
    blocks: tuple[Uf2Block, ...]
    family: int | None

    @property
    def payload_bytes(self) -> int:
        return sum(len(b.payload) for b in self.blocks)

    @property
    def address_range(self) -> tuple[int, int]:
        main = [b for b in self.blocks if not b.flags & FLAG_NOT_MAIN_FLASH]
        if not main:
            return (0, 0)
        return (min(b.address for b in main), max(b.address + len(b.payload) for b in main))


def family_name(family: int | None) -> str:
    if family is None:
        return "sans famille"
    return FAMILY_NAMES.get(family, f"famille {family:#010x}")


def parse_block(raw: bytes, index: int) -> Uf2Block:
    """One 512-byte block; raise :class:`Uf2Error` naming the block if it is malformed."""
    if len(raw) != BLOCK_SIZE:
        raise Uf2Error(f"Le bloc n° {index} est incomplet ({len(raw)} octets sur 512).")
    magic0, magic1, flags, address, size, number, count, family = _HEADER.unpack_from(raw)
    (magic_end,) = _END.unpack_from(raw, BLOCK_SIZE - 4)
    if magic0 != MAGIC_START0 or magic1 != MAGIC_START1 or magic_end != MAGIC_END:
        raise Uf2Error(
            f"Le bloc n° {index} n'a pas les marqueurs UF2 : ce fichier n'est pas un UF2 "
            "valide (ou il est abîmé)."
        )
    if size > DATA_SIZE:
        raise Uf2Error(f"Le bloc n° {index} annonce {size} octets de données (476 au plus).")
    data_start = _HEADER.size
    return Uf2Block(
        number=number,
        count=count,
        flags=flags,
        address=address,
        family=family if flags & FLAG_FAMILY_ID else None,
        payload=raw[data_start : data_start + size],
    )


def parse(data: bytes, *, family: int | None = None) -> Uf2Image:
    """Validate every block of a UF2 file; with ``family``, require that chip family."""
    if not data:
        raise Uf2Error("Le fichier UF2 est vide.")
    if len(data) % BLOCK_SIZE:
        raise Uf2Error(
            f"Le fichier UF2 est tronqué : {len(data)} octets, ce n'est pas un nombre entier "
            "de blocs de 512 octets (copie ou téléchargement interrompu ?)."
        )
    blocks = [
        parse_block(data[i : i + BLOCK_SIZE], i // BLOCK_SIZE)
        for i in range(0, len(data), BLOCK_SIZE)
    ]
    first = blocks[0]
    if first.count == 0:
        raise Uf2Error("Le premier bloc annonce un fichier de 0 bloc.")
    for index, block in enumerate(blocks):
        if block.count != first.count:
            raise Uf2Error(
                f"Le bloc n° {index} annonce {block.count} blocs au total, le premier en "
                f"annonçait {first.count}."
            )
        if block.number != index:
            raise Uf2Error(
                f"Blocs dans le désordre : le bloc n° {index} porte le numéro {block.number}."
            )
    if len(blocks) != first.count:
        missing = first.count - len(blocks)
        if missing > 0:
            raise Uf2Error(
                f"Le fichier UF2 est tronqué : {len(blocks)} blocs sur {first.count} "
                f"(il en manque {missing})."
            )
        raise Uf2Error(f"Le fichier contient {len(blocks)} blocs pour {first.count} annoncés.")
    families = {b.family for b in blocks if not b.flags & FLAG_NOT_MAIN_FLASH}
    if len(families) > 1:
        names = ", ".join(sorted(family_name(f) for f in families))
        raise Uf2Error(f"Le fichier mélange plusieurs familles de puces : {names}.")
    image_family = next(iter(families)) if families else None
    if family is not None and image_family is None:
        raise Uf2Error(
            "Ce fichier UF2 n'indique pas pour quelle puce il est prévu (pas d'identifiant de "
            f"famille) : impossible de vérifier qu'il convient à la {family_name(family)} de "
            "cette carte. Rien n'a été copié.",
            hint="Téléchargez le fichier UF2 de CircuitPython prévu pour cette carte.",
        )
    if family is not None and image_family != family:
        raise Uf2Error(
            f"Ce fichier UF2 est prévu pour une puce {family_name(image_family)}, pas pour "
            f"la {family_name(family)} de cette carte. Rien n'a été copié.",
            hint="Téléchargez le fichier UF2 de CircuitPython prévu pour cette carte.",
        )
    return Uf2Image(tuple(blocks), image_family)


def build(payload: bytes, address: int, family: int, *, chunk: int = 256) -> bytes:
    """A UF2 file carrying ``payload`` at ``address`` (256 bytes a block, as usual)."""
    if not 0 < chunk <= DATA_SIZE:
        raise ValueError("chunk must be within 1..476")
    pieces = [payload[i : i + chunk] for i in range(0, len(payload), chunk)] or [b""]
    out = bytearray()
    for number, piece in enumerate(pieces):
        header = _HEADER.pack(
            MAGIC_START0,
            MAGIC_START1,
            FLAG_FAMILY_ID,
            address + number * chunk,
            len(piece),
            number,
            len(pieces),
            family,
        )
        out += header + piece.ljust(DATA_SIZE, b"\x00") + _END.pack(MAGIC_END)
    return bytes(out)
