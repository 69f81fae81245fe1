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
            console.print("ok", highlight=False)
    finally:
        host.close()
