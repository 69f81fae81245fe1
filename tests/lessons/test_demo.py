# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit demo``: the newcomer's tour runs end to end on the simulators and writes its pictures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kit.commands.demo import tour
from kit.commands.lesson import command_exists
from tests.conftest import REPO_ROOT, kit_env, run_kit


def test_the_demo_runs_every_step_on_the_simulators_and_writes_its_pictures(
    tmp_path: Path,
) -> None:
    # Run from a folder outside the kit, as after « pip install »: every command the tour
    # shows names files of that folder (the samples « kit exemples » copies), none of the kit's.
    out = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, "-m", "kit", "demo", "--sortie", "demo"],
        capture_output=True, text=True, timeout=120, env=kit_env(), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(out) in result.stdout  # the folder is named
    shown = [line for line in result.stdout.splitlines() if line.startswith("$ kit ")]
    assert len(shown) == len(tour(Path("demo"), live=False))
    assert "$ kit printer check demo/porte-nom-ender3.gcode" in result.stdout
    assert "$ kit robot run demo/parcours.py" in result.stdout
    assert not any(str(REPO_ROOT) in line for line in shown)
    assert "kit lesson list" in result.stdout and "kit rehearse" in result.stdout
    steps = tour(out.resolve(), live=False)
    assert all(command_exists(step.argv) for step in steps)
    assert "Étape sautée" not in result.stdout
    assert {step.argv[0] for step in steps} == {"printer", "robot", "mcu", "badge"}
    for step in steps:
        if step.picture:
            data = (out / step.picture).read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n", step.picture
    assert "Verdict : imprimable" in result.stdout
    assert "Impression terminée" in result.stdout
    assert "Attention" not in result.stdout + result.stderr  # the file suits its printer
    assert "Défi « Parcours d'obstacles » réussi" in result.stdout
    assert "Badge « Pilote mBot » délivré à Camille D." in result.stdout
    assert len(list((out / "badges").glob("pilote-mbot-camille-d*.png"))) == 1
    assert "Traceback" not in result.stderr


def test_the_demo_refuses_an_output_folder_it_cannot_create(tmp_path: Path) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    result = run_kit("demo", "--sortie", str(blocker / "sous-dossier"))
    assert result.returncode == 2
    assert "Impossible de créer le dossier" in result.stderr
