# SPDX-License-Identifier: GPL-3.0-or-later
"""Challenges on the simulator: sample solutions pass, wrong programs fail for the right reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.errors import KitError
from robots.arenas import available_arenas, load_arena
from robots.challenges import EXAMPLES_DIR, available_challenges, load_challenge
from robots.runner import Ending
from robots.session import run_program, simulator_url


@pytest.mark.parametrize(
    "name", ["arret-mur", "depart-bouton", "parcours", "tour-ovale", "virage-serre"]
)
def test_sample_solution_passes(name: str) -> None:
    challenge = load_challenge(name)
    example = challenge.example_path()
    assert example is not None and example.is_file()
    report = run_program(example, "sim://mbot", defi=name)
    assert report.result is not None
    assert report.result.passed, report.result
    assert not report.failed


def write(tmp_path: Path, text: str) -> Path:
    script = tmp_path / "eleve.py"
    script.write_text(text, encoding="utf-8")
    return script


def test_driving_into_the_wall_fails_with_the_collision(tmp_path: Path) -> None:
    script = write(tmp_path, "robot.avancer()\nrobot.attendre(8)\n")
    report = run_program(script, "sim://mbot", defi="arret-mur")
    assert report.result is not None and not report.result.passed
    assert "heurté" in report.result.reason
    assert ("collisions", "1") in report.result.figures


def test_stopping_too_early_fails_with_the_distance(tmp_path: Path) -> None:
    script = write(tmp_path, "robot.avancer(duree=1)\n")
    report = run_program(script, "sim://mbot", defi="arret-mur")
    assert report.result is not None and not report.result.passed
    assert "trop loin" in report.result.reason


def test_doing_nothing_does_not_reach_the_zone(tmp_path: Path) -> None:
    report = run_program(write(tmp_path, "robot.attendre(1)\n"), "sim://mbot", defi="parcours")
    assert report.result is not None and not report.result.passed
    assert "n'a pas été atteinte" in report.result.reason


def test_going_straight_leaves_the_oval_track(tmp_path: Path) -> None:
    script = write(tmp_path, "robot.avancer(vitesse=80)\nrobot.attendre(10)\n")
    report = run_program(script, "sim://mbot", defi="tour-ovale")
    assert report.result is not None and not report.result.passed
    assert "quitté la ligne" in report.result.reason


def test_a_program_error_is_reported_with_its_line_and_counts_as_failed(tmp_path: Path) -> None:
    script = write(tmp_path, "robot.avancer()\nrobot.tourner(3)\n")
    report = run_program(script, "sim://mbot", defi="arret-mur")
    assert report.outcome.ending is Ending.ERROR
    assert report.outcome.line == 2
    assert "AttributeError" in report.outcome.message
    assert report.failed


def test_picture_of_a_run_is_written_as_png_and_svg(tmp_path: Path) -> None:
    script = EXAMPLES_DIR / "arret_mur.py"
    png = run_program(script, "sim://mbot", defi="arret-mur", picture=tmp_path / "a.png").picture
    svg = run_program(script, "sim://mbot", defi="arret-mur", picture=tmp_path / "a.svg").picture
    assert png is not None and png.read_bytes().startswith(b"\x89PNG")
    assert svg is not None
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "Défi réussi" in text and "polyline" in text


def test_unknown_names_are_refused() -> None:
    with pytest.raises(KitError, match="Défi inconnu") as info:
        load_challenge("lune")
    assert info.value.exit_code == 2
    with pytest.raises(KitError, match="Arène inconnue"):
        load_arena("../arenas/mur")


def test_unknown_arena_and_bad_picture_name_are_refused_before_connecting(
    tmp_path: Path,
) -> None:
    script = EXAMPLES_DIR / "arret_mur.py"
    with pytest.raises(KitError, match="Arène inconnue") as info:
        run_program(script, "sim://mbot", arena="lune")
    assert info.value.exit_code == 2
    with pytest.raises(KitError, match=".png ou .svg"):
        run_program(script, "sim://mbot", picture=tmp_path / "trajet.gif")
    with pytest.raises(KitError, match="se joue dans l'arène"):
        run_program(script, "sim://mbot", arena="ovale", defi="arret-mur")


def test_two_different_arenas_are_refused() -> None:
    with pytest.raises(KitError, match="Deux arènes"):
        simulator_url("sim://mbot?arena=ovale", "mur")
    assert simulator_url("sim://mbot", "ovale") == "sim://mbot?arena=ovale"


def test_every_shipped_arena_and_challenge_loads() -> None:
    assert {"table", "mur", "obstacles", "ovale", "virage"} <= set(available_arenas())
    for name in available_arenas():
        arena = load_arena(name)
        assert arena.width > 0 and arena.segments()
    for name in available_challenges():
        challenge = load_challenge(name)
        assert challenge.example_path() is not None


def test_every_arena_can_be_drawn_for_the_handouts(tmp_path: Path) -> None:
    from robots.picture import draw_arena

    for name in available_arenas():
        drawing, _ = draw_arena(load_arena(name))
        text = drawing.save(tmp_path / f"{name}.svg").read_text(encoding="utf-8")
        assert f"Arène « {name} »" in text


def test_picture_in_a_missing_folder_is_refused_before_running(tmp_path: Path) -> None:
    with pytest.raises(KitError, match="n'existe pas"):
        run_program(EXAMPLES_DIR / "arret_mur.py", "sim://mbot", picture=tmp_path / "x" / "a.png")


def test_shipped_examples_are_reachable_by_name() -> None:
    from robots.session import resolve_script

    assert resolve_script("exemple:arret_mur") == EXAMPLES_DIR / "arret_mur.py"
    assert resolve_script("exemple:suivre_ligne.py") == EXAMPLES_DIR / "suivre_ligne.py"
    with pytest.raises(KitError, match="Exemple inconnu"):
        resolve_script("exemple:../../kit/cli")


def test_memo_lists_every_learner_method() -> None:
    from click.testing import CliRunner

    from kit.commands.robot import robot
    from robots.learner import MEMO, Robot

    result = CliRunner().invoke(robot, ["memo"], terminal_width=200)
    assert result.exit_code == 0
    for call, _effect in MEMO:
        for name in call.replace(",", " ").split():
            if name.startswith("robot."):
                method = name.split(".")[1].split("(")[0]
                assert hasattr(Robot, method), method
    assert "robot.distance()" in result.output


def test_an_arena_file_with_a_typo_is_refused_with_the_key(tmp_path: Path) -> None:
    from kit.errors import InputFileError

    bad = tmp_path / "faute.toml"
    bad.write_text(
        "largeur = 100\nprofondeur = 80\ndepart = { x = 10, y = 10, angle = 90 }\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError, match="depart.angle"):
        load_arena(str(bad))


def test_an_arena_file_with_broken_toml_or_a_missing_key_is_said_in_french(tmp_path: Path) -> None:
    from kit.errors import InputFileError

    broken = tmp_path / "cassee.toml"
    broken.write_text("largeur = 100\nprofondeur = \n", encoding="utf-8")
    with pytest.raises(InputFileError, match="syntaxe TOML invalide ligne 2"):
        load_arena(str(broken))
    missing = tmp_path / "incomplete.toml"
    missing.write_text("largeur = 100\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="la clé « profondeur » manque"):
        load_arena(str(missing))
