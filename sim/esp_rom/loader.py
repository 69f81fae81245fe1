# SPDX-License-Identifier: GPL-3.0-or-later
"""The ROM download mode of an ESP32-S2/S3, command by command (no time, no I/O).

:meth:`Loader.handle` takes one decoded request and returns a :class:`Reply`: the response
packets, how long the chip is busy doing the work, and what happens afterwards (new baud
rate, leaving the loader, starting an uploaded program). :mod:`sim.esp_rom.device` puts these
on the wire in virtual time.

The flasher stub. esptool normally uploads its "stub" (a small flasher program) into RAM with
MEM_BEGIN/MEM_DATA/MEM_END and jumps to it. The simulator cannot execute Xtensa code, so it
models the outcome: a program loaded into RAM and started at an entry point that lies inside
what was uploaded answers ``OHAI`` and then behaves as esptool's stub does: two status bytes
instead of four, SYNC answered with value 0, erase-as-you-write FLASH_BEGIN, FLASH_DEFL_BEGIN
taking the uncompressed size, acknowledging data blocks before writing them, a raw 16-byte
MD5, the stub-only ERASE_FLASH/ERASE_REGION/RUN_USER_CODE and the READ_FLASH stream (data
packets acknowledged by the host, then an MD5 digest); a reboot request reloads the ROM.
With ``--no-stub`` only the ROM commands are used (READ_FLASH_SLOW for reading back).

Flash timings (typical values of a Winbond W25Q32 datasheet): 4 KiB sector erase 45 ms,
64 KiB block erase 150 ms, 256-byte page program 0.4 ms. The ROM computes MD5 at about
8 MB/s.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from firmware import esp_protocol as proto
from firmware.esp_protocol import Command, Op, ProtocolError, RomError, StubError
from sim.esp_rom.chips import ChipProfile
from sim.esp_rom.flash import SECTOR_SIZE, SparseFlash
from sim.esp_rom.registers import RegisterFile

COMMAND_OVERHEAD_S = 50e-6
SECTOR_ERASE_S = 0.045
BLOCK_ERASE_S = 0.150
BLOCK_SIZE = 64 * 1024
PAGE_PROGRAM_S = 0.0004
PAGE_SIZE = 256
MD5_BYTES_PER_S = 8e6
SYNC_REPLY_VALUE = 0x20120707
STUB_GREETING = b"OHAI"
MIN_BAUD, MAX_BAUD = 300, 5_000_000

#: ROM error code -> the stub's equivalent.
_STUB_EQUIVALENT = {
    RomError.INVALID_MESSAGE: StubError.INVALID_COMMAND,
    RomError.FAILED: StubError.NOT_IN_FLASH_MODE,
    RomError.BAD_CHECKSUM: StubError.BAD_DATA_CHECKSUM,
    RomError.FLASH_WRITE: StubError.TOO_MUCH_DATA,
    RomError.DEFLATE: StubError.INFLATE,
}


def erase_time_s(length: int) -> float:
    blocks, rest = divmod(length, BLOCK_SIZE)
    sectors = -(-rest // SECTOR_SIZE)
    return blocks * BLOCK_ERASE_S + sectors * SECTOR_ERASE_S


def program_time_s(length: int) -> float:
    return -(-length // PAGE_SIZE) * PAGE_PROGRAM_S


@dataclass
class Reply:
    packets: list[bytes] = field(default_factory=list)
    work_s: float = 0.0
    reply_first: bool = False  # the stub acknowledges a data block, then writes it
    new_baud: int | None = None
    leave: bool = False  # the loader exits and the chip runs its application
    start_program: bool = False  # the uploaded program (the stub) starts and greets
    reload_rom: bool = False  # soft reset back into the ROM loader (download mode)


@dataclass
class _FlashWrite:
    offset: int
    size: int
    blocks: int
    block_size: int
    compressed: bool
    next_seq: int = 0
    written: int = 0
    inflater: zlib._Decompress | None = None


@dataclass
class _FlashRead:
    """A stub READ_FLASH in progress: data packets flow while the host acknowledges them."""

    offset: int
    length: int
    block: int
    max_in_flight: int
    sent: int = 0
    acked: int = 0


@dataclass
class LoaderStats:
    commands: int = 0
    errors: list[tuple[int, int]] = field(default_factory=list)  # (op, error code)
    data_blocks: int = 0
    bytes_written: int = 0


class Loader:
    def __init__(self, profile: ChipProfile, flash: SparseFlash, registers: RegisterFile):
        self.profile = profile
        self.flash = flash
        self.registers = registers
        self.stub = False
        self.attached = False
        self.stats = LoaderStats()
        #: set by the device's "silent corruption" fault: the next data block is damaged
        #: as it is written (a bad flash cell; no checksum can see it, only the MD5).
        self.corrupt_next_write = False
        self._write: _FlashWrite | None = None
        self._mem: tuple[int, int, int] | None = None  # (offset, size, next seq)
        self._mem_loaded: list[tuple[int, int]] = []
        self._mem_pending = bytearray()
        self._stub_erased: set[int] = set()
        self._read: _FlashRead | None = None

    # -- replies ----------------------------------------------------------------------
    def _ok(self, op: int, value: int = 0, data: bytes = b"") -> bytes:
        return proto.encode_response(op, value, data + proto.status_bytes(0, stub=self.stub))

    def _error(self, op: int, code: RomError) -> bytes:
        if self.stub:
            stub_code = _STUB_EQUIVALENT.get(code, StubError.INVALID_COMMAND)
            self.stats.errors.append((op, int(stub_code)))
            return proto.encode_response(op, 0, proto.status_bytes(stub_code, stub=True))
        self.stats.errors.append((op, int(code)))
        return proto.encode_response(op, 0, proto.status_bytes(code))

    def reply_to_garbage(self, packet: bytes, error: ProtocolError) -> Reply:
        """A frame that is not a valid request: answered with an error like the ROM does."""
        op = packet[1] if len(packet) > 1 else 0
        return Reply([self._error(op, error.code)])

    # -- dispatch ---------------------------------------------------------------------
    def handle(self, command: Command) -> Reply:
        self.stats.commands += 1
        handler = _HANDLERS.get(command.op)
        stub_only = command.op in _STUB_ONLY
        if handler is None or (stub_only and not self.stub):
            return Reply([self._error(command.op, RomError.INVALID_MESSAGE)])
        try:
            return handler(self, command)
        except ProtocolError as exc:
            return Reply([self._error(command.op, exc.code)])

    # -- commands ---------------------------------------------------------------------
    def _sync(self, command: Command) -> Reply:
        if command.data != proto.SYNC_PAYLOAD:
            raise ProtocolError("bad SYNC payload")
        value = 0 if self.stub else SYNC_REPLY_VALUE
        packet = self._ok(Op.SYNC, value)
        return Reply([packet] * (1 + proto.SYNC_EXTRA_REPLIES))

    def _read_reg(self, command: Command) -> Reply:
        (address,) = proto.unpack_words(command, 1)
        return Reply([self._ok(Op.READ_REG, self.registers.read(address))])

    def _write_reg(self, command: Command) -> Reply:
        if not command.data or len(command.data) % 16:
            raise ProtocolError("WRITE_REG takes groups of 16 bytes")
        delay_s = 0.0
        for address, value, mask, delay_us in struct.iter_unpack("<IIII", command.data):
            self.registers.write(address, value, mask)
            delay_s += delay_us / 1e6
        return Reply([self._ok(Op.WRITE_REG)], work_s=delay_s)

    def _security_info(self, command: Command) -> Reply:
        info = struct.pack("<IB7B", 0, 0, *([0] * 7))
        if self.profile.security_info_has_chip_id:
            info += struct.pack("<II", self.profile.image_chip_id, 0)
        return Reply([self._ok(Op.GET_SECURITY_INFO, 0, info)])

    def _spi_attach(self, command: Command) -> Reply:
        proto.unpack_words(command, 1)
        self.attached = True
        return Reply([self._ok(Op.SPI_ATTACH)])

    def _spi_set_params(self, command: Command) -> Reply:
        _, total_size, _, _, _, _ = proto.unpack_words(command, 6)
        if total_size == 0:
            raise ProtocolError("flash size 0", RomError.FAILED)
        return Reply([self._ok(Op.SPI_SET_PARAMS)])

    def _change_baudrate(self, command: Command) -> Reply:
        new_baud, _ = proto.unpack_words(command, 2)
        if not MIN_BAUD <= new_baud <= MAX_BAUD:
            raise ProtocolError(f"baud rate {new_baud} out of range", RomError.FAILED)
        return Reply([self._ok(Op.CHANGE_BAUDRATE)], new_baud=new_baud)

    def _need_flash(self) -> None:
        if not (self.attached or self.stub):
            raise ProtocolError("SPI flash not attached", RomError.FAILED)

    def _begin(self, command: Command, compressed: bool) -> Reply:
        self._need_flash()
        params = proto.decode_begin(command)
        op = Op.FLASH_DEFL_BEGIN if compressed else Op.FLASH_BEGIN
        if params.offset + params.size > self.flash.size or params.block_size == 0:
            raise ProtocolError("write region outside the flash", RomError.FAILED)
        inflater = zlib.decompressobj() if compressed else None
        self._write = _FlashWrite(
            params.offset,
            params.size,
            params.blocks,
            params.block_size,
            compressed,
            inflater=inflater,
        )
        work = 0.0
        if self.stub:
            self._stub_erased.clear()
        elif params.size:
            # The ROM erases the whole region up front (esptool allows 30 s/MB for it).
            self.flash.erase(params.offset, params.size)
            work = erase_time_s(params.size)
        return Reply([self._ok(op)], work_s=work)

    def _program(self, address: int, data: bytes) -> float:
        work = 0.0
        if self.corrupt_next_write and data:
            self.corrupt_next_write = False
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0x5A]) + data[middle + 1 :]
        if self.stub:
            first = address // SECTOR_SIZE
            last = (address + max(len(data), 1) - 1) // SECTOR_SIZE
            for sector in range(first, last + 1):
                if sector not in self._stub_erased:
                    self._stub_erased.add(sector)
                    self.flash.erase(sector * SECTOR_SIZE, SECTOR_SIZE)
                    work += SECTOR_ERASE_S
        self.flash.program(address, data)
        self.stats.bytes_written += len(data)
        return work + program_time_s(len(data))

    def _data(self, command: Command, compressed: bool) -> Reply:
        op = Op.FLASH_DEFL_DATA if compressed else Op.FLASH_DATA
        write = self._write
        if write is None or write.compressed != compressed:
            raise ProtocolError("not in flash mode", RomError.FAILED)
        block = proto.decode_data_block(command)
        if block.seq != write.next_seq:
            raise ProtocolError(f"sequence {block.seq}, expected {write.next_seq}", RomError.FAILED)
        if len(block.payload) > write.block_size and not compressed:
            raise ProtocolError("block larger than announced")
        self.stats.data_blocks += 1
        if compressed:
            assert write.inflater is not None
            try:
                data = write.inflater.decompress(block.payload)
            except zlib.error as exc:
                raise ProtocolError(f"inflate: {exc}", RomError.DEFLATE) from exc
            address = write.offset + write.written
        else:
            data = block.payload
            address = write.offset + block.seq * write.block_size
        if address + len(data) > self.flash.size or (
            self.stub and compressed and write.written + len(data) > write.size
        ):
            raise ProtocolError("data beyond the write region", RomError.FLASH_WRITE)
        work = self._program(address, data)
        write.written += len(data)
        write.next_seq += 1
        return Reply([self._ok(op)], work_s=work, reply_first=self.stub)

    def _end(self, command: Command, compressed: bool) -> Reply:
        op = Op.FLASH_DEFL_END if compressed else Op.FLASH_END
        (stay,) = proto.unpack_words(command, 1)
        write = self._write
        if self.stub and write is None:
            raise ProtocolError("not in flash mode", RomError.FAILED)
        if self.stub and write is not None and compressed and write.written < write.size:
            self._write = None
            return Reply([self._error(op, RomError.FAILED)])
        self._write = None
        # The ROM leaves download mode on FLASH_END (it reboots or runs the application).
        # The stub stays unless asked to reboot, which reloads the ROM loader: that is how
        # esptool's "--after no-reset" leaves a chip in download mode after using the stub.
        if self.stub:
            return Reply([self._ok(op)], reload_rom=stay == 0)
        return Reply([self._ok(op)], leave=True)

    def _md5(self, command: Command) -> Reply:
        self._need_flash()
        address, size, _, _ = proto.unpack_words(command, 4)
        if address + size > self.flash.size:
            raise ProtocolError("MD5 region outside the flash", RomError.FLASH_READ)
        digest = self.flash.md5(address, size)
        payload = digest if self.stub else digest.hex().encode("ascii")
        return Reply([self._ok(Op.SPI_FLASH_MD5, 0, payload)], work_s=size / MD5_BYTES_PER_S)

    def _mem_begin(self, command: Command) -> Reply:
        params = proto.decode_begin(command)
        end = params.offset + params.size
        if not any(lo <= params.offset and end <= hi for lo, hi in self.profile.ram_ranges):
            raise ProtocolError("RAM address outside RAM", RomError.RAM_ADDRESS)
        self._mem = (params.offset, params.size, 0)
        self._mem_pending.clear()
        return Reply([self._ok(Op.MEM_BEGIN)])

    def _mem_data(self, command: Command) -> Reply:
        if self._mem is None:
            raise ProtocolError("MEM_DATA without MEM_BEGIN", RomError.FAILED)
        block = proto.decode_data_block(command)
        offset, size, seq = self._mem
        if block.seq != seq:
            raise ProtocolError("MEM_DATA out of sequence", RomError.FAILED)
        self._mem_pending += block.payload
        if len(self._mem_pending) > size:
            raise ProtocolError("more RAM data than announced", RomError.RAM_SIZE)
        self._mem = (offset, size, seq + 1)
        if len(self._mem_pending) == size:
            self._mem_loaded.append((offset, offset + size))
        return Reply([self._ok(Op.MEM_DATA)])

    def _mem_end(self, command: Command) -> Reply:
        no_entry, entry = proto.unpack_words(command, 2)
        self._mem = None
        if no_entry:
            return Reply([self._ok(Op.MEM_END)])
        if any(lo <= entry < hi for lo, hi in self._mem_loaded):
            return Reply([self._ok(Op.MEM_END)], start_program=True)
        # Jumping outside loaded code: the chip crashes and stops answering.
        return Reply([self._ok(Op.MEM_END)], leave=True)

    def start_stub(self) -> bytes:
        """The uploaded program runs: it is the flasher stub; returns its greeting."""
        self.stub = True
        self.attached = True
        self._write = None
        return STUB_GREETING

    def _erase_flash(self, command: Command) -> Reply:
        self.flash.erase_all()
        return Reply([self._ok(Op.ERASE_FLASH)], work_s=erase_time_s(self.flash.size))

    def _erase_region(self, command: Command) -> Reply:
        offset, size = proto.unpack_words(command, 2)
        if offset % SECTOR_SIZE or size % SECTOR_SIZE or offset + size > self.flash.size:
            raise ProtocolError("unaligned erase region", RomError.FAILED)
        self.flash.erase(offset, size)
        return Reply([self._ok(Op.ERASE_REGION)], work_s=erase_time_s(size))

    def _read_flash_slow(self, command: Command) -> Reply:
        """ROM read: at most 64 bytes per command, always answered with a 64-byte buffer."""
        self._need_flash()
        address, length = proto.unpack_words(command, 2)
        if length > 64 or address + length > self.flash.size:
            raise ProtocolError("read beyond 64 bytes or the flash", RomError.READ_LENGTH)
        data = self.flash.read(address, length).ljust(64, b"\xff")
        return Reply([self._ok(Op.READ_FLASH_SLOW, 0, data)])

    def _read_flash(self, command: Command) -> Reply:
        """Stub read: answer, then stream raw data packets of ``block`` bytes; the host
        acknowledges each with the total received so far; an MD5 digest ends the stream."""
        offset, length, block, in_flight = proto.unpack_words(command, 4)
        if block == 0 or offset + length > self.flash.size:
            raise ProtocolError("read outside the flash", RomError.FAILED)
        self._read = _FlashRead(offset, length, block, max(1, in_flight))
        return Reply([self._ok(Op.READ_FLASH), *self._read_more()])

    @property
    def reading(self) -> bool:
        return self._read is not None

    def _read_more(self) -> list[bytes]:
        read = self._read
        assert read is not None
        packets = []
        while read.sent < read.length and read.sent - read.acked < read.block * read.max_in_flight:
            size = min(read.block, read.length - read.sent)
            packets.append(self.flash.read(read.offset + read.sent, size))
            read.sent += size
        if read.length == 0 or (read.sent >= read.length and read.acked >= read.length):
            packets.append(self.flash.md5(read.offset, read.length))
            self._read = None
        return packets

    def read_acknowledged(self, packet: bytes) -> Reply:
        """A frame from the host during a READ_FLASH stream (a 4-byte running total)."""
        if self._read is None or len(packet) != 4:
            return Reply()
        self._read.acked = max(self._read.acked, int.from_bytes(packet, "little"))
        return Reply(self._read_more())

    def _run_user_code(self, command: Command) -> Reply:
        return Reply([], leave=True)


_HANDLERS: dict[int, Callable[[Loader, Command], Reply]] = {
    Op.SYNC: Loader._sync,
    Op.READ_REG: Loader._read_reg,
    Op.WRITE_REG: Loader._write_reg,
    Op.GET_SECURITY_INFO: Loader._security_info,
    Op.SPI_ATTACH: Loader._spi_attach,
    Op.SPI_SET_PARAMS: Loader._spi_set_params,
    Op.CHANGE_BAUDRATE: Loader._change_baudrate,
    Op.FLASH_BEGIN: lambda self, c: self._begin(c, False),
    Op.FLASH_DATA: lambda self, c: self._data(c, False),
    Op.FLASH_END: lambda self, c: self._end(c, False),
    Op.FLASH_DEFL_BEGIN: lambda self, c: self._begin(c, True),
    Op.FLASH_DEFL_DATA: lambda self, c: self._data(c, True),
    Op.FLASH_DEFL_END: lambda self, c: self._end(c, True),
    Op.SPI_FLASH_MD5: Loader._md5,
    Op.MEM_BEGIN: Loader._mem_begin,
    Op.MEM_DATA: Loader._mem_data,
    Op.MEM_END: Loader._mem_end,
    Op.ERASE_FLASH: Loader._erase_flash,
    Op.ERASE_REGION: Loader._erase_region,
    Op.RUN_USER_CODE: Loader._run_user_code,
    Op.READ_FLASH: Loader._read_flash,
    Op.READ_FLASH_SLOW: Loader._read_flash_slow,
}
_STUB_ONLY: set[int] = {Op.ERASE_FLASH, Op.ERASE_REGION, Op.RUN_USER_CODE, Op.READ_FLASH}
