# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the G-code preflight (``printers.analysis``), printed as figures.

For each reference file (PrusaSlicer 2.5 output with its own estimate in the file):
- the kit's estimate against the slicer's (% error), with the median and max |error|;
- lines per second of the kit's whole analysis (reading, planner, checks) against OctoPrint's
  ``octoprint.util.gcodeInterpreter`` on the same file in the same run (best CPU time of N
  alternating runs, so both see the same machine load), and the ratio;
- memory: tracemalloc peak of the analysis on the file and on the file repeated 10 times
  (generated in a temporary folder): flat means the peak does not grow with the file.

Run: ``.venv/bin/python tests/benchmarks/analysis.py [--runs N]``. OctoPrint is a test-only
dependency (the ``test`` extra); without it the speed comparison is skipped.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from printers.analysis import analyse_file  # noqa: E402
from printers.profile import load_profile  # noqa: E402

DATA = ROOT / "tests" / "data" / "gcode"
REFERENCES = [
    ("nametag-ender3.gcode", "ender3"),
    ("letterblock-mk3s.gcode", "mk3s"),
    ("tube-mk4ish.gcode", "mk4"),
]


def kit_analysis(path: Path, profile_name: str) -> float:
    analysis = analyse_file(path, load_profile(profile_name))
    return analysis.estimated_seconds


def octoprint_analysis(path: Path) -> float:
    from octoprint.util.gcodeInterpreter import gcode

    interpreter = gcode(progress_callback=None)
    interpreter.load(str(path))
    return float(interpreter.totalMoveTimeMinute) * 60.0


def best_of(runs: int, *functions):  # type: ignore[no-untyped-def]
    """Alternate the functions ``runs`` times; return each one's best CPU time (seconds).

    CPU time of this process (``time.process_time``) rather than wall time: the machines this
    runs on are shared, and other processes would otherwise decide the ratio.
    """
    best = [float("inf")] * len(functions)
    for _ in range(runs):
        for index, function in enumerate(functions):
            start = time.process_time()
            function()
            best[index] = min(best[index], time.process_time() - start)
    return best


def peak_memory(path: Path, profile_name: str) -> int:
    tracemalloc.start()
    try:
        analyse_file(path, load_profile(profile_name))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    try:
        import octoprint.util.gcodeInterpreter  # noqa: F401

        have_octoprint = True
    except ImportError:
        have_octoprint = False

    errors: list[float] = []
    print("Accuracy against the slicer's own estimate")
    for name, profile_name in REFERENCES:
        path = DATA / name
        analysis = analyse_file(path, load_profile(profile_name))
        reference = analysis.slicer.estimate_s
        if reference is None:
            print(f"  {name}: no embedded estimate")
            continue
        error = (analysis.estimated_seconds - reference) / reference * 100.0
        errors.append(abs(error))
        octo = octoprint_analysis(path) if have_octoprint else float("nan")
        octo_error = (octo - reference) / reference * 100.0
        print(
            f"  {name}: slicer {reference:.0f} s, kit {analysis.estimated_seconds:.1f} s "
            f"({error:+.2f} %), OctoPrint {octo:.1f} s ({octo_error:+.1f} %); "
            f"filament kit {analysis.filament_mm:.2f} mm / slicer "
            f"{analysis.slicer.filament_mm} mm"
        )
    if errors:
        print(
            f"  median |error| {statistics.median(errors):.2f} %, max |error| {max(errors):.2f} % "
            "(targets: <= 2 %, <= 4 %)"
        )

    print(f"Speed (best CPU time of {args.runs} alternating runs, same process)")
    for name, profile_name in REFERENCES:
        path = DATA / name
        lines = sum(1 for _ in path.open("rb"))
        if have_octoprint:
            kit_s, octo_s = best_of(
                args.runs,
                lambda p=path, n=profile_name: kit_analysis(p, n),
                lambda p=path: octoprint_analysis(p),
            )
            print(
                f"  {name}: {lines} lines; kit {lines / kit_s:,.0f} lines/s, OctoPrint "
                f"{lines / octo_s:,.0f} lines/s: x{octo_s / kit_s:.2f} (target >= x1.5)"
            )
        else:
            (kit_s,) = best_of(args.runs, lambda p=path, n=profile_name: kit_analysis(p, n))
            print(f"  {name}: kit {lines / kit_s:,.0f} lines/s (OctoPrint not installed)")

    print("Memory (tracemalloc peak of one analysis)")
    with tempfile.TemporaryDirectory() as folder:
        for name, profile_name in REFERENCES:
            path = DATA / name
            big = Path(folder) / f"x10-{name}"
            content = path.read_bytes()
            big.write_bytes(content * 10)
            small_peak = peak_memory(path, profile_name)
            big_peak = peak_memory(big, profile_name)
            print(
                f"  {name}: x1 ({len(content) / 1e6:.2f} MB) peak {small_peak / 1024:.0f} KiB; "
                f"x10 ({len(content) * 10 / 1e6:.2f} MB) peak {big_peak / 1024:.0f} KiB "
                f"(ratio {big_peak / small_peak:.2f})"
            )


if __name__ == "__main__":
    main()
