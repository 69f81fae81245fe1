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


#: Where the tests' PyPI is: nothing listens there, so no test downloads anything.
OFFLINE_PYPI = "http://127.0.0.1:9/pypi"


@pytest.fixture(scope="session")
def test_bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ...]:
    """A compiled (9.x-mpy) and a source (py) library bundle, in the real layout."""
    from tests.support.bundles import build_bundle

    folder = tmp_path_factory.mktemp("bundles")
    return (build_bundle(folder), build_bundle(folder, variant="py"))


@pytest.fixture(autouse=True)
def isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    test_bundles: tuple[Path, ...],
) -> Iterator[Path]:
    """Config, data, state and cache folders of the kit point into a fresh temporary folder; the
    cache holds the tests' library bundles (as after « kit mcu bundle add ») and PyPI is
    unreachable."""
    home = tmp_path_factory.mktemp("kit-user")
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        monkeypatch.setenv(f"KIT_{name}_DIR", str(home / name.lower()))
    monkeypatch.setenv("KIT_SIM_EXTRA", ECHO_SIM)
    monkeypatch.setenv("KIT_PYPI_URL", OFFLINE_PYPI)
    cached = home / "cache" / "circuitpython" / "bundles"
    cached.mkdir(parents=True)
    for bundle in test_bundles:
        (cached / bundle.name).symlink_to(bundle)
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
