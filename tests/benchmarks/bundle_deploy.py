# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: deploy 10 libraries from the cached bundle to a drive folder, and circup.

    .venv/bin/python tests/benchmarks/bundle_deploy.py

Builds the tests' bundle (tests/support/bundles.py, real layout, .mpy from mpy-cross) into a
temporary cache, then times ``kit``'s deploy of a script importing 10 libraries onto a fresh
CIRCUITPY folder (cold), again (warm: everything current, nothing written), and circup's
``install`` of the same libraries from the same bundle, offline, on another fresh folder.
Figures are wall times on whatever machine runs it: noisy on a loaded machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.bundles import build_bundle, fill_circup_data  # noqa: E402

#: Ten libraries (the dependencies they pull in are counted in the bytes written).
LIBRARIES = (
    "adafruit_hcsr04", "adafruit_led_animation", "adafruit_motor", "neopixel", "simpleio",
    "adafruit_thermistor", "adafruit_lis3dh", "adafruit_register", "adafruit_bus_device",
    "adafruit_circuitplayground",
)
BOOT_OUT = (
    "Adafruit CircuitPython 9.2.1 on 2024-11-20; Raspberry Pi Pico with rp2040\n"
    "Board ID:raspberry_pi_pico\n"
)
#: The Pico has adafruit_bus_device and adafruit_pixelbuf in its firmware (C modules): circup
#: installs them anyway, the kit does not; the difference is printed at the end.
BOARD = "pico"


def fresh_drive(root: Path, name: str) -> Path:
    drive = root / name
    (drive / "lib").mkdir(parents=True)
    (drive / "boot_out.txt").write_text(BOOT_OUT, encoding="utf-8")
    return drive


def tree_bytes(drive: Path) -> tuple[int, int]:
    files = [p for p in (drive / "lib").rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cache = root / "cache"
        bundles = cache / "circuitpython" / "bundles"
        bundles.mkdir(parents=True)
        os.environ.update(KIT_CACHE_DIR=str(cache), KIT_STATE_DIR=str(root / "state"),
                          KIT_PYPI_URL="http://127.0.0.1:9/pypi")
        start = time.perf_counter()
        mpy = build_bundle(bundles)
        py = build_bundle(bundles, variant="py")
        print(f"bundle build (11 libraries, mpy + py): {time.perf_counter() - start:.2f} s")

        from firmware.deploy import deploy

        script = root / "code.py"
        script.write_text("".join(f"import {name}\n" for name in LIBRARIES), encoding="utf-8")
        drive = fresh_drive(root, "KIT")
        start = time.perf_counter()
        result = deploy(script, drive=drive, board_name=BOARD)
        cold = time.perf_counter() - start
        written = sum(len(a.data) for a in result.plan.to_write if a.board_path != "code.py")
        count, size = tree_bytes(drive)
        statuses = {lib.name: lib.status for lib in result.plan.libraries}
        print(f"kit deploy, cold : {cold * 1000:7.1f} ms, {count} files in lib/, "
              f"{written} bytes written ({size} on disk); libraries: {statuses}")
        start = time.perf_counter()
        again = deploy(script, drive=drive, board_name=BOARD)
        warm = time.perf_counter() - start
        print(f"kit deploy, warm : {warm * 1000:7.1f} ms, {len(again.written)} files written")

        fill_circup_data(root / "xdg", (mpy, py))
        env = dict(os.environ, XDG_DATA_HOME=str(root / "xdg"))
        circup = str(Path(sys.executable).with_name("circup"))
        other = fresh_drive(root, "CIRCUP")
        start = time.perf_counter()
        done = subprocess.run([circup, "--offline", "--path", str(other), "install", *LIBRARIES],
                              env=env, capture_output=True, text=True, timeout=600)
        took = time.perf_counter() - start
        count, size = tree_bytes(other)
        if done.returncode != 0:
            print(f"circup install failed ({done.returncode}): {done.stdout[-500:]}")
        print(f"circup install   : {took * 1000:7.1f} ms (process start included), "
              f"{count} files in lib/, {size} bytes")
        kit_files = {p.relative_to(drive).as_posix() for p in (drive / "lib").rglob("*.mpy")}
        circup_files = {p.relative_to(other).as_posix()
                        for p in (other / "lib").rglob("*.mpy")}
        print(f"only with circup : {sorted({f.split('/')[1] for f in circup_files - kit_files})}")
        print(f"only with the kit: {sorted({f.split('/')[1] for f in kit_files - circup_files})}")


if __name__ == "__main__":
    main()
