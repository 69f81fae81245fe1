# SPDX-License-Identifier: GPL-3.0-or-later
"""Libraries from cached bundles: deploy to the simulated drive, run there, read by circup."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware.boards import get_board
from firmware.bundles import list_bundles, parse_stem, read_bundle
from firmware.deploy import deploy
from firmware.libraries import module_for_requirement
from kit.errors import KitError
from sim.circuitpython.runner import run_program
from tests.conftest import REPO_ROOT, kit_env, run_kit
from tests.support.bundles import fill_circup_data

ROBOT_LESSON = REPO_ROOT / "tests" / "data" / "robot_sonar.py"
CPX_LESSON = "import time\nfrom adafruit_circuitplayground import cp\ncp.pixels.fill((0, 0, 9))\n"


def flat(text: str) -> str:
    """Console output without the line breaks the terminal width put in."""
    return " ".join(text.split())


def sim_port(folder: Path, board: str) -> str:
    return f"sim://circuitpython?board={board}&dossier={folder}"


def lib_files(drive: Path) -> list[str]:
    return sorted(p.relative_to(drive).as_posix() for p in (drive / "lib").rglob("*")
                  if p.is_file())


def test_robot_lesson_deploys_mpy_with_dependencies_runs_and_circup_reads_it(
    tmp_path: Path, test_bundles: tuple[Path, ...]
) -> None:
    drive = tmp_path / "CIRCUITPY"
    result = run_kit("mcu", "deploy", str(ROBOT_LESSON), "--port",
                     sim_port(drive, "feather_m4_express"))
    assert result.returncode == 0, result.stderr
    files = lib_files(drive)
    assert files and all(f.endswith(".mpy") for f in files)
    assert "lib/adafruit_hcsr04.mpy" in files and "lib/neopixel.mpy" in files
    assert "lib/adafruit_led_animation/animation/pulse.mpy" in files
    assert "lib/adafruit_motor/servo.mpy" in files
    assert all((drive / f).read_bytes()[:2] == b"C\x06" for f in files)
    # adafruit_pixelbuf (neopixel's dependency) is in the firmware: reported, not copied.
    assert "intégrée" in flat(result.stdout) and "adafruit_pixelbuf" in flat(result.stdout)

    run = run_program(drive, get_board("feather_m4_express"), duration_s=5)
    assert not run.failed, run.error
    assert "fin" in run.timeline.text()

    # circup, the peer, reads the versions the kit wrote, offline from the same bundles.
    env = kit_env(XDG_DATA_HOME=str(tmp_path / "xdg"))
    fill_circup_data(tmp_path / "xdg", test_bundles)
    circup = [str(Path(sys.executable).with_name("circup")), "--offline", "--path", str(drive)]
    frozen = subprocess.run([*circup, "freeze"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert frozen.returncode == 0, frozen.stdout + frozen.stderr
    assert "adafruit_hcsr04==0.4." in frozen.stdout
    assert "adafruit_motor==" in frozen.stdout and "adafruit_led_animation==" in frozen.stdout
    listed = subprocess.run([*circup, "list"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "up to date" in flat(listed.stdout)


def test_cpx_lesson_copies_nothing_for_its_frozen_library(tmp_path: Path) -> None:
    script = tmp_path / "cpx.py"
    script.write_text(CPX_LESSON, encoding="utf-8")
    drive = tmp_path / "CIRCUITPY"
    result = run_kit("mcu", "deploy", str(script), "--port",
                     sim_port(drive, "circuitplayground_express"))
    assert result.returncode == 0, result.stderr
    assert lib_files(drive) == []
    assert "intégrée" in flat(result.stdout) and "adafruit_circuitplayground" in flat(result.stdout)
    # The simulator runs the frozen library's sources from the cache and names the hardware
    # module it lacks.
    run = run_program(drive, get_board("circuitplayground_express"), duration_s=1)
    assert run.failed
    assert "module matériel" in run.error["message"]


def test_library_in_no_cached_bundle_is_refused_offline(tmp_path: Path) -> None:
    drive = tmp_path / "CIRCUITPY"
    script = tmp_path / "prog.py"
    script.write_text("import board\nimport adafruit_dht\n", encoding="utf-8")
    result = run_kit("mcu", "deploy", str(script), "--port", sim_port(drive, "pico"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "adafruit_dht" in flat(result.stderr) and "ligne 2" in flat(result.stderr)
    assert "PyPI" in flat(result.stderr) and "kit mcu bundle add" in flat(result.stderr)
    assert "Traceback" not in flat(result.stderr)
    assert not (drive / "code.py").read_text(encoding="utf-8").startswith("import board")


def test_bundle_list_add_and_refusals(tmp_path: Path, test_bundles: tuple[Path, ...]) -> None:
    listed = run_kit("mcu", "bundle", "list")
    assert listed.returncode == 0, listed.stderr
    assert "11 bibliothèques" in flat(listed.stdout) and "15/01/2026" in flat(listed.stdout)

    junk = tmp_path / "adafruit-circuitpython-bundle-9.x-mpy-20990101.zip"
    junk.write_bytes(b"\x00\x01pas un zip")
    refused = run_kit("mcu", "bundle", "add", str(junk))
    assert refused.returncode == 2 and "pas un fichier zip valide" in flat(refused.stderr)

    other = tmp_path / "autre.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("photos/chat.jpg", b"\xff\xd8")
    refused = run_kit("mcu", "bundle", "add", str(other))
    assert refused.returncode == 2 and "n'a pas le nom d'un bundle" in flat(refused.stderr)

    missing = run_kit("mcu", "bundle", "add", str(tmp_path / "absent.zip"))
    assert missing.returncode == 2 and "Traceback" not in flat(missing.stderr)

    # A community bundle downloaded elsewhere, renamed by the browser: read from its contents.
    community = tmp_path / "telechargement (1).zip"
    stem = "circuitpython-community-bundle-9.x-mpy-20260201"
    with zipfile.ZipFile(test_bundles[0]) as source, zipfile.ZipFile(community, "w") as target:
        for name in source.namelist():
            if "/lib/adafruit_hcsr04" in name or "/requirements/adafruit_hcsr04/" in name:
                target.writestr(stem + name[name.index("/"):], source.read(name))
    added = run_kit("mcu", "bundle", "add", str(community))
    assert added.returncode == 0, added.stderr
    assert "community" in flat(added.stdout) and "1 bibliothèques" in flat(added.stdout)
    assert [b.stem for b in list_bundles()][-1] == stem


def test_bundle_update_without_internet_fails_in_french(tmp_path: Path) -> None:
    # No route to GitHub from the tests: an unroutable proxy makes sure of it.
    result = run_kit("mcu", "bundle", "update", HTTPS_PROXY="http://127.0.0.1:9",
                     https_proxy="http://127.0.0.1:9")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Impossible de télécharger les bundles" in flat(result.stderr)
    assert "kit mcu bundle add" in flat(result.stderr) and "Traceback" not in flat(result.stderr)


def test_source_bundle_alone_is_compiled_with_mpy_cross(
    tmp_path: Path, test_bundles: tuple[Path, ...]
) -> None:
    cache = Path(os.environ["KIT_CACHE_DIR"]) / "circuitpython" / "bundles"
    (cache / test_bundles[0].name).unlink()  # only the py bundle is left
    drive = tmp_path / "CIRCUITPY"
    drive.mkdir()
    (drive / "boot_out.txt").write_text(
        "Adafruit CircuitPython 10.0.0 on 2025-06-01; Raspberry Pi Pico with rp2040\n"
        "Board ID:raspberry_pi_pico\n", encoding="utf-8")
    result = deploy(REPO_ROOT / "firmware" / "scripts" / "servo.py", drive=drive)
    [motor] = result.plan.libraries
    assert "compilé" in motor.origin and motor.version == "3.5.0"
    data = (drive / "lib" / "adafruit_motor" / "servo.mpy").read_bytes()
    assert data[:2] == b"C\x06"  # CircuitPython's magic, bytecode format 6


def test_real_bundle_layout_is_parsed(test_bundles: tuple[Path, ...]) -> None:
    bundle = read_bundle(test_bundles[0])
    assert (bundle.prefix, bundle.major, bundle.tag) == ("adafruit-circuitpython-bundle", 9,
                                                         "20260115")
    motor = bundle.libraries["adafruit_motor"]
    assert motor.is_package and ("lib/adafruit_motor/servo.mpy" in [b for _m, b in motor.members])
    assert not bundle.libraries["neopixel"].is_package
    assert bundle.version_of("adafruit_hcsr04", ) is not None
    py = read_bundle(test_bundles[1])
    assert py.major is None and py.version_of("neopixel") == bundle.version_of("neopixel")


@pytest.mark.parametrize(
    ("line", "module"),
    [
        ("Adafruit-Blinka", None),
        ("adafruit-circuitpython-busdevice>=5", "adafruit_bus_device"),
        ("adafruit-circuitpython-neopixel", "neopixel"),
        ("adafruit-circuitpython-register ; python_version > '3'", "adafruit_register"),
        ("# comment", None),
        ("typing-extensions~=4.0", None),
    ],
)
def test_requirement_lines_name_modules_as_circup_does(line: str, module: str | None) -> None:
    assert module_for_requirement(line) == module


@given(st.text(max_size=60))
def test_any_requirement_line_gives_an_identifier_or_nothing(line: str) -> None:
    module = module_for_requirement(line)
    assert module is None or (module and "-" not in module and module == module.lower())


def test_deploy_port_must_be_the_simulated_board() -> None:
    result = run_kit("mcu", "deploy", "clignoter", "--port", "/dev/ttyACM0")
    assert result.returncode == 2
    assert "n'est pas une carte CircuitPython simulée" in flat(result.stderr)


def test_missing_library_message_without_network_names_the_cause(tmp_path: Path) -> None:
    drive = tmp_path / "CIRCUITPY"
    shutil.rmtree(Path(os.environ["KIT_CACHE_DIR"]) / "circuitpython" / "bundles")
    script = tmp_path / "prog.py"
    script.write_text("import simpleio\n", encoding="utf-8")
    with pytest.raises(KitError) as caught:
        from kit.commands.mcu_deploy import _simulated_drive

        folder, board = _simulated_drive(sim_port(drive, "pico"), None)
        deploy(script, drive=folder, board_name=board)
    assert "simpleio" in caught.value.message and "PyPI" in caught.value.message


def test_without_source_bundle_the_simulator_runs_its_own_neopixel_and_asks_for_sources(
    tmp_path: Path, test_bundles: tuple[Path, ...]
) -> None:
    cache = Path(os.environ["KIT_CACHE_DIR"]) / "circuitpython" / "bundles"
    (cache / test_bundles[1].name).unlink()  # only the compiled bundle is left
    board = get_board("feather_m4_express")
    drive = tmp_path / "CIRCUITPY"
    from kit.commands.mcu_deploy import _simulated_drive

    folder, _ = _simulated_drive(sim_port(drive, board.id), None)
    deploy(REPO_ROOT / "firmware" / "scripts" / "neopixel_arc_en_ciel.py", drive=folder)
    assert (drive / "lib" / "neopixel.mpy").is_file()
    run = run_program(drive, board, duration_s=1)
    assert not run.failed, run.error
    assert run.timeline.pixels

    deploy(REPO_ROOT / "firmware" / "scripts" / "servo.py", drive=folder)
    run = run_program(drive, board, duration_s=1)
    assert run.failed
    assert "bundle de sources" in flat(run.error["message"])


@pytest.mark.parametrize(
    ("stem", "parsed"),
    [
        # Names of published releases (the last one from circup's own test data).
        ("adafruit-circuitpython-bundle-9.x-mpy-20241128",
         ("adafruit-circuitpython-bundle", 9, "20241128")),
        ("circuitpython-community-bundle-10.x-mpy-20250612",
         ("circuitpython-community-bundle", 10, "20250612")),
        ("adafruit-circuitpython-bundle-py-20190903",
         ("adafruit-circuitpython-bundle", None, "20190903")),
        ("adafruit-circuitpython-bundle-9.x-mpy", None),
        ("adafruit-circuitpython-bundle-9.x-mpy-2024112", None),
        ("photos", None),
    ],
)
def test_bundle_names(stem: str, parsed: tuple[str, int | None, str] | None) -> None:
    assert parse_stem(stem) == parsed
