# SPDX-License-Identifier: GPL-3.0-or-later
"""Attaching a command's result to the open atelier: the one call a kit command makes.

While an atelier is open (``kit atelier ouvrir``), a command that did something worth
reporting calls, once, after its work::

    from kit.commands.record import record_event

    record_event("print", {"completed": True, "seconds": 1520.0, "filament_g": 7.9})

``kind`` and the figures each kind carries are listed in :mod:`journal.model` and
docs/journal.md (``badge``: ``{"badge": "defi-labyrinthe", "count": 1}``). Figures and the
kit's own names only: never a person's name nor the name of a user's file.

The call never fails the command (the print is done whatever happens to the journal): with
no atelier open it does nothing and prints nothing; a journal that cannot be written is said
in one yellow line on stderr, in French. ``KIT_JOURNAL=off`` turns it off (a rehearsal).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from rich.markup import escape

from kit.console import err_console
from kit.errors import KitError

T = TypeVar("T")


def record_event(kind: str, data: Mapping[str, Any]) -> None:
    """Attach ``data`` (figures) as a ``kind`` result to the open atelier, if there is one."""
    from journal.location import environment_disables_journal, journal_path

    if environment_disables_journal():
        return
    path = journal_path()
    if not path.exists():
        return  # no journal yet, so no atelier open: nothing to open or create
    from journal.store import AttachStatus, open_journal

    try:
        with open_journal(path) as journal:
            result = journal.attach_event(kind, data)
    except KitError as exc:
        err_console.print(
            "[yellow]Attention :[/yellow] ce résultat n'a pas été noté dans le journal de "
            f"l'atelier. {escape(exc.message)}",
            highlight=False,
        )
        return
    if result.status is AttachStatus.ATTACHED:
        err_console.print(
            f"[dim]Noté dans le journal de l'atelier « {escape(result.session_title)} ».[/dim]",
            highlight=False,
        )
    elif result.status is AttachStatus.STALE and result.started_at is not None:
        err_console.print(
            f"[yellow]Attention :[/yellow] l'atelier « {escape(result.session_title)} » est "
            f"ouvert depuis le {result.started_at:%d/%m/%Y à %H:%M} : ce résultat n'y est pas "
            "noté. Fermez-le avec « kit atelier fermer ».",
            highlight=False,
        )


def recorded(action: Callable[[], T], kind: str, data: Mapping[str, Any]) -> Callable[[], T]:
    """``action`` that, each time it succeeds, records ``kind`` (one board of a series…)."""

    def run() -> T:
        value = action()
        record_event(kind, data)
        return value

    return run
