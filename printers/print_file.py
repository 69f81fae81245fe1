# SPDX-License-Identifier: GPL-3.0-or-later
"""Checking a G-code file before a print, and reading it line by line while printing.

The whole file is checked *before* anything is sent to the printer: a missing, empty, binary
or non-UTF-8 file, or a line too long for Marlin's line buffer, is refused with a French
message naming the line. Both passes read one line at a time with a bounded line length, so
memory stays flat whatever the file size (a 2 GB file with no newline is refused, not loaded).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

from kit.errors import InputFileError
from kit.files import looks_binary, require_input_file
from printers.marlin.framing import (
    MAX_FRAMED_LINE_BYTES,
    LineTooLongError,
    frame,
    strip_comment,
    strip_host_framing,
)

#: Longest raw line accepted (comments included): slicers write long comments, Marlin never
#: sees them, but a "line" longer than this is not G-code.
MAX_RAW_LINE_BYTES = 4096
#: Line numbers used while checking: a margin over the file's own count for the commands the
#: host sends before the file (connection, M115, M155…), so the check is never optimistic.
_LINE_NUMBER_MARGIN = 100_000

#: A command this short fits whatever its line number: "N" + 9 digits + " " + "*" + 3 digits.
_ALWAYS_FITS = MAX_FRAMED_LINE_BYTES - 15


@dataclass(frozen=True)
class CheckedFile:
    """A G-code file that passed the checks."""

    path: Path
    size_bytes: int
    commands: int
    layers: int
    #: Commands that carried a host's ``N`` number and ``*`` checksum: checked, then removed.
    framed_lines: int = 0


class FileLine(NamedTuple):
    """One command of the file, as it will be sent (a tuple: one is made per line)."""

    file_line: int  # 1-based line in the file
    end_offset: int  # byte offset just past this line
    command: str
    layer: int  # layers started so far (0 before the first layer marker)


def _is_layer_marker(text: str) -> bool:
    upper = text.lstrip().upper()
    return upper.startswith(";LAYER:") or upper.startswith(";LAYER_CHANGE")


#: The same test on an ASCII line's bytes (ASCII upper-casing is the same on bytes and str).
_LAYER_MARKERS = (b";LAYER:", b";LAYER_CHANGE")


def _looks_like_gcode(code: str) -> bool:
    head = code[:1].upper()
    if head in ("G", "M", "T"):
        rest = code[1:2]
        return (rest.isascii() and rest.isdigit()) or (head == "T" and rest == "")
    return False


#: First bytes of the lines checked on the fast path of :meth:`LineChecks.checked`.
_PLAIN_COMMAND_HEADS = frozenset((b"G", b"M", b"T"))


def open_print_file(path: str | os.PathLike[str]) -> Path:
    """The checks made before reading the lines: the file exists, is a file, is not binary."""
    source = require_input_file(path, what="fichier G-code")
    with source.open("rb") as handle:
        if looks_binary(handle.read(8192)):
            raise InputFileError(
                f"« {source} » n'est pas un fichier G-code : son contenu est binaire "
                "(image, archive, fichier .3mf ?). Exportez le G-code depuis le trancheur."
            )
    return source


class LineChecks:
    """The checks of every line of a print file, one line at a time (the one set of rules).

    ``kit printer print`` runs them over the whole file before sending anything
    (:func:`check_print_file`); ``kit printer check`` runs them during the analysis' own read
    of the file (:func:`printers.analysis.analyse_file` with ``check_lines=True``), so the
    file is read once and a file it calls printable is one a print accepts.
    """

    __slots__ = ("commands", "framed", "layers", "number", "source")

    def __init__(self, source: Path) -> None:
        self.source = source
        self.number = 0  # lines seen
        self.commands = 0
        self.layers = 0
        self.framed = 0

    def checked(self, lines: Iterable[bytes]) -> Iterator[bytes]:
        """Each raw line of ``lines`` once it passed the checks; raise at the first failure.

        A plain ASCII comment or ``G``/``M``/``T`` command line that obviously fits takes a
        fast path on its bytes; every other line goes through :meth:`line`, which decides
        exactly as the fast path would have for the lines it takes.
        """
        fast_heads = _PLAIN_COMMAND_HEADS
        markers = _LAYER_MARKERS
        line = self.line
        for raw in lines:
            first = raw[:1]
            if first == b";" and raw.isascii():
                self.number += 1
                if raw[:14].upper().startswith(markers):
                    self.layers += 1
            elif first in fast_heads and raw[1:2].isdigit() and len(raw) <= _ALWAYS_FITS:
                # G1…, M104…: a plain command whose whole line (comment included) fits.
                if raw.isascii():
                    self.number += 1
                    self.commands += 1
                else:
                    line(raw)
            elif first in fast_heads and raw.isascii():
                cut = raw.find(b";")
                # bytes.rstrip() strips less than str.strip(): a longer code goes to line().
                code = (raw[:cut] if cut >= 0 else raw).rstrip()
                second = code[1:2]
                if (second.isdigit() or (first == b"T" and not second)) and len(
                    code
                ) <= _ALWAYS_FITS:
                    self.number += 1
                    self.commands += 1
                else:
                    line(raw)
            else:
                line(raw)
            yield raw

    def line(self, raw: bytes) -> str | None:
        """Check the next raw line; return its command as it will be sent (None: nothing)."""
        self.number += 1
        number = self.number
        source = self.source
        # A slicer on Windows may write a comment in Latin-1 (a profile name, a
        # user's note): comments are never sent, so only a command must be UTF-8.
        text = raw.decode("utf-8", "replace")
        if _is_layer_marker(text):
            self.layers += 1
        code = strip_comment(text)
        if "\ufffd" in code:
            raise InputFileError(
                f"« {source} », ligne {number} : octets qui ne sont pas de l'UTF-8 dans une "
                "commande. Réenregistrez le fichier en UTF-8 (ou exportez-le à nouveau du "
                "trancheur)."
            )
        if not code:
            return None
        host_framed = strip_host_framing(code)
        if host_framed is not None:
            if host_framed.checksum_ok is False:
                raise InputFileError(
                    f"« {source} », ligne {number} : la somme de contrôle (*…) de la ligne "
                    f"« {code[:40]} » ne correspond pas : ligne abîmée. Exportez de nouveau "
                    "le G-code depuis le trancheur."
                )
            self.framed += 1
            code = host_framed.command
            if not code:
                return None
        if not code.isascii():
            raise InputFileError(
                f"« {source} », ligne {number} : caractère accentué ou spécial dans une "
                f"commande (« {code[:40]} ») ; l'imprimante ne le comprendrait pas."
            )
        if not _looks_like_gcode(code):
            raise InputFileError(
                f"« {source} », ligne {number} : « {code[:40]} » n'est pas une commande "
                "G-code (G…, M… ou T…). Est-ce bien un fichier tranché ?"
            )
        self.commands += 1
        if len(code) <= _ALWAYS_FITS:
            return code
        try:
            frame(self.commands + _LINE_NUMBER_MARGIN, code)
        except LineTooLongError as exc:
            raise InputFileError(
                f"« {source} », ligne {number} : commande trop longue pour l'imprimante "
                f"({exc.length} octets une fois numérotée, {MAX_FRAMED_LINE_BYTES} au "
                f"plus ; Marlin la tronquerait) : « {code[:40]}… »."
            ) from None
        return code

    def result(self) -> CheckedFile:
        """The file once every line passed; raise when it holds no command at all."""
        source = self.source
        if self.commands == 0:
            raise InputFileError(
                f"« {source} » ne contient aucune commande G-code (seulement des commentaires ou "
                "des lignes vides)."
            )
        return CheckedFile(source, source.stat().st_size, self.commands, self.layers, self.framed)


def check_print_file(path: str | os.PathLike[str]) -> CheckedFile:
    """Check ``path`` completely; raise :class:`InputFileError` (exit 2) with the reason."""
    source = open_print_file(path)
    checks = LineChecks(source)
    with source.open("rb") as handle:
        for _ in checks.checked(bounded_lines(handle, source)):
            pass
    return checks.result()


def bounded_lines(handle: BinaryIO, source: Path) -> Iterator[bytes]:
    """The raw lines of ``handle``, refusing one longer than :data:`MAX_RAW_LINE_BYTES`."""
    readline = handle.readline
    number = 0
    while True:
        raw = readline(MAX_RAW_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_RAW_LINE_BYTES and not raw.endswith(b"\n"):
            raise InputFileError(
                f"« {source} », ligne {number} : ligne de plus de {MAX_RAW_LINE_BYTES} octets ; "
                "ce n'est pas un fichier G-code."
            )
        yield raw


def iter_commands(checked: CheckedFile) -> Iterator[FileLine]:
    """The file's commands in order, comments and blank lines removed (one line in memory)."""
    layer = 0
    offset = 0
    with checked.path.open("rb") as handle:
        for number, raw in enumerate(bounded_lines(handle, checked.path), start=1):
            offset += len(raw)
            text = raw.decode("utf-8", "replace")
            if text.startswith(";") and _is_layer_marker(text):
                layer += 1
            code = strip_comment(text)
            if code and checked.framed_lines:
                host_framed = strip_host_framing(code)
                if host_framed is not None:
                    code = host_framed.command  # checked by check_print_file
            if code:
                yield FileLine(number, offset, code, layer)
