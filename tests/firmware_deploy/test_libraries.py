# SPDX-License-Identifier: GPL-3.0-or-later
"""The library closure, resolved from the tests' bundles (built from installed library sources)."""

from __future__ import annotations

import ast

from firmware.boards import get_board
from firmware.lesson_scripts import lesson_scripts
from firmware.libraries import LibraryFinder, library_closure, pins_used, scan_imports


def closure_of(source: str, board: str = "feather_m4_express"):  # type: ignore[no-untyped-def]
    return library_closure(ast.parse(source), board=get_board(board),
                           finder=LibraryFinder(9, download=False))


def test_neopixel_comes_from_the_bundle_and_pixelbuf_from_the_firmware() -> None:
    closure = closure_of("import board\nimport neopixel\n")
    assert closure.names == ("neopixel",)
    [lib] = closure.libraries
    assert [f.board_path for f in lib.files] == ["lib/neopixel.mpy"]
    assert lib.origin.startswith("bundle adafruit 9.x-mpy")
    assert closure.in_firmware == ("adafruit_pixelbuf",)


def test_frozen_library_is_neither_copied_nor_missing() -> None:
    closure = closure_of("from adafruit_circuitplayground import cp\n",
                         "circuitplayground_express")
    assert closure.libraries == () and closure.missing == ()
    assert closure.in_firmware == ("adafruit_circuitplayground",)


def test_a_whole_package_is_taken_with_its_requirements() -> None:
    closure = closure_of("from adafruit_motor import servo\n")
    [motor] = closure.libraries
    paths = [f.board_path for f in motor.files]
    assert "lib/adafruit_motor/servo.mpy" in paths and "lib/adafruit_motor/stepper.mpy" in paths
    # Its requirements name only Blinka and typing helpers: nothing else goes on the board.
    assert not any("typing" in p or "blinka" in p for p in paths)


def test_every_shipped_script_has_a_closure_without_missing_modules() -> None:
    expected = {
        "clignoter": (),
        "bouton_led": (),
        "lumiere": (),
        "temperature": (),
        "neopixel_arc_en_ciel": ("neopixel",),
        "veilleuse": ("neopixel",),
        "melodie": ("simpleio",),
        "servo": ("adafruit_motor",),
    }
    scripts = lesson_scripts()
    assert set(scripts) == set(expected)
    for name, script in scripts.items():
        closure = closure_of(script.path.read_text(encoding="utf-8"))
        assert closure.names == expected[name], name
        assert closure.missing == ()


def test_unknown_module_of_the_script_is_reported_with_its_line() -> None:
    closure = closure_of("import board\n\nimport adafruit_inexistant\n")
    assert closure.missing == (("adafruit_inexistant", 3),)


def test_optional_imports_are_not_missing() -> None:
    closure = closure_of("try:\n    import n_existe_pas\nexcept ImportError:\n    pass\n")
    assert closure.missing == ()


def test_library_the_simulator_provides_is_not_missing() -> None:
    closure = library_closure(ast.parse("import neopixel\nimport board\n"),
                              board=get_board("pico"),
                              finder=LibraryFinder(8, download=False),  # no 8.x bundle cached
                              simulator_modules=frozenset({"neopixel"}))
    assert closure.missing == () and closure.simulated == ("neopixel",)


def test_relative_imports_resolve_inside_the_package() -> None:
    refs = scan_imports(ast.parse("from . import motor\nfrom .servo import Servo\n"),
                        "adafruit_motor")
    assert [(r.module, r.names) for r in refs] == [
        ("adafruit_motor", ("motor",)),
        ("adafruit_motor.servo", ("Servo",)),
    ]


def test_pins_used_ignores_branches_guarded_by_hasattr() -> None:
    source = (
        "import board\nfrom board import A1\n"
        "led = board.LED\n"
        "if hasattr(board, 'BUTTON_A'):\n    b = board.BUTTON_A\nelse:\n    b = board.BUTTON\n"
        "print(board.board_id)\n"
    )
    assert pins_used(ast.parse(source)) == [("A1", 2), ("LED", 3)]
