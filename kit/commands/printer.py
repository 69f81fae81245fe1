# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit printer``: the group; its commands live in ``printer_*.py`` modules beside this one.

Each command is imported when it is used: ``kit printer check`` loads the analysis, the checks
and the renderer, not the serial host, the OctoPrint client (requests, urllib3) or the farm.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from kit.cli import LazyGroup


def _print_command() -> click.Command:
    from kit.commands.printer_octoprint import add_octoprint_path
    from kit.commands.printer_print import print_cmd

    return add_octoprint_path(print_cmd)


def _status_command() -> click.Command:
    from kit.commands.printer_octoprint import add_octoprint_path
    from kit.commands.printer_tools import status_cmd

    return add_octoprint_path(status_cmd)


PRINTER_COMMANDS: dict[str, str | Callable[[], click.Command]] = {
    "check": "kit.commands.printer_check:check",
    "console": "kit.commands.printer_console:console_cmd",
    "farm": "kit.commands.printer_farm:farm",
    "home": "kit.commands.printer_tools:home_cmd",
    "print": _print_command,
    "profiles": "kit.commands.printer_check:profiles",
    "status": _status_command,
    "temp": "kit.commands.printer_tools:temp_cmd",
}

#: Each command's help text (its docstring's first paragraph; a test keeps them equal).
PRINTER_HELP = {
    "check": "Vérifie un fichier G-code avant de l'imprimer : durée, filament, volume, "
    "températures.",
    "console": "Terminal interactif : tapez des commandes G-code (M105, G28…), « sortir » pour "
    "quitter.",
    "farm": "Toutes les imprimantes de l'atelier dans un tableau qui se met à jour.",
    "home": "Ramène les axes à l'origine (G28).",
    "print": "Imprime FICHIER (G-code) sur l'imprimante branchée en USB.",
    "profiles": "Liste les profils d'imprimantes connus (à utiliser avec --profile).",
    "status": "Firmware, capacités, températures et position de l'imprimante.",
    "temp": "Affiche les températures, ou règle les consignes (--buse, --plateau).",
}


@click.group(cls=LazyGroup, lazy_commands=PRINTER_COMMANDS, lazy_help=PRINTER_HELP)
def printer() -> None:
    """Imprimantes 3D : vérifier un fichier, imprimer, suivre l'atelier."""
