# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit exemples [DOSSIER]``: copy the kit's sample files where the user works.

After this one step, every ``kit …`` line of the README and of the lesson fiches names files
that exist in that folder (G-code, learner programs, on-board scripts, the exercise image).
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from kit.console import console


@click.command()
@click.argument(
    "dossier",
    required=False,
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="[DOSSIER]",
)
@click.option(
    "--remplacer",
    is_flag=True,
    help="Écrase aussi les exemples modifiés depuis la dernière copie.",
)
def exemples(dossier: Path, remplacer: bool) -> None:
    """Copie les fichiers d'exemple du kit dans DOSSIER (par défaut : le dossier courant).

    G-code des déroulés d'impression, programmes mBot (un par défi), programmes des cartes
    CircuitPython et une image d'exercice pour la carte ESP32-S3 simulée : les commandes du
    README et des fiches fonctionnent ensuite telles quelles depuis ce dossier. Un fichier
    déjà là et modifié (le programme d'un participant) est gardé, sauf avec --remplacer.
    """
    from lessons.samples import Outcome, copy_samples

    results = copy_samples(dossier, replace=remplacer)
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("Fichier", no_wrap=True)
    table.add_column("Type", no_wrap=True)
    table.add_column("Contenu")
    table.add_column("État", no_wrap=True)
    for sample, _target, outcome in results:
        style = "yellow" if outcome is Outcome.KEPT else ""
        table.add_row(
            escape(sample.name),
            sample.kind,
            escape(sample.description),
            f"[{style}]{outcome.value}[/{style}]" if style else outcome.value,
        )
    console.print(table)
    written = sum(outcome in (Outcome.WRITTEN, Outcome.REPLACED) for _, _, outcome in results)
    console.print(
        f"{written} fichier(s) écrit(s) dans « {escape(str(dossier.resolve()))} ».",
        highlight=False,
    )
