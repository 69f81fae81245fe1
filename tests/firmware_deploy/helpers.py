# SPDX-License-Identifier: GPL-3.0-or-later
"""Run ``kit`` commands in-process (the CLI's own ``main``), for fast CLI-level tests."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest


@dataclass
class KitRun:
    returncode: int
    stdout: str
    stderr: str


def kit_here(capsys: pytest.CaptureFixture[str], *args: str, **env: str) -> KitRun:
    """``kit ARGS`` through :func:`kit.cli.main`, with exit code and captured output."""
    from kit.cli import main
    from kit.console import console, err_console

    # Wide consoles: messages are checked as whole sentences, not wrapped at 80 columns.
    console.width = 400
    err_console.width = 400

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    captured = capsys.readouterr()
    return KitRun(code, captured.out, captured.err)
