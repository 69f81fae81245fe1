# SPDX-License-Identifier: GPL-3.0-or-later
"""The preflight every ``kit printer print`` goes through, USB or OctoPrint.

The file is analysed for the printer's profile before anything is sent: warnings are shown,
and a problem the checks call blocking (moves outside the build volume, a temperature above
the printer's maximum, extrusion before heating, a move before homing…) refuses the print
with exit 1 — unless the animateur insists with ``--forcer``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kit.console import err_console
from kit.errors import EXIT_FAILURE, InputFileError, KitError

if TYPE_CHECKING:
    from printers.analysis import Analysis

FORCE_HELP = (
    "Imprime même si la vérification trouve un problème bloquant (à vos risques : "
    "la tête peut heurter le cadre, la buse chauffer trop)."
)


def preflight_gate(
    source: Path, profile_name: str | None, *, force: bool = False, required: bool = True
) -> Analysis | None:
    """Analyse ``source`` for the profile; refuse (exit 1) when a check forbids the print.

    Without a profile, the one of the printer the file was sliced for, else the generic one.

    ``force`` prints the blocking problems and goes on. When the analysis itself cannot be
    made (a file without a single move, say) it raises, unless ``required`` is false: the
    print then goes on without a time estimate.
    """
    from printers.analysis import analyse_for_printer
    from printers.profile import load_profile

    if profile_name is not None:
        load_profile(profile_name)  # an unknown name is the user's mistake: exit 2, always
    try:
        analysis, profile, detected = analyse_for_printer(source, profile_name)
    except InputFileError:  # a file the analysis cannot read (no move at all…)
        if required:
            raise
        return None
    if detected:
        err_console.print(
            f"Profil « {profile.name} » ({profile.display_name}) détecté d'après le fichier.",
            highlight=False,
        )
    for check in analysis.checks:
        if check.severity == "warning":
            err_console.print(f"[yellow]Attention :[/yellow] {check.message}", highlight=False)
    if analysis.printable:
        return analysis
    blocking = "\n".join(f"  • {c.message}" for c in analysis.checks if c.severity == "error")
    if force:
        err_console.print(
            f"[red]Problèmes bloquants ignorés (--forcer)[/red] pour « {source.name} » "
            f"(profil « {analysis.profile_name} ») :\n{blocking}",
            highlight=False,
        )
        return analysis
    raise KitError(
        f"Impression refusée : « {source.name} » ne passe pas la vérification "
        f"(profil « {analysis.profile_name} »).\n{blocking}",
        hint=f"Détail : « kit printer check {source} --profile {analysis.profile_name} ». "
        "Si le profil n'est pas celui de l'imprimante, précisez --profile ; pour imprimer "
        "quand même : --forcer.",
        exit_code=EXIT_FAILURE,
    )
