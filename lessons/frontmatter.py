# SPDX-License-Identifier: GPL-3.0-or-later
"""Lesson files: TOML front-matter between ``+++`` lines, then a Markdown introduction.

TOML (read by the standard library) keeps the kit free of a YAML dependency. Errors name the
line of the file where they happen, counted from the file's first line, so an animateur who
edits a déroulé in a text editor finds the mistake at once.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from kit.errors import InputFileError
from kit.messages import toml_position

FENCE = "+++"


@dataclass(frozen=True)
class SplitFile:
    """The parsed front-matter, its raw text, and the Markdown body."""

    data: dict[str, Any]
    toml_text: str
    #: Line number in the file of the front-matter's first line (the line after ``+++``).
    first_line: int
    body: str


class LessonFileError(InputFileError):
    """A lesson file that cannot be used; ``line`` is the file's line (1-based) or 0."""

    def __init__(self, source: str, line: int, reason: str, *, column: int = 0):
        where = f", ligne {line}" if line else ""
        if line and column:
            where += f", colonne {column}"
        super().__init__(
            f"Leçon mal formée « {source} »{where} : {reason}",
            hint="Corrigez le fichier puis relancez « kit lesson check ».",
        )
        self.source = source
        self.line = line
        self.reason = reason


def split(text: str, source: str) -> SplitFile:
    """Separate and parse the front-matter of ``text`` (the content of ``source``)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise LessonFileError(source, 1, f"le fichier doit commencer par une ligne « {FENCE} ».")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise LessonFileError(
            source, len(lines), f"la ligne « {FENCE} » qui ferme l'en-tête TOML est absente."
        ) from None
    toml_text = "\n".join(lines[1:end])
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        position = toml_position(exc)
        line, column = (position[0] + 1, position[1]) if position else (0, 0)
        raise LessonFileError(
            source,
            line,
            "syntaxe TOML invalide (guillemet, crochet ou signe « = » manquant ?).",
            column=column,
        ) from exc
    body = "\n".join(lines[end + 1 :]).strip()
    return SplitFile(data=data, toml_text=toml_text, first_line=2, body=body)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(?:#.*)?$")


def locate(split_file: SplitFile, path: tuple[str | int, ...]) -> int:
    """Best-effort line of the file where the value at ``path`` is written.

    ``path`` is like ``("phases", 2, "minutes")``: the third ``[[phases]]`` table, key
    ``minutes``. When the key itself is absent, the line of its table is returned; when even that
    cannot be found, the front-matter's first line.
    """
    lines = split_file.toml_text.splitlines()
    headers: list[tuple[str, int]] = []
    for index, line in enumerate(lines):
        match = _HEADER.match(line)
        if match:
            headers.append((match.group(2), index))
    lo, hi = 0, len(lines)
    prefix = ""
    table_line = -1
    i = 0
    while i < len(path):
        part = path[i]
        if isinstance(part, int):
            i += 1
            continue
        candidate = f"{prefix}.{part}" if prefix else part
        matching = [line for name, line in headers if name == candidate and lo <= line < hi]
        if not matching and any(name.startswith(candidate + ".") for name, _ in headers):
            prefix = candidate  # only sub-tables are written ([[affirmations.robots]])
            i += 1
            continue
        if not matching:
            own_end = next(
                (line for _, line in headers if (line > lo if prefix else True) and line < hi), hi
            )
            start = lo + 1 if prefix else 0
            pattern = re.compile(rf"^\s*\"?{re.escape(part)}\"?\s*=")
            for index in range(start, min(own_end, hi)):
                if pattern.match(lines[index]):
                    return index + split_file.first_line
            break
        occurrence = 0
        if i + 1 < len(path) and isinstance(path[i + 1], int):
            occurrence = int(path[i + 1])
            i += 1
        i += 1
        table_line = matching[min(occurrence, len(matching) - 1)]
        end = next(
            (
                line
                for name, line in headers
                if line > table_line and (name == candidate or not name.startswith(candidate + "."))
            ),
            hi,
        )
        lo, hi, prefix = table_line, end, candidate
    if table_line >= 0:
        return table_line + split_file.first_line
    return split_file.first_line - 1
