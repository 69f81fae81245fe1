# SPDX-License-Identifier: GPL-3.0-or-later
"""Start-up cost of the ``kit`` command, as whole processes, printed as figures.

Each command runs as a user types it, and is measured in CPU time (user + system of the child
process, from ``resource.getrusage(RUSAGE_CHILDREN)``) and in wall time (which, on a shared
machine, measures the other processes too). Every command first runs once unmeasured, allowed
to write its bytecode cache, as ``pip install`` leaves an installed tool (OctoPrint's caches
were written at its installation; a ``PYTHONDONTWRITEBYTECODE`` environment would otherwise
make the kit alone compile its modules at each run) and with OctoPrint's base folder created;
then the commands run ``--repeat`` times in turn (default 5), and the lowest and median
figures are printed:
- ``python -c pass``: the interpreter alone, the floor;
- ``kit --help`` and ``kit --version`` (target: 0.10 s of CPU);
- ``mpremote --help``: a peer tool's start-up;
- ``kit printer check`` on the shipped name tag (lessons/exemples/porte-nom-ender3.gcode);
- ``octoprint analysis gcode`` on the same file: OctoPrint's own analysis as a whole process
  (skipped without OctoPrint, a test-only dependency).

Then the ratios against ``python -c pass`` (medians) and of the kit's check against OctoPrint's
(of the medians, and the range over the rounds).

Run: ``.venv/bin/python tests/benchmarks/startup.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAME_TAG = ROOT / "lessons" / "exemples" / "porte-nom-ender3.gcode"


def run_seconds(
    argv: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float] | None:
    """CPU and wall time of one run of ``argv`` (None when it could not run or failed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        result = subprocess.run(
            argv, capture_output=True, cwd=cwd, timeout=600, check=False, env=env
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.stderr.write(f"{' '.join(argv)} : code {result.returncode}\n")
        return None
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def tool(name: str) -> str | None:
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="measured runs of each command")
    repeat = max(parser.parse_args().repeat, 1)
    python = sys.executable
    kit = [python, "-m", "kit"]
    octoprint = tool("octoprint")
    mpremote = tool("mpremote")
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        cases: list[tuple[str, list[str] | None]] = [
            ("python -c pass", [python, "-c", "pass"]),
            ("kit --help", [*kit, "--help"]),
            ("kit --version", [*kit, "--version"]),
            ("mpremote --help", [mpremote, "--help"] if mpremote else None),
            ("kit printer check (porte-nom)", [*kit, "printer", "check", str(NAME_TAG)]),
            (
                "octoprint analysis gcode (porte-nom)",
                [octoprint, "--basedir", str(cwd / "octoprint"), "analysis", "gcode",
                 str(NAME_TAG)] if octoprint else None,
            ),
        ]  # fmt: skip
        caching = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        runs: dict[str, list[tuple[float, float]]] = {}
        for label, argv in cases:  # the unmeasured run: caches written, base folder made
            if argv and run_seconds(argv, cwd, caching) is not None:
                runs[label] = []
        for _ in range(repeat):
            for label, argv in cases:
                if label in runs and argv:
                    seconds = run_seconds(argv, cwd)
                    if seconds is not None:
                        runs[label].append(seconds)
    print(
        f"{repeat} run(s) of each command after one unmeasured run; shared machine: figures "
        "are noisy.\n"
        f"  {'':<38} {'CPU min':>8} {'CPU med':>8} {'wall med':>9}"
    )
    figures: dict[str, float] = {}
    for label, _ in cases:
        measured = runs.get(label)
        if not measured:
            print(f"  {label:<38} (not run)")
            continue
        cpu = [c for c, _ in measured]
        figures[label] = statistics.median(cpu)
        wall = statistics.median(w for _, w in measured)
        print(f"  {label:<38} {min(cpu):7.3f}s {figures[label]:7.3f}s {wall:8.3f}s")
    floor = figures.get("python -c pass")
    if floor:
        print("Ratios to python -c pass (CPU medians):")
        for label, seconds in figures.items():
            print(f"  {label:<38} {seconds / floor:6.1f} x")
    check_label = "kit printer check (porte-nom)"
    octo_label = "octoprint analysis gcode (porte-nom)"
    check = figures.get(check_label)
    octo = figures.get(octo_label)
    if check and octo:
        pairs = list(zip(runs[check_label], runs[octo_label], strict=False))
        cpu_ratios = [k[0] / o[0] for k, o in pairs]
        wall_ratios = [k[1] / o[1] for k, o in pairs]
        print(
            f"kit printer check / octoprint analysis: {check / octo:.2f} of the CPU medians "
            f"(below 1: kit faster); per round, CPU {min(cpu_ratios):.2f}–{max(cpu_ratios):.2f}, "
            f"wall {min(wall_ratios):.2f}–{max(wall_ratios):.2f}"
        )
    for label in ("kit --help", "kit --version"):
        if label in figures:
            verdict = "within" if figures[label] <= 0.10 else "ABOVE"
            print(f"{label}: {verdict} the 0.10 s target")


if __name__ == "__main__":
    main()
