# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading user files safely and writing files so that nothing is ever half-written.

Every file the kit writes for the user (pictures, reports, exported fiches, ``code.py`` on a
CIRCUITPY drive, the configuration) goes through :func:`atomic_write_bytes`: the content is
written under a temporary name in the same folder, flushed and fsynced, then renamed over the
target. A pulled cable or a crash leaves either the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from kit import messages
from kit.errors import InputFileError, KitError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def write_error(path: Path, exc: OSError) -> KitError:
    """Why ``path`` could not be written, in French (``exc`` from creating or writing it)."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return KitError(
            f"Impossible d'écrire « {path} » : le dossier est protégé en écriture ou en "
            "lecture seule."
        )
    if exc.errno == errno.ENOSPC:
        return KitError(f"Impossible d'écrire « {path} » : le support est plein.")
    if exc.errno == errno.ENOENT and path.parent.is_dir():
        # The folder is there but takes no new file (/proc, some virtual file systems).
        return KitError(f"Impossible d'écrire « {path} » : ce dossier n'accepte pas de fichiers.")
    if exc.errno == errno.ENOENT:
        return KitError(f"Impossible d'écrire « {path} » : le dossier n'existe pas.")
    return KitError(f"Impossible d'écrire « {path} » : {messages.os_error_fr(exc)}.")


def ensure_folder(path: str | os.PathLike[str]) -> Path:
    """Create the folder ``path`` (and its parents) for the user's output; French error."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise KitError(f"Impossible de créer le dossier « {folder} » : c'est un fichier.") from None
    except OSError as exc:
        raise KitError(
            f"Impossible de créer le dossier « {folder} » : {messages.os_error_fr(exc)}."
        ) from exc
    return folder


def atomic_write(
    path: str | os.PathLike[str],
    write: Callable[[BinaryIO], object],
    *,
    mode: int | None = None,
    make_parents: bool = False,
) -> Path:
    """Write ``path`` through ``write(handle)`` under a temporary name, fsync, then rename.

    ``mode`` sets the file's permissions before any byte is written (0o600 for secrets).
    OS errors become :class:`KitError` with a French message; the target is left untouched.
    """
    target = Path(path)
    try:
        if make_parents:
            target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise write_error(target, exc) from exc
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        else:
            _give_usual_permissions(fd, target)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise write_error(target, exc) from exc
        raise
    if mode is not None:
        os.chmod(target, mode)
    _fsync_folder(target.parent)
    return target


def _give_usual_permissions(fd: int, target: Path) -> None:
    """The permissions ``open()`` would have given (a replaced file keeps its own): mkstemp's
    0600 is right for a secret, not for a fiche or a picture others print or copy. A drive
    that has no permissions (the FAT of CIRCUITPY) refuses chmod: nothing to keep there."""
    try:
        wanted = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        wanted = 0o666 & ~umask
    fchmod = getattr(os, "fchmod", None)  # not on Windows before Python 3.13
    if fchmod is not None:
        with contextlib.suppress(OSError):
            fchmod(fd, wanted)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (matters on FAT drives pulled right after a copy)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, mode: int | None = None
) -> Path:
    return atomic_write(path, lambda handle: handle.write(data), mode=mode)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, mode: int | None = None) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def require_input_file(path: str | os.PathLike[str], *, what: str = "fichier") -> Path:
    """Check that ``path`` names a readable, non-empty regular file, or raise in French."""
    source = Path(path)
    if not source.exists():
        raise InputFileError(messages.file_not_found(str(source)))
    if source.is_dir():
        raise InputFileError(f"« {source} » est un dossier, pas un {what}.")
    try:
        size = source.stat().st_size
        with source.open("rb"):
            pass
    except PermissionError as exc:
        raise InputFileError(f"Vous n'avez pas le droit de lire « {source} ».") from exc
    except OSError as exc:
        raise InputFileError(f"Impossible de lire « {source} » : {exc.strerror or exc}.") from exc
    if size == 0:
        raise InputFileError(f"Le {what} « {source} » est vide.")
    return source


def read_text_input(
    path: str | os.PathLike[str], *, what: str, not_text: str, hint: str = ""
) -> tuple[Path, str]:
    """Read a user's text file (lesson, program, answers) whole, or raise in French.

    ``not_text`` ends the message for a binary file (« … » ``not_text``); an invalid UTF-8 byte
    is reported with its line, and ``hint`` says how to save the file again. A UTF-8 BOM, as
    some Windows editors write, is dropped.
    """
    source = require_input_file(path, what=what)
    raw = source.read_bytes()
    if looks_binary(raw[:4096]):
        raise InputFileError(f"« {source} » {not_text}")
    try:
        return source, raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFileError(
            f"« {source} », ligne {line} : ce n'est pas du texte UTF-8 (octet illisible).",
            hint=hint or "Enregistrez le fichier en UTF-8 depuis votre éditeur de texte.",
        ) from exc


def read_toml_input(path: str | os.PathLike[str], *, what: str) -> dict[str, Any]:
    """Read a user's TOML file (a printer profile, an arena), or raise in French
    naming the line of a syntax error."""
    source, text = read_text_input(
        path, what=what, not_text=f"n'est pas un {what} (fichier binaire)."
    )
    try:
        return dict(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(
            f"Le {what} « {source} » est mal formé : {messages.toml_error_fr(exc)}."
        ) from exc


def data_error_fr(exc: BaseException) -> str:
    """A ``KeyError``/``TypeError``/``ValueError`` met while reading a data file, in French.

    Our own checks raise ``ValueError`` with a French sentence, kept as is; Python's own
    conversions (``float("abc")``) and missing keys are said in French.
    """
    if isinstance(exc, KeyError):
        return f"la clé « {exc.args[0] if exc.args else '?'} » manque"
    if isinstance(exc, TypeError):
        return "une valeur n'a pas le bon type (nombre, texte, liste ou table attendu)"
    text = str(exc)
    if text.startswith(("could not convert", "invalid literal")):
        value = text.rpartition(": ")[2].strip("'\"")
        return f"« {value} » n'est pas un nombre"
    if text.startswith(("not enough values", "too many values")):
        return "une liste n'a pas le bon nombre de valeurs"
    return text


def looks_binary(sample: bytes) -> bool:
    """True when ``sample`` (the first few KiB of a file) is not text: NUL bytes or mostly
    control characters. Used to refuse an image or an archive given where text is expected."""
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control / len(sample) > 0.1
