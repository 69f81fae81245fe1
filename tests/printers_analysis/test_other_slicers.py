# SPDX-License-Identifier: GPL-3.0-or-later
"""Files from CuraEngine 4.13 and Slic3r 1.3 (tests/data/gcode/README.md says how they were
made): the object apart from the purge line and the skirt, its height, and Cura's
command-line placeholder header, which is no estimate."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printers.analysis import analyse_file
from printers.profile import load_profile
from printers.slicer_comments import PART_OBJECT, PART_PURGE, PART_SKIRT, SlicerComments
from tests.conftest import run_kit
from tests.printers_analysis.helpers import DATA, START, analyse_text

CURA = DATA / "cube20-cura.gcode"
SLIC3R = DATA / "cube20-slic3r.gcode"


@pytest.mark.parametrize("path", [CURA, SLIC3R], ids=["cura", "slic3r"])
def test_a_20_mm_cube_is_20_mm_apart_from_purge_line_and_skirt(path: Path) -> None:
    a = analyse_file(path, load_profile("ender3"))
    assert a.object_size_mm is not None
    width, depth, height = a.object_size_mm
    assert height == pytest.approx(20.0, abs=1e-6)  # the top layer, not 20 - 0.2
    # The outer wall's centre line is half a line width inside the cube's faces.
    assert 19.0 < width <= 20.0 and 19.0 < depth <= 20.0
    facts = a.facts
    assert facts.skirt_box is not None and facts.purge_box is not None
    assert facts.skirt_box.size_mm[0] > width + 5  # the skirt goes round the cube
    assert facts.purge_box.size_mm[1] == pytest.approx(180.0)  # Y 20 to Y 200
    assert a.bounding_box is not None and a.bounding_box.size_mm[1] == pytest.approx(180.0)


def test_cura_command_line_placeholder_header_is_no_estimate() -> None:
    a = analyse_file(CURA, load_profile("ender3"))
    assert a.slicer.name == "Cura"
    assert a.slicer.estimate_s is None  # ;TIME:6666 with ;Filament used: 0m
    assert a.slicer.filament_mm is None


def test_a_real_cura_header_is_still_read(tmp_path: Path) -> None:
    text = ";FLAVOR:Marlin\n;TIME:6666\n;Filament used: 1.5m\n" + START + "G1 X10 Y10 E1 F600\n"
    a = analyse_text(tmp_path, text)
    assert a.slicer.estimate_s == 6666.0  # a real figure that happens to be 6666 s
    assert a.slicer.filament_mm == pytest.approx(1500.0)


@pytest.mark.parametrize("path", [CURA, SLIC3R], ids=["cura", "slic3r"])
def test_printer_check_on_other_slicers(path: Path) -> None:
    result = run_kit("printer", "check", str(path), "--profile", "ender3")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "objet : 20 × 20 mm, 20,0 mm de haut" in out
    assert "jupe" in out and "ligne de purge 180 mm de long" in out
    assert "le trancheur annonce" not in out
    assert "Verdict : imprimable" in out


def test_a_file_without_marks_keeps_everything_as_the_object(tmp_path: Path) -> None:
    text = START + "G1 Z0.2 F600\nG1 X0 Y50 E2\nG1 X10 Y10 E3\nG1 X20 Y10 E4\nG1 Z0.4\nG1 X10 E5\n"
    a = analyse_text(tmp_path, text)
    assert a.object_box == a.bounding_box
    assert a.facts.skirt_box is None and a.facts.purge_box is None
    assert a.object_size_mm is not None and a.object_size_mm[2] == pytest.approx(0.4)


def test_prusaslicer_skirt_is_apart_from_the_name_tag() -> None:
    a = analyse_file(DATA / "nametag-ender3.gcode", load_profile("ender3"))
    assert a.object_size_mm is not None and a.bounding_box is not None
    assert a.object_size_mm[0] < a.bounding_box.size_mm[0] - 10  # skirt 6 mm away each side
    assert a.facts.skirt_box is not None


@given(st.lists(st.binary(max_size=40), max_size=30))
def test_any_comments_leave_a_known_part(comments: list[bytes]) -> None:
    reader = SlicerComments()
    for number, comment in enumerate(comments, 1):
        reader.feed(comment.strip(), number)
    assert reader.part in (PART_PURGE, PART_SKIRT, PART_OBJECT)
    reader.info()
