# SPDX-License-Identifier: GPL-3.0-or-later
"""Start a child process that serves a device on a new pty and prints its path first."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from typing import IO

from tests.conftest import REPO_ROOT, kit_env


def start_pty_server(
    module_args: list[str], what: str
) -> tuple[str, subprocess.Popen[str], IO[str]]:
    """Run ``python -m MODULE ARGS…`` in its own session; return (pty path, process, stderr).

    stderr goes to a temporary file, never a pipe (a full pipe would block the server); the
    caller closes it. A child that prints no ``/dev/…`` path first is killed and reported
    with the end of its stderr.
    """
    errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - handed to the caller
    process = subprocess.Popen(
        [sys.executable, "-m", *module_args],
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
        text = errors.read()[-2000:]
        errors.close()
        raise RuntimeError(f"{what} gave no pty: {port!r} {text}")
    return port, process, errors
