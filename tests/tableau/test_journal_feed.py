# SPDX-License-Identifier: GPL-3.0-or-later
"""Results of the open atelier, run from terminals, appear live on the tableau's atelier view.

The commands (``kit atelier ouvrir``, ``kit robot run --defi``, ``kit mcu deploy``) attach their
results to the atelier journal; the tableau reads them from there (:class:`JournalSource`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kit.commands.tableau import serve_in_thread
from kit.commands.tableau_app import Tableau
from kit.commands.tableau_journal import JournalSource, result_of
from tests.firmware_deploy.test_deploy import make_drive
from tests.tableau.conftest import output_dir


def test_journal_results_appear_live(page: Any, kit_inproc: Any, tmp_path: Path) -> None:
    source = JournalSource()
    assert source.new_results() == []  # no journal yet: nothing opened, nothing created
    tableau = Tableau(output=tmp_path, pictures=tmp_path, farm=None, sources=[source])
    with serve_in_thread(tableau) as running:
        page.goto(running.url + "/atelier")
        page.wait_for_selector("#connexion:text('En direct')")
        assert "Aucune imprimante dans la configuration" in page.inner_text("#imprimantes-probleme")
        opened = kit_inproc("atelier", "ouvrir", "robot-obstacles-college", "--participants", "8")
        assert opened.returncode == 0, opened.stderr
        defi = kit_inproc(
            "robot", "run", "exemple:arret_mur", "--port", "sim://mbot", "--defi", "arret-mur"
        )
        assert defi.returncode == 0, defi.stderr
        page.wait_for_selector("article.defi:has-text('Défi réussi')")
        assert "kit robot run" in page.inner_text("article.defi")

        deployed = kit_inproc("mcu", "deploy", "clignoter", "--drive", str(make_drive(tmp_path)))
        assert deployed.returncode == 0, deployed.stderr
        page.wait_for_selector("#cartes-liste li:has-text('programme déployé')")
        text = page.inner_text("#cartes-liste")
        assert "« clignoter »" in text and "Circuit Playground" in text, text
        page.screenshot(path=str(output_dir() / "atelier-journal.png"), full_page=True)
    assert source.new_results() == []  # each result is given once


def test_events_that_are_not_defis_or_boards_are_left_out() -> None:
    assert result_of("print", {"completed": True}, "10:00:00") is None
    assert result_of("robot_run", {"challenge": None, "passed": None}, "10:00:00") is None
    unknown = result_of("mcu_flash", {"board": "carte-disparue", "format": "uf2"}, "10:00:00")
    assert unknown is not None and unknown.title == "carte-disparue"
    assert "uf2" in unknown.detail
