# SPDX-License-Identifier: GPL-3.0-or-later
"""The open atelier's results in the journal, as a source of ``kit tableau``'s atelier view.

Commands run in other terminals (``kit robot run --defi``, ``kit mcu flash``, ``kit mcu
deploy``) attach their results to the open atelier (:mod:`kit.commands.record`); this source
gives the ones it has not given yet each time the page's server asks. It only reads: with no
journal file it opens nothing and creates nothing. The défis the page runs itself are not
written to the journal (they are the animateur's demonstrations, like a lesson's steps).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kit.commands.tableau_atelier import AtelierResult
from kit.errors import KitError


class JournalSource:
    """Results attached to the open atelier session, each given once."""

    def __init__(self) -> None:
        self._seen: set[int] = set()

    def new_results(self) -> Sequence[AtelierResult]:
        from journal.store import existing_journal

        journal = existing_journal()
        if journal is None:
            return []
        with journal:
            session = journal.current_session()
        if session is None:
            return []
        found = []
        for event in session.events:
            if event.id in self._seen:
                continue
            self._seen.add(event.id)
            result = result_of(event.kind, event.data, event.at.strftime("%H:%M:%S"))
            if result is not None:
                found.append(result)
        return found


def result_of(kind: str, data: Mapping[str, Any], at: str) -> AtelierResult | None:
    """What the page shows for one journal event (``None``: not a défi nor a board)."""
    if kind == "robot_run" and data.get("challenge"):
        from robots.challenges import available_challenges, load_challenge

        name = str(data["challenge"])
        title = load_challenge(name).title if name in available_challenges() else name
        passed = data.get("passed")
        return AtelierResult(
            "defi",
            title,
            passed if isinstance(passed, bool) else None,
            "Lancé depuis un terminal (kit robot run) ; noté dans le journal de l'atelier.",
            at,
        )
    if kind in ("mcu_flash", "mcu_deploy"):
        from firmware.boards import get_board

        board = str(data.get("board") or "carte")
        try:
            label = get_board(board).name
        except KitError:  # a board the kit no longer knows: its identifier
            label = board
        if kind == "mcu_flash":
            detail = f"micrologiciel flashé ({data.get('format') or '?'})"
        else:
            script = data.get("script")
            detail = "programme déployé" + (f" « {script} »" if script else "")
            files = data.get("files")
            if isinstance(files, int) and not isinstance(files, bool):
                plural = "s" if files > 1 else ""
                detail += f", {files} fichier{plural} copié{plural}"
        return AtelierResult("carte", label, True, detail, at)
    return None
