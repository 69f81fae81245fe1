# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the simulated CircuitPython board (run directly; prints its figures).

    .venv/bin/python tests/benchmarks/circuitpython_sim.py

Measures the wall time of 60-second lessons in virtual time, of a deploy plan (library
closure included) and of raw-REPL round trips over ``sim://circuitpython``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from firmware.boards import get_board  # noqa: E402
from firmware.deploy import deploy, plan_deploy  # noqa: E402
from firmware.lesson_scripts import lesson_scripts  # noqa: E402
from firmware.repl import RawReplClient  # noqa: E402
from kit.links import open_link  # noqa: E402
from sim.circuitpython.folder import prepare_folder  # noqa: E402
from sim.circuitpython.runner import run_program  # noqa: E402


def lesson_60s(name: str, board_id: str) -> None:
    script = lesson_scripts()[name]
    board = get_board(board_id)
    with tempfile.TemporaryDirectory() as tmp:
        folder = prepare_folder(Path(tmp), board)
        deploy(script.path, drive=folder)
        start = time.perf_counter()
        run = run_program(folder, board, duration_s=60.0, inputs_spec=script.inputs)
        wall = time.perf_counter() - start
    events = sum(len(s) for s in run.timeline.digital.values())
    events += sum(len(s) for s in run.timeline.pwm.values())
    events += sum(len(s) for s in run.timeline.pixels.values())
    print(f"{name:22s} on {board_id:26s}: 60 s virtual in {wall * 1000:7.1f} ms wall "
          f"({events} timeline events)")


def deploy_plan() -> None:
    board = get_board("circuitplayground_express")
    with tempfile.TemporaryDirectory() as tmp:
        folder = prepare_folder(Path(tmp), board)
        script = lesson_scripts()["neopixel_arc_en_ciel"].path
        start = time.perf_counter()
        for _ in range(20):
            plan_deploy(script, drive=folder)
        wall = (time.perf_counter() - start) / 20
    print(f"deploy plan (neopixel closure, warm cache): {wall * 1000:.1f} ms")


def repl_round_trips(count: int = 50) -> None:
    link = open_link("sim://circuitpython?board=pico", timeout_s=0.05)
    try:
        client = RawReplClient(link)
        client.enter_raw()
        start = time.perf_counter()
        for i in range(count):
            client.execute(f"print({i})", lambda data: None)
        wall = time.perf_counter() - start
    finally:
        link.close()
    print(f"raw REPL exec over sim://: {count / wall:.0f} programs/s "
          f"({wall / count * 1000:.2f} ms each)")


if __name__ == "__main__":
    # The lessons' libraries come from a library bundle in the kit's cache: the tests' one.
    from tests.support.bundles import build_bundle

    cache = Path(tempfile.mkdtemp(prefix="kit-bench-cache-"))
    os.environ["KIT_CACHE_DIR"] = str(cache)
    bundles = cache / "circuitpython" / "bundles"
    bundles.mkdir(parents=True)
    build_bundle(bundles)
    build_bundle(bundles, variant="py")
    lessons = [
        ("clignoter", "pico"),
        ("neopixel_arc_en_ciel", "circuitplayground_express"),
        ("servo", "pico"),
        ("bouton_led", "circuitplayground_express"),
        ("temperature", "pico"),
    ]
    for name, board in lessons:
        lesson_60s(name, board)
    deploy_plan()
    repl_round_trips()
