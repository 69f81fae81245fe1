# SPDX-License-Identifier: GPL-3.0-or-later
"""Every lesson script on the simulated board, and what the board refuses to let code do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from firmware.boards import get_board
from firmware.deploy import deploy
from firmware.lesson_scripts import lesson_scripts
from sim.circuitpython.folder import prepare_folder
from sim.circuitpython.runner import ProgramRun, run_program
from tests.conftest import REPO_ROOT

#: Virtual time drifts by the cost of executed lines (20 µs each): allow a few ms.
TOLERANCE_S = 0.01


def run_script(tmp_path: Path, name: str, board_id: str, duration_s: float,
               inputs: str | None = None) -> ProgramRun:
    script = lesson_scripts()[name]
    board = get_board(board_id)
    folder = prepare_folder(tmp_path / "CIRCUITPY", board)
    deploy(script.path, drive=folder)
    return run_program(folder, board, duration_s=duration_s,
                       inputs_spec=script.inputs if inputs is None else inputs)


def run_code(tmp_path: Path, code: str, duration_s: float = 2.0,
             board_id: str = "pico") -> ProgramRun:
    board = get_board(board_id)
    folder = prepare_folder(tmp_path / "CIRCUITPY", board)
    (folder / "code.py").write_text(code, encoding="utf-8")
    return run_program(folder, board, duration_s=duration_s)


def switch_times(run: ProgramRun, pin: str) -> list[tuple[float, bool | None]]:
    return run.timeline.digital[pin]


def test_every_script_is_tagged_with_boards_that_have_its_pins() -> None:
    for script in lesson_scripts().values():
        assert script.title and script.boards
        for board_id in script.boards:
            board = get_board(board_id)
            assert board.id == board_id


def test_blink_toggles_every_half_second(tmp_path: Path) -> None:
    run = run_script(tmp_path, "clignoter", "pico", 3.0)
    assert run.end == "limit" and run.end_s == pytest.approx(3.0)
    changes = [(t, v) for t, v in switch_times(run, "LED")][1:]  # after the initial low
    expected = [(0.0, True), (0.5, False), (1.0, True), (1.5, False), (2.0, True),
                (2.5, False)]
    assert [v for _, v in changes] == [v for _, v in expected]
    for (t, _), (want, _) in zip(changes, expected, strict=True):
        assert t == pytest.approx(want, abs=TOLERANCE_S)
    assert "La LED clignote" in run.timeline.text()


def test_neopixel_colours_then_rainbow_on_ten_pixels(tmp_path: Path) -> None:
    run = run_script(tmp_path, "neopixel_arc_en_ciel", "circuitplayground_express", 8.0)
    at = run.timeline.pixels_at
    # brightness 0.2: 255 -> 51 (adafruit_pixelbuf scales each channel).
    assert at("NEOPIXEL", 0.5) == ((51, 0, 0),) * 10
    assert at("NEOPIXEL", 1.5) == ((0, 51, 0),) * 10
    assert at("NEOPIXEL", 2.5) == ((0, 0, 51),) * 10
    assert at("NEOPIXEL", 3.5) == ((51, 30, 0),) * 10
    assert at("NEOPIXEL", 4.5) == ((36, 0, 51),) * 10
    rainbow = at("NEOPIXEL", 6.0)
    assert rainbow is not None and len(set(rainbow)) == 10
    assert at("NEOPIXEL", 6.0) != at("NEOPIXEL", 6.5)  # it turns


def test_neopixel_script_on_a_one_pixel_board(tmp_path: Path) -> None:
    run = run_script(tmp_path, "neopixel_arc_en_ciel", "qtpy_esp32s2", 2.0)
    assert run.timeline.pixels_at("NEOPIXEL", 0.5) == ((51, 0, 0),)
    # The real neopixel library powers the pixel on boards that have NEOPIXEL_POWER.
    assert run.timeline.digital_at("NEOPIXEL_POWER", 0.5) is True


@pytest.mark.parametrize("board_id", ["circuitplayground_express", "feather_esp32s3"])
def test_button_drives_the_led(tmp_path: Path, board_id: str) -> None:
    run = run_script(tmp_path, "bouton_led", board_id, 5.0)
    led = run.timeline.digital_at
    # Scripted presses from the script's tags: 1 s to 2 s, then 3 s to 3.5 s.
    assert [led("LED", t) for t in (0.5, 1.5, 2.5, 3.2, 4.0)] == [False, True, False, True,
                                                                    False]


def test_light_sensor_readings_are_printed(tmp_path: Path) -> None:
    run = run_script(tmp_path, "lumiere", "circuitplayground_express", 3.0,
                     inputs="LIGHT@0=5000 LIGHT@1.2=60000")
    lines = run.timeline.text().splitlines()
    assert lines[0] == "Lumière : 5000 soit 7 % : sombre"
    assert "Lumière : 60000 soit 91 % : lumineux" in lines
    assert len(lines) == 6  # every half second
    # The timeline keeps what the program read, when it changed, for the picture.
    assert run.timeline.analog["LIGHT"] == [
        (pytest.approx(0.0, abs=0.01), 5000),
        (pytest.approx(1.5, abs=0.01), 60000),
    ]
    assert run.timeline.analog_at("LIGHT", 1.0) == 5000
    assert "LIGHT" in run.timeline.pins()


def test_the_timeline_picture_draws_analog_readings(tmp_path: Path) -> None:
    from sim.circuitpython.picture import draw_timeline

    run = run_script(tmp_path, "lumiere", "circuitplayground_express", 2.0,
                     inputs="LIGHT@0=0 LIGHT@1=65535")
    svg = draw_timeline(run.timeline, duration_s=2.0, title="lumiere").to_svg().decode()
    assert "mesure lue (0 à 65535)" in svg
    assert svg.count('stroke="#8e44ad"') == 1


def test_temperature_follows_scripted_input(tmp_path: Path) -> None:
    run = run_script(tmp_path, "temperature", "pico", 4.0,
                     inputs="temperature@0=25 temperature@2.5=35.5")
    text = run.timeline.text()
    assert "Température de la puce : 25.0 °C" in text
    assert "Température de la puce : 35.5 °C\n  Il fait chaud !" in text


def test_melody_plays_each_note_then_stops(tmp_path: Path) -> None:
    run = run_script(tmp_path, "melodie", "circuitplayground_express", 10.0)
    assert run.end == "ok" and run.end_s == pytest.approx(7.1, abs=0.05)
    notes = [f for _, duty, f in run.timeline.pwm["SPEAKER"] if duty == 0x8000]
    assert notes == [262, 294, 330, 262, 262, 294, 330, 262, 330, 349, 392, 330, 349, 392]
    enable = switch_times(run, "SPEAKER_ENABLE")
    assert [v for _, v in enable] == [False, True, False]
    assert run.timeline.text() == "Fin de la mélodie !\n"


def test_servo_sweeps_from_0_to_180_degrees(tmp_path: Path) -> None:
    run = run_script(tmp_path, "servo", "pico", 4.0)
    series = run.timeline.pwm["A2"]
    assert {f for _, _, f in series} == {50}
    duties = [d for _, d, _ in series[1:] if d is not None]  # after PWMOut's own 50 %
    # adafruit_motor.servo: 0.75 ms (0°) to 2.25 ms (180°) out of 20 ms.
    assert min(duties) == 2457 and max(duties) == 7372
    peak_time = next(t for t, d, _ in series if d == 7372)
    assert peak_time == pytest.approx(36 * 0.05, abs=0.05)
    assert run.timeline.pwm_at("A2", 3.7)[0] == 2457  # back at 0° after the return sweep


def test_learner_error_is_reported_in_french_with_its_line(tmp_path: Path) -> None:
    run = run_code(tmp_path, "import time\nprint('avant')\ntime.sleep(0.3)\nled.value = 1\n")
    assert run.failed
    assert run.error["type"] == "NameError"
    assert run.error["line"] == 4 and run.error["source_line"] == "led.value = 1"
    assert "le nom « led » n'est pas défini" in run.error["message"]
    assert 'Fichier "code.py", ligne 4' in run.error["traceback"]
    assert run.end_s == pytest.approx(0.3, abs=TOLERANCE_S)


def test_pin_the_board_lacks_raises_attribute_error_in_french(tmp_path: Path) -> None:
    run = run_code(tmp_path, "import board\nx = board.BUTTON_A\n")
    assert run.error["type"] == "AttributeError"
    assert "la carte n'a pas de broche « BUTTON_A »" in run.error["message"]


def test_busy_loop_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    run = run_code(tmp_path, "n = 0\nwhile True:\n    n += 1\n", duration_s=1.5)
    assert run.end == "limit"
    assert run.end_s == pytest.approx(1.5)


def test_using_a_pin_twice_is_refused(tmp_path: Path) -> None:
    run = run_code(tmp_path, "import board, digitalio\na = digitalio.DigitalInOut(board.LED)\n"
                   "b = digitalio.DigitalInOut(board.LED)\n")
    assert run.error["type"] == "ValueError" and "LED in use" in run.error["message"]


@pytest.mark.parametrize(
    ("code", "error_type", "words"),
    [
        ("print(open('/etc/hostname').read())\n", "OSError", "pas de fichier"),
        ("print(open('../../../../etc/hostname').read())\n", "OSError", "pas de fichier"),
        ("open('journal.txt', 'w')\n", "OSError", "Read-only"),
        ("import subprocess\n", "ImportError", "aucun module nommé « subprocess »"),
        ("import os\nos.remove('code.py')\n", "OSError", "Read-only"),
        ("x = ().__class__.__bases__\n", "PermissionError", "__bases__"),
        ("f = getattr(print, '__self__')\n", "PermissionError", "__self__"),
        ("import random\nrandom._os.system('true')\n", "AttributeError", "_os"),
        ("exec('import socket')\n", "ImportError", "socket"),
        ("nom = input('Prénom ? ')\n", "RuntimeError", "input() n'est pas simulé"),
    ],
)
def test_code_cannot_leave_the_board_folder(
    tmp_path: Path, code: str, error_type: str, words: str
) -> None:
    run = run_code(tmp_path, code)
    assert run.failed, run.timeline.text()
    assert run.error["type"] == error_type
    assert words in run.error["message"]


def test_code_reads_the_board_folder(tmp_path: Path) -> None:
    run = run_code(tmp_path, "import os\nprint(sorted(os.listdir('/')))\n"
                   "print(open('/boot_out.txt').read().split()[0])\n")
    assert not run.failed, run.error
    assert run.timeline.text() == (
        "['boot_out.txt', 'code.py', 'lib', 'settings.toml']\nAdafruit\n"
    )


def test_firmware_neopixel_serves_when_lib_has_none(tmp_path: Path) -> None:
    # Like boards with neopixel frozen into the firmware: no lib/neopixel.py needed.
    run = run_code(tmp_path, "import board, neopixel\n"
                   "p = neopixel.NeoPixel(board.NEOPIXEL, 2, brightness=0.5)\n"
                   "p[1] = (200, 100, 0)\np.fill(0x0000FF)\n", board_id="xiao_rp2040")
    assert not run.failed, run.error
    frames = [c for _, c in run.timeline.pixels["NEOPIXEL"]]
    assert frames == [((0, 0, 0), (100, 50, 0)), ((0, 0, 127), (0, 0, 127))]


def test_touch_pwm_and_reload_apis(tmp_path: Path) -> None:
    board = get_board("circuitplayground_express")
    folder = prepare_folder(tmp_path / "CIRCUITPY", board)
    (folder / "code.py").write_text(
        "import board, time, touchio, supervisor, microcontroller, pwmio\n"
        "t = touchio.TouchIn(board.A1)\n"
        "print(t.value)\ntime.sleep(1)\nprint(t.value, supervisor.ticks_ms())\n"
        "p = pwmio.PWMOut(board.A2, frequency=440, variable_frequency=True)\n"
        "p.frequency = 880\n"
        "print(round(microcontroller.cpu.temperature))\n"
        "supervisor.reload()\n",
        encoding="utf-8",
    )
    run = run_program(folder, board, duration_s=5, inputs_spec="A1@0.5=1 temperature@0=19")
    assert run.end == "reload"
    assert run.timeline.text().splitlines() == ["False", "True 1000", "19"]
    assert [f for _, _, f in run.timeline.pwm["A2"]] == [440, 880]


def test_computation_that_never_yields_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.circuitpython import vm

    monkeypatch.setattr(vm, "HANG_GUARD_S", 0.5)
    with pytest.raises(vm.WorkerHung) as caught:
        run_code(tmp_path, "print(sum(range(10 ** 12)))\n")
    assert "sans rendre la main" in caught.value.message
    assert caught.value.exit_code == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Landlock is Linux-only")
def test_worker_process_is_confined_by_the_kernel(tmp_path: Path) -> None:
    from kit.landlock import abi_version

    if abi_version() <= 0:
        pytest.skip("this kernel has no Landlock")
    board_folder = tmp_path / "CIRCUITPY"
    board_folder.mkdir()
    (board_folder / "code.py").write_text("print(1)\n", encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    probe = (
        "import sys\n"
        "from kit.landlock import restrict_filesystem\n"
        f"assert restrict_filesystem([{str(board_folder)!r}])\n"
        f"print(open({str(board_folder / 'code.py')!r}).read().strip())\n"
        "for action in ('read', 'write'):\n"
        "    try:\n"
        f"        open({str(outside)!r}, 'r' if action == 'read' else 'w')\n"
        "        print(action, 'allowed')\n"
        "    except PermissionError:\n"
        "        print(action, 'refused')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=30, cwd=str(REPO_ROOT))
    assert done.stdout.split("\n")[:3] == ["print(1)", "read refused", "write refused"], done.stderr


def test_night_light_turns_on_in_the_dark(tmp_path: Path) -> None:
    run = run_script(tmp_path, "veilleuse", "circuitplayground_express", 6.0)
    at = run.timeline.pixels_at
    assert at("NEOPIXEL", 1.0) == ((0, 0, 0),) * 10
    assert at("NEOPIXEL", 3.0) == ((51, 16, 0),) * 10
    assert at("NEOPIXEL", 5.0) == ((0, 0, 0),) * 10
    assert "Lumière : 3000" in run.timeline.text()


def test_settings_toml_feeds_os_getenv(tmp_path: Path) -> None:
    board = get_board("pico")
    folder = prepare_folder(tmp_path / "CIRCUITPY", board)
    (folder / "settings.toml").write_text('PRENOM = "Camille"\nAGE = 11\n', encoding="utf-8")
    (folder / "code.py").write_text("import os\nprint(os.getenv('PRENOM'), os.getenv('AGE'))\n",
                                    encoding="utf-8")
    run = run_program(folder, board, duration_s=1)
    assert run.timeline.text() == "Camille 11\n"


#: Scripts whose expected timeline is checked above; a new script needs its own test.
CHECKED_SCRIPTS = {"clignoter", "neopixel_arc_en_ciel", "bouton_led", "lumiere", "temperature",
                   "melodie", "servo", "veilleuse"}


def test_every_shipped_script_has_a_timeline_test() -> None:
    assert set(lesson_scripts()) == CHECKED_SCRIPTS


def test_printing_costs_virtual_time(tmp_path: Path) -> None:
    # A program printing in a tight loop fills the console at a realistic pace.
    run = run_code(tmp_path, "while True:\n    print('x')\n", duration_s=1.0)
    assert run.end == "limit"
    assert 1000 < run.timeline.text().count("x") < 10000
