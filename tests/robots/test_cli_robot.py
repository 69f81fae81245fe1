# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit robot …`` as a user types it."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from robots.challenges import EXAMPLES_DIR
from tests.conftest import REPO_ROOT, kit_env, run_kit


def test_sample_solution_passes_its_challenge_and_draws_the_path(tmp_path: Path) -> None:
    picture = tmp_path / "trajet.png"
    result = run_kit(
        "robot",
        "run",
        str(EXAMPLES_DIR / "suivre_ligne.py"),
        "--port",
        "sim://mbot",
        "--defi",
        "virage-serre",
        "--picture",
        str(picture),
    )
    assert result.returncode == 0, result.stderr
    assert "réussi" in result.stdout and "Tour complet" in result.stdout
    assert picture.read_bytes().startswith(b"\x89PNG")


def test_failed_challenge_exits_1_with_the_reason(tmp_path: Path) -> None:
    script = tmp_path / "fonce.py"
    script.write_text("robot.avancer()\nrobot.attendre(10)\n", encoding="utf-8")
    result = run_kit("robot", "run", str(script), "--port", "sim://mbot", "--defi", "arret-mur")
    assert result.returncode == 1
    assert "manqué" in result.stdout and "heurté" in result.stdout


def test_syntax_error_is_shown_in_french_with_its_line(tmp_path: Path) -> None:
    script = tmp_path / "faute.py"
    script.write_text("robot.avancer()\nif robot.distance() < 10\n    robot.arreter()\n")
    result = run_kit("robot", "run", str(script), "--port", "sim://mbot")
    assert result.returncode == 2
    assert "Faute de syntaxe" in result.stderr and "ligne 2" in result.stderr
    assert "Erreur : Erreur" not in result.stderr
    # Python's « expected ':' » said in French, not in English.
    assert "il manque « : »" in " ".join(result.stderr.split())
    assert "expected" not in result.stderr
    assert "Traceback" not in result.stderr


def test_error_in_the_program_exits_1_and_the_robot_is_stopped(tmp_path: Path) -> None:
    script = tmp_path / "oups.py"
    script.write_text("robot.avancer()\nrobot.attendre(0.5)\nrobot.avancer(vitesse=300)\n")
    result = run_kit("robot", "run", str(script), "--port", "sim://mbot")
    assert result.returncode == 1
    assert "ligne 3" in result.stderr and "entre 0 et 100" in result.stderr
    assert "Le robot est arrêté" in result.stderr


def test_unknown_challenge_exits_2() -> None:
    result = run_kit(
        "robot",
        "run",
        str(EXAMPLES_DIR / "arret_mur.py"),
        "--port",
        "sim://mbot",
        "--defi",
        "voler",
    )
    assert result.returncode == 2
    assert "Défi inconnu" in result.stderr and "arret-mur" in result.stderr


def test_a_port_that_is_not_an_mbot_is_explained() -> None:
    result = run_kit("robot", "run", str(EXAMPLES_DIR / "arret_mur.py"), "--port", "sim://echo")
    assert result.returncode == 2
    text = " ".join(result.stderr.split())
    assert "Aucun mBot ne répond" in text
    assert "Mettre à jour le micrologiciel" in text


def test_missing_script_exits_2(tmp_path: Path) -> None:
    missing = run_kit("robot", "run", str(tmp_path / "absent.py"), "--port", "sim://mbot")
    assert missing.returncode == 2 and "introuvable" in missing.stderr


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_the_program_and_the_robot(tmp_path: Path, signum: int) -> None:
    script = tmp_path / "sans_fin.py"
    script.write_text("while True:\n    robot.avancer()\n    robot.attendre(0.1)\n")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kit",
            "robot",
            "run",
            str(script),
            "--port",
            "sim://mbot?arena=table&speed=1&demarrage=0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kit_env(),
        cwd=str(REPO_ROOT),
    )
    assert proc.stderr is not None
    assert "Robot connecté" in proc.stderr.readline()
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "le robot est arrêté" in err


def test_robot_test_checks_every_part_on_the_simulator() -> None:
    result = run_kit("robot", "test", "--port", "sim://mbot?arena=table")
    assert result.returncode == 0, result.stderr
    for part in (
        "Capteur à ultrasons",
        "Suiveur de ligne",
        "DEL gauche",
        "Buzzer",
        "Moteur gauche (M1)",
        "Rotation à droite",
    ):
        assert part in result.stdout
    assert "cm en avant" in result.stdout and "-0,0" not in result.stdout


def test_robot_drive_reads_keys_from_stdin() -> None:
    result = run_kit("robot", "drive", "--port", "sim://mbot?demarrage=0", input_text="zz d +s x")
    assert result.returncode == 0, result.stderr
    assert "avance" in result.stdout and "tourne à droite" in result.stdout
    assert "le robot est arrêté" in result.stdout


def test_robot_drive_presses_the_simulated_robots_button_with_a() -> None:
    result = run_kit("robot", "drive", "--port", "sim://mbot?demarrage=0", input_text="a x")
    assert result.returncode == 0, result.stderr
    assert "bouton du robot appuyé" in result.stdout


def test_run_with_appui_on_the_command_line_passes_the_button_challenge() -> None:
    result = run_kit("robot", "run", "exemple:depart_bouton", "--port", "sim://mbot",
                     "--defi", "depart-bouton", "--appui", "2")
    assert result.returncode == 0, result.stderr
    assert "réussi" in result.stdout


def test_challenge_and_arena_names_are_never_cut_at_80_columns() -> None:
    from robots.challenges import available_challenges, load_challenge

    defis = run_kit("robot", "defis", COLUMNS="80")
    assert defis.returncode == 0, defis.stderr
    assert "…" not in defis.stdout
    for name in available_challenges():
        assert name in defis.stdout
        example = load_challenge(name).example
        if example:
            assert f"exemple:{example.removesuffix('.py')}" in defis.stdout
    arenes = run_kit("robot", "arenes", COLUMNS="80")
    assert arenes.returncode == 0 and "…" not in arenes.stdout
