# SPDX-License-Identifier: GPL-3.0-or-later
"""The streaming interpreter: each command and each slicer's comment dialect."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers.gcode import BadNumber, parse_duration, split_code, split_words
from tests.printers_analysis.helpers import START, analyse_text


def test_words_are_split_with_or_without_spaces() -> None:
    assert split_words(b"G1 X10 Y-2.5 E.4") == (b"G1", [(88, 10.0), (89, -2.5), (69, 0.4)])
    assert split_words(b"g1x10y2") == (b"G1", [(88, 10.0), (89, 2.0)])
    with pytest.raises(BadNumber):
        split_words(b"G1 X1O")


def test_comments_semicolon_and_parentheses_are_removed() -> None:
    assert split_code(b"G1 X1 (move) Y2 ; note\n") == (b"G1 X1   Y2", b"note")


def test_slicer_durations_are_read() -> None:
    assert parse_duration("14m 35s") == 875
    assert parse_duration("1h 2m 3s") == 3723
    assert parse_duration("1d 0h 1m 0s") == 86460
    assert parse_duration("bientôt") is None


def test_linear_moves_absolute_and_relative(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, START + "G1 X10 Y10 E1 F1200\nG91\nG1 X10 E1\nG90\nG1 Y30 E3\n")
    assert a.bounding_box is not None
    assert (a.bounding_box.max_x, a.bounding_box.max_y) == (20.0, 30.0)
    # G91 makes E relative too (Marlin): 1 + 1 then back to absolute E3 -> 3 mm in all.
    assert a.filament_mm == pytest.approx(3.0)


def test_relative_extrusion_and_g92(tmp_path: Path) -> None:
    a = analyse_text(
        tmp_path,
        "G28\nM109 S200\nM83\nG1 X10 E2 F600\nG1 X20 E2\nG92 E0\nG1 E-1\nG1 E1\nG1 X30 E2\n",
    )
    assert a.filament_mm == pytest.approx(6.0)  # the retraction is given back, not counted


def test_inches(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, START + "G20\nG1 X1 Y1 E0.01 F60\n")
    assert a.bounding_box is not None
    assert a.bounding_box.max_x == pytest.approx(25.4)


@pytest.mark.parametrize(
    ("arc", "length"),
    [
        ("G2 X10 Y0 I5 J0 E1 F600", math.pi * 5),  # half circle, centre given
        ("G3 X10 Y0 R5 E1 F600", math.pi * 5),  # half circle, radius given
        ("G3 X0 Y0 I5 J0 E1 F600", math.pi * 10),  # full circle
    ],
)
def test_arcs(tmp_path: Path, arc: str, length: float) -> None:
    a = analyse_text(tmp_path, START + "G1 X0 Y0 F3000\n" + arc + "\n")
    # About the arc's length at its feedrate (10 mm/s); 1 mm chords are a little shorter.
    assert a.motion_seconds >= 0.99 * length / 10.0
    assert a.motion_seconds < length / 10.0 + 1.0
    assert a.bounding_box is not None
    assert a.bounding_box.max_x == pytest.approx(10.0, abs=0.05)
    assert 4.9 < max(abs(a.bounding_box.min_y), abs(a.bounding_box.max_y)) < 5.1


def test_dwell_counts_in_the_estimate(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, START + "G1 X10 E1 F600\nG4 P1500\nG4 S2\n")
    assert a.dwell_seconds == pytest.approx(3.5)
    assert a.estimated_seconds == pytest.approx(a.motion_seconds + 3.5)


def test_heating_waits_follow_the_profile_rates(tmp_path: Path) -> None:
    # generic profile: ambient 22 °C, hotend 2 °C/s, bed 0.5 °C/s, settle 5 s.
    a = analyse_text(tmp_path, "G28\nM140 S60\nM190 S60\nM104 S200\nM109 S200\nG1 X10 E1 F600\n")
    assert a.heating_seconds == pytest.approx((60 - 22) / 0.5 + (200 - 22) / 2.0 + 5.0)
    assert a.total_seconds == pytest.approx(a.estimated_seconds + a.heating_seconds)


def test_m104_started_early_shortens_the_wait(tmp_path: Path) -> None:
    early = analyse_text(
        tmp_path, "G28\nM104 S200\nG4 S30\nM109 S200\nG1 X10 E1 F600\n", name="early.gcode"
    )
    late = analyse_text(tmp_path, "G28\nG4 S30\nM109 S200\nG1 X10 E1 F600\n", name="late.gcode")
    assert early.heating_seconds == pytest.approx(late.heating_seconds - 30.0)


def test_speed_and_flow_factors(tmp_path: Path) -> None:
    base = analyse_text(tmp_path, START + "G1 X100 E5 F600\n", name="a.gcode")
    slow = analyse_text(tmp_path, START + "M220 S50\nG1 X100 E5 F600\n", name="b.gcode")
    flow = analyse_text(tmp_path, START + "M221 S110\nG1 X100 E5 F600\n", name="c.gcode")
    assert slow.motion_seconds == pytest.approx(2 * base.motion_seconds, rel=0.02)
    assert flow.filament_mm == pytest.approx(5.5)


def test_machine_limits_come_from_the_file(tmp_path: Path) -> None:
    text = START + "M201 X100 Y100\nM204 P100 T100\nM205 X20 Y20\nG1 X100 E5 F6000\n"
    slow = analyse_text(tmp_path, text, name="slow.gcode")
    fast = analyse_text(tmp_path, START + "G1 X100 E5 F6000\n", name="fast.gcode")
    assert slow.limits_from_file
    assert slow.limits.print_acceleration_mm_s2 == 100.0
    assert not fast.limits_from_file
    assert "limits_from_profile" in {c.code for c in fast.checks}
    assert slow.motion_seconds > fast.motion_seconds


def test_junction_deviation_file(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, START + "M205 J0.02\nG1 X10 E1 F3000\nG1 Y10 E2\n")
    assert a.limits.junction_deviation_mm == pytest.approx(0.02)
    assert a.motion_seconds > 0


def test_tool_changes_objects_and_m73(tmp_path: Path) -> None:
    a = analyse_text(
        tmp_path,
        START + "EXCLUDE_OBJECT_DEFINE NAME=cube CENTER=10,10\nEXCLUDE_OBJECT_DEFINE NAME=pion\n"
        "M73 P0 R12\nT0\nEXCLUDE_OBJECT_START NAME=cube\nG1 X10 E1 F600\n"
        "EXCLUDE_OBJECT_END NAME=cube\nT1\nG1 X20 E2\nM106 S255\nM107\n",
    )
    assert a.facts.tool_changes == 2
    assert a.facts.objects == {"cube", "pion"}
    assert a.slicer.m73_estimate_s == 720.0
    assert a.facts.unknown_commands == 0


def test_prusaslicer_dialect(tmp_path: Path) -> None:
    a = analyse_text(
        tmp_path,
        "; generated by PrusaSlicer 2.7.1 on 2024-01-01\n"
        + START
        + ";LAYER_CHANGE\n;Z:0.2\n;HEIGHT:0.2\n;TYPE:Perimeter\n;WIDTH:0.45\nG1 X10 E1 F600\n"
        ";LAYER_CHANGE\n;Z:0.4\nG1 Z0.4\nG1 X0 E2\n"
        "; filament used [mm] = 2.00\n; estimated printing time (normal mode) = 1h 2m 3s\n"
        "; printer_model = MK3S\n; bed_shape = 0x0,250x0,250x210,0x210\n"
        "; filament_type = PETG\n",
        profile="mk3s",
    )
    assert a.slicer.name == "PrusaSlicer"
    assert a.layers == 2
    assert a.slicer.estimate_s == 3723
    assert a.slicer.filament_mm == 2.0
    assert a.slicer.printer_model == "MK3S"
    assert a.slicer.bed_size_mm == (250.0, 210.0)
    assert a.material == "PETG"


def test_orcaslicer_banner(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, "; generated by OrcaSlicer 2.0.0\n" + START + "G1 X1 E1 F600\n")
    assert a.slicer.name == "OrcaSlicer"


def test_cura_dialect(tmp_path: Path) -> None:
    a = analyse_text(
        tmp_path,
        ";FLAVOR:Marlin\n;TIME:1234\n;Filament used: 1.5m\n;Layer height: 0.2\n"
        ";TARGET_MACHINE.NAME:Creality Ender-3\n;Generated with Cura_SteamEngine 5.6.0\n"
        + START
        + ";LAYER_COUNT:2\n;LAYER:0\n;TYPE:WALL-OUTER\nG1 X10 E1 F600\n;LAYER:1\nG1 Z0.4\n"
        "G1 X0 E2\n;TIME_ELAPSED:12.3\n",
        profile="ender3",
    )
    assert a.slicer.name == "Cura"
    assert a.slicer.estimate_s == 1234
    assert a.slicer.filament_mm == pytest.approx(1500.0)
    assert a.slicer.printer_model == "Creality Ender-3"
    assert a.layers == 2
    assert "other_printer" not in {c.code for c in a.checks}


def test_simplify3d_dialect(tmp_path: Path) -> None:
    a = analyse_text(
        tmp_path,
        "; G-Code generated by Simplify3D(R) Version 4.1.2\n"
        ";   Build time: 1 hours 2 minutes\n;   Filament length: 1234.5 mm\n"
        + START
        + "; layer 1, Z = 0.200\n; feature outer perimeter\nG1 X10 E1 F600\n"
        "; layer 2, Z = 0.400\nG1 Z0.4\nG1 X0 E2\n",
    )
    assert a.slicer.name == "Simplify3D"
    assert a.slicer.estimate_s == 3720
    assert a.slicer.filament_mm == 1234.5
    assert a.layers == 2


def test_layers_without_comments_are_counted_from_z(tmp_path: Path) -> None:
    a = analyse_text(
        tmp_path,
        START + "G1 Z0.2\nG1 X10 E1 F600\nG1 Z0.4\nG1 X0 E2\nG1 Z5\nG1 Z0.6\nG1 X10 E3\n",
    )
    assert a.layers == 3


def test_progress_map_is_bounded_and_monotonic(tmp_path: Path) -> None:
    moves = "".join(f"G1 X{i % 50} Y{(i * 7) % 50} E{i * 0.01:.2f} F3000\n" for i in range(5000))
    a = analyse_text(tmp_path, START + moves)
    points = a.progress_points
    assert 10 < len(points) <= 1000
    assert all(o1 > o0 and s1 >= s0 for (o0, s0), (o1, s1) in zip(points, points[1:], strict=False))
    assert points[-1][0] == a.size_bytes
    assert a.remaining_s_at(0) == pytest.approx(a.total_seconds)
    assert a.remaining_s_at(a.size_bytes) == 0.0
    middle = a.remaining_s_at(a.size_bytes // 2)
    assert 0.3 * a.total_seconds < middle < 0.7 * a.total_seconds


def test_arc_radius_takes_the_short_way_round(tmp_path: Path) -> None:
    # Clockwise from (0, 0) to (10, 10) with R10: centre (10, 0), a quarter circle.
    a = analyse_text(tmp_path, START + "G1 X0 Y0 F3000\nG2 X10 Y10 R10 E1 F600\n")
    box = a.bounding_box
    assert box is not None
    assert box.min_y >= -0.01 and box.max_y <= 10.01 and box.min_x >= -0.01
    assert a.motion_seconds == pytest.approx(math.pi * 5 / 10.0, rel=0.02)


def test_a_cold_arc_is_named_once_by_its_line(tmp_path: Path) -> None:
    text = "G28\nM83\nG1 X100 Y100 F3000\nG2 X100 Y100 I-20 J0 E5\nG3 X140 Y100 R20 E2\n"
    a = analyse_text(tmp_path, text)
    assert a.facts.extrusion_cold_lines == [4, 5]


def test_heating_shows_as_a_step_in_the_progress_map(tmp_path: Path) -> None:
    moves = "".join(f"G1 X{i % 50} Y{(i * 7) % 50} E{i * 0.01:.2f} F3000\n" for i in range(3000))
    text = "G28\nG1 Z5 F600\nM109 S200\n" + moves
    a = analyse_text(tmp_path, text)
    wait_end = text.index("M109 S200\n") + len("M109 S200\n")
    before = a.elapsed_s_at(wait_end - len("M109 S200\n"))
    after = a.elapsed_s_at(wait_end)
    assert after - before == pytest.approx(a.heating_seconds, rel=0.01)


_path_moves = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(5, 150)), min_size=2, max_size=15
)


def _file(moves, header: str) -> str:  # type: ignore[no-untyped-def]
    body = "".join(
        f"G1 X{x} Y{y} E{0.05 * (i + 1):.2f} F{feed * 60}\n" for i, (x, y, feed) in enumerate(moves)
    )
    return START + header + body


@settings(max_examples=25, deadline=None)
@given(_path_moves, st.integers(101, 300))
def test_property_whole_file_estimate_is_monotonic_in_speed_and_acceleration(  # type: ignore[no-untyped-def]
    moves, percent
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        base = analyse_text(tmp, _file(moves, "M205 J0.05\n"), name="a.gcode").motion_seconds
        faster = analyse_text(
            tmp, _file(moves, f"M205 J0.05\nM220 S{percent}\n"), name="b.gcode"
        ).motion_seconds
        assert faster <= base * (1 + 1e-9)
        jerk = analyse_text(tmp, _file(moves, "M204 P500 T500\n"), name="c.gcode").motion_seconds
        quick = analyse_text(
            tmp, _file(moves, f"M204 P{5 * percent} T{5 * percent}\n"), name="d.gcode"
        ).motion_seconds
        assert quick <= jerk * (1 + 1e-9)


def test_m400_and_g28_stop_the_machine_between_moves(tmp_path: Path) -> None:
    moves = "G1 X50 E1 F6000\n{}G1 X100 E2\n"
    flowing = analyse_text(tmp_path, START + moves.format(""), name="a.gcode")
    stopped = analyse_text(tmp_path, START + moves.format("M400\n"), name="b.gcode")
    # 100 mm/s down to the 10 mm/s jerk speed and back at 1000 mm/s²: 0.08 s more.
    assert stopped.motion_seconds == pytest.approx(flowing.motion_seconds + 0.081, abs=0.002)
    homed = analyse_text(tmp_path, START + "G1 X50 Y50 Z5 F3000\nG28 X\nG1 Y60\n", name="c.gcode")
    assert homed.move_box is not None and homed.move_box.min_x == 0.0
