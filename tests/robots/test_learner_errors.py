# SPDX-License-Identifier: GPL-3.0-or-later
"""A learner's mistakes are explained in French, with the fix when it is a classic one."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.errors import InputFileError
from robots.learner import Robot
from robots.mbot import connect
from robots.runner import Ending, load_script, run_script


def outcome_of(tmp_path: Path, text: str) -> str:
    script = tmp_path / "eleve.py"
    script.write_text(text, encoding="utf-8")
    mbot = connect("sim://mbot?demarrage=0")
    try:
        outcome = run_script(load_script(script), Robot(mbot))
    finally:
        mbot.close()
    assert outcome.ending is Ending.ERROR
    return outcome.message


def test_a_misspelt_robot_method_gets_the_closest_ones_and_the_memo(tmp_path: Path) -> None:
    message = outcome_of(tmp_path, "robot.avancer(50, 0.1)\nrobot.tourner(90)\n")
    assert message.startswith("Erreur ligne 2 : AttributeError")
    assert "vouliez-vous dire `tourner_a_droite` ou `tourner_a_gauche` ?" in message
    assert "kit robot memo" in message
    assert "vouliez-vous dire `arreter`" in outcome_of(tmp_path, "robot.areter()\n")


def test_a_method_without_parentheses_is_explained(tmp_path: Path) -> None:
    message = outcome_of(tmp_path, "if robot.distance < 20:\n    robot.arreter()\n")
    assert "not supported" not in message  # no English left
    assert "comparaison « < » impossible" in message
    assert "avec des parenthèses : robot.distance()" in message


def test_a_speed_written_as_text_is_explained(tmp_path: Path) -> None:
    message = outcome_of(tmp_path, 'robot.avancer("50")\n')
    assert "écrivez vitesse=50 sans guillemets" in message


def test_pythons_own_suggestion_is_kept_in_french(tmp_path: Path) -> None:
    message = outcome_of(tmp_path, "vitesse = 60\nrobot.avancer(vitese)\n")
    assert "« vitese » n'est pas défini" in message
    assert "vouliez-vous dire « vitesse » ?" in message


def test_a_missing_colon_is_named(tmp_path: Path) -> None:
    script = tmp_path / "eleve.py"
    script.write_text("if robot.distance() < 20\n    robot.arreter()\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="il manque « : » à la fin de la ligne"):
        load_script(script)
