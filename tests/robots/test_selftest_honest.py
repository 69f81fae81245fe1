# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit robot test`` passes only what it checked: on the simulator it measures the motors,
LEDs and buzzer; on a robot it cannot see (here the simulator served on a pty, opened as a
real serial port) it asks the animateur, and reports « non vérifié » when nobody answers."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from tests.conftest import kit_env, run_kit
from tests.test_sim_serve import start_server, stop_server


def test_on_the_simulator_a_motor_that_does_not_turn_fails_the_test() -> None:
    # Dead zone above the test's PWM: the wheels get power but do not move.
    result = run_kit("robot", "test", "--port", "sim://mbot?arena=table&zone_morte=200")
    assert result.returncode == 1
    out = " ".join(result.stdout.split())
    assert "✗ Moteur gauche (M1)" in out and "pas le mouvement attendu" in out
    assert "✓ Buzzer : simulateur : 4 note(s) jouée(s) sur 4" in out
    assert "répond sur tous les éléments" not in out


@pytest.mark.skipif(sys.platform == "win32", reason="no pty on Windows")
def test_on_a_real_port_nothing_the_kit_cannot_see_passes_without_a_person() -> None:
    # Two robots on two served ports, tested side by side (a real port runs in real time):
    # one with nobody at the keyboard, one where the animateur answers.
    served = ("mbot", "--pty", "--arena", "table", "--demarrage", "0")
    first, first_path = start_server(*served)
    second, second_path = start_server(*served)
    master, slave = pty.openpty()
    try:
        command = [sys.executable, "-m", "kit", "robot", "test", "--port"]
        unanswered = subprocess.Popen(
            [*command, first_path], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=kit_env(),
        )  # fmt: skip
        # DEL gauche, DEL droite, buzzer: oui; M1: non; M2, déplacements: oui.
        os.write(master, b"o\noui\ny\nn\no\no\n")
        answered = subprocess.Popen(
            [*command, second_path], stdin=slave, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=kit_env(),
        )  # fmt: skip
        silent_out, silent_err = unanswered.communicate(timeout=120)
        answered_out, answered_err = answered.communicate(timeout=120)
    finally:
        os.close(slave)
        os.close(master)
        stop_server(first)
        stop_server(second)

    assert unanswered.returncode == 1, silent_out + silent_err
    out = " ".join(silent_out.split())
    assert "Moteur gauche (M1) : roue gauche en avant — non vérifié" in out
    assert "Buzzer : do, mi, sol, do — non vérifié" in out
    assert "répond sur tous les éléments" not in out
    assert "Non vérifié :" in out

    assert answered.returncode == 1, answered_out + answered_err
    out = " ".join(answered_out.split())
    assert "✓ Buzzer : do, mi, sol, do — confirmé par l'animateur" in out
    assert "✗ Moteur gauche (M1) : roue gauche en avant — ne fonctionne pas" in out
    assert "✓ Moteur droit (M2)" in out
    assert "Le robot n'a pas passé le test : Moteur gauche (M1)." in out
    assert "La roue gauche a-t-elle tourné" in answered_err
