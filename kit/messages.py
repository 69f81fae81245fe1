# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared French wording for messages the user reads.

Domain packages keep their own specific sentences next to their code, but anything said
in more than one place (ports, files, permissions, durations) is phrased once here so the
wording stays consistent across the kit.
"""

from __future__ import annotations

import errno
import math
import re
from datetime import date

PERMISSION_FIX_LINUX = (
    "Ajoutez votre compte au groupe « {group} » puis fermez et rouvrez votre session :\n"
    "  sudo usermod -aG {group} $USER"
)


def port_not_found(port: str, visible: list[str]) -> str:
    return f"Le port « {port} » est introuvable. " + port_not_found_hint(visible)


def port_not_found_hint(visible: list[str]) -> str:
    """The ports there are, and what to check when the right one is not among them."""
    listed = ", ".join(visible) if visible else "aucun"
    return (
        f"Ports visibles : {listed}.\n"
        "Vérifiez le câble USB (un câble de charge seule ne transmet pas de données), "
        "puis lancez « kit doctor »."
    )


def port_busy(port: str) -> str:
    return (
        f"Le port « {port} » est déjà utilisé par un autre programme. Fermez Cura, "
        "OctoPrint, mBlock, l'IDE Arduino ou un autre terminal série, puis réessayez."
    )


def port_permission(port: str, group: str) -> str:
    return f"Vous n'avez pas le droit d'ouvrir le port « {port} ».\n" + PERMISSION_FIX_LINUX.format(
        group=group
    )


def file_not_found(path: str) -> str:
    return f"Le fichier « {path} » est introuvable."


def number_fr(value: float, digits: int = 1) -> str:
    """A figure as a French reader writes it: at most ``digits`` decimals, a decimal comma,
    no trailing zeros, never an exponent (``90.5`` → « 90,5 », ``210.0`` → « 210 »,
    ``1e6`` → « 1000000 »)."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    text = text.replace(".", ",")
    return "0" if text == "-0" else text


def decimal_fr(value: float, digits: int) -> str:
    """A figure with exactly ``digits`` decimals and a decimal comma (« 1,00 » m of filament)."""
    return f"{value:.{digits}f}".replace(".", ",")


def seconds_fr(value: float) -> str:
    """A delay: « 0,3 s », « 2 s », « 12,5 s »."""
    return f"{number_fr(value, 3)} s"


def format_duration_fr(seconds: float) -> str:
    """Format a duration the way the kit shows it: « 1 h 05 min », « 14 min 35 s », « 8 s »."""
    if not math.isfinite(seconds) or seconds < 0:
        return "durée inconnue"
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


_MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def date_fr(value: date) -> str:
    """A date as written in French: « 1er mars 2027 », « 7 décembre 2026 »."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {_MONTHS_FR[value.month - 1]} {value.year}"


def yes_no(value: bool) -> str:
    return "oui" if value else "non"


#: What the system said, as a French reader needs it (the C library's text is English).
_OS_ERRORS_FR = {
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EROFS: "le support est en lecture seule",
    errno.ENOSPC: "le support est plein",
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EEXIST: "existe déjà",
    errno.EISDIR: "c'est un dossier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EIO: "erreur de lecture ou d'écriture (support débranché ?)",
    errno.ENODEV: "périphérique absent",
    errno.ENXIO: "périphérique absent",
    errno.EBUSY: "périphérique occupé par un autre programme",
    errno.EADDRINUSE: "adresse déjà utilisée (un autre programme écoute sur ce port)",
    errno.EADDRNOTAVAIL: "cette adresse n'appartient pas à cet ordinateur",
    errno.ECONNREFUSED: "connexion refusée",
    errno.ECONNRESET: "connexion interrompue par l'autre côté",
    errno.EPIPE: "connexion interrompue par l'autre côté",
    errno.ETIMEDOUT: "délai dépassé",
}


def os_error_fr(exc: BaseException) -> str:
    """A system error (OSError, socket name lookup) said in French, without a trailing dot."""
    import socket  # here, not at import: kit --version stays fast

    if isinstance(exc, socket.gaierror):
        return "adresse inconnue (nom de machine introuvable)"
    err = getattr(exc, "errno", None)
    if err in _OS_ERRORS_FR:
        return _OS_ERRORS_FR[err]
    strerror = getattr(exc, "strerror", None)
    return str(strerror or exc).rstrip(".")


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def toml_position(exc: BaseException) -> tuple[int, int] | None:
    """Line and column (1-based) of a ``tomllib.TOMLDecodeError``, when it gives them."""
    match = _TOML_POSITION.search(str(exc))
    return (int(match.group(1)), int(match.group(2))) if match else None


def toml_error_fr(exc: BaseException, first_line: int = 1) -> str:
    """Where a TOML text is malformed, in French; ``first_line`` is the text's first line in
    its file (a lesson's front-matter starts at line 2)."""
    position = toml_position(exc)
    if position is None:
        return "syntaxe TOML invalide"
    line, column = position
    return (
        f"syntaxe TOML invalide ligne {line + first_line - 1}, colonne {column} "
        "(guillemet, crochet ou signe « = » manquant ?)"
    )
