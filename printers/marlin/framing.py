# SPDX-License-Identifier: GPL-3.0-or-later
"""Host-to-printer line framing: ``N<n> <command>*<xor>``.

Marlin (and Prusa firmware, Repetier, Klipper's serial emulation) accept a line number and an
8-bit XOR checksum over every byte before ``*``. A line number lets the firmware refuse a line
that is not ``last + 1`` and ask for it again (``Resend:``), which is what makes streaming with
several lines in flight safe: the firmware never executes a line twice or out of order.

Marlin stores a received line in a ``MAX_CMD_SIZE`` (96) byte buffer that includes the
terminating NUL, so a framed line longer than 95 characters is silently truncated by the
firmware. We refuse such lines before sending anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import xor
from typing import NamedTuple

#: Marlin's MAX_CMD_SIZE: the line buffer, including its terminating NUL.
MARLIN_MAX_CMD_SIZE = 96
#: Longest framed line (without the newline) that fits in that buffer.
MAX_FRAMED_LINE_BYTES = MARLIN_MAX_CMD_SIZE - 1


class LineTooLongError(ValueError):
    """A framed line would not fit in the firmware's line buffer."""

    def __init__(self, command: str, length: int) -> None:
        super().__init__(f"framed line of {length} bytes exceeds {MAX_FRAMED_LINE_BYTES}")
        self.command = command
        self.length = length


def checksum(data: bytes) -> int:
    """XOR of every byte (Marlin's ``*`` checksum)."""
    return reduce(xor, data, 0)


def strip_comment(line: str) -> str:
    """Drop a ``;`` comment and surrounding blanks; keep parenthesised text as firmware does.

    Marlin ignores everything after ``;``. Blank results mean "send nothing".
    """
    cut = line.find(";")
    if cut >= 0:
        line = line[:cut]
    return line.strip()


def frame(line_number: int, command: str) -> bytes:
    """Return ``N<n> <command>*<xor>\\n`` as bytes, or raise :class:`LineTooLongError`."""
    body = f"N{line_number} {command}".encode("ascii", "replace")
    framed = body + b"*" + str(checksum(body)).encode("ascii")
    if len(framed) > MAX_FRAMED_LINE_BYTES:
        raise LineTooLongError(command, len(framed))
    return framed + b"\n"


class FramedLine(NamedTuple):
    """A file line that already carries a host's framing (``N12 G1 X5*87``)."""

    command: str  # without the N word and the checksum
    checksum_ok: bool | None  # None when the line had a number but no checksum


def strip_host_framing(code: str) -> FramedLine | None:
    """``N12 G1 X5*87`` → the command and whether its checksum is right; None if unframed.

    G-code exported by some hosts, or copied from a log, keeps the ``N`` numbers and ``*``
    checksums it was sent with. They are checked (a wrong checksum means a damaged line) and
    removed: the kit numbers every line itself.
    """
    if code[:1] not in ("N", "n") or not code[1:2].isdigit():
        return None
    end = 1
    while end < len(code) and code[end].isdigit():
        end += 1
    star = code.rfind("*")
    if star < 0:
        return FramedLine(code[end:].strip(), None)
    digits = code[star + 1 :].strip()
    expected = int(digits) if digits.isascii() and digits.isdigit() else -1
    good = expected == checksum(code[:star].encode("ascii", "replace"))
    return FramedLine(code[end:star].strip(), good)


def framed_length(line_number: int, command: str) -> int:
    """Length in bytes (with the newline) of ``frame(line_number, command)``."""
    return len(frame(line_number, command))


def reset_numbering(next_number: int = 0) -> bytes:
    """The ``M110`` line that makes the firmware expect ``next_number + 1`` next."""
    return frame(next_number, f"M110 N{next_number}")


def fits_any_number(command: str, highest_line_number: int = 9_999_999) -> bool:
    """True when ``command`` can be framed even with a long line number."""
    try:
        frame(highest_line_number, command)
    except LineTooLongError:
        return False
    return True


# -- the printer's side: parsing what a host sent -------------------------------------------


@dataclass(frozen=True)
class ReceivedLine:
    """One line as Marlin's ``get_serial_commands`` sees it, before it is queued."""

    text: str  # the whole line as received (without newline)
    line_number: int | None  # the N word, if any
    has_checksum: bool
    checksum_ok: bool  # meaningful only when has_checksum
    command: str  # the command without N word and checksum


def parse_received_line(raw: bytes) -> ReceivedLine:
    """Split a received line into line number, command and checksum status.

    Mirrors Marlin 2.x: the checksum covers every byte before the *last* ``*``; for ``M110``
    the line number is the one after ``M110``'s own ``N`` if present.
    """
    text = raw.decode("latin-1")
    stripped = text.strip()
    line_number: int | None = None
    command = stripped
    star = stripped.rfind("*")
    has_checksum = star >= 0
    checksum_ok = False
    if has_checksum:
        digits = stripped[star + 1 :].strip()
        expected = _leading_int(digits)
        checksum_ok = expected is not None and expected == checksum(
            stripped[:star].encode("latin-1")
        )
        command = stripped[:star]
    if command.startswith("N") or command.startswith("n"):
        i = 1
        while i < len(command) and ("0" <= command[i] <= "9" or (i == 1 and command[i] == "-")):
            i += 1
        number = _leading_int(command[1:i])
        if number is not None:
            line_number = number
            command = command[i:]
    command = command.strip()
    if line_number is not None and command.upper().startswith("M110"):
        rest = command[4:].strip()
        if rest[:1] in ("N", "n"):
            value = _leading_int(rest[1:])
            if value is not None:
                line_number = value
    return ReceivedLine(stripped, line_number, has_checksum, checksum_ok, command)


def _leading_int(text: str) -> int | None:
    end = 0
    if text[:1] == "-":
        end = 1
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    digits = text[:end]
    if not digits or digits == "-":
        return None
    return int(digits)
