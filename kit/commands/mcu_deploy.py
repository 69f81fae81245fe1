# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit mcu deploy``: the lesson's code.py and exactly its libraries onto CIRCUITPY."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from kit.commands.record import record_event
from kit.console import confirm_destruction, console, err_console
from kit.errors import KitError

_MAX_LISTED = 12
_LIBRARY_COLOURS = {
    "ajoutée": "green", "mise à jour": "cyan", "gardée": "dim", "intégrée": "magenta",
    "simulée": "yellow",
}
_LIBRARY_FUTURE = {"ajoutée": "à ajouter", "mise à jour": "à mettre à jour"}


def _simulated_drive(port: str, board: str | None) -> tuple[str, str]:
    """The folder of the simulated board named by ``port`` (created like a fresh board)."""
    import urllib.parse

    from firmware.boards import get_board
    from kit import paths
    from sim.circuitpython.folder import DEFAULT_VERSION, prepare_folder

    parts = urllib.parse.urlsplit(port)
    if parts.scheme != "sim" or parts.netloc != "circuitpython":
        raise KitError(
            f"« {port} » n'est pas une carte CircuitPython simulée.",
            hint="Pour une vraie carte, indiquez son lecteur CIRCUITPY avec --drive ; pour la "
            "carte simulée : --port \"sim://circuitpython?board=pico\".",
        )
    options = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(set(options) - {"board", "dossier", "version", "entrees", "limite"})
    if unknown:
        raise KitError(f"Option inconnue dans « {port} » : {', '.join(unknown)}.")
    chosen = get_board(board or options.get("board") or "circuitplayground_express")
    folder_text = options.get("dossier")
    folder = (
        Path(folder_text).expanduser()
        if folder_text
        else paths.state_dir() / "carte-simulee" / chosen.id
    )
    if not folder.parent.is_dir() and folder_text:
        raise KitError(f"Le dossier « {folder.parent} » n'existe pas.")
    prepare_folder(folder, chosen, options.get("version") or DEFAULT_VERSION)
    console.print(
        f"Carte simulée : lecteur {escape(str(folder))} (à ouvrir avec "
        f"sim://circuitpython?board={chosen.id}&dossier={escape(str(folder))})",
        highlight=False,
    )
    return str(folder), chosen.id


def _print_libraries(libraries: tuple[Any, ...], dry_run: bool) -> None:
    if not libraries:
        console.print("Bibliothèques nécessaires : aucune")
        return
    console.print("Bibliothèques :")
    for lib in libraries:
        colour = _LIBRARY_COLOURS.get(lib.status, "white")
        label = _LIBRARY_FUTURE.get(lib.status, lib.status) if dry_run else lib.status
        version = f" {lib.version}" if lib.version else ""
        board = (
            f", {lib.on_board} sur la carte"
            if lib.on_board and lib.on_board != lib.version
            else ""
        )
        console.print(
            f"  [{colour}]{label:>15}[/{colour}]  {escape(lib.name)}{escape(version)}"
            f"  [dim]({escape(lib.origin)}{escape(board)})[/dim]",
            highlight=False,
        )


@click.command("deploy")
@click.argument("script", metavar="PROGRAMME")
@click.option(
    "--drive", "drive", metavar="DOSSIER", help="Le lecteur CIRCUITPY (sinon : trouvé seul)."
)
@click.option(
    "--board", "board", metavar="CARTE", help="La carte, si boot_out.txt ne la nomme pas."
)
@click.option(
    "--port",
    "port",
    metavar="URL",
    help="La carte simulée : sim://circuitpython?board=CARTE (&dossier=DOSSIER).",
)
@click.option("--dry-run", is_flag=True, help="Montre ce qui serait copié, sans rien écrire.")
@click.option(
    "--mettre-a-jour",
    "update",
    is_flag=True,
    help="Remplace les bibliothèques de la carte dont la version diffère de celle du cache.",
)
@click.option(
    "--oui",
    is_flag=True,
    help="Remplace code.py sans demander, même si le programme s'arrêtera sur cette carte.",
)
def deploy_cmd(
    script: str,
    drive: str | None,
    board: str | None,
    port: str | None,
    dry_run: bool,
    update: bool,
    oui: bool,
) -> None:
    """Copie PROGRAMME sur la carte (code.py) avec les bibliothèques qu'il importe.

    PROGRAMME est un fichier .py ou le nom d'un programme de séance du kit (par exemple
    « clignoter », voir « kit mcu scripts »). Les bibliothèques (.mpy) viennent des bundles
    en cache (« kit mcu bundle list ») ; à défaut, de PyPI. Celles déjà sur la carte à la
    même version sont gardées, celles du micrologiciel ne sont jamais copiées.
    Si le programme s'arrêtera sur cette carte (une broche qu'elle n'a pas) et remplacerait
    le code.py présent, le kit demande confirmation (sans terminal : refus, sauf --oui).
    """
    from firmware.deploy import DeployResult, apply_plan, plan_deploy
    from firmware.lesson_scripts import resolve_script

    path, lesson = resolve_script(script)
    if port is not None:
        if drive is not None:
            raise KitError("Indiquez soit --drive (une vraie carte), soit --port (simulée).")
        drive, board = _simulated_drive(port, board)
    plan = plan_deploy(path, drive=drive, board_name=board, update=update)
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
    _print_libraries(plan.libraries, dry_run)
    verb = {"ajouté": "à ajouter", "remplacé": "à remplacer", "inchangé": "inchangé"}
    own = {"votre programme", "votre module"}
    library_files = [a for a in plan.files if a.origin not in own]
    listed_files = plan.files
    if len(library_files) > _MAX_LISTED:
        # A big library (a package of dozens of .mpy) would hide the rest: one line for it.
        listed_files = tuple(a for a in plan.files if a.origin in own)
        console.print(
            f"  {len(library_files)} fichiers de bibliothèques (.mpy) "
            f"{'à écrire' if dry_run else 'écrits ou vérifiés'} dans lib/",
            highlight=False,
        )
    for action in listed_files:
        label = verb[action.action] if dry_run else action.action
        colour = {"ajouté": "green", "remplacé": "cyan", "inchangé": "dim"}[action.action]
        console.print(
            f"  [{colour}]{label:>11}[/{colour}]  {escape(action.board_path)}"
            f"  [dim]({escape(action.origin)})[/dim]"
        )
    for rel in plan.removals:
        label = "à supprimer" if dry_run else "supprimé"
        console.print(f"  [red]{label:>11}[/red]  {escape(rel)}  [dim](ancienne copie)[/dim]")
    if plan.left_alone:
        shown = ", ".join(plan.left_alone[:_MAX_LISTED])
        more = len(plan.left_alone) - _MAX_LISTED
        suffix = f" et {more} autre(s)" if more > 0 else ""
        console.print(f"Laissés tels quels : {escape(shown)}{suffix}")
    if not dry_run:
        record_event(
            "mcu_deploy",
            {
                "board": plan.board.id,
                "script": lesson.name if lesson else None,
                "files": len(result.written),
            },
        )
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
