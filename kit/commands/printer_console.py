# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit printer console``: type G-code, read the printer's answers (numbers and checksums
are added for you)."""

from __future__ import annotations

import sys

import click

from kit.commands.printer_serial import connect_host, port_options
from kit.console import console, err_console
from kit.errors import KitError
from printers.marlin.framing import strip_comment

_QUIT = {"exit", "quit", "sortir", "quitter", "q"}

#: The firmware's English, explained under the line for a learner (lower-case fragments).
_GLOSSES = (
    (
        "cold extrusion prevented",
        "la buse est trop froide (sous 170 °C par défaut) : le fil n'a pas été poussé. Chauffez "
        "d'abord (M109 S200), ou M302 P1 pour un essai sans filament.",
    ),
    ("unknown command", "ce firmware ne connaît pas cette commande."),
    ("cold extrudes are enabled", "l'extrusion à froid est autorisée."),
    ("cold extrudes are disabled", "l'extrusion à froid est interdite (protection active)."),
)


def gloss(reply: str) -> str | None:
    """A French explanation of a printer message a learner may not understand."""
    lowered = reply.lower()
    for fragment, text in _GLOSSES:
        if fragment in lowered:
            return text
    return None


@click.command("console")
@port_options
def console_cmd(port: str, baud: int | None) -> None:
    """Terminal interactif : tapez des commandes G-code (M105, G28…), « sortir » pour quitter.

    Les numéros de ligne et les sommes de contrôle sont ajoutés automatiquement.
    """
    host = connect_host(port, baud)
    interactive = sys.stdin.isatty()
    try:
        err_console.print(
            f"Connecté à {host.identity.name}. Tapez une commande G-code, « sortir » pour "
            "quitter.",
            highlight=False,
        )
        while True:
            try:
                line = input("> " if interactive else "")
            except (EOFError, KeyboardInterrupt):
                break
            command = strip_comment(line)
            if not command:
                continue
            if command.lower() in _QUIT:
                break
            if command.upper().startswith("M112"):
                host.emergency_stop()
                err_console.print("[bold red]Arrêt d'urgence envoyé (M112).[/bold red]")
                continue
            try:
                replies = host.command(command)
            except KitError as exc:
                if exc.exit_code == 1:
                    raise
                err_console.print(f"[red]{exc.message}[/red]", highlight=False)
                continue
            for reply in replies:
                console.print(reply, highlight=False, markup=False)
                explanation = gloss(reply)
                if explanation:
                    console.print(f"  [dim]↳ {explanation}[/dim]", highlight=False)
            console.print("ok", highlight=False)
    finally:
        host.close()
