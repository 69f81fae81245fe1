# SPDX-License-Identifier: GPL-3.0-or-later
"""French rendering of click's usage errors (unknown option, missing argument, bad value)."""

from __future__ import annotations

import re

import click

from kit.console import err_console, print_error

_TRANSLATIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"No such option:? '?([^'\s]+)'?"), "Option inconnue : {0}."),
    (re.compile(r"No such command '([^']+)'\."), "Commande inconnue : « {0} »."),
    (re.compile(r"Missing argument '([^']+)'\."), "Argument manquant : {0}."),
    (re.compile(r"Missing option '([^']+)'\."), "Option obligatoire manquante : {0}."),
    (re.compile(r"Option '([^']+)' requires an argument\."), "L'option {0} attend une valeur."),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), "Argument(s) en trop : {0}."),
    (
        re.compile(r"Invalid value for '([^']+)': (?:Path )?'([^']*)' does not exist\."),
        "Valeur invalide pour {0} : « {1} » n'existe pas.",
    ),
    (
        re.compile(r"Invalid value for '([^']+)': '([^']*)' is not one of (.+)\."),
        "Valeur invalide pour {0} : « {1} » ne fait pas partie de {2}.",
    ),
    (
        re.compile(r"Invalid value for '([^']+)': '([^']*)' is not a valid (integer|float)"),
        "Valeur invalide pour {0} : « {1} » n'est pas un nombre.",
    ),
    (
        re.compile(r"Invalid value for '([^']+)': (.+)"),
        "Valeur invalide pour {0} : {1}",
    ),
]


def translate(message: str) -> str:
    for pattern, template in _TRANSLATIONS:
        match = pattern.search(message)
        if match:
            return template.format(*match.groups())
    return message


def render_usage_error(exc: click.ClickException) -> None:
    message = translate(exc.format_message())
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        err_console.print(ctx.get_usage(), highlight=False, markup=False)
    print_error(message)
    if ctx is not None:
        err_console.print(f"Aide : « {ctx.command_path} --help ».", highlight=False)


#: click's own fixed strings (help headings, built-in options), in French.
_CLICK_STRINGS = {
    "Usage:": "Utilisation :",
    "Options": "Options",
    "Commands": "Commandes",
    "Arguments": "Arguments",
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "Show the version and exit.": "Affiche la version et quitte.",
    "Error": "Erreur",
    "Try '{command} {option}' for help.": "Aide : « {command} {option} ».",
    "required": "obligatoire",
    "default": "par défaut",
}


def _french(message: str) -> str:
    return _CLICK_STRINGS.get(message, message)


def install_french_help() -> None:
    """Make click's help screens French.

    click looks its fixed strings up through ``gettext`` bound at import time in each of its
    modules; pointing those names at our small table is the documented way to localise click
    without shipping a compiled catalogue.
    """
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting

    for module in (click.core, click.decorators, click.exceptions, click.formatting):
        if hasattr(module, "_"):
            module._ = _french  # type: ignore[attr-defined]
