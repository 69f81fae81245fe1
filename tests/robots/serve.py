# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit sim serve mbot --pty`` in a subprocess, for tests that talk to it like a real port."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from collections.abc import Iterator

from tests.conftest import REPO_ROOT, kit_env


@contextlib.contextmanager
def served_mbot(*options: str) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kit", "sim", "serve", "mbot", "--pty", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kit_env(),
        cwd=str(REPO_ROOT),
    )
    try:
        assert proc.stdout is not None
        path = proc.stdout.readline().strip()
        assert path.startswith("/dev/"), proc.stderr.read() if proc.stderr else path
        yield path
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
