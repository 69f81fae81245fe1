# SPDX-License-Identifier: GPL-3.0-or-later
"""SLIP framing (RFC 1055) as the ESP ROM loader uses it, without I/O.

Every packet between esptool and an ESP chip is framed as ``C0 <escaped bytes> C0``; inside a
frame ``C0`` becomes ``DB DC`` and ``DB`` becomes ``DB DD``. Bytes seen between frames are not
part of any packet: the ROM prints its boot log there, so the decoder reports them as
:class:`Noise` instead of failing.

The decoder is fed arbitrary bytes and never raises: malformed input becomes events
(:class:`Noise`, :class:`BadEscape`) that the user of the codec decides what to do with.
"""

from __future__ import annotations

from dataclasses import dataclass

END = 0xC0
ESC = 0xDB
ESC_END = 0xDC
ESC_ESC = 0xDD

#: Longest frame the decoder keeps (the largest ESP packet is a 16 KiB stub data block plus
#: its header; a run of bytes longer than this without an END is noise, not a packet).
MAX_FRAME_BYTES = 64 * 1024


def encode(packet: bytes) -> bytes:
    """Frame ``packet``: escape ``C0``/``DB`` and wrap it in ``C0`` delimiters."""
    body = packet.replace(b"\xdb", b"\xdb\xdd").replace(b"\xc0", b"\xdb\xdc")
    return b"\xc0" + body + b"\xc0"


@dataclass(frozen=True)
class Frame:
    """A complete, unescaped packet."""

    data: bytes


@dataclass(frozen=True)
class Noise:
    """Bytes received outside any frame (boot log, line noise)."""

    data: bytes


@dataclass(frozen=True)
class BadEscape:
    """A frame was dropped because ``DB`` was followed by something else than ``DC``/``DD``
    (or because it grew past :data:`MAX_FRAME_BYTES`)."""

    partial: bytes


SlipEvent = Frame | Noise | BadEscape


def _next_special(data: bytes, start: int) -> int:
    """Index of the next END or ESC byte at or after ``start`` (``len(data)`` if none)."""
    end = data.find(b"\xc0", start)
    esc = data.find(b"\xdb", start)
    candidates = [i for i in (end, esc) if i >= 0]
    return min(candidates) if candidates else len(data)


class SlipDecoder:
    """Incremental SLIP decoder: ``feed(bytes)`` returns the events completed so far.

    Two consecutive ``C0`` bytes delimit an empty frame; like the ESP ROM, the decoder treats
    the second one as the start of the next frame rather than reporting an empty packet.
    """

    def __init__(self) -> None:
        self._in_frame = False
        self._escape = False
        self._buffer = bytearray()
        self._noise = bytearray()

    @property
    def in_frame(self) -> bool:
        return self._in_frame

    def feed(self, data: bytes) -> list[SlipEvent]:
        events: list[SlipEvent] = []
        pos = 0
        size = len(data)
        while pos < size:
            # Fast path: copy the plain run up to the next special byte in one go.
            if self._in_frame and not self._escape:
                stop = _next_special(data, pos)
                if stop > pos:
                    self._buffer += data[pos:stop]
                    pos = stop
                    if len(self._buffer) > MAX_FRAME_BYTES:
                        events.append(BadEscape(bytes(self._buffer[:64])))
                        self._buffer.clear()
                        self._in_frame = False
                    continue
            elif not self._in_frame:
                stop = data.find(b"\xc0", pos)
                stop = size if stop < 0 else stop
                if stop > pos:
                    self._noise += data[pos:stop]
                    pos = stop
                    continue
            self._feed_byte(data[pos], events)
            pos += 1
        return events

    def _feed_byte(self, byte: int, events: list[SlipEvent]) -> None:
        if not self._in_frame:
            if byte != END:
                self._noise.append(byte)
                return
            if self._noise:
                events.append(Noise(bytes(self._noise)))
                self._noise.clear()
            self._in_frame = True
            self._buffer.clear()
            self._escape = False
        elif self._escape:
            self._escape = False
            if byte == ESC_END:
                self._buffer.append(END)
            elif byte == ESC_ESC:
                self._buffer.append(ESC)
            else:
                events.append(BadEscape(bytes(self._buffer)))
                self._buffer.clear()
                # The bad frame's END may open the next one.
                self._in_frame = byte == END
        elif byte == END:
            # An empty frame (two ENDs in a row) is not a packet: this END opens the next.
            if self._buffer:
                events.append(Frame(bytes(self._buffer)))
                self._buffer.clear()
                self._in_frame = False
        elif byte == ESC:
            self._escape = True
        else:
            self._buffer.append(byte)

    def take_noise(self) -> bytes:
        """Noise bytes received since the last frame and not yet reported."""
        noise = bytes(self._noise)
        self._noise.clear()
        return noise
