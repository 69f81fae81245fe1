# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit exemples``: the sample files the README and the lesson fiches name, copied safely."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from firmware.boards import get_board
from firmware.esp_flash import check_image
from firmware.esp_image import exercise_image, is_exercise_image
from firmware.lesson_scripts import lesson_scripts
from lessons.catalog import EXAMPLES_DIR
from lessons.samples import EXERCISE_BIN, Outcome, collect, copy_samples
from robots.challenges import available_challenges, load_challenge
from tests.conftest import kit_env, run_kit


def test_samples_gather_every_lesson_file_challenge_program_and_board_script() -> None:
    names = [sample.name for sample in collect()]
    assert len(names) == len(set(names))  # one folder: no two samples may share a name
    lesson_files = {p.name for p in EXAMPLES_DIR.iterdir() if p.suffix != ".md"}
    assert lesson_files <= set(names)  # a .md there is the developers' note, not a sample
    assert not any(name.endswith(".md") for name in names)
    for challenge in map(load_challenge, available_challenges()):
        assert challenge.example in names, challenge.name
    assert {f"{name}.py" for name in lesson_scripts()} <= set(names)
    assert EXERCISE_BIN in names


def test_a_sample_edited_by_its_user_is_kept_unless_replacing(tmp_path: Path) -> None:
    first = copy_samples(tmp_path)
    assert {outcome for _, _, outcome in first} == {Outcome.WRITTEN}
    edited = tmp_path / "arret_mur.py"
    edited.write_text("robot.avancer(vitesse=50, duree=1)\n", encoding="utf-8")
    again = {sample.name: outcome for sample, _, outcome in copy_samples(tmp_path)}
    assert again["arret_mur.py"] is Outcome.KEPT
    assert again["clignoter.py"] is Outcome.UP_TO_DATE
    assert edited.read_text(encoding="utf-8").startswith("robot.avancer(vitesse=50")
    replaced = {sample.name: outcome for sample, _, outcome in copy_samples(tmp_path, replace=True)}
    assert replaced["arret_mur.py"] is Outcome.REPLACED
    assert "robot.avancer(vitesse=50" not in edited.read_text(encoding="utf-8")


def test_kit_exemples_writes_into_the_current_folder_by_default(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kit", "exemples"],
        capture_output=True, text=True, env=kit_env(), cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "porte-nom-ender3.gcode").is_file()
    assert (tmp_path / "parcours.py").is_file()
    assert "fichier(s) écrit(s)" in result.stdout


def test_kit_exemples_into_a_file_is_refused_in_french(tmp_path: Path) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    result = run_kit("exemples", str(blocker))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "fichier" in result.stderr


def test_the_exercise_image_passes_the_checks_of_its_chip_only() -> None:
    image = exercise_image("esp32s3")
    assert is_exercise_image(image)
    assert check_image(image, get_board("feather_esp32s3")).chip == "esp32s3"


def test_the_exercise_image_is_refused_on_a_real_port(tmp_path: Path) -> None:
    path = tmp_path / EXERCISE_BIN
    path.write_bytes(exercise_image("esp32s3"))
    result = run_kit(
        "mcu", "flash", str(path), "--board", "feather_esp32s3", "--port", "/dev/ttyACM9"
    )
    assert result.returncode == 2
    assert "image d'exercice" in result.stderr and "rien n'a été écrit" in result.stderr
    simulated = run_kit(
        "mcu", "flash", str(path), "--board", "feather_esp32s3", "--port", "sim://esp32s3"
    )
    assert simulated.returncode == 0, simulated.stderr
    assert "Image d'exercice écrite" in simulated.stdout
