# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: simulated seconds per wall-clock second of the mBot simulator.

A 60 s obstacle-avoidance run at 100 Hz physics in the « obstacles » arena, measured two ways:

* full stack: the sample program ``robots/exemples/eviter_obstacles.py`` through the learner
  API, the driver, the ``sim://mbot`` link and the firmware codec (what ``kit robot run`` does);
* physics only: the same behaviour written directly against :class:`sim.mbot.physics.World`.

Run it as a script: ``.venv/bin/python tests/benchmarks/mbot_sim.py``. Target: >= 500x.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from robots.arenas import load_arena  # noqa: E402
from robots.session import run_program  # noqa: E402
from sim.mbot.physics import World  # noqa: E402

RUN_S = 60.0
REPEATS = 3


def full_stack() -> tuple[float, int, int]:
    start = time.perf_counter()
    report = run_program(
        ROOT / "robots" / "exemples" / "eviter_obstacles.py",
        "sim://mbot?arena=obstacles",
        time_limit_s=RUN_S,
    )
    wall = time.perf_counter() - start
    assert report.record is not None
    record = report.record
    simulated = record.end_s - record.start_s
    requests = sum(1 for e in record.events if e.kind == "ultrasonic")
    return simulated / wall, requests, len(record.collisions)


def physics_only() -> float:
    world = World(load_arena("obstacles"))
    start = time.perf_counter()
    backing_until = turning_until = 0.0
    steps = int(RUN_S / 0.01)
    for i in range(steps):
        if i % 5 == 0:
            t = world.t
            if t < backing_until:
                world.set_motors(204, -204)
            elif t < turning_until:
                world.set_motors(-204, -204)
            elif world.ultrasonic() < 25:
                backing_until, turning_until = t + 0.3, t + 0.9
            else:
                world.set_motors(-255, 255)
        world.step()
    return RUN_S / (time.perf_counter() - start)


def main() -> None:
    stacks = [full_stack() for _ in range(REPEATS)]
    best_stack = max(s[0] for s in stacks)
    _, sonar_reads, collisions = stacks[0]
    best_physics = max(physics_only() for _ in range(REPEATS))
    print(f"mBot simulator, {RUN_S:g} s obstacle avoidance at 100 Hz physics (best of {REPEATS}):")
    print(
        f"  full stack (kit robot run path): {best_stack:8.0f}x real time "
        f"({sonar_reads} ultrasonic readings, {collisions} collisions)"
    )
    print(f"  physics only:                    {best_physics:8.0f}x real time")
    print(f"  target >= 500x: {'met' if best_stack >= 500 else 'NOT met'} (full stack)")


if __name__ == "__main__":
    main()
