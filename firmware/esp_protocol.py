# SPDX-License-Identifier: GPL-3.0-or-later
"""The ESP ROM loader's command packets, without I/O (shared by tests and the simulator).

Inside each SLIP frame (see :mod:`firmware.slip`) a request is
``00 op len16 checksum32 data`` and a response ``01 op len16 value32 data``, little-endian.
A response's data ends with status bytes: ``status, error`` and, on the ROM loaders of the
ESP32-S2 and later, two reserved bytes (4 bytes); the flasher stub sends only two. Data blocks
(``FLASH_DATA``, ``FLASH_DEFL_DATA``, ``MEM_DATA``) carry ``size, seq, 0, 0`` then the payload,
whose XOR checksum (seed ``0xEF``) travels in the header's checksum field.

Sources: Espressif's "Serial Protocol" page of the esptool documentation and the behaviour of
esptool's ``loader.py`` (command numbers, status layout); never its code.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

REQUEST = 0x00
RESPONSE = 0x01
HEADER = struct.Struct("<BBHI")
DATA_BLOCK_HEADER = struct.Struct("<IIII")
CHECKSUM_SEED = 0xEF

#: What the ROM answers to SYNC: one response per SYNC plus seven more (esptool reads them
#: all). The payload esptool sends is fixed: ``07 07 12 20`` and 32 times ``55``.
SYNC_PAYLOAD = b"\x07\x07\x12\x20" + b"\x55" * 32
SYNC_EXTRA_REPLIES = 7

ROM_STATUS_LEN = 4
STUB_STATUS_LEN = 2


class Op(IntEnum):
    FLASH_BEGIN = 0x02
    FLASH_DATA = 0x03
    FLASH_END = 0x04
    MEM_BEGIN = 0x05
    MEM_END = 0x06
    MEM_DATA = 0x07
    SYNC = 0x08
    WRITE_REG = 0x09
    READ_REG = 0x0A
    SPI_SET_PARAMS = 0x0B
    SPI_ATTACH = 0x0D
    READ_FLASH_SLOW = 0x0E
    CHANGE_BAUDRATE = 0x0F
    FLASH_DEFL_BEGIN = 0x10
    FLASH_DEFL_DATA = 0x11
    FLASH_DEFL_END = 0x12
    SPI_FLASH_MD5 = 0x13
    GET_SECURITY_INFO = 0x14
    # Flasher stub only.
    ERASE_FLASH = 0xD0
    ERASE_REGION = 0xD1
    READ_FLASH = 0xD2
    RUN_USER_CODE = 0xD3


class RomError(IntEnum):
    """Second status byte of a failed ROM response (the first one is 1)."""

    INVALID_MESSAGE = 0x05
    FAILED = 0x06
    BAD_CHECKSUM = 0x07
    FLASH_WRITE = 0x08
    FLASH_READ = 0x09
    READ_LENGTH = 0x0A
    DEFLATE = 0x0B
    DEFLATE_ADLER32 = 0x0C
    DEFLATE_PARAM = 0x0D
    RAM_SIZE = 0x0E
    RAM_ADDRESS = 0x0F


class StubError(IntEnum):
    """First status byte of a failed flasher-stub response (the second one is 0)."""

    BAD_DATA_LEN = 0xC0
    BAD_DATA_CHECKSUM = 0xC1
    BAD_BLOCKSIZE = 0xC2
    INVALID_COMMAND = 0xC3
    FAILED_SPI_OP = 0xC4
    FAILED_SPI_UNLOCK = 0xC5
    NOT_IN_FLASH_MODE = 0xC6
    INFLATE = 0xC7
    NOT_ENOUGH_DATA = 0xC8
    TOO_MUCH_DATA = 0xC9


class ProtocolError(ValueError):
    """A packet that does not follow the protocol; ``code`` is the ROM error to answer."""

    def __init__(self, message: str, code: RomError = RomError.INVALID_MESSAGE) -> None:
        super().__init__(message)
        self.code = code


def checksum(data: bytes, state: int = CHECKSUM_SEED) -> int:
    """The loader's data checksum: XOR of every byte, seeded with ``0xEF``."""
    for byte in data:
        state ^= byte
    return state


@dataclass(frozen=True)
class Command:
    op: int
    data: bytes
    checksum: int


@dataclass(frozen=True)
class Response:
    op: int
    value: int
    data: bytes


def encode_command(op: int, data: bytes = b"", chk: int = 0) -> bytes:
    return HEADER.pack(REQUEST, op, len(data), chk) + data


def decode_command(packet: bytes) -> Command:
    """Parse a request packet; raise :class:`ProtocolError` if it is not one."""
    if len(packet) < HEADER.size:
        raise ProtocolError(f"packet of {len(packet)} bytes is shorter than a header")
    direction, op, size, chk = HEADER.unpack_from(packet)
    if direction != REQUEST:
        raise ProtocolError(f"direction byte {direction:#04x} is not a request")
    data = packet[HEADER.size :]
    if len(data) != size:
        raise ProtocolError(f"header announces {size} data bytes, packet has {len(data)}")
    return Command(op=op, data=data, checksum=chk)


def encode_response(op: int, value: int = 0, data: bytes = b"") -> bytes:
    return HEADER.pack(RESPONSE, op, len(data), value & 0xFFFFFFFF) + data


def decode_response(packet: bytes) -> Response:
    if len(packet) < HEADER.size:
        raise ProtocolError(f"packet of {len(packet)} bytes is shorter than a header")
    direction, op, size, value = HEADER.unpack_from(packet)
    if direction != RESPONSE:
        raise ProtocolError(f"direction byte {direction:#04x} is not a response")
    data = packet[HEADER.size :]
    if len(data) != size:
        raise ProtocolError(f"header announces {size} data bytes, packet has {len(data)}")
    return Response(op=op, value=value, data=data)


def status_bytes(error: int = 0, *, stub: bool = False) -> bytes:
    """Status trailer of a response: success, or a ROM/stub error code."""
    if stub:
        return bytes([error & 0xFF, 0]) if error else b"\x00\x00"
    if error:
        return bytes([1, error & 0xFF, 0, 0])
    return b"\x00\x00\x00\x00"


@dataclass(frozen=True)
class DataBlock:
    """Payload of FLASH_DATA, FLASH_DEFL_DATA and MEM_DATA."""

    seq: int
    payload: bytes


def decode_data_block(command: Command) -> DataBlock:
    if len(command.data) < DATA_BLOCK_HEADER.size:
        raise ProtocolError("data block shorter than its 16-byte header")
    size, seq, _, _ = DATA_BLOCK_HEADER.unpack_from(command.data)
    payload = command.data[DATA_BLOCK_HEADER.size :]
    if size != len(payload):
        raise ProtocolError(f"data block announces {size} bytes, carries {len(payload)}")
    if checksum(payload) != command.checksum & 0xFF:
        raise ProtocolError("data block checksum mismatch", RomError.BAD_CHECKSUM)
    return DataBlock(seq=seq, payload=payload)


def encode_data_block(op: int, payload: bytes, seq: int) -> bytes:
    data = DATA_BLOCK_HEADER.pack(len(payload), seq, 0, 0) + payload
    return encode_command(op, data, checksum(payload))


@dataclass(frozen=True)
class BeginParams:
    """FLASH_BEGIN / FLASH_DEFL_BEGIN / MEM_BEGIN parameters."""

    size: int
    blocks: int
    block_size: int
    offset: int
    encrypted: bool = False


def decode_begin(command: Command) -> BeginParams:
    data = command.data
    if len(data) not in (16, 20):
        raise ProtocolError(f"begin command with {len(data)} parameter bytes (16 or 20)")
    size, blocks, block_size, offset = struct.unpack_from("<IIII", data)
    encrypted = len(data) == 20 and struct.unpack_from("<I", data, 16)[0] != 0
    return BeginParams(size, blocks, block_size, offset, encrypted)


def unpack_words(command: Command, count: int) -> tuple[int, ...]:
    """The first ``count`` little-endian 32-bit words of a command's data."""
    if len(command.data) < 4 * count:
        raise ProtocolError(
            f"command {command.op:#04x} needs {4 * count} parameter bytes, got {len(command.data)}"
        )
    return struct.unpack_from(f"<{count}I", command.data)
