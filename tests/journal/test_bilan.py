# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit bilan``: the report's figures, its French formats, and a page of its PDF as pixels."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from journal.periods import parse_period
from journal.report import build_report, integer_fr, render_html
from journal.store import Journal
from lessons.model import SUPPORTS
from tests.conftest import run_kit
from tests.lessons.conftest import Result
from tests.support.journal_data import fill_year

Kit = Callable[..., Result]


def test_the_report_sums_the_ateliers_of_the_period_only(journal: Journal) -> None:
    fill_year(journal, 2026, 40)
    fill_year(journal, 2025, 5, seed=1)
    sessions = journal.sessions(parse_period("2026"))
    report = build_report(
        sessions, parse_period("2026"), structure="Médiathèque", support_labels=SUPPORTS
    )
    assert report.ateliers == 40
    assert report.participants == sum(s.participants.total for s in sessions)
    assert sum(report.by_age.values()) == report.participants
    assert sum(report.by_genre.values()) == report.participants
    assert sum(people for _at, people in report.by_support.values()) == report.participants
    assert set(report.by_support) <= set(SUPPORTS.values())
    assert len(report.by_month) == 12
    assert sum(ateliers for ateliers, _p in report.by_month.values()) == 40
    expected_filament = sum(s.activity.filament_g for s in sessions)
    assert report.activity.filament_g == pytest.approx(expected_filament)
    assert report.activity.challenges_passed <= report.activity.challenges_tried > 0
    assert report.activity.badges > 0 and report.activity.deploys > 0


def test_the_html_is_french_with_its_charts_inline(journal: Journal) -> None:
    fill_year(journal, 2026, 60)
    report = build_report(
        journal.sessions(), parse_period("2026"), structure="Tiers-lieu <La Forge>",
        support_labels=SUPPORTS, today=dt.date(2027, 1, 15),
    )  # fmt: skip
    html = render_html(report)
    assert "<La Forge>" not in html and "Tiers-lieu &lt;La Forge&gt;" in html  # escaped
    assert "du 1er janvier 2026 au 31 décembre 2026" in html
    assert "établi le 15 janvier 2027" in html
    assert html.count("<svg") == 4  # ages, supports, months, thématiques
    assert "size: A4" in html
    assert "Créer avec le numérique" in html and "Moins de 12 ans" in html
    # French numbers: a decimal comma, grouped thousands, euros after the figure.
    assert re.search(r"\d+,\d{2}\u00a0€", html)
    assert integer_fr(1234567) == "1\u202f234\u202f567"
    assert "<script" not in html  # nothing runs: counts only


def test_an_empty_period_still_gives_a_report(journal: Journal) -> None:
    html = render_html(
        build_report([], parse_period("2026-T1"), structure="X", support_labels=SUPPORTS)
    )
    assert "<svg" not in html and "1er trimestre 2026" in html


@pytest.mark.slow
def test_a_pdf_page_of_the_bilan_renders_with_its_figures_and_charts(
    journal: Journal, tmp_path: Path
) -> None:
    import pypdfium2 as pdfium

    fill_year(journal, 2026, 30)
    journal.set_settings({"nom": "Médiathèque Jules-Verne"})
    journal.close()
    target = tmp_path / "bilan.pdf"
    result = run_kit("bilan", "--periode", "2026", "-o", str(target))
    assert result.returncode == 0, result.stderr
    pages = int(re.search(r"\((\d+) pages? A4", result.stdout).group(1))  # type: ignore[union-attr]
    pdf = pdfium.PdfDocument(str(target))
    try:
        assert len(pdf) == pages >= 2
        first = pdf[0]
        width, height = first.get_size()
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        text = first.get_textpage().get_text_range()
        assert "Médiathèque Jules-Verne" in text and "30" in text
        assert "Participants par tranche d'âge" in text
        assert f"page 1 / {pages}" in pdf[0].get_textpage().get_text_range()
        image = first.render(scale=1).to_pil().convert("RGB")
        # The charts' bars are drawn in the report's blue (#1b4965): many such pixels.
        data = image.tobytes()
        blue = sum(
            1
            for i in range(0, len(data), 3)
            if abs(data[i] - 0x1B) < 12
            and abs(data[i + 1] - 0x49) < 12
            and abs(data[i + 2] - 0x65) < 12
        )
        assert blue > 3000
        grey = image.convert("L")
        low, high = grey.getextrema()
        assert low < 60 and high > 240
    finally:
        pdf.close()
