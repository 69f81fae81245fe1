# SPDX-License-Identifier: GPL-3.0-or-later
"""The rehearsal in a real browser, end to end, with a hand-driven clock.

The server's timer reads an injected clock: the test moves it forward, and the page must turn
orange at 80 % of the phase's planned time and red past it, at those moments and not before.
The oral is driven from the keyboard where the page offers keys (space for the next phase,
O/N, 0–3), and ends with the same report files as ``kit rehearse``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from kit.commands.tableau import serve_in_thread
from kit.commands.tableau_app import Tableau
from lessons import catalog
from lessons import rehearsal as rh
from lessons.oral import Kind, Part
from tests.tableau.conftest import output_dir

SEED = 4217


class HandClock:
    """A clock that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _wait_for(condition: Any, what: str, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_rehearsal_end_to_end(page: Any, tmp_path: Path) -> None:
    clock = HandClock()
    reports = tmp_path / "rapports"
    reports.mkdir()
    tableau = Tableau(output=reports, pictures=tmp_path, farm=None, clock=clock)
    with serve_in_thread(tableau) as running:
        requested: list[str] = []
        page.on("request", lambda req: requested.append(req.url))
        page.goto(running.url + "/repetition")
        assert page.get_attribute("html", "lang") == "fr"
        page.wait_for_selector("#connexion:text('En direct')")
        page.screenshot(path=str(output_dir() / "repetition-choix.png"))
        # Keyboard only: the draw's number, then Enter submits the form.
        page.focus("#tirage")
        page.keyboard.type(str(SEED))
        page.keyboard.press("Enter")
        page.wait_for_selector("#oral:not([hidden])")

        expected = rh.draw(catalog.load_all(), seed=SEED)  # the draw of kit rehearse --tirage
        oral = tableau.rehearsal.oral
        assert oral is not None and oral.draw == expected
        assert expected.lesson.title in page.inner_text("#tirage-court")
        page.click("#tirage-court")  # the draw's details and durations, folded by default
        assert expected.public.text in page.inner_text("#tirage-resume")
        page.click("#tirage-court")

        colours_checked = False
        while (prompt := oral.current) is not None:
            index = oral.position
            page.wait_for_selector(f'#actions[data-index="{index}"]')
            if prompt.kind is Kind.CHECK:
                page.keyboard.press("o")
            elif prompt.kind is Kind.DEMO:
                page.click("#passer-demo")
            elif prompt.kind is Kind.TIMED:
                if prompt.part is Part.ATELIER and not colours_checked:
                    colours_checked = True
                    _check_timer_colours(page, clock, prompt.planned_s)
                else:
                    clock.now += 30
                page.keyboard.press("Space" if index % 2 else "ArrowRight")
            elif prompt.kind is Kind.SCORE:
                page.keyboard.press("2")
            else:
                page.fill("#texte", "Un groupe plus jeune : j'ai raccourci l'apport.")
                page.click("#valider")
            _wait_for(lambda index=index: oral.position > index or oral.done, f"prompt {index}")

        assert colours_checked
        page.wait_for_selector("#fin:not([hidden])")
        assert rh.GRID_NOTICE in page.inner_text("#fin-avertissement")
        assert "2 — satisfaisant" in page.inner_text("#grille")
        stem = rh.report_stem(oral)
        for suffix in (".md", ".html"):
            assert (reports / f"{stem}{suffix}").is_file()
        assert (reports / f"{stem}.md").read_text(encoding="utf-8") == rh.report_markdown(oral)
        assert oral.timings[0].actual_s > (prompt_planned := oral.timings[0].prompt.planned_s or 0)
        assert prompt_planned > 0
        page.screenshot(path=str(output_dir() / "repetition-fin.png"), full_page=True)
        # Nothing from outside (fonts, scripts, CDNs): the atelier may be offline.
        assert requested and all(url.startswith(running.url) for url in requested), requested


def _check_timer_colours(page: Any, clock: HandClock, planned_s: float | None) -> None:
    assert planned_s is not None and planned_s > 0
    timer = page.locator("#minuteur")
    clock.now += 0.5 * planned_s
    minutes, seconds = divmod(int(0.5 * planned_s), 60)
    page.wait_for_selector(f"#minuteur-temps:text('{minutes:02d}:{seconds:02d}')")
    assert timer.get_attribute("data-niveau") == "ok"
    # The timer is readable across the room: at least 15 % of the window's height.
    box = page.locator("#minuteur-temps").bounding_box()
    assert box is not None and box["height"] >= 0.15 * page.viewport_size["height"]

    clock.now += 0.29 * planned_s  # 79 %: still green
    minutes, seconds = divmod(int(0.79 * planned_s), 60)
    page.wait_for_selector(f"#minuteur-temps:text('{minutes:02d}:{seconds:02d}')")
    assert timer.get_attribute("data-niveau") == "ok"
    clock.now += 0.02 * planned_s  # 81 %: orange
    page.wait_for_selector("#minuteur[data-niveau='orange']")
    assert "il reste" in page.inner_text("#minuteur-message")
    page.screenshot(path=str(output_dir() / "repetition-minuteur.png"))
    clock.now += 0.18 * planned_s  # 99 %: still orange
    minutes, seconds = divmod(int(0.99 * planned_s), 60)
    page.wait_for_selector(f"#minuteur-temps:text('{minutes:02d}:{seconds:02d}')")
    assert timer.get_attribute("data-niveau") == "orange"
    clock.now += 0.03 * planned_s  # past the budget: red
    page.wait_for_selector("#minuteur[data-niveau='rouge']")
    assert "dépassement" in page.inner_text("#minuteur-message")
