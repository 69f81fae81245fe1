# SPDX-License-Identifier: GPL-3.0-or-later
"""The kit's simulated Marlin printer served on a pty (``kit sim serve marlin --pty``)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass

from tests.support.pty_process import start_pty_server

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
    port, process, errors = start_pty_server(
        ["kit", "sim", "serve", "marlin", "--pty", "--speed", str(speed), *options],
        "kit sim serve marlin",
    )
    errors.close()
    return ServedPrinter(port, process)
