# SPDX-License-Identifier: GPL-3.0-or-later
"""Real PrusaSlicer files: the estimate against the slicer's own, filament, the CLI report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from printers.analysis import analyse_file
from printers.pictures import draw_file
from printers.profile import load_profile
from tests.conftest import run_kit
from tests.printers_analysis.helpers import LETTERBLOCK, NAMETAG, TUBE


@pytest.mark.parametrize(
    ("path", "profile", "slicer_s"),
    [
        (NAMETAG, "ender3", 14 * 60 + 35),
        (LETTERBLOCK, "mk3s", 30 * 60 + 57),
        (TUBE, "mk4", 11 * 60 + 33),  # relative E, faster machine
    ],
)
def test_estimate_is_within_two_percent_of_prusaslicer(
    path: Path, profile: str, slicer_s: int
) -> None:
    a = analyse_file(path, load_profile(profile))
    assert a.slicer.estimate_s == slicer_s
    assert a.limits_from_file
    assert abs(a.estimated_seconds - slicer_s) / slicer_s <= 0.02
    assert a.filament_mm == pytest.approx(a.slicer.filament_mm, abs=0.05)
    assert len(a.progress_points) <= 1000


def test_nametag_report(tmp_path: Path) -> None:
    result = run_kit("printer", "check", str(NAMETAG), "--profile", "ender3", "--creneau", "90")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "≈ 14 min" in out
    assert "le trancheur annonce 14 min 35 s" in out
    assert "1,00 m" in out and "€" in out
    assert "Couches : 15" in out
    assert "imprimable" in out


def test_json_and_a_slot_too_short_once_heating_is_counted(tmp_path: Path) -> None:
    picture = tmp_path / "vue.png"
    result = run_kit(
        "printer",
        "check",
        str(NAMETAG),
        "--profile",
        "ender3",
        "--json",
        "--creneau",
        "15",
        "--picture",
        str(picture),
    )
    # 14 min 35 s of printing fits in 15 min, not with the 1.5 min of heating.
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert set(data) == {
        "estimated_seconds",
        "heating_seconds",
        "total_seconds",
        "filament_mm",
        "filament_g",
        "layers",
        "bounding_box",
        "object_box",
        "checks",
    }
    assert data["layers"] == 15
    assert 850 < data["estimated_seconds"] < 900
    assert data["total_seconds"] == pytest.approx(
        data["estimated_seconds"] + data["heating_seconds"], abs=0.2
    )
    assert {"code": "too_long_for_slot", "severity": "error"}.items() <= data["checks"][0].items()
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_pictures_png_and_svg(tmp_path: Path) -> None:
    profile = load_profile("ender3")
    a = analyse_file(NAMETAG, profile)
    svg = draw_file(a, profile, tmp_path / "couche.svg", layers=[1, 15])
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "couches 1, 15" in text
    png = draw_file(a, profile, tmp_path / "tout.png")
    from PIL import Image

    with Image.open(png) as image:
        # A flat name tag: the picture is cut to the top view's height, no band of white.
        assert image.size[0] == 1200 and 300 < image.size[1] < 400
        bottom_rows = [image.getpixel((300, y)) for y in range(image.size[1] - 60, image.size[1])]
        assert any(p != (255, 255, 255) for p in bottom_rows)  # the panel's frame reaches down
        # Something besides the background and the panels was drawn: the coloured paths.
        assert len(image.getcolors(maxcolors=100_000) or []) > 10
    from kit.errors import InputFileError

    with pytest.raises(InputFileError, match="couche 99"):
        draw_file(a, profile, tmp_path / "x.png", layers=[99])


def test_profile_is_detected_from_the_slicer_config(tmp_path: Path) -> None:
    path = tmp_path / "prusa.gcode"
    path.write_text(
        "G28\nM109 S215\nG1 X10 Y10 E1 F600\n; printer_model = MK3S\n", encoding="utf-8"
    )
    result = run_kit("printer", "check", str(path))
    assert result.returncode == 0, result.stderr
    assert "profil « mk3s », détecté d'après le fichier" in result.stdout
