# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input: clear French messages, exit 2 for unreadable files, exit 1 for absurd values."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.errors import InputFileError
from printers.analysis import analyse_file
from printers.profile import load_profile
from tests.conftest import run_kit
from tests.printers_analysis.helpers import START, analyse_text, codes


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.gcode"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(InputFileError, match="binaire"):
        analyse_file(path, load_profile("generic"))


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vide.gcode"
    path.write_bytes(b"")
    with pytest.raises(InputFileError, match="vide"):
        analyse_file(path, load_profile("generic"))


def test_file_without_moves_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="aucun déplacement"):
        analyse_text(tmp_path, "; juste un commentaire\nM104 S200\nG28\n")


def test_zero_feedrate_is_reported(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, START + "G1 X10 E1 F0\nG1 X20 E2 F600\n")
    assert "zero_feedrate" in codes(a)
    assert not a.printable
    assert a.estimated_seconds < 60  # F0 is not taken as "forever"


def test_negative_temperature_is_reported(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, START + "M104 S-20\nG1 X10 E1 F600\n")
    assert "negative_temperature" in codes(a)
    assert "-20 °C" in next(c.message for c in a.checks if c.code == "negative_temperature")


def test_nan_and_garbage_values_are_reported(tmp_path: Path) -> None:
    a = analyse_text(tmp_path, START + "G1 X10 E1 F600\nG1 Xnan Y2\nG1 Y1O E2\nG1 X20 E3\n")
    assert "invalid_value" in codes(a)
    message = next(c.message for c in a.checks if c.code == "invalid_value")
    assert "ligne 8" in message and "ligne 9" in message
    assert a.bounding_box is not None and a.bounding_box.max_x == 20.0


def test_cli_exit_codes_and_messages(tmp_path: Path) -> None:
    binary = tmp_path / "image.gcode"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    result = run_kit("printer", "check", str(binary))
    assert result.returncode == 2
    assert "binaire" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout

    missing = run_kit("printer", "check", str(tmp_path / "absent.gcode"))
    assert missing.returncode == 2
    assert "introuvable" in missing.stderr

    absurd = tmp_path / "absurde.gcode"
    absurd.write_text(START + "M104 S-5\nG1 X10 E1 F0\nG1 Xnan\n", encoding="utf-8")
    result = run_kit("printer", "check", str(absurd))
    assert result.returncode == 1
    assert "Température négative" in result.stdout
    assert "Traceback" not in result.stderr + result.stdout


def test_a_file_without_newlines_is_not_loaded_whole(tmp_path: Path) -> None:
    import tracemalloc

    path = tmp_path / "une-ligne.gcode"
    with path.open("wb") as handle:
        handle.write(b"; ")
        for _ in range(12):
            handle.write(b"x" * (1 << 20))  # 12 MiB of text without a newline
    tracemalloc.start()
    try:
        with pytest.raises(InputFileError):
            analyse_file(path, load_profile("generic"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * (1 << 20)
