# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: ``kit bilan`` on a generated year of 200 ateliers, to PDF.

The journal is filled through its own API (tests/support/journal_data.py: five lessons, their
prints, défis, boards and badges) in a temporary folder; then the report is built and printed
to PDF the way ``kit bilan --periode 2026 -o bilan.pdf`` does it, in-process (the figure
leaves out the interpreter's start-up, about 0,2 s). Each stage is timed; the first run pays
matplotlib's and WeasyPrint's imports, the next ones show the steady cost.

Run it as a script: ``.venv/bin/python tests/benchmarks/bilan.py``. Target: PDF < 5 s.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ATELIERS = 200
REPEATS = 3


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kit-bench-") as folder:
        os.environ["KIT_DATA_DIR"] = folder
        from journal.store import open_journal
        from tests.support.journal_data import fill_year

        start = time.perf_counter()
        with open_journal() as journal:
            fill_year(journal, 2026, ATELIERS)
        print(f"journal de {ATELIERS} ateliers écrit en {time.perf_counter() - start:.2f} s")
        for run in range(1, REPEATS + 1):
            timings = render(Path(folder) / f"bilan-{run}.pdf")
            total = sum(timings.values())
            detail = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items())
            verdict = "OK" if total < 5 else "TROP LENT"
            print(f"passe {run} : PDF en {total:.2f} s ({detail}) — cible < 5 s : {verdict}")


def render(target: Path) -> dict[str, float]:
    timings: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = now - mark
        mark = now

    from journal.periods import parse_period
    from journal.report import build_report, render_html
    from journal.store import existing_journal
    from kit.files import atomic_write
    from lessons.export import render_pdf
    from lessons.model import SUPPORTS

    period = parse_period("2026")
    journal = existing_journal()
    assert journal is not None
    with journal:
        journal.verify()
        sessions = journal.sessions(period)
    lap("lecture")
    report = build_report(sessions, period, structure="Médiathèque", support_labels=SUPPORTS)
    assert report.ateliers == ATELIERS
    html = render_html(report)
    lap("HTML et graphiques")
    data, pages = render_pdf(html)
    atomic_write(target, lambda handle: handle.write(data))
    lap(f"PDF ({pages} pages)")
    return timings


if __name__ == "__main__":
    main()
