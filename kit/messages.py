# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared French wording for messages the user reads.

Domain packages keep their own specific sentences next to their code, but anything said
in more than one place (ports, files, permissions, durations) is phrased once here so the
wording stays consistent across the kit.
"""

from __future__ import annotations

import math

PERMISSION_FIX_LINUX = (
    "Ajoutez votre compte au groupe « {group} » puis fermez et rouvrez votre session :\n"
    "  sudo usermod -aG {group} $USER"
)


def port_not_found(port: str, visible: list[str]) -> str:
    listed = ", ".join(visible) if visible else "aucun"
    return (
        f"Le port « {port} » est introuvable. Ports visibles : {listed}.\n"
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


def yes_no(value: bool) -> str:
    return "oui" if value else "non"
