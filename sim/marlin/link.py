# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated USB-serial link: bytes take time on the wire, and the UART buffer overflows.

A byte costs 10 bit times (start, 8 data, stop) at the baud rate. A USB-serial adapter adds a
latency per direction (USB frames, the adapter's latency timer: 1 ms on a CH340 or an FTDI with
its timer lowered). The printer's UART receive buffer (Marlin's RX_BUFFER_SIZE ring, filled by
an interrupt) *drops* incoming bytes when it is full; there is no hardware flow control on
these boards.
"""

from __future__ import annotations

from collections import deque

BITS_PER_BYTE = 10


def byte_time_s(baud: int) -> float:
    return BITS_PER_BYTE / float(baud)


class HostToPrinterWire:
    """Schedules when each byte written by the host reaches the printer's UART."""

    def __init__(self, baud: int, latency_s: float) -> None:
        self.baud = baud
        self.latency_s = latency_s
        self._chunks: deque[tuple[float, bytes]] = deque()  # (arrival of first byte - bt, data)
        self._pos = 0  # index of next byte in the first chunk
        self._free_s = 0.0  # when the wire finishes the last byte written so far
        self.bytes_carried = 0

    def set_baud(self, baud: int) -> None:
        self.baud = baud

    def write(self, data: bytes, now_s: float) -> None:
        if not data:
            return
        bt = byte_time_s(self.baud)
        start = max(now_s + self.latency_s, self._free_s)
        self._chunks.append((start, data))
        self._free_s = start + len(data) * bt

    def next_arrival_s(self) -> float | None:
        if not self._chunks:
            return None
        start, _ = self._chunks[0]
        return start + (self._pos + 1) * byte_time_s(self.baud)

    def next_line_end_s(self) -> float | None:
        """Arrival time of the next newline (a line can only complete then)."""
        bt = byte_time_s(self.baud)
        pos = self._pos
        for start, data in self._chunks:
            cut = data.find(b"\n", pos)
            if cut >= 0:
                return start + (cut + 1) * bt
            pos = 0
        return None

    def arrived(self, limit_s: float) -> tuple[bytes, float, float]:
        """Bytes of the current chunk that have arrived by ``limit_s`` (not consumed yet),
        the arrival time of the first of them, and the time between two bytes."""
        if not self._chunks:
            return b"", 0.0, 0.0
        start, data = self._chunks[0]
        bt = byte_time_s(self.baud)
        # Byte i arrives at start + (i + 1) * bt: the same expression as next_arrival_s.
        end = min(len(data), max(self._pos, int((limit_s - start) / bt) + 1))
        while end > self._pos and start + end * bt > limit_s:
            end -= 1
        while end < len(data) and start + (end + 1) * bt <= limit_s:
            end += 1
        return data[self._pos : end], start + (self._pos + 1) * bt, bt

    def consume(self, count: int) -> None:
        if count <= 0 or not self._chunks:
            return  # nothing taken, or the wire was cleared meanwhile (board reset)
        start, data = self._chunks[0]
        self._pos += count
        self.bytes_carried += count
        if self._pos >= len(data):
            self._chunks.popleft()
            self._pos = 0

    def pop_byte(self) -> tuple[float, int]:
        """The next byte and its arrival time (call only when :meth:`next_arrival_s` is set)."""
        start, data = self._chunks[0]
        t = start + (self._pos + 1) * byte_time_s(self.baud)
        byte = data[self._pos]
        self._pos += 1
        if self._pos >= len(data):
            self._chunks.popleft()
            self._pos = 0
        self.bytes_carried += 1
        return t, byte

    def clear(self) -> None:
        self._chunks.clear()
        self._pos = 0

    @property
    def busy_until_s(self) -> float:
        return self._free_s


class PrinterToHostWire:
    """Serialises the printer's output; a line reaches the host when its last byte has."""

    def __init__(self, baud: int, latency_s: float) -> None:
        self.baud = baud
        self.latency_s = latency_s
        self._free_s = 0.0
        self._queue: deque[tuple[float, bytes]] = deque()
        self.bytes_carried = 0

    def set_baud(self, baud: int) -> None:
        self.baud = baud

    def send(self, data: bytes, now_s: float) -> None:
        if not data:
            return
        start = max(now_s, self._free_s)
        self._free_s = start + len(data) * byte_time_s(self.baud)
        self._queue.append((self._free_s + self.latency_s, data))
        self.bytes_carried += len(data)

    def next_delivery_s(self) -> float | None:
        return self._queue[0][0] if self._queue else None

    def take_due(self, now_s: float) -> bytes:
        out = bytearray()
        while self._queue and self._queue[0][0] <= now_s:
            out += self._queue.popleft()[1]
        return bytes(out)

    def clear(self) -> None:
        self._queue.clear()


class ReceiveBuffer:
    """Marlin's RX ring buffer: holds ``size - 1`` bytes (one slot tells full from empty)."""

    def __init__(self, size: int) -> None:
        self.capacity = size - 1
        self.data: deque[int] = deque()
        self.dropped = 0

    def put(self, byte: int) -> bool:
        if len(self.data) >= self.capacity:
            self.dropped += 1
            return False
        self.data.append(byte)
        return True

    def clear(self) -> None:
        self.data.clear()
