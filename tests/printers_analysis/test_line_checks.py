# SPDX-License-Identifier: GPL-3.0-or-later
"""The print file's line checks, run by ``kit printer print`` on their own and by
``kit printer check`` inside the analysis' read: one set of rules, the same verdicts.

- :meth:`LineChecks.checked` (a fast path on plain ASCII lines) decides as
  :meth:`LineChecks.line` (the rules spelled out) on any line;
- ``analyse_file(..., check_lines=True)`` refuses what :func:`check_print_file` refuses, with
  its message, and otherwise gives exactly the analysis made without the checks;
- ``analyse_for_printer`` detects the same profile whether or not the model named at the end
  of the file is the one its comments name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kit.errors import InputFileError
from printers.analysis import analyse_file, analyse_for_printer
from printers.print_file import LineChecks, check_print_file
from printers.profile import load_profile
from tests.printers_analysis.helpers import NAMETAG, START

_SOURCE = Path("piece.gcode")

#: Pieces of G-code lines, good and bad: the fast path's edges (blanks str.strip() removes
#: and bytes.strip() keeps, lowercase, host framing, Latin-1, long commands).
_PIECES = [
    b"G1", b"G0", b"M104", b"T0", b"T", b"g1", b"t1", b"N12 ", b"N3 G1 X5*", b"*87", b"GX",
    b" X10.5", b" E0.2", b" F1500", b";LAYER:3", b";layer_change", b"; note", b" ;c", b"(x)",
    b"\x1c", b"\x1f", b"\t", b" ", b"\r", b"\xe9", b"\xc3\xa9", b"\xff", b"M117 ", b"x" * 90,
    b";", b"Bonjour",
]  # fmt: skip
_LINES = st.lists(st.sampled_from(_PIECES), max_size=6).map(lambda parts: b"".join(parts) + b"\n")


def _outcome(run: object) -> tuple[str, object]:
    try:
        return "ok", run()  # type: ignore[operator]
    except InputFileError as exc:
        return "refused", exc.message


def _counts(checks: LineChecks) -> tuple[int, int, int, int]:
    return checks.number, checks.commands, checks.layers, checks.framed


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=12))
@example([b"T\x1c\n", b"G1\x1c\n", b"  ;LAYER:2\n", b";LAYER_CHANGE\n", b"N5 G1 X1*120\n"])
@example([b"G1 " + b"X1 " * 40 + b"\n"])
def test_the_fast_path_decides_as_the_rules(lines: list[bytes]) -> None:
    fast = LineChecks(_SOURCE)
    slow = LineChecks(_SOURCE)

    def run_fast() -> tuple[int, int, int, int]:
        for _ in fast.checked(lines):
            pass
        return _counts(fast)

    def run_slow() -> tuple[int, int, int, int]:
        for raw in lines:
            slow.line(raw)
        return _counts(slow)

    assert _outcome(run_fast) == _outcome(run_slow)


BAD_FILES = [
    b"",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    START.encode() + b"M117 caf\xe9\nG1 X1 E1\n",
    START.encode() + b"M117 " + b"x" * 100 + b"\nG1 X1 E1\n",
    START.encode() + b"N7 G1 X1 E1*3\n",
    START.encode() + b"G1 X1 E1\nM117 caf\xc3\xa9\n",
    START.encode() + b"G1 X1 E1\nBonjour, ceci est une lettre.\n",
    START.encode() + b"G1 X1 E1\n; " + b"y" * 5000 + b"\n",
    b"; rien que des commentaires\n\n",
]


@pytest.mark.parametrize("content", BAD_FILES)
def test_the_check_refuses_what_a_print_refuses_with_its_message(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "piece.gcode"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as printing:
        check_print_file(path)
    with pytest.raises(InputFileError) as checking:
        analyse_file(path, load_profile("generic"), check_lines=True)
    assert checking.value.message == printing.value.message


def test_a_missing_file_is_refused_alike(tmp_path: Path) -> None:
    path = tmp_path / "absent.gcode"
    with pytest.raises(InputFileError) as printing:
        check_print_file(path)
    with pytest.raises(InputFileError) as checking:
        analyse_file(path, load_profile("generic"), check_lines=True)
    assert checking.value.message == printing.value.message


@pytest.mark.parametrize("sample", [NAMETAG, Path("lessons/exemples/porte-nom-ender3.gcode")])
def test_checking_the_lines_changes_nothing_in_the_analysis(sample: Path) -> None:
    profile = load_profile("ender3")
    checked = analyse_file(sample, profile, check_lines=True)
    assert checked == analyse_file(sample, profile)


_MOVES = START + "G1 X10 Y10 E1 F1200\n"
#: More comments than the end of the file read to guess the model (64 KiB).
_PADDING = "; remplissage\n" * 6000


@pytest.mark.parametrize(
    ("text", "expected", "detected"),
    [
        (_MOVES + "; printer_model = ENDER3\n", "ender3", True),
        # Cura names the machine at the start: the guess (at the end) finds nothing.
        (";TARGET_MACHINE.NAME:ENDER3\n" + _MOVES + _PADDING, "ender3", True),
        # The guess reads ENDER3; the comment of the last move names another model.
        (_MOVES + "; printer_model = ENDER3\nG1 X12 ; printer_model = AUTRE\n", "generic", False),
        (_MOVES + "; printer_model = INCONNUE\n", "generic", False),
        (_MOVES, "generic", False),
    ],
)
def test_the_detected_profile_does_not_depend_on_the_guess(
    tmp_path: Path, text: str, expected: str, detected: bool
) -> None:
    path = tmp_path / "piece.gcode"
    path.write_text(text, encoding="ascii")
    for check_lines in (False, True):
        analysis, profile, was_detected = analyse_for_printer(path, None, check_lines=check_lines)
        assert (profile.name, was_detected) == (expected, detected)
        assert analysis == analyse_file(path, load_profile(expected))


@pytest.mark.parametrize("content", [BAD_FILES[2], BAD_FILES[6], b""])
def test_a_bad_file_is_named_before_an_unknown_profile(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "piece.gcode"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as printing:
        check_print_file(path)
    with pytest.raises(InputFileError) as checking:
        analyse_for_printer(path, "inconnue", check_lines=True)
    assert checking.value.message == printing.value.message
    path.write_text(_MOVES, encoding="ascii")
    with pytest.raises(InputFileError, match="Profil d'imprimante inconnu"):
        analyse_for_printer(path, "inconnue", check_lines=True)
