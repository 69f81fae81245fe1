# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit rehearse``: rehearse the jury's atelier simulation with a draw, a timer and a report.

The options live here; the flow (``rehearse_flow``) is imported when the command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from kit.clickfr import FoldedChoice
from kit.errors import KitError
from lessons.model import SUPPORTS


@click.command()
@click.option(
    "--support",
    metavar="SUPPORT",
    type=FoldedChoice(SUPPORTS, what="Support"),
    help="Répéter ce support (impression-3d, robot, pc…).",
)
@click.option("--tirage", is_flag=True, help="Le support est tiré au sort, comme devant le jury.")
@click.option(
    "--seed", metavar="N", type=click.IntRange(min=0), help="Numéro de tirage (pour le rejouer)."
)
@click.option(
    "--non-interactif",
    "answers_path",
    metavar="FICHIER",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rejoue la répétition à partir d'un fichier de réponses (TOML).",
)
@click.option(
    "--sortie",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    metavar="DOSSIER",
    help="Dossier où écrire le rapport (Markdown et HTML ; par défaut le dossier courant).",
)
def rehearse(
    support: str | None, tirage: bool, seed: int | None, answers_path: Path | None, sortie: Path
) -> None:
    """Répéter la simulation d'atelier : tirage, minuteur phase par phase, auto-évaluation."""
    from kit.commands.rehearse_flow import run_rehearsal

    try:
        run_rehearsal(support, tirage, seed, answers_path, sortie)
    except EOFError:
        raise KitError(
            "L'entrée au clavier s'est fermée avant la fin de la répétition : "
            "aucun rapport n'a été écrit.",
            hint="Sans clavier, rejouez une répétition avec --non-interactif FICHIER.",
        ) from None
