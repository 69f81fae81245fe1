# SPDX-License-Identifier: GPL-3.0-or-later
"""The rich consoles the CLI writes to (stdout for results, stderr for errors and progress).

Emoji codes are off: user data such as ``root:x:0`` or a G-code comment must never turn
into pictures. Text that comes from users or devices goes through :func:`print_error`
(or ``rich.markup.escape``) so that square brackets are shown, not read as markup.
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape

console = Console(highlight=False, emoji=False)
err_console = Console(stderr=True, highlight=False, emoji=False)


def print_error(message: str, hint: str | None = None) -> None:
    """Show a French error (and what to do about it) on stderr, the kit's one way."""
    err_console.print(f"[bold red]Erreur :[/bold red] {escape(message)}")
    if hint:
        err_console.print(escape(hint))


#: Answers a French user types (the English ones too: « y » is a habit).
YES_WORDS = {"o", "oui", "y", "yes"}
NO_WORDS = {"n", "non", "no"}


def ask_yes_no(question: str, *, default: bool | None = None) -> bool:
    """Ask ``question`` on the terminal until the answer is oui or non (o/n, y/n).

    Raises ``EOFError`` when the keyboard closes and ``KeyboardInterrupt`` on Ctrl-C.
    """
    choices = {True: "O/n", False: "o/N", None: "o/n"}[default]
    while True:
        err_console.print(escape(f"{question} [{choices}] "), end="", highlight=False)
        answer = input().strip().casefold()
        if not answer and default is not None:
            return default
        if answer in YES_WORDS:
            return True
        if answer in NO_WORDS:
            return False
        err_console.print("Répondez « o » (oui) ou « n » (non).")


def confirm_destruction(question: str, *, assume_yes: bool, nothing_done: str) -> None:
    """Ask before an action that destroys something on a device; ``--oui`` (``assume_yes``)
    skips the question. Without a terminal to ask on, refuse unless ``--oui`` was given.

    Raises :class:`kit.errors.KitError` (exit 1) when the action must not happen.
    """
    from kit.errors import EXIT_FAILURE, KitError

    if assume_yes:
        return
    if not sys.stdin.isatty():
        raise KitError(
            f"{question} — pas de terminal pour le confirmer : {nothing_done}.",
            hint="Ajoutez --oui pour confirmer d'avance (dans un script).",
            exit_code=EXIT_FAILURE,
        )
    try:
        confirmed = ask_yes_no(question, default=False)
    except EOFError:
        confirmed = False
    if not confirmed:
        raise KitError(f"Abandon : {nothing_done}.", exit_code=EXIT_FAILURE)
