# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit printer print/console/temp/home/status`` as a user runs them, on ``sim://marlin``."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from kit import config as cfg
from kit.errors import InputFileError
from printers.marlin.framing import checksum
from printers.print_file import check_print_file, iter_commands
from tests.conftest import REPO_ROOT, kit_env, run_kit
from tests.printers_host.helpers import FAST, arc_lines, write_gcode

#: A port that would fail loudly if it were opened: proves the file is checked first.
UNOPENED_PORT = "/dev/atelier-kit-no-such-port"


def test_print_on_the_simulator_succeeds(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "porte-cles.gcode", arc_lines(200))
    result = run_kit("printer", "print", str(path), "--port", f"sim://marlin?{FAST}")
    assert result.returncode == 0, result.stderr
    assert "Impression terminée" in result.stdout
    assert "Vérification de « porte-cles.gcode »" in result.stderr
    assert "100 %" in result.stderr


def test_ping_pong_option(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "a.gcode", arc_lines(30), heat=False)
    result = run_kit("printer", "print", str(path), "--port", "sim://marlin", "--ping-pong")
    assert result.returncode == 0, result.stderr


BAD_FILES = [
    (None, "introuvable"),
    (b"", "vide"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binaire"),
    (b"G28\nM117 caf\xe9\nG1 X1\n", "UTF-8"),
    (b"G28\nM117 " + b"x" * 100 + b"\n", "trop longue"),
    (b"; rien que des commentaires\n\n", "aucune commande"),
    (b"Bonjour, ceci est une lettre.\n", "pas une commande G-code"),
]


@pytest.mark.parametrize(("content", "words"), BAD_FILES)
def test_bad_files_are_refused_in_french(tmp_path: Path, content: bytes | None, words: str) -> None:
    path = tmp_path / "piece.gcode"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputFileError) as info:
        check_print_file(path)
    assert words in info.value.message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(("content", "words"), [BAD_FILES[2], BAD_FILES[3]])
def test_bad_files_are_refused_before_the_port_is_opened(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "piece.gcode"
    path.write_bytes(content)
    result = run_kit("printer", "print", str(path), "--port", UNOPENED_PORT)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Le port" not in result.stderr  # the port was never touched
    assert "Traceback" not in result.stderr


def _outside_generic_bed(path: Path) -> Path:
    # 215 mm: fits an Ender-3 (235 mm) but not the generic profile's 200 mm bed.
    return write_gcode(path, ["G1 X215 Y100 E1 F3000"], heat=False)


def test_a_file_the_preflight_forbids_is_refused_before_the_port_is_opened(
    tmp_path: Path,
) -> None:
    path = _outside_generic_bed(tmp_path / "trop-large.gcode")
    result = run_kit("printer", "print", str(path), "--port", UNOPENED_PORT)
    assert result.returncode == 1, result.stderr
    assert "Impression refusée" in result.stderr and "X monte à 215,0 mm" in result.stderr
    assert "--profile" in result.stderr and "--forcer" in result.stderr
    assert "Le port" not in result.stderr  # nothing was sent, the port never opened


def test_the_right_profile_or_forcer_lets_it_print(tmp_path: Path) -> None:
    path = _outside_generic_bed(tmp_path / "ender.gcode")
    with_profile = run_kit(
        "printer", "print", str(path), "--port", "sim://marlin", "--profile", "ender3"
    )
    assert with_profile.returncode == 0, with_profile.stderr
    forced = run_kit("printer", "print", str(path), "--port", "sim://marlin", "--forcer")
    assert forced.returncode == 0, forced.stderr
    assert "Problèmes bloquants ignorés (--forcer)" in forced.stderr
    assert "X monte à 215,0 mm" in forced.stderr


def test_the_printer_the_file_was_sliced_for_gives_the_profile(tmp_path: Path) -> None:
    path = _outside_generic_bed(tmp_path / "ender.gcode")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("; prusaslicer_config = begin\n; printer_model = ENDER3\n"
                     "; prusaslicer_config = end\n")  # fmt: skip
    result = run_kit("printer", "print", str(path), "--port", "sim://marlin")
    assert result.returncode == 0, result.stderr
    assert "Profil « ender3 » (Creality Ender-3) détecté d'après le fichier." in result.stderr


def test_an_unknown_profile_is_refused_before_the_port_is_opened(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "a.gcode", arc_lines(3), heat=False)
    result = run_kit("printer", "print", str(path), "--port", UNOPENED_PORT, "--profile", "ender9")
    assert result.returncode == 2
    assert "ender9" in result.stderr and "Le port" not in result.stderr


def test_the_atelier_list_gives_the_profile_of_the_printer_on_that_port(tmp_path: Path) -> None:
    path = _outside_generic_bed(tmp_path / "ender.gcode")
    cfg.set_value("printers.ender1.port", "sim://marlin")
    cfg.set_value("printers.ender1.profile", "ender3")
    result = run_kit("printer", "print", str(path), "--port", "sim://marlin")
    assert result.returncode == 0, result.stderr
    assert "Impression terminée" in result.stdout


def test_a_printer_that_refuses_to_extrude_cold_is_reported(tmp_path: Path) -> None:
    # M104 without waiting passes the preflight with a warning; the printer, still cold,
    # drops the extrusions (« cold extrusion prevented »): the user must be told.
    path = write_gcode(tmp_path / "froid.gcode", arc_lines(5), heat=False)
    result = run_kit("printer", "print", str(path), "--port", "sim://marlin")
    assert result.returncode == 0, result.stderr
    assert "l'imprimante refuse d'extruder, la buse est trop froide" in result.stderr
    assert "5 déplacements sans filament (buse trop froide)" in result.stderr
    hot = write_gcode(tmp_path / "chaud.gcode", arc_lines(5))
    result = run_kit("printer", "print", str(hot), "--port", f"sim://marlin?{FAST}")
    assert result.returncode == 0, result.stderr
    assert "trop froide" not in result.stderr


def test_a_latin1_comment_is_accepted_and_never_sent(tmp_path: Path) -> None:
    # Comments are stripped before sending: a byte that is not UTF-8 there harms nothing.
    path = tmp_path / "windows.gcode"
    path.write_bytes(b"; profil \xab d\xe9faut \xbb\nG28 ; origine \xe9\nG1 X1\n")
    checked = check_print_file(path)
    assert [line.command for line in iter_commands(checked)] == ["G28", "G1 X1"]


def test_a_line_of_96_bytes_is_refused_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "long.gcode"
    path.write_text("G28\nG1 X1\nM117 " + "a" * 91 + "\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        check_print_file(path)
    assert "ligne 3" in info.value.message


def test_huge_file_is_checked_and_read_with_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.gcode"
    line = b"G1 X100.123 Y100.456 E12.34567 F3000 ; commentaire de trancheur\n"
    with path.open("wb") as handle:
        for _ in range(10):
            handle.write(line * 1000)  # 640 kB: enough to show memory does not follow size
    tracemalloc.start()
    checked = check_print_file(path)
    count = sum(1 for _ in iter_commands(checked))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == checked.commands == 10_000
    assert peak < 128 * 1024


def test_a_file_without_newlines_is_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "one-line.gcode"
    path.write_bytes(b"G1 X1 " * 200_000)
    with pytest.raises(InputFileError) as info:
        check_print_file(path)
    assert "ligne 1" in info.value.message


def test_printer_fault_gives_exit_1_and_names_the_last_line(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(400))
    result = run_kit("printer", "print", str(path), "--port", f"sim://marlin?{FAST}&runaway_at=9")
    assert result.returncode == 1
    assert "emballement thermique" in result.stderr
    assert "Dernière ligne exécutée : ligne" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_port_is_explained(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(5), heat=False)
    result = run_kit("printer", "print", str(path), "--port", UNOPENED_PORT)
    assert result.returncode == 2
    assert "introuvable" in result.stderr


def test_ctrl_c_without_a_terminal_cancels_and_exits_130(tmp_path: Path) -> None:
    # No homing (the firmware would finish G28 before a cancel), so the preflight calls it
    # blocking: --forcer prints it anyway, and says so.
    path = tmp_path / "long.gcode"
    path.write_text("\n".join(["M104 S200", "G92 E0", *arc_lines(800)]) + "\n", encoding="utf-8")
    command = ["printer", "print", str(path), "--port", "sim://marlin?speed=1", "--forcer"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "kit", *command],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kit_env(),
        cwd=str(REPO_ROOT),
    )
    try:
        assert proc.stderr is not None
        seen = []
        while not seen or "Imprimante :" not in seen[-1]:
            line = proc.stderr.readline()
            assert line, "".join(seen)  # the command ended before printing
            seen.append(line)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert "Problèmes bloquants ignorés (--forcer)" in "".join(seen)
    assert proc.returncode == 130
    assert "annulée" in err
    assert "a confirmé les chauffes coupées" in err


def _start_print(tmp_path: Path, url: str) -> subprocess.Popen[str]:
    """``kit printer print`` of a long file in the background, once it prints."""
    path = tmp_path / "long.gcode"
    body = ["G90", "M82", "M104 S200", "M140 S60", "G92 E0", *arc_lines(800), "M104 S0"]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kit", "printer", "print", str(path), "--port", url, "--forcer"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kit_env(),
        cwd=str(REPO_ROOT),
    )
    assert proc.stderr is not None
    seen: list[str] = []
    while not seen or "Imprimante :" not in seen[-1]:
        line = proc.stderr.readline()
        assert line, "".join(seen)  # the command ended before printing
        seen.append(line)
    return proc


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_cancels_with_heaters_off_confirmed(
    tmp_path: Path, signum: int, status: int
) -> None:
    journal = tmp_path / "journal.txt"
    proc = _start_print(tmp_path, f"sim://marlin?speed=1&journal={journal}")
    try:
        time.sleep(0.5)
        proc.send_signal(signum)
        _out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == status, err
    assert "a confirmé les chauffes coupées" in err
    executed = [line.split(" ", 1)[1] for line in journal.read_text().splitlines()]
    restart = len(executed) - executed[::-1].index("M110 N0")
    assert executed[restart : restart + 4] == ["M104 S0", "M140 S0", "M107", "M84"]


def test_a_signal_when_the_printer_no_longer_answers_says_heaters_may_be_on(
    tmp_path: Path,
) -> None:
    proc = _start_print(tmp_path, "sim://marlin?speed=1&hang_at_line=12")
    try:
        time.sleep(1.0)  # the printer hung at line 12
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 143, err
    assert "n'a pas confirmé l'arrêt des chauffes" in err


def test_a_second_signal_exits_at_once(tmp_path: Path) -> None:
    proc = _start_print(tmp_path, "sim://marlin?speed=1&hang_at_line=12")
    try:
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Arrêt immédiat" in err and "peut-être encore allumées" in err


def test_console_adds_checksums_and_shows_answers() -> None:
    result = run_kit(
        "printer", "console", "--port", "sim://marlin", input_text="M105\nM114\nXYZ\nsortir\n"
    )
    assert result.returncode == 0, result.stderr
    assert "T:20.00 /0.00" in result.stdout or "ok" in result.stdout
    assert "X:0.00 Y:0.00 Z:0.00" in result.stdout
    assert 'echo:Unknown command: "XYZ"' in result.stdout
    assert "↳ ce firmware ne connaît pas cette commande." in result.stdout


def test_console_explains_a_cold_extrusion_in_french() -> None:
    result = run_kit(
        "printer", "console", "--port", "sim://marlin", input_text="G1 E5 F300\nM302\nsortir\n"
    )
    assert result.returncode == 0, result.stderr
    assert "echo: cold extrusion prevented" in result.stdout
    assert "↳ la buse est trop froide (sous 170 °C par défaut)" in result.stdout
    assert "↳ l'extrusion à froid est interdite (protection active)." in result.stdout


def test_temp_home_and_status() -> None:
    temp = run_kit(
        "printer", "temp", "--port", f"sim://marlin?{FAST}", "--buse", "200", "--attendre"
    )
    assert temp.returncode == 0, temp.stderr
    assert "buse 200/200 °C" in temp.stdout
    home = run_kit("printer", "home", "--port", "sim://marlin", "--axes", "xy")
    assert home.returncode == 0 and "origine" in home.stdout
    status = run_kit("printer", "status", "--port", "sim://marlin", "--json")
    assert status.returncode == 0, status.stderr
    assert '"firmware": "Marlin 2.1.2.1' in status.stdout
    assert '"AUTOREPORT_TEMP": true' in status.stdout
    bad = run_kit("printer", "home", "--port", "sim://marlin", "--axes", "W")
    assert bad.returncode == 2 and "Axes invalides" in bad.stderr


def _framed(number: int, command: str) -> str:
    body = f"N{number} {command}"
    return f"{body}*{checksum(body.encode('ascii'))}"


def test_a_file_with_host_line_numbers_is_checked_stripped_and_printed(tmp_path: Path) -> None:
    commands = ["G90", "M82", "G28", "G92 E0", "G1 Z0.2 F600", *arc_lines(20)]
    path = tmp_path / "from-a-log.gcode"
    lines = [_framed(i, c) for i, c in enumerate(commands, start=1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    journal = tmp_path / "journal.txt"
    result = run_kit(
        "printer", "print", str(path), "--port", f"sim://marlin?journal={journal}", "--forcer"
    )
    assert result.returncode == 0, result.stderr
    assert "vérifiées, puis retirées" in result.stderr
    journalled = journal.read_text().splitlines()
    assert not [line for line in journalled if line.startswith("- ")]  # every line numbered
    # The host's numbered M105 questions may come in between when the printer stays silent,
    # homing then moving; the file has no M105.
    executed = [line.split(" ", 1)[1] for line in journalled]
    executed = [command for command in executed if command != "M105"]
    assert executed[-len(commands) - 1 : -1] == commands  # then the end barrier's M400


def test_a_wrong_host_checksum_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "damaged.gcode"
    path.write_text(_framed(1, "G28") + "\nN2 G1 X10*99\n", encoding="utf-8")
    for command in ("print", "check"):
        args = ["printer", command, str(path)]
        result = run_kit(*args, *(["--port", "sim://marlin"] if command == "print" else []))
        assert result.returncode == 2, result.stderr
        assert "ligne abîmée" in result.stderr


def test_check_refuses_a_line_print_would_refuse(tmp_path: Path) -> None:
    """One set of line checks for both commands: check never says « imprimable » for a
    file print refuses."""
    path = tmp_path / "long.gcode"
    path.write_text("G28\nG1 X10 Y10 " + "X1 " * 170 + "\nG1 X20 Y20 E1\n", encoding="utf-8")
    printed = run_kit("printer", "print", str(path), "--port", "sim://marlin")
    checked = run_kit("printer", "check", str(path))
    assert printed.returncode == checked.returncode == 2
    assert "95 au plus" in printed.stderr and "95 au plus" in checked.stderr


@pytest.mark.parametrize(("profile", "in_flight"), [("ender3", 127), ("generic", 63)])
def test_the_profile_s_receive_buffer_sets_how_much_is_sent_ahead(
    tmp_path: Path, profile: str, in_flight: int
) -> None:
    """A profile that knows its firmware's RX_BUFFER_SIZE (cited in the .toml) widens the
    window; the generic one keeps the cautious 63 bytes (the detailed log says which)."""
    path = tmp_path / "arc.gcode"
    path.write_text("\n".join(["G90", "M82", "M302 P1", *arc_lines(10)]) + "\n", encoding="utf-8")
    args = ["printer", "print", str(path), "--port", "sim://marlin", "--profile", profile]
    result = run_kit("-v", *args, "--forcer", COLUMNS="200")
    assert result.returncode == 0, result.stderr
    assert f"au plus {in_flight} octets envoyés d'avance" in result.stderr
