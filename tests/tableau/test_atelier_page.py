# SPDX-License-Identifier: GPL-3.0-or-later
"""The atelier view in a real browser: two simulated printers printing, a défi run live.

The printers are the kit's simulated Marlin served on ptys (``kit sim serve marlin --pty``,
sped up), polled by the farm; the prints are started from the page. One of them is unplugged
midway: its card must say so in French while the other keeps updating. A second browser opened
meanwhile shows the same défi as the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kit.commands.tableau import serve_in_thread
from kit.commands.tableau_app import Tableau
from kit.commands.tableau_atelier import atelier_farm
from printers.atelier_config import BackendKind, PrinterEntry
from tests.octoprint.sim_printer import ServedPrinter, serve_marlin
from tests.printers_host.helpers import write_gcode
from tests.tableau.conftest import output_dir


def slow_print(path: Path) -> Path:
    """Several layers of slow moves: about 6 virtual minutes, 20 s behind a 20× simulator."""
    body = []
    for layer in range(1, 7):
        body += [f";LAYER:{layer}", f"G1 Z{0.2 * layer + 0.2:.1f} F600"]
        e = 0.0
        for i in range(30):
            e += 0.5
            x = 50 + (i % 2) * 20
            body.append(f"G1 X{x} Y{50 + i} E{e:.2f} F600")
        body.append("G92 E0")
    return write_gcode(path, body, heat=False)


@pytest.fixture
def printers() -> Iterator[list[ServedPrinter]]:
    served = [serve_marlin(), serve_marlin()]
    try:
        yield served
    finally:
        for printer in served:
            printer.unplug()


def _progress(page: Any, name: str) -> float:
    value = page.get_attribute(f'article[data-nom="{name}"] progress', "value")
    return float(value or 0)


def test_atelier_live(
    browser: Any, page: Any, printers: list[ServedPrinter], tmp_path: Path
) -> None:
    gcode = slow_print(tmp_path / "porte-cles.gcode")
    entries = [PrinterEntry(name, BackendKind.SERIAL, p.port)
               for name, p in zip(("ender", "prusa"), printers, strict=True)]  # fmt: skip
    farm, backends = atelier_farm(entries, timeout_s=3)
    tableau = Tableau(output=tmp_path, pictures=tmp_path, farm=farm, interval_s=0.5,
                      backends=backends, print_files=[gcode])  # fmt: skip
    with serve_in_thread(tableau) as running:
        requested: list[str] = []
        page.on("request", lambda req: requested.append(req.url))
        page.goto(running.url + "/atelier")
        for entry in entries:  # each print is started from the page, as the animateur would
            page.wait_for_selector(f'article[data-nom="{entry.name}"].prete')
            page.select_option("#imprimante", entry.name)
            page.select_option("#fichier", gcode.name)
            page.focus("#imprimer")
            page.keyboard.press("Enter")
            page.wait_for_selector(f'article[data-nom="{entry.name}"].imprime')
        for name in backends:
            card = f'article[data-nom="{name}"]'
            page.wait_for_selector(f"{card}.imprime")
            page.wait_for_function(
                f"document.querySelector('{card} progress')?.value > 0", timeout=20_000
            )
            text = page.inner_text(card)
            assert "porte-cles.gcode" in text and "Temps restant" in text, text
            assert re.search(r"buse \d+", text), text
        first = _progress(page, "ender")
        page.wait_for_function(
            f"document.querySelector('article[data-nom=\"ender\"] progress').value > {first}",
            timeout=20_000,
        )
        # The layer picture is the file's current layer, drawn by the kit (printers.pictures).
        page.wait_for_function(
            "document.querySelector('article[data-nom=\"ender\"] img').naturalWidth > 0"
        )
        src = page.get_attribute('article[data-nom="ender"] img', "src")
        picture = page.request.get(running.url + src).text()
        assert "Vue de dessus (couche" in picture and "porte-cles.gcode" in picture
        page.screenshot(path=str(output_dir() / "atelier-impressions.png"), full_page=True)

        printers[1].unplug()  # the prusa's USB cable is pulled
        page.wait_for_selector('article[data-nom="prusa"].erreur .message', timeout=20_000)
        assert page.inner_text('article[data-nom="prusa"] .message').strip()
        still = _progress(page, "ender")
        page.wait_for_function(
            f"document.querySelector('article[data-nom=\"ender\"] progress').value > {still}",
            timeout=20_000,
        )

        # A défi run from the page appears live, with its verdict and the robot's path.
        page.select_option("#defi", "arret-mur")
        page.click("#lancer-defi")
        page.wait_for_selector("article.defi img", timeout=30_000)
        card = page.inner_text("article.defi")
        assert "Défi réussi" in card or "Défi manqué" in card, card
        assert page.evaluate("document.querySelector('article.defi img').naturalWidth") > 0

        other = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
        other.goto(running.url + "/atelier")
        other.wait_for_selector("article.defi")
        assert other.inner_text("article.defi h3") == page.inner_text("article.defi h3")
        other.context.close()
        page.screenshot(path=str(output_dir() / "atelier-defi.png"), full_page=True)
        assert all(url.startswith(running.url) for url in requested), requested
