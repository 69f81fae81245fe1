# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit rehearse``: rehearse the whole oral (dossier, presentation, atelier, questions), a report.

The options live here; the flow (``rehearse_flow``) is imported when the command runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kit.clickfr import FoldedChoice
from kit.errors import KitError
from lessons.model import SUPPORTS

F = TypeVar("F", bound=Callable[..., Any])


def _minutes_option(name: str, help_text: str) -> Callable[[F], F]:
    return click.option(
        f"--duree-{name}",
        f"{name}_min",
        metavar="MIN",
        type=click.FloatRange(min=1, max=600),
        help=help_text + " Aucune durée officielle n'a été trouvée dans les textes publiés.",
    )


@click.command()
@click.option(
    "--titre",
    "title",
    metavar="TITRE",
    help="Titre répété : mediateur-2025 (arrêté du 20 mai 2025, par défaut) ou remn-2019 (CCP1).",
)
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
@_minutes_option(
    "presentation", "Durée de la présentation de votre pratique annoncée par votre centre (min)."
)
@_minutes_option(
    "atelier",
    "Durée de la simulation d'atelier annoncée par votre centre (min ; par défaut "
    "celle du déroulé).",
)
@_minutes_option("questions", "Durée des questions du jury annoncée par votre centre (min).")
@click.option(
    "--non-interactif",
    "answers_path",
    metavar="FICHIER",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rejoue la répétition à partir d'un fichier de réponses (TOML).",
)
@click.option(
    "--modele-reponses",
    "template_path",
    metavar="FICHIER",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Écrit un fichier de réponses commenté pour ce tirage (à compléter pour "
    "--non-interactif), sans lancer la répétition.",
)
@click.option(
    "--sortie",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    metavar="DOSSIER",
    help="Dossier où écrire le rapport (Markdown et HTML ; par défaut le dossier courant).",
)
def rehearse(
    title: str | None,
    support: str | None,
    tirage: bool,
    seed: int | None,
    presentation_min: float | None,
    atelier_min: float | None,
    questions_min: float | None,
    answers_path: Path | None,
    template_path: Path | None,
    sortie: Path,
) -> None:
    """Répéter l'oral : dossier, présentation de sa pratique, simulation d'atelier, questions du
    jury, auto-évaluation ; le rapport est écrit même sur Ctrl-C."""
    from kit.commands.rehearse_flow import Options, run_rehearsal

    options = Options(
        support=support,
        tirage=tirage,
        seed=seed,
        title=title,
        answers_path=answers_path,
        template_path=template_path,
        output=sortie,
        presentation_min=presentation_min,
        atelier_min=atelier_min,
        questions_min=questions_min,
    )
    try:
        run_rehearsal(options)
    except EOFError:
        raise KitError(
            "L'entrée au clavier s'est fermée avant la fin de la répétition : "
            "aucun rapport n'a été écrit.",
            hint="Sans clavier, rejouez une répétition avec --non-interactif FICHIER "
            "(--modele-reponses FICHIER en écrit un modèle).",
        ) from None
