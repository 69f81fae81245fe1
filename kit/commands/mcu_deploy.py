# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit mcu deploy``: the lesson's code.py and exactly its libraries onto CIRCUITPY."""

from __future__ import annotations

import click
from rich.markup import escape

from kit.console import confirm_destruction, console, err_console

_MAX_LISTED = 12


@click.command("deploy")
@click.argument("script", metavar="PROGRAMME")
@click.option(
    "--drive", "drive", metavar="DOSSIER", help="Le lecteur CIRCUITPY (sinon : trouvé seul)."
)
@click.option(
    "--board", "board", metavar="CARTE", help="La carte, si boot_out.txt ne la nomme pas."
)
@click.option("--dry-run", is_flag=True, help="Montre ce qui serait copié, sans rien écrire.")
@click.option(
    "--oui",
    is_flag=True,
    help="Remplace code.py sans demander, même si le programme s'arrêtera sur cette carte.",
)
def deploy_cmd(script: str, drive: str | None, board: str | None, dry_run: bool, oui: bool) -> None:
    """Copie PROGRAMME sur la carte (code.py) avec les bibliothèques qu'il importe.

    PROGRAMME est un fichier .py ou le nom d'un programme de séance du kit (par exemple
    « clignoter », voir « kit mcu scripts »). Les bibliothèques viennent du kit (aucun
    téléchargement) ; les fichiers déjà présents sur la carte sont laissés tels quels.
    Si le programme s'arrêtera sur cette carte (une broche qu'elle n'a pas) et remplacerait
    le code.py présent, le kit demande confirmation (sans terminal : refus, sauf --oui).
    """
    from firmware.deploy import DeployResult, apply_plan, plan_deploy
    from firmware.lesson_scripts import resolve_script

    path, lesson = resolve_script(script)
    plan = plan_deploy(path, drive=drive, board_name=board)
    asked = not dry_run and bool(plan.failures) and plan.replaces_code
    if asked:
        for failure in plan.failures:
            err_console.print(f"[yellow]Attention :[/yellow] {escape(failure)}")
        confirm_destruction(
            f"Remplacer le code.py de la carte {plan.board.name} par « {path.name} », qui "
            "s'arrêtera sur cette carte ?",
            assume_yes=oui,
            nothing_done="le code.py de la carte n'a pas été touché",
        )
    result = apply_plan(plan) if not dry_run else DeployResult(plan, (), ())
    version = plan.circuitpython_version or "version inconnue"
    console.print(
        f"Carte : [bold]{escape(plan.board.name)}[/bold], CircuitPython {escape(version)} "
        f"— lecteur {escape(str(plan.drive))}"
    )
    if lesson is not None and not lesson.runs_on(plan.board.id):
        err_console.print(
            f"[yellow]Attention :[/yellow] le programme « {lesson.name} » est prévu pour "
            f"{', '.join(lesson.boards)}, pas pour {plan.board.id}."
        )
    for warning in plan.warnings:
        if asked and warning in plan.failures:
            continue  # shown before the question
        err_console.print(f"[yellow]Attention :[/yellow] {escape(warning)}")
    libs = ", ".join(plan.closure.libraries) or "aucune"
    console.print(f"Bibliothèques nécessaires : {escape(libs)}")
    verb = {"ajouté": "à ajouter", "remplacé": "à remplacer", "inchangé": "inchangé"}
    for action in plan.files:
        label = verb[action.action] if dry_run else action.action
        colour = {"ajouté": "green", "remplacé": "cyan", "inchangé": "dim"}[action.action]
        console.print(
            f"  [{colour}]{label:>11}[/{colour}]  {escape(action.board_path)}"
            f"  [dim]({escape(action.origin)})[/dim]"
        )
    for rel in plan.removals:
        label = "à supprimer" if dry_run else "supprimé"
        console.print(f"  [red]{label:>11}[/red]  {escape(rel)}  [dim](copie .mpy périmée)[/dim]")
    if plan.left_alone:
        shown = ", ".join(plan.left_alone[:_MAX_LISTED])
        more = len(plan.left_alone) - _MAX_LISTED
        suffix = f" et {more} autre(s)" if more > 0 else ""
        console.print(f"Laissés tels quels : {escape(shown)}{suffix}")
    if dry_run:
        console.print("[bold]Simulation (--dry-run) : rien n'a été écrit.[/bold]")
    elif result.written or result.removed:
        console.print(
            f"[green]Terminé :[/green] {len(result.written)} fichier(s) écrit(s). "
            "La carte relance code.py d'elle-même."
        )
    else:
        console.print("[green]Rien à faire :[/green] la carte a déjà ce programme.")


@click.command("scripts")
def scripts_cmd() -> None:
    """Liste les programmes de séance fournis avec le kit et leurs cartes."""
    from firmware.lesson_scripts import lesson_scripts

    for script in lesson_scripts().values():
        console.print(f"[bold]{script.name}[/bold] — {escape(script.title)}")
        console.print(f"    cartes : {', '.join(script.boards)}", highlight=False)


def register(group: click.Group) -> None:
    """Attach this module's commands to ``kit mcu``."""
    group.add_command(deploy_cmd)
    group.add_command(scripts_cmd)
