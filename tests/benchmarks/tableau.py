# SPDX-License-Identifier: GPL-3.0-or-later
"""kit tableau benchmark: first paint of each view, and how long an event takes to reach a page.

The tableau is served in this process (as ``kit tableau`` serves it, uvicorn on 127.0.0.1) and
opened in the system's Chromium through Playwright:

- first paint: the browser's own ``first-contentful-paint`` entry for a fresh load of
  /repetition and /atelier (new browser context each time: nothing cached), median and worst;
- event latency: an atelier result is added on the server; the page notes ``Date.now()`` when
  the server-sent event has been rendered; the difference with the wall clock at the moment the
  result was added (same machine, same clock), median and worst of ``--repeat`` events;
- timer latency: the rehearsal's clock (a hand-driven one) jumps past a phase's budget; the
  time until the page's timer has turned red (the server looks at the clock every
  ``TIMER_TICK_S``, then the event travels as above).

Targets (issue 24): first paint < 1 s, latency < 300 ms. Run: ``python tests/benchmarks/
tableau.py [--repeat N]``. Figures are printed, nothing asserted; on a loaded machine they
are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from kit.commands.tableau import serve_in_thread  # noqa: E402
from kit.commands.tableau_app import Tableau  # noqa: E402
from kit.commands.tableau_atelier import AtelierResult  # noqa: E402
from kit.commands.tableau_rehearsal import StartRequest  # noqa: E402
from lessons.oral import Kind, Part  # noqa: E402


class HandClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


WATCH_TIMER = """() => {
  window.turnedRed = 0;
  new MutationObserver(() => {
    if (document.getElementById("minuteur").dataset.niveau === "rouge" && !window.turnedRed) {
      window.turnedRed = Date.now();
    }
  }).observe(document.getElementById("minuteur"), {attributes: true});
}"""
from tests.tableau.conftest import chromium_path  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    executable = chromium_path()
    if executable is None:
        sys.exit("Chromium is not installed (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        clock = HandClock()
        tableau = Tableau(output=Path(tmp), pictures=Path(tmp), farm=None, clock=clock)
        with serve_in_thread(tableau) as running:
            for view in ("repetition", "atelier"):
                paints = []
                for _ in range(max(3, args.repeat // 4)):
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(f"{running.url}/{view}")
                    page.wait_for_selector("#connexion:text('En direct')")
                    paint = page.evaluate(
                        "performance.getEntriesByName('first-contentful-paint')[0]?.startTime"
                    )
                    paints.append(float(paint))
                    context.close()
                print(
                    f"first paint /{view}: median {statistics.median(paints):.0f} ms, "
                    f"worst {max(paints):.0f} ms (target < 1000 ms, {len(paints)} loads)"
                )

            page = browser.new_page()
            page.goto(f"{running.url}/atelier")
            page.wait_for_selector("#connexion:text('En direct')")
            latencies = []
            for number in range(args.repeat):
                before = page.get_attribute("body", "data-recu")
                sent_ms = time.time() * 1000.0
                tableau.feed.add(AtelierResult("carte", f"Carte {number}", True, "déployée",
                                               time.strftime("%H:%M:%S")))  # fmt: skip
                page.wait_for_function(
                    f"document.body.dataset.recu && document.body.dataset.recu !== '{before}'"
                )
                received_ms = float(page.get_attribute("body", "data-recu") or 0)
                latencies.append(received_ms - sent_ms)
                time.sleep(0.05)
            print(
                f"event to browser: median {statistics.median(latencies):.0f} ms, "
                f"worst {max(latencies):.0f} ms (target < 300 ms, {len(latencies)} events)"
            )
            timer_latencies = []
            for seed in range(max(3, args.repeat // 4)):
                tableau.rehearsal.start(StartRequest(title=None, support=None), seed)
                oral = tableau.rehearsal.oral
                assert oral is not None
                while (prompt := oral.current) is not None and not (
                    prompt.part is Part.ATELIER and prompt.kind is Kind.TIMED
                ):
                    if prompt.kind is Kind.DEMO:
                        tableau.rehearsal.run_demo(oral.position, False)  # skipped
                        continue
                    value = True if prompt.kind is Kind.CHECK else 0.0
                    tableau.rehearsal.answer(oral.position, value)
                page.goto(f"{running.url}/repetition")
                page.wait_for_selector("#minuteur[data-niveau='ok']")
                page.evaluate(WATCH_TIMER)
                assert prompt is not None and prompt.planned_s is not None
                sent_ms = time.time() * 1000.0
                clock.now += prompt.planned_s * 1.01
                page.wait_for_function("window.turnedRed > 0")
                timer_latencies.append(float(page.evaluate("window.turnedRed")) - sent_ms)
            print(
                f"timer turning red: median {statistics.median(timer_latencies):.0f} ms, "
                f"worst {max(timer_latencies):.0f} ms (target < 300 ms, "
                f"{len(timer_latencies)} phases)"
            )
        browser.close()


if __name__ == "__main__":
    main()
