# SPDX-License-Identifier: GPL-3.0-or-later
"""The subset of TOML that CircuitPython reads from ``settings.toml`` for ``os.getenv``.

CircuitPython does not parse full TOML: it reads top-level ``key = value`` lines until the first
``[table]``, where a value is a basic (double-quoted) string with the usual escapes or an
integer; ``#`` starts a comment. A value of any other kind (float, boolean, array, literal or
multi-line string) is not readable by ``os.getenv``, and a malformed line is skipped rather
than stopping the board. Like the board, the first definition of a key wins.

Pure and standard-library only: the simulated board's worker runs with ``python -S`` and must
not need ``tomllib``/``tomli`` (Python 3.10 has no ``tomllib``).
"""

from __future__ import annotations

import re

_KEY = re.compile(r"[A-Za-z0-9_-]+")
_INTEGER = re.compile(r"[+-]?(?:0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|[0-9][0-9_]*)")
_BLANKS = " \t"
_SIMPLE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def parse_settings(text: str) -> dict[str, str | int]:
    """The ``os.getenv`` values of a ``settings.toml`` text."""
    values: dict[str, str | int] = {}
    # Only "\n" ends a line and only space and tab are blanks: str.splitlines() and str.strip()
    # would also cut on characters that TOML keeps inside strings (U+0085, U+2028…).
    for raw_line in text.split("\n"):
        line = raw_line.removesuffix("\r").strip(_BLANKS)
        if line.startswith("["):
            break
        if not line or line.startswith("#"):
            continue
        parsed = _parse_assignment(line)
        if parsed is not None and parsed[0] not in values:
            values[parsed[0]] = parsed[1]
    return values


def _parse_assignment(line: str) -> tuple[str, str | int] | None:
    match = _KEY.match(line)
    if match is None:
        return None
    key = match.group()
    rest = line[match.end() :].lstrip(_BLANKS)
    if not rest.startswith("="):
        return None
    rest = rest[1:].lstrip(_BLANKS)
    if rest.startswith('"'):
        parsed = _parse_basic_string(rest)
        if parsed is None:
            return None
        value: str | int = parsed[0]
        rest = parsed[1]
    else:
        number = _INTEGER.match(rest)
        if number is None:
            return None
        literal = number.group()
        if "__" in literal or literal.endswith("_") or _bad_leading_zero(literal):
            return None
        value = int(literal.replace("_", ""), 0)
        rest = rest[number.end() :]
    rest = rest.lstrip(_BLANKS)
    if rest and not rest.startswith("#"):
        return None
    return key, value


def _bad_leading_zero(literal: str) -> bool:
    digits = literal.lstrip("+-")
    return len(digits) > 1 and digits[0] == "0" and "0" <= digits[1] <= "9"


def _parse_basic_string(text: str) -> tuple[str, str] | None:
    """The string opening ``text`` (which starts with ``"``) and what follows it."""
    out: list[str] = []
    i = 1
    while i < len(text):
        char = text[i]
        if char == '"':
            return "".join(out), text[i + 1 :]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = text[i + 1 : i + 2]
        if code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
            i += 2
        elif code in ("u", "U"):
            width = 4 if code == "u" else 8
            digits = text[i + 2 : i + 2 + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                return None
            point = int(digits, 16)
            if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF:
                return None
            out.append(chr(point))
            i += 2 + width
        else:
            return None
    return None
