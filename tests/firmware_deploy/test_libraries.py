# SPDX-License-Identifier: GPL-3.0-or-later
"""The library closure, computed from the real adafruit-circuitpython packages installed."""

from __future__ import annotations

import ast

import pytest

from firmware.lesson_scripts import lesson_scripts
from firmware.libraries import classify, library_closure, pins_used, scan_imports


def closure_of(source: str):  # type: ignore[no-untyped-def]
    return library_closure(ast.parse(source))


def test_neopixel_pulls_pixelbuf_and_nothing_from_blinka() -> None:
    closure = closure_of("import board\nimport neopixel\n")
    paths = [f.board_path for f in closure.files]
    assert paths == ["lib/adafruit_pixelbuf.py", "lib/neopixel.py"]
    assert closure.libraries == ("neopixel", "adafruit_pixelbuf")
    assert "neopixel_write" in closure.builtins_used
    origins = {f.distribution.split()[0] for f in closure.files}
    assert origins == {"adafruit-circuitpython-neopixel", "adafruit-circuitpython-pixelbuf"}


def test_servo_takes_only_the_submodule_it_needs() -> None:
    closure = closure_of("from adafruit_motor import servo\n")
    paths = [f.board_path for f in closure.files]
    assert paths == ["lib/adafruit_motor/__init__.py", "lib/adafruit_motor/servo.py"]
    # circuitpython_typing is imported by servo.py inside try/except ImportError: skipped.
    assert not any("typing" in p for p in paths)


def test_simpleio_skips_board_audio_modules() -> None:
    closure = closure_of("import simpleio\n")
    assert [f.board_path for f in closure.files] == ["lib/simpleio.py"]
    assert {"audiocore", "pwmio", "digitalio"} <= set(closure.builtins_used)


def test_every_shipped_script_has_a_closure_without_missing_modules() -> None:
    expected = {
        "clignoter": [],
        "bouton_led": [],
        "lumiere": [],
        "temperature": [],
        "neopixel_arc_en_ciel": ["lib/adafruit_pixelbuf.py", "lib/neopixel.py"],
        "veilleuse": ["lib/adafruit_pixelbuf.py", "lib/neopixel.py"],
        "melodie": ["lib/simpleio.py"],
        "servo": ["lib/adafruit_motor/__init__.py", "lib/adafruit_motor/servo.py"],
    }
    scripts = lesson_scripts()
    assert set(scripts) == set(expected)
    for name, script in scripts.items():
        closure = library_closure(ast.parse(script.path.read_text(encoding="utf-8")))
        assert [f.board_path for f in closure.files] == expected[name], name
        assert closure.missing == ()


def test_unknown_module_of_the_script_is_reported_with_its_line() -> None:
    closure = closure_of("import board\n\nimport adafruit_inexistant\n")
    assert closure.missing == (("adafruit_inexistant", 3),)


def test_optional_imports_are_not_missing() -> None:
    closure = closure_of("try:\n    import n_existe_pas\nexcept ImportError:\n    pass\n")
    assert closure.missing == ()


@pytest.mark.parametrize(
    ("module", "kind"),
    [
        ("board", "builtin"),
        ("time", "builtin"),
        ("typing", "cpython"),
        ("circuitpython_typing", "cpython"),
        ("adafruit_blinka", "cpython"),
        ("serial", "cpython"),
        ("neopixel", "library"),
        ("adafruit_motor.servo", "library"),
        ("requests_toolbelt", "unknown"),
    ],
)
def test_classify(module: str, kind: str) -> None:
    assert classify(module) == kind


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
