# SPDX-License-Identifier: GPL-3.0-or-later
"""Checking a G-code file before a print, and reading it line by line while printing.

The whole file is checked *before* anything is sent to the printer: a missing, empty, binary
or non-UTF-8 file, or a line too long for Marlin's line buffer, is refused with a French
message naming the line. Both passes read one line at a time with a bounded line length, so
memory stays flat whatever the file size (a 2 GB file with no newline is refused, not loaded).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

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


def _looks_like_gcode(code: str) -> bool:
    head = code[:1].upper()
    if head in ("G", "M", "T"):
        rest = code[1:2]
        return (rest.isascii() and rest.isdigit()) or (head == "T" and rest == "")
    return False


def check_print_file(path: str | os.PathLike[str]) -> CheckedFile:
    """Check ``path`` completely; raise :class:`InputFileError` (exit 2) with the reason."""
    source = require_input_file(path, what="fichier G-code")
    size = source.stat().st_size
    commands = 0
    layers = 0
    framed = 0
    with source.open("rb") as handle:
        if looks_binary(handle.read(8192)):
            raise InputFileError(
                f"« {source} » n'est pas un fichier G-code : son contenu est binaire "
                "(image, archive, fichier .3mf ?). Exportez le G-code depuis le trancheur."
            )
        handle.seek(0)
        for number, raw in enumerate(_bounded_lines(handle, source), start=1):
            # A slicer on Windows may write a comment in Latin-1 (a profile name, a
            # user's note): comments are never sent, so only a command must be UTF-8.
            text = raw.decode("utf-8", "replace")
            if _is_layer_marker(text):
                layers += 1
            code = strip_comment(text)
            if "\ufffd" in code:
                raise InputFileError(
                    f"« {source} », ligne {number} : octets qui ne sont pas de l'UTF-8 dans une "
                    "commande. Réenregistrez le fichier en UTF-8 (ou exportez-le à nouveau du "
                    "trancheur)."
                )
            if not code:
                continue
            host_framed = strip_host_framing(code)
            if host_framed is not None:
                if host_framed.checksum_ok is False:
                    raise InputFileError(
                        f"« {source} », ligne {number} : la somme de contrôle (*…) de la ligne "
                        f"« {code[:40]} » ne correspond pas : ligne abîmée. Exportez de nouveau "
                        "le G-code depuis le trancheur."
                    )
                framed += 1
                code = host_framed.command
                if not code:
                    continue
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
            commands += 1
            if len(code) <= _ALWAYS_FITS:
                continue
            try:
                frame(commands + _LINE_NUMBER_MARGIN, code)
            except LineTooLongError as exc:
                raise InputFileError(
                    f"« {source} », ligne {number} : commande trop longue pour l'imprimante "
                    f"({exc.length} octets une fois numérotée, {MAX_FRAMED_LINE_BYTES} au "
                    f"plus ; Marlin la tronquerait) : « {code[:40]}… »."
                ) from None
    if commands == 0:
        raise InputFileError(
            f"« {source} » ne contient aucune commande G-code (seulement des commentaires ou "
            "des lignes vides)."
        )
    return CheckedFile(source, size, commands, layers, framed)


def _bounded_lines(handle: object, source: Path) -> Iterator[bytes]:
    readline = handle.readline  # type: ignore[attr-defined]
    number = 0
    while True:
        raw: bytes = readline(MAX_RAW_LINE_BYTES + 1)
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
        for number, raw in enumerate(_bounded_lines(handle, checked.path), start=1):
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
