# SPDX-License-Identifier: GPL-3.0-or-later
"""The kit's simulated Marlin printer served on a pty (``kit sim serve marlin --pty``)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from tests.conftest import REPO_ROOT, kit_env

#: Virtual time runs this many times faster than the wall clock behind OctoPrint.
SIM_SPEED = 20


@dataclass
class ServedPrinter:
    port: str
    process: subprocess.Popen[str]

    def unplug(self) -> None:
        """Stop serving: the pty disappears, as a printer whose USB cable is pulled."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def serve_marlin(*options: str, speed: float = SIM_SPEED) -> ServedPrinter:
    # stderr goes to a file, never a pipe: a full pipe would block the server.
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "kit", "sim", "serve", "marlin", "--pty"]
            + ["--speed", str(speed), *options],
            stdout=subprocess.PIPE,
            stderr=errors,
            stdin=subprocess.DEVNULL,
            text=True,
            env=kit_env(),
            cwd=str(REPO_ROOT),
            start_new_session=True,
        )
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        if not port.startswith("/dev/"):
            process.kill()
            process.wait(timeout=10)
            errors.seek(0)
            raise RuntimeError(f"kit sim serve marlin gave no pty: {port!r} {errors.read()}")
    return ServedPrinter(port, process)
