# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: seconds to flash a CircuitPython-sized image (1.5 MB) into the simulated
ESP32-S3 at an emulated 460800 baud, compressed or not, through the stub or the ROM alone,
against the link's limit (10 bits per byte on the wire).

Run from the repository root: ``.venv/bin/python tests/benchmarks/flash.py``. The times are
the simulator's virtual seconds (what a real board on a 460800 baud link would take with the
simulator's flash timings), measured through the kit's own driver and the real esptool.
"""

from __future__ import annotations

import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from firmware import esp_flash  # noqa: E402
from tests.support.esp_images import combined_bin  # noqa: E402

SIZE = 1_500_000
BAUD = 460800


def run(image: bytes, *, compress: bool, stub: bool) -> tuple[float, float]:
    with esp_flash.connect("sim://esp32s3") as session:
        start_virtual = session.link.now_s()
        start_wall = time.monotonic()
        session.flash(image, 0, compress=compress, stub=stub, baud=BAUD)
        return session.link.now_s() - start_virtual, time.monotonic() - start_wall


def main() -> None:
    image = combined_bin("esp32s3", SIZE, compressible=True)
    compressed = len(zlib.compress(image, 9))
    byte_s = 10 / BAUD
    print(f"Image: {SIZE} bytes, {compressed} bytes compressed ({compressed / SIZE:.0%}).")
    print(
        f"Link limit at {BAUD} baud: {SIZE * byte_s:.1f} s raw, {compressed * byte_s:.1f} s "
        "compressed (payload bytes only)."
    )
    print(f"{'path':<26}{'virtual s':>10}{'limit s':>9}{'ratio':>7}{'wall s':>8}")
    for stub in (True, False):
        for compress in (True, False):
            virtual, wall = run(image, compress=compress, stub=stub)
            limit = (compressed if compress else SIZE) * byte_s
            label = (
                f"{'stub' if stub else 'ROM only'}, {'compressed' if compress else 'no-compress'}"
            )
            print(f"{label:<26}{virtual:>10.1f}{limit:>9.1f}{virtual / limit:>7.2f}{wall:>8.1f}")


if __name__ == "__main__":
    main()
