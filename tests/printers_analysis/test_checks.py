# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks against a printer profile, each with its French explanation and severity."""

from __future__ import annotations

from pathlib import Path

from tests.printers_analysis.helpers import START, analyse_text, codes


def _severity(analysis, code):  # type: ignore[no-untyped-def]
    return next(c.severity for c in analysis.checks if c.code == code)


def test_a_clean_file_is_printable(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, START + "G1 X10 Y10 E1 F600\n")
    assert a.printable
    assert not {c.code for c in a.checks if c.severity != "info"}


def test_move_outside_the_build_volume(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, START + "G1 X240 Y10 E1 F600\n", profile="ender3")
    assert "outside_build_volume" in codes(a)
    assert not a.printable
    message = next(c.message for c in a.checks if c.code == "outside_build_volume")
    assert "X monte à 240,0 mm (maximum 235,0 mm)" in message
    # Within the tolerance (1 mm) is accepted.
    ok = analyse_text(tmp_path, START + "G1 X235.5 Y10 E1 F600\n", profile="ender3", name="b.gcode")
    assert "outside_build_volume" not in codes(ok)


def test_purge_line_below_y0_is_fine_on_a_prusa(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, START + "G1 Y-3 F1000\nG1 X60 E9 F1000\n", profile="mk3s")
    assert "outside_build_volume" not in codes(a)


def test_temperatures_above_the_printer_maximum(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, "G28\nM140 S130\nM109 S280\nG1 X10 E1 F600\n", profile="ender3")
    assert {"hotend_too_hot", "bed_too_hot"} <= codes(a)
    assert _severity(a, "hotend_too_hot") == "error"


def test_temperature_outside_the_material_range_is_a_warning(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, "G28\nM190 S60\nM109 S240\nG1 X10 E1 F600\n", profile="ender3")
    assert _severity(a, "hotend_outside_material_range") == "warning"
    assert a.printable
    petg = analyse_text(
        tmp_path,
        "G28\nM190 S80\nM109 S240\nG1 X10 E1 F600\n; filament_type = PETG\n",
        profile="ender3",
        name="petg.gcode",
    )
    assert "hotend_outside_material_range" not in codes(petg)
    assert "bed_outside_material_range" not in codes(petg)


def test_extrusion_before_heating(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, "G28\nG1 X10 E1 F600\nM109 S200\n")
    assert _severity(a, "extrusion_before_heating") == "error"
    assert "ligne 2" in next(c.message for c in a.checks if c.code == "extrusion_before_heating")


def test_m302_allowing_cold_extrusion_turns_the_error_into_a_warning(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, "G28\nM302 P1\nG1 X10 E1 F600\n")
    assert "extrusion_before_heating" not in codes(a)
    assert _severity(a, "cold_extrusion_allowed") == "warning"
    assert "ligne 3" in next(c.message for c in a.checks if c.code == "cold_extrusion_allowed")
    assert a.printable
    # S0 lowers the minimum to nothing; P0 forbids it again.
    s0 = analyse_text(tmp_path, "G28\nM302 S0\nG1 X10 E1 F600\n", name="s0.gcode")
    assert s0.printable and "extrusion_before_heating" not in codes(s0)
    again = analyse_text(tmp_path, "G28\nM302 P1\nM302 P0\nG1 X10 E1 F600\n", name="p0.gcode")
    assert _severity(again, "extrusion_before_heating") == "error"


def test_extrusion_without_waiting_for_the_heat_is_a_warning(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, "G28\nM104 S200\nG1 X10 E1 F600\n")
    assert _severity(a, "extrusion_without_heating_wait") == "warning"


def test_move_before_homing(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, "M109 S200\nG1 X10 F600\nG28\nG1 X10 E1\n")
    assert _severity(a, "move_before_homing") == "error"


def test_mixed_extrusion_modes(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, START + "G1 X10 E1 F600\nM83\nG1 X20 E1\n")
    assert _severity(a, "mixed_extrusion_modes") == "warning"


def test_file_sliced_for_another_printer(tmp_path: Path) -> None:
    a = analyse_text(
        tmp_path,
        START + "G1 X10 E1 F600\n; printer_model = MK4\n; bed_shape = 0x0,250x0,250x210,0x210\n"
        "; max_print_height = 220\n",
        profile="ender3v2",
    )
    assert {"other_printer", "other_printer_bed"} <= codes(a)
    assert _severity(a, "other_printer") == "warning"
    same = analyse_text(
        tmp_path, START + "G1 X10 E1 F600\n; printer_model = MK4\n", profile="mk4", name="b.gcode"
    )
    assert "other_printer" not in codes(same)


def test_slot_with_heating_included(tmp_path: Path) -> None:
    text = START + "G4 S600\nG1 X10 E1 F600\n"  # 10 min of dwell + ~94 s of heating
    fits = analyse_text(tmp_path, text, slot_minutes=15)
    assert fits.fits_slot is True
    assert "fits_slot" in codes(fits)
    short = analyse_text(tmp_path, text, slot_minutes=11, name="b.gcode")
    assert short.fits_slot is False
    assert _severity(short, "too_long_for_slot") == "error"
    assert not short.printable


def test_errors_come_first(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, "G1 X10 F600\nG28\nM104 S200\nG1 X500 E1\n", profile="ender3")
    severities = [c.severity for c in a.checks]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


def test_other_printer_names_the_profile_to_use(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, START + "G1 X10 E1 F600\n; printer_model = MK3S\n", profile="ender3")
    message = next(c.message for c in a.checks if c.code == "other_printer")
    assert "« MK3S » (profil « mk3s »)" in message


def test_pauses_for_someone_are_flagged(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, START + "G1 X10 E1 F600\nM600\nG1 X20 E2\n")
    message = next(c.message for c in a.checks if c.code == "user_pause")
    assert "M600 ligne 8" in message
    assert a.printable
