# SPDX-License-Identifier: GPL-3.0-or-later
"""Destructive actions ask first: ``kit mcu erase``, and a deploy that would replace code.py
with a program predicted to stop on that board. ``--oui`` skips the question; without a
terminal to ask on, the kit refuses unless ``--oui``."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from lessons.steps import simulated_drive
from tests.conftest import REPO_ROOT, kit_env, run_kit

SCRIPTS = REPO_ROOT / "firmware" / "scripts"
ERASE = ("mcu", "erase", "--board", "feather_esp32s3", "--port", "sim://esp32s3")


def run_in_terminal(*args: str, answer: str) -> subprocess.CompletedProcess[str]:
    """Run the kit with a terminal as its keyboard, typing ``answer``."""
    master, slave = pty.openpty()
    try:
        os.write(master, answer.encode())
        return subprocess.run(
            [sys.executable, "-m", "kit", *args],
            stdin=slave, capture_output=True, text=True, env=kit_env(), timeout=60,
        )  # fmt: skip
    finally:
        os.close(slave)
        os.close(master)


def test_erase_without_a_terminal_is_refused_unless_oui() -> None:
    refused = run_kit(*ERASE)
    assert refused.returncode == 1
    message = " ".join(refused.stderr.split())
    assert "pas de terminal" in message and "--oui" in message
    assert "Mémoire flash effacée" not in refused.stdout
    done = run_kit(*ERASE, "--oui")
    assert done.returncode == 0, done.stderr
    assert "Mémoire flash effacée" in done.stdout


def test_erase_asks_in_a_terminal_and_stops_on_non() -> None:
    stopped = run_in_terminal(*ERASE, answer="n\n")
    assert stopped.returncode == 1
    assert "Effacer toute la mémoire" in stopped.stderr and "[o/N]" in stopped.stderr
    assert "Abandon" in stopped.stderr and "Mémoire flash effacée" not in stopped.stdout
    confirmed = run_in_terminal(*ERASE, answer="oui\n")
    assert confirmed.returncode == 0, confirmed.stderr
    assert "Mémoire flash effacée" in confirmed.stdout


def test_a_deploy_predicted_to_fail_does_not_replace_code_py_without_a_yes(
    tmp_path: Path,
) -> None:
    drive = simulated_drive(tmp_path, "pico")  # a Pico has no NEOPIXEL pin
    (drive / "code.py").write_text("print('le programme de la semaine dernière')\n")
    before = (drive / "code.py").read_bytes()
    args = ("mcu", "deploy", "neopixel_arc_en_ciel", "--drive", str(drive))
    refused = run_kit(*args)
    assert refused.returncode == 1
    assert "AttributeError" in refused.stderr and "--oui" in refused.stderr
    assert (drive / "code.py").read_bytes() == before
    stopped = run_in_terminal(*args, answer="n\n")
    assert stopped.returncode == 1 and "Abandon" in stopped.stderr
    assert (drive / "code.py").read_bytes() == before
    forced = run_kit(*args, "--oui")
    assert forced.returncode == 0, forced.stderr
    assert (drive / "code.py").read_bytes() == (SCRIPTS / "neopixel_arc_en_ciel.py").read_bytes()


def test_a_deploy_that_fits_the_board_asks_nothing(tmp_path: Path) -> None:
    drive = simulated_drive(tmp_path, "pico")
    (drive / "code.py").write_text("print('ancien')\n")
    result = run_kit("mcu", "deploy", "clignoter", "--drive", str(drive))
    assert result.returncode == 0, result.stderr
    assert (drive / "code.py").read_bytes() == (SCRIPTS / "clignoter.py").read_bytes()
