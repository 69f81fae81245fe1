# SPDX-License-Identifier: GPL-3.0-or-later
"""In-process runs of the kit command line, for the many quick CLI tests of this area.

A few tests still go through ``run_kit`` (a real subprocess) for the user's exact path; the
in-process runner calls the same ``kit.cli.main`` entry point and saves a second per call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def kit_inproc(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    from kit import console as consoles

    monkeypatch.setattr(consoles.console, "_width", 200)
    monkeypatch.setattr(consoles.err_console, "_width", 200)

    def run(*args: str) -> Result:
        from kit.cli import main

        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
