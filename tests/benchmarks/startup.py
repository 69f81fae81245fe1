# SPDX-License-Identifier: GPL-3.0-or-later
"""Start-up cost of the ``kit`` command, as whole processes, printed as figures.

Each command runs once, as a user types it, and is measured in CPU time (user + system of the
child process, from ``resource.getrusage(RUSAGE_CHILDREN)``; wall time on a shared machine
measures the other processes too):
- ``python -c pass``: the interpreter alone, the floor;
- ``kit --help`` and ``kit --version`` (target: 0.10 s of CPU);
- ``mpremote --help``: a peer tool's start-up;
- ``kit printer check`` on the shipped name tag (lessons/exemples/porte-nom-ender3.gcode);
- ``octoprint analysis gcode`` on the same file: OctoPrint's own analysis as a whole process
  (skipped without OctoPrint, a test-only dependency).

Then the ratios against ``python -c pass`` and of the kit's check against OctoPrint's.

Run: ``.venv/bin/python tests/benchmarks/startup.py``.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAME_TAG = ROOT / "lessons" / "exemples" / "porte-nom-ender3.gcode"


def cpu_seconds(argv: list[str], cwd: Path) -> float | None:
    """CPU time of one run of ``argv`` (None when it could not run or failed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        result = subprocess.run(argv, capture_output=True, cwd=cwd, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.stderr.write(f"{' '.join(argv)} : code {result.returncode}\n")
        return None
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def tool(name: str) -> str | None:
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def main() -> None:
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
        figures: dict[str, float] = {}
        print("CPU time of one run (user + system), shared machine: figures are noisy.")
        for label, argv in cases:
            seconds = cpu_seconds(argv, cwd) if argv else None
            if seconds is None:
                print(f"  {label:<38} (not run)")
                continue
            figures[label] = seconds
            print(f"  {label:<38} {seconds:6.3f} s")
    floor = figures.get("python -c pass")
    if floor:
        print("Ratios to python -c pass:")
        for label, seconds in figures.items():
            print(f"  {label:<38} {seconds / floor:6.1f} x")
    check = figures.get("kit printer check (porte-nom)")
    octo = figures.get("octoprint analysis gcode (porte-nom)")
    if check and octo:
        print(f"kit printer check / octoprint analysis: {check / octo:.2f} (below 1: kit faster)")
    for label in ("kit --help", "kit --version"):
        if label in figures:
            verdict = "within" if figures[label] <= 0.10 else "ABOVE"
            print(f"{label}: {verdict} the 0.10 s target")


if __name__ == "__main__":
    main()
