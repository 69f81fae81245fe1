# SPDX-License-Identifier: GPL-3.0-or-later
"""The session's OctoPrint server is stopped even when a test using it fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, kit_env

pytestmark = pytest.mark.octoprint

FAILING_TEST = """
import os
from tests.octoprint.conftest import octoprint_server  # noqa: F401  (the real fixture)


def test_fails_while_the_server_runs(octoprint_server):
    with open(os.environ["PID_FILE"], "w") as handle:
        handle.write(str(octoprint_server.process.pid))
    assert False, "this test fails on purpose"
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_server_is_stopped_after_a_failing_test(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_failing.py").write_text(FAILING_TEST, encoding="utf-8")
    pid_file = tmp_path / "octoprint.pid"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(REPO_ROOT),
        env=kit_env(PID_FILE=str(pid_file)),
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "this test fails on purpose" in result.stdout
    pid = int(pid_file.read_text(encoding="utf-8"))
    leaked = _alive(pid)
    if leaked:  # do not leave it running for the rest of the suite
        os.killpg(pid, signal.SIGKILL)
    assert not leaked
