# SPDX-License-Identifier: GPL-3.0-or-later
"""Every runnable step of every lesson, run against the simulators as the lesson check does."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.commands.lesson import command_exists
from lessons import catalog
from lessons.model import KitCommand
from lessons.steps import NOT_YET_AVAILABLE, display, run_step

#: Lessons whose steps test_cli_lesson.py already runs through « kit lesson check ».
CHECKED_THROUGH_THE_CLI = {"mcu-neopixels-tiers-lieu"}


def _unique_steps() -> list[tuple[str, KitCommand]]:
    """Each distinct step once (the 3D lessons share their print step), named by its lessons."""
    seen: dict[tuple[object, ...], tuple[list[str], KitCommand]] = {}
    for lesson in catalog.load_all():
        if lesson.ident in CHECKED_THROUGH_THE_CLI:
            continue
        for number, command in enumerate(lesson.commands(), 1):
            key = (command.argv, command.expected_code, command.expected_fragments, command.pending)
            seen.setdefault(key, ([], command))[0].append(f"{lesson.ident}-{number}")
    return [("+".join(names), command) for names, command in seen.values()]


STEPS = _unique_steps()


@pytest.mark.parametrize("step", STEPS, ids=[name for name, _ in STEPS])
def test_each_runnable_step_passes_against_the_simulators(
    step: tuple[str, KitCommand], tmp_path: Path
) -> None:
    _names, command = step
    result = run_step(command, tmp_path, command_exists)
    if command.pending:
        # Marked in the lesson as not yet runnable: the check must fail on it, loudly.
        assert not result.ok and NOT_YET_AVAILABLE in result.problems[0]
        return
    assert result.ok, f"{display(command)}: {result.problems}\n{result.output[-2000:]}"
    if command.picture:
        assert result.picture is not None
        assert result.picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_step_whose_command_does_not_exist_fails_the_check(tmp_path: Path) -> None:
    command = KitCommand(argv=("doctor", "--imprimer-en-4d"), purpose="x")
    assert command_exists(command.argv)  # the command exists, the option does not
    result = run_step(command, tmp_path, command_exists)
    assert not result.ok and "code de sortie 2 au lieu de 0" in result.problems[0]
    missing = KitCommand(argv=("teleporter", "run"), purpose="x")
    result = run_step(missing, tmp_path, command_exists)
    assert not result.available and result.problems == [NOT_YET_AVAILABLE]
    assert result.exit_code is None  # never run


def test_a_step_marked_pending_fails_even_when_its_command_exists(tmp_path: Path) -> None:
    command = KitCommand(argv=("doctor",), purpose="x", pending="en attente du pilote")
    result = run_step(command, tmp_path, command_exists)
    assert not result.ok and "retirez « en_attente »" in result.problems[0]


def test_expected_output_fragments_are_checked(tmp_path: Path) -> None:
    command = KitCommand(argv=("doctor",), purpose="x", expected_fragments=("zzz-absent",))
    result = run_step(command, tmp_path, command_exists)
    assert result.exit_code == 0 and not result.ok
    assert "« zzz-absent »" in result.problems[0]


def test_a_deploy_step_copies_onto_a_simulated_board_drive(tmp_path: Path) -> None:
    command = KitCommand(
        argv=("mcu", "deploy", "neopixel_arc_en_ciel", "--drive", "{circuitpy_pico}", "--oui"),
        purpose="x",
        expected_fragments=("code.py",),
    )
    result = run_step(command, tmp_path, command_exists)
    assert result.ok, result.problems
    drive = tmp_path / "CIRCUITPY-pico"
    assert "Board ID:raspberry_pi_pico" in (drive / "boot_out.txt").read_text()
    script = catalog.KIT_ROOT / "firmware" / "scripts" / "neopixel_arc_en_ciel.py"
    assert (drive / "code.py").read_text() == script.read_text()
    # From the cached bundle, compiled; adafruit_pixelbuf is in the Pico's firmware.
    assert {p.name for p in (drive / "lib").iterdir()} == {"neopixel.mpy"}
    # As the animateur types it, with the board plugged in: no --drive.
    assert display(command) == "kit mcu deploy neopixel_arc_en_ciel --oui"
