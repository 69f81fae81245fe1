# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit mcu sim`` as lessons call it: a script, a board, a duration, a picture."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.firmware_deploy.helpers import kit_here


def test_sim_draws_the_timeline_picture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    picture = tmp_path / "clignoter.png"
    result = kit_here(capsys, "mcu", "sim", "firmware/scripts/clignoter.py", "--board", "pico",
                      "--duree", "4", "--picture", str(picture))
    assert result.returncode == 0, result.stderr
    assert "La LED clignote" in result.stdout
    assert "LED : allumée 4 fois" in result.stdout
    with Image.open(picture) as image:
        assert image.format == "PNG" and image.width == 1100
        # The LED's trace is drawn in red somewhere on the picture.
        assert (192, 57, 43) in {image.getpixel((x, y)) for x in range(190, 1070, 7)
                                 for y in range(56, 110)}


def test_sim_svg_for_neopixels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    picture = tmp_path / "pixels.svg"
    result = kit_here(capsys, "mcu", "sim", "neopixel_arc_en_ciel", "--duree", "2.5",
                      "--picture", str(picture))
    assert result.returncode == 0, result.stderr
    # Durations written the French way, in the console and on the picture's time axis.
    assert "2,5 s de temps simulé" in result.stdout
    assert "Fin de la simulation à 2,5 s" in result.stdout
    svg = picture.read_text(encoding="utf-8")
    assert svg.count('fill="#ff0000"') >= 10  # ten red pixels during the first second
    assert "NEOPIXEL (10 LED)" in svg
    assert ">1,5 s<" in svg  # a tick of the time axis


def test_sim_reports_learner_error_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "prog.py"
    script.write_text("import board\nimport digitalio\nled = digitalio.DigitalInOut(board.LEDD)\n",
                      encoding="utf-8")
    result = kit_here(capsys, "mcu", "sim", str(script), "--board", "circuitplayground_express")
    assert result.returncode == 1
    assert "Erreur ligne 3 de code.py" in result.stderr
    assert "la carte n'a pas de broche « LEDD »" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["clignoter", "--board", "arduino_uno"], "Carte inconnue"),
        (["clignoter", "--entree", "BOUTON"], "Entrée simulée illisible"),
        (["n_existe_pas.py", "--board", "pico"], "introuvable"),
        (["clignoter", "--picture", "x.gif"], "Format d'image"),
    ],
)
def test_sim_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    result = kit_here(capsys, "mcu", "sim", *args)
    assert result.returncode == 2
    assert words in result.stderr


def test_sim_syntax_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "prog.py"
    script.write_text("for i in range(3)\n    print(i)\n", encoding="utf-8")
    result = kit_here(capsys, "mcu", "sim", str(script), "--board", "pico")
    assert result.returncode == 2
    assert "Faute de syntaxe" in result.stderr and "ligne 1" in result.stderr


def test_serve_refuses_an_unknown_board(capsys: pytest.CaptureFixture[str]) -> None:
    result = kit_here(capsys, "sim", "serve", "circuitpython", "--pty", "--board", "uno")
    assert result.returncode == 2
    assert "Carte inconnue" in result.stderr and result.stdout == ""


def test_unknown_script_name_lists_the_kit_programs(capsys: pytest.CaptureFixture[str]) -> None:
    result = kit_here(capsys, "mcu", "deploy", "clignote", "--dry-run")
    assert result.returncode == 2
    assert "Programmes du kit : bouton_led, clignoter" in result.stderr


def test_sim_servo_summary_in_degrees(capsys: pytest.CaptureFixture[str]) -> None:
    result = kit_here(capsys, "mcu", "sim", "servo", "--board", "pico", "--duree", "2")
    assert result.returncode == 0, result.stderr
    assert "A2 : servomoteur de 0° à 180°" in result.stdout


def test_sim_program_that_ends_gives_its_end_time_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "court.py"
    script.write_text("import time\ntime.sleep(0.25)\nprint('fini')\n", encoding="utf-8")
    result = kit_here(capsys, "mcu", "sim", str(script), "--board", "pico")
    assert result.returncode == 0, result.stderr
    assert "fini" in result.stdout
    assert "Le programme s'est terminé à 0,25 s." in result.stdout
