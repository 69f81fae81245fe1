# SPDX-License-Identifier: GPL-3.0-or-later
"""Suite-wide fixtures: an isolated user folder for every test, and the kit as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ECHO_SIM = "echo=tests.support.echo_sim:EchoDevice"


@pytest.fixture(autouse=True)
def isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Config, data, state and cache folders of the kit point into a fresh temporary folder."""
    home = tmp_path_factory.mktemp("kit-user")
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        monkeypatch.setenv(f"KIT_{name}_DIR", str(home / name.lower()))
    monkeypatch.setenv("KIT_SIM_EXTRA", ECHO_SIM)
    yield home


def kit_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
    env.setdefault("KIT_SIM_EXTRA", ECHO_SIM)
    env["PYTHONIOENCODING"] = "utf-8"
    env["COLUMNS"] = "120"
    env.update(extra)
    return env


def run_kit(
    *args: str, input_text: str | None = None, timeout_s: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m kit ARGS`` in a subprocess, as a user would type it."""
    return subprocess.run(
        [sys.executable, "-m", "kit", *args],
        capture_output=True,
        text=True,
        input=input_text,
        timeout=timeout_s,
        env=kit_env(**env),
        cwd=str(REPO_ROOT),
    )


@pytest.fixture
def kit() -> object:
    """The kit command as a callable: ``kit("doctor", "--json")``."""
    return run_kit
