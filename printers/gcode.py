# SPDX-License-Identifier: GPL-3.0-or-later
"""Streaming G-code reading: lines with their byte offsets, words, slicer comments.

Nothing here keeps more than one line in memory. :func:`iter_lines` yields raw lines as bytes
(float() reads bytes directly, so the hot path never decodes); :func:`split_words` turns the
code part of a line into ``(command, [(letter, value), ...])``; :func:`parse_duration` reads
the slicers' printed durations ("14m 35s", "1h 2m 3s", "1d 2h").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

_WORD_RE = re.compile(rb"([A-Za-z])\s*([-+]?(?:[0-9]*\.?[0-9]*(?:[eE][-+]?[0-9]+)?|nan|inf))")
_LINE_NUMBER_RE = re.compile(rb"^[Nn][0-9]+\s*")
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])", re.IGNORECASE)


class BadNumber(ValueError):
    """A word's value is not a number (``X12a``)."""


def iter_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """Yield ``(end_offset, line)`` for each line; ``end_offset`` is just past its newline."""
    offset = 0
    for line in stream:
        offset += len(line)
        yield offset, line


def split_code(line: bytes) -> tuple[bytes, bytes]:
    """Split a line into its code part and its comment (without ``;``), both stripped.

    Parenthesised comments ``( … )`` are dropped too, as Marlin does.
    """
    cut = line.find(b";")
    if cut >= 0:
        code, comment = line[:cut], line[cut + 1 :].strip()
    else:
        code, comment = line, b""
    if b"(" in code:
        code = re.sub(rb"\([^)]*\)?", b" ", code)
    code = code.strip()
    if code[:1] in (b"N", b"n") and code[1:2].isdigit():
        # A host's framing kept in the file (N12 G1 X5*87): the command is in between.
        # kit printer print checks the checksum (printers.print_file) before sending.
        star = code.rfind(b"*")
        code = _LINE_NUMBER_RE.sub(b"", code[:star] if star >= 0 else code, count=1).strip()
    return code, comment


def split_words(code: bytes) -> tuple[bytes, list[tuple[int, float]]]:
    """``b"G1 X10 Y2.5"`` -> ``(b"G1", [(ord("X"), 10.0), (ord("Y"), 2.5)])``.

    Letters are upper-cased. ``G1X10Y2.5`` (no spaces) is understood too. A word that is not a
    number raises :class:`BadNumber`. Numbers may be ``nan``/``inf``: callers check finiteness.
    """
    words = code.split()
    head = words[0].upper()
    if len(head) > 1 and not head[1:].replace(b".", b"").isdigit():
        return _split_packed(code)
    params: list[tuple[int, float]] = []
    for word in words[1:]:
        letter = word[0] & 0xDF  # upper-case ASCII letter
        try:
            params.append((letter, float(word[1:]) if len(word) > 1 else 0.0))
        except ValueError:
            raise BadNumber(word.decode("ascii", "replace")) from None
    return head, params


def _split_packed(code: bytes) -> tuple[bytes, list[tuple[int, float]]]:
    head_match = re.match(rb"\s*([A-Za-z])\s*([0-9]+(?:\.[0-9]+)?)", code)
    if head_match is None:
        # Not a numbered command (e.g. Klipper's EXCLUDE_OBJECT_START NAME=x): keep the word.
        return code.split()[0].upper(), []
    head = (head_match.group(1) + head_match.group(2)).upper()
    params: list[tuple[int, float]] = []
    rest = code[head_match.end() :]
    for match in _WORD_RE.finditer(rest):
        text = match.group(2)
        try:
            params.append((match.group(1)[0] & 0xDF, float(text) if text else 0.0))
        except ValueError:
            raise BadNumber((match.group(1) + text).decode("ascii", "replace")) from None
    return head, params


def parse_duration(text: str) -> float | None:
    """Seconds in a slicer's duration text ("14m 35s", "1h 02m", "2d 1h 3m 4s"), or None."""
    units = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}
    total = 0.0
    found = False
    for value, unit in _DURATION_RE.findall(text):
        total += float(value) * units[unit.lower()]
        found = True
    return total if found else None
