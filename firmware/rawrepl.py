# SPDX-License-Identifier: GPL-3.0-or-later
"""The MicroPython/CircuitPython *raw REPL* protocol, as a sans-I/O codec for both ends.

The raw REPL is how tools (mpremote, Thonny, the kit) run code on a board over its serial
console without the echo and prompts of the interactive REPL. From the host's side
(MicroPython's ``tools/mpremote/mpremote/transport_serial.py`` is the reference client):

1. ``Ctrl-C`` (``\\x03``) interrupts whatever runs; ``\\r`` leaves CircuitPython's « Press
   any key » screen.
2. ``Ctrl-A`` (``\\x01``) enters raw mode; the board answers
   ``raw REPL; CTRL-B to exit\\r\\n>``.
3. The host sends the program, then ``Ctrl-D`` (``\\x04``). The board answers ``OK``, runs
   it, sends what it prints, ``\\x04``, the error text (empty when none), ``\\x04`` and a new
   ``>`` prompt.
4. ``Ctrl-D`` on an empty program soft-reboots (``OK`` … ``soft reboot\\r\\n``);
   ``Ctrl-B`` (``\\x02``) goes back to the interactive REPL.

Raw-paste mode (MicroPython 1.14+, CircuitPython 7+) is the flow-controlled variant: the
host sends ``\\x05A\\x01``; the board answers ``R\\x01`` and a 16-bit little-endian window
size, sends ``\\x01`` each time a window of bytes has been consumed, and acknowledges the
final ``\\x04`` with ``\\x04`` before running the code (no ``OK``).

:class:`RawReplHost` is the host side (used by :mod:`firmware.repl`), :class:`RawReplDevice`
the board side (used by the simulated board). Neither does I/O nor reads a clock.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

CTRL_A = b"\x01"
CTRL_B = b"\x02"
CTRL_C = b"\x03"
CTRL_D = b"\x04"
CTRL_E = b"\x05"
EOF = CTRL_D

RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n"
RAW_PROMPT = b">"
SOFT_REBOOT = b"soft reboot\r\n"
RAW_PASTE_REQUEST = b"\x05A\x01"
#: Bytes the host sends per raw-REPL chunk (mpremote sends 256 every 10 ms).
RAW_CHUNK = 256


# -- events ---------------------------------------------------------------------------------
class _Sentinel(enum.Enum):
    NEED_DATA = "NEED_DATA"


NEED_DATA = _Sentinel.NEED_DATA


@dataclass(frozen=True)
class RawReady:
    """The board is in raw mode and waits for a program (``>`` received)."""


@dataclass(frozen=True)
class ExecAccepted:
    """The board acknowledged the program (``OK``) and runs it."""


@dataclass(frozen=True)
class Output:
    """Bytes the program printed, as they arrive."""

    data: bytes


@dataclass(frozen=True)
class ExecDone:
    """The program finished; ``error`` is the traceback text (empty when it succeeded)."""

    error: bytes


@dataclass(frozen=True)
class SoftRebooted:
    """``soft reboot`` was seen after a soft reset request."""


@dataclass(frozen=True)
class ProtocolError:
    """The board answered something the protocol does not allow at this point."""

    message: str
    data: bytes


HostEvent = RawReady | ExecAccepted | Output | ExecDone | SoftRebooted | ProtocolError


class HostState(enum.Enum):
    IDLE = "idle"
    WAIT_BANNER = "wait_banner"
    READY = "ready"
    WAIT_OK = "wait_ok"
    OUTPUT = "output"
    ERROR = "error"
    WAIT_PROMPT = "wait_prompt"
    WAIT_REBOOT = "wait_reboot"


class RawReplHost:
    """Host side of the raw REPL: feed it the board's bytes, ask it what to send."""

    def __init__(self) -> None:
        self.state = HostState.IDLE
        self._buffer = bytearray()
        self._error = bytearray()

    # -- what to send ----------------------------------------------------------------------
    @staticmethod
    def interrupt() -> bytes:
        """Stop a running program and leave the « Press any key » screen."""
        return b"\r" + CTRL_C + CTRL_C

    def enter_raw(self) -> bytes:
        self.state = HostState.WAIT_BANNER
        self._buffer.clear()
        return b"\r" + CTRL_A

    def exec_(self, code: bytes) -> list[bytes]:
        """The chunks to write to run ``code`` (state must be READY)."""
        if self.state is not HostState.READY:
            raise RuntimeError(f"cannot exec in state {self.state.value}")
        if EOF in code:
            raise ValueError("code must not contain Ctrl-D")
        self.state = HostState.WAIT_OK
        self._error.clear()
        chunks = [code[i : i + RAW_CHUNK] for i in range(0, len(code), RAW_CHUNK)]
        return [*chunks, EOF]

    def soft_reset(self) -> bytes:
        if self.state is not HostState.READY:
            raise RuntimeError(f"cannot soft-reset in state {self.state.value}")
        self.state = HostState.WAIT_REBOOT
        return EOF

    def leave_raw(self) -> bytes:
        self.state = HostState.IDLE
        self._buffer.clear()
        return b"\r" + CTRL_B

    # -- what arrives ----------------------------------------------------------------------
    def receive_data(self, data: bytes) -> None:
        self._buffer += data

    def next_event(self) -> HostEvent | _Sentinel:
        buf = self._buffer
        state = self.state
        if state is HostState.IDLE:
            buf.clear()
            return NEED_DATA
        if state is HostState.WAIT_BANNER:
            at = buf.find(RAW_BANNER + RAW_PROMPT)
            if at < 0:
                # Keep only what could still be the start of the banner.
                keep = len(RAW_BANNER) + len(RAW_PROMPT) - 1
                if len(buf) > keep:
                    del buf[: len(buf) - keep]
                return NEED_DATA
            del buf[: at + len(RAW_BANNER) + len(RAW_PROMPT)]
            self.state = HostState.READY
            return RawReady()
        if state is HostState.WAIT_OK:
            if len(buf) < 2:
                if buf and not b"OK".startswith(bytes(buf)):
                    return self._protocol_error("réponse inattendue au lieu de « OK »")
                return NEED_DATA
            if buf[:2] != b"OK":
                return self._protocol_error("réponse inattendue au lieu de « OK »")
            del buf[:2]
            self.state = HostState.OUTPUT
            return ExecAccepted()
        if state is HostState.OUTPUT:
            if not buf:
                return NEED_DATA
            end = buf.find(EOF)
            if end < 0:
                chunk = bytes(buf)
                buf.clear()
                return Output(chunk)
            chunk = bytes(buf[:end])
            del buf[: end + 1]
            self.state = HostState.ERROR
            if chunk:
                return Output(chunk)
            return self.next_event()
        if state is HostState.ERROR:
            end = buf.find(EOF)
            if end < 0:
                self._error += buf
                buf.clear()
                return NEED_DATA
            self._error += buf[:end]
            del buf[: end + 1]
            self.state = HostState.WAIT_PROMPT
            return ExecDone(bytes(self._error))
        if state is HostState.WAIT_PROMPT:
            if not buf:
                return NEED_DATA
            if buf[:1] != RAW_PROMPT:
                return self._protocol_error("invite « > » attendue après l'exécution")
            del buf[:1]
            self.state = HostState.READY
            return RawReady()
        if state is HostState.WAIT_REBOOT:
            at = buf.find(SOFT_REBOOT)
            if at < 0:
                return NEED_DATA
            del buf[: at + len(SOFT_REBOOT)]
            self.state = HostState.IDLE
            return SoftRebooted()
        return NEED_DATA  # READY: nothing is expected

    def _protocol_error(self, message: str) -> ProtocolError:
        data = bytes(self._buffer)
        self._buffer.clear()
        self.state = HostState.IDLE
        return ProtocolError(message, data)


# -- board side -------------------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    """Bytes the board sends back right away (flow control, acknowledgements)."""

    data: bytes


@dataclass(frozen=True)
class Execute:
    """Run ``code``; ``paste`` tells whether it came in raw-paste mode (no ``OK`` then).

    ``interrupted`` is set when the host aborted a raw paste with Ctrl-C.
    """

    code: bytes
    paste: bool = False
    interrupted: bool = False


@dataclass(frozen=True)
class SoftReset:
    """Ctrl-D on an empty program: ``OK\\r\\n`` was sent, the board must soft-reboot."""


@dataclass(frozen=True)
class LeaveRaw:
    """Ctrl-B: back to the interactive REPL."""


@dataclass(frozen=True)
class Reenter:
    """Ctrl-A again: the board prints the banner and a new prompt."""


DeviceEvent = Send | Execute | SoftReset | LeaveRaw | Reenter


class RawReplDevice:
    """Board side of the raw REPL: parses what the host types while in raw mode.

    The board calls :meth:`feed` with the bytes received while it waits for a program and
    acts on the returned events; bytes after an :class:`Execute`, :class:`SoftReset` or
    :class:`LeaveRaw` are kept (:meth:`take_pending`) for the next mode to read.
    """

    def __init__(self, window_size: int = 128) -> None:
        if not 1 <= window_size <= 0xFFFF:
            raise ValueError("window size must fit in 16 bits")
        self.window_size = window_size
        self._line = bytearray()
        self._paste = False
        self._window_remain = 0
        self._pending = bytearray()

    @staticmethod
    def banner() -> bytes:
        return RAW_BANNER + RAW_PROMPT

    def reset(self) -> None:
        self._line.clear()
        self._paste = False

    def take_pending(self) -> bytes:
        data = bytes(self._pending)
        self._pending.clear()
        return data

    def feed(self, data: bytes) -> list[DeviceEvent]:
        """Consume host bytes until one event ends the collecting phase."""
        events: list[DeviceEvent] = []
        for index, byte in enumerate(data):
            c = bytes((byte,))
            if self._paste:
                if c in (CTRL_D, CTRL_C):
                    code = bytes(self._line)
                    self.reset()
                    events += [Send(EOF), Execute(code, paste=True, interrupted=c == CTRL_C)]
                    self._pending += data[index + 1 :]
                    return events
                self._line += c
                self._window_remain -= 1
                if self._window_remain == 0:
                    self._window_remain = self.window_size
                    events.append(Send(b"\x01"))
                continue
            if c == CTRL_A:
                if bytes(self._line[-2:]) == b"\x05A" and len(self._line) == 2:
                    self._line.clear()
                    self._paste = True
                    self._window_remain = self.window_size
                    events.append(Send(b"R\x01" + struct.pack("<H", self.window_size)))
                    continue
                self.reset()
                events.append(Reenter())
                continue
            if c == CTRL_B:
                self.reset()
                events.append(LeaveRaw())
                self._pending += data[index + 1 :]
                return events
            if c == CTRL_C:
                self._line.clear()
                continue
            if c == CTRL_D:
                code = bytes(self._line)
                self.reset()
                if code:
                    events += [Send(b"OK"), Execute(code)]
                else:
                    events += [Send(b"OK\r\n"), SoftReset()]
                self._pending += data[index + 1 :]
                return events
            self._line += c
        return events
