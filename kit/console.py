# SPDX-License-Identifier: GPL-3.0-or-later
"""The rich consoles the CLI writes to (stdout for results, stderr for errors and progress).

Emoji codes are off: user data such as ``root:x:0`` or a G-code comment must never turn
into pictures. Text that comes from users or devices goes through :func:`print_error`
(or ``rich.markup.escape``) so that square brackets are shown, not read as markup.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

console = Console(highlight=False, emoji=False)
err_console = Console(stderr=True, highlight=False, emoji=False)


def print_error(message: str, hint: str | None = None) -> None:
    """Show a French error (and what to do about it) on stderr, the kit's one way."""
    err_console.print(f"[bold red]Erreur :[/bold red] {escape(message)}")
    if hint:
        err_console.print(escape(hint))
