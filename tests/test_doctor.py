# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit doctor``: ports identified from their USB ids, drives, permissions, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from serial.tools import list_ports
from serial.tools.list_ports_common import ListPortInfo

from kit.cli import cli
from kit.discovery import describe_port, inspect_drive, parse_info_uf2, scan_drives
from kit.doctor import run_doctor
from tests.conftest import run_kit


def usb_port(device: str, vid: int, pid: int, description: str = "USB Serial") -> ListPortInfo:
    info = ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.description = vid, pid, description
    info.serial_number = "A1B2"
    return info


ATELIER_PORTS = [
    usb_port("/dev/ttyUSB0", 0x1A86, 0x7523, "USB2.0-Serial"),
    usb_port("/dev/ttyACM0", 0x2C99, 0x0002, "Original Prusa i3 MK3"),
    usb_port("/dev/ttyACM1", 0x303A, 0x1001, "USB JTAG/serial debug unit"),
    usb_port("/dev/ttyACM2", 0x239A, 0x8019, "CircuitPlayground Express"),
    usb_port("/dev/ttyACM3", 0x2E8A, 0x000A, "Pico"),
    usb_port("/dev/ttyUSB1", 0x10C4, 0xEA60, "CP2102"),
    usb_port("/dev/ttyUSB2", 0x0403, 0x6001, "FT232R"),
    usb_port("/dev/ttyACM4", 0x2341, 0x0042, "Arduino Mega 2560"),
    usb_port("/dev/ttyACM5", 0x2A03, 0x0042, "Arduino Mega 2560"),
]


@pytest.mark.parametrize(
    ("vid", "pid", "expected"),
    [
        (0x1A86, 0x7523, "CH340"),
        (0x10C4, 0xEA60, "CP210x"),
        (0x0403, 0x6001, "FTDI"),
        (0x2341, 0x0043, "Arduino"),
        (0x2A03, 0x0010, "Arduino"),
        (0x2C99, 0x000D, "Prusa"),
        (0x303A, 0x1001, "ESP32-S3"),
        (0x303A, 0x0002, "chargeur ROM"),
        (0x303A, 0x80C2, "Espressif"),
        (0x239A, 0x80F4, "Adafruit"),
        (0x2E8A, 0x0005, "RP2040"),
    ],
)
def test_usb_ids_name_the_likely_device(vid: int, pid: int, expected: str) -> None:
    assert expected in describe_port(usb_port("/dev/x", vid, pid)).label


def test_ch340_is_reported_as_mbot_or_printer() -> None:
    report = describe_port(ATELIER_PORTS[0])
    assert report.vid_pid == "1A86:7523"
    assert "mBot" in report.detail
    assert set(report.kinds) == {"robot", "printer"}


def test_unknown_usb_and_legacy_ports_are_listed_honestly() -> None:
    unknown = describe_port(usb_port("/dev/ttyUSB9", 0x1234, 0x5678))
    assert unknown.label == "Périphérique USB série inconnu"
    legacy = describe_port(ListPortInfo("/dev/ttyS0", skip_link_detection=True))
    assert legacy.vid_pid is None
    assert legacy.label == "Port série sans USB"


def test_doctor_report_lists_ports_usb_first() -> None:
    report = run_doctor([ListPortInfo("/dev/ttyS0", skip_link_detection=True), *ATELIER_PORTS])
    assert [p.device for p in report.ports][-1] == "/dev/ttyS0"
    assert report.packages["pyserial"]
    assert report.advice == []


def test_doctor_without_ports_advises_the_simulators() -> None:
    report = run_doctor([])
    assert report.ports == []
    assert any("sim://" in line for line in report.advice)


def make_circuitpy(
    root: Path, version: str = "9.2.1", board: str = "adafruit_qtpy_esp32s2"
) -> Path:
    drive = root / "CIRCUITPY"
    drive.mkdir()
    (drive / "boot_out.txt").write_text(
        f"Adafruit CircuitPython {version} on 2024-11-20; Adafruit QT Py ESP32S2 with ESP32S2\n"
        f"Board ID:{board}\nUID:C7FD1A2B3C4D\n",
        encoding="utf-8",
    )
    return drive


def make_uf2_drive(root: Path) -> Path:
    drive = root / "RPI-RP2"
    drive.mkdir()
    (drive / "INFO_UF2.TXT").write_text(
        "UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n", encoding="utf-8"
    )
    return drive


def test_circuitpy_drive_gives_version_and_board(tmp_path: Path) -> None:
    report = inspect_drive(make_circuitpy(tmp_path))
    assert report is not None
    assert report.kind == "circuitpy"
    assert report.circuitpython_version == "9.2.1"
    assert report.board_id == "adafruit_qtpy_esp32s2"


def test_uf2_drive_gives_board_id(tmp_path: Path) -> None:
    report = inspect_drive(make_uf2_drive(tmp_path))
    assert report is not None and report.kind == "uf2"
    assert report.board_id == "RPI-RP2"
    assert report.details["Model"] == "Raspberry Pi RP2"


def test_info_uf2_parser_keeps_banner() -> None:
    assert parse_info_uf2("UF2 Bootloader v1\nBoard-ID: X\n")["Bootloader"] == "UF2 Bootloader v1"


def test_ordinary_folder_is_not_a_drive(tmp_path: Path) -> None:
    assert inspect_drive(tmp_path) is None


def test_drives_found_through_kit_drive_roots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = make_circuitpy(tmp_path)
    b = make_uf2_drive(tmp_path)
    monkeypatch.setenv("KIT_DRIVE_ROOTS", f"{a}:{b}:{tmp_path / 'absent'}")
    kinds = {d.kind for d in scan_drives() if d.path in {str(a), str(b)}}
    assert kinds == {"circuitpy", "uf2"}


def test_doctor_json_with_faked_pyserial_ports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: list(ATELIER_PORTS))
    monkeypatch.setenv("KIT_DRIVE_ROOTS", str(make_circuitpy(tmp_path)))
    result = CliRunner().invoke(cli, ["doctor", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_device = {p["device"]: p for p in data["ports"]}
    assert by_device["/dev/ttyUSB0"]["vid_pid"] == "1A86:7523"
    assert "Prusa" in by_device["/dev/ttyACM0"]["label"]
    assert data["drives"][0]["circuitpython_version"] == "9.2.1"
    assert set(data["packages"]) >= {"pyserial", "esptool", "octorest"}


def test_doctor_table_in_french_with_faked_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: list(ATELIER_PORTS))
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "Ports série" in result.output
    assert "/dev/ttyUSB0" in result.output


def test_doctor_runs_on_this_machine_as_a_command() -> None:
    result = run_kit("doctor")
    assert result.returncode == 0, result.stderr
    assert "atelier-kit" in result.stdout
    result = run_kit("doctor", "--json")
    assert result.returncode == 0
    assert "ports" in json.loads(result.stdout)


def test_device_text_is_shown_as_is_not_read_as_markup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """USB descriptions and drive folders are written by others: brackets in them are text."""
    odd = usb_port("/dev/ttyUSB7", 0x1234, 0x5678, "Carte [/b] [bold]maison")
    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: [odd])
    odd_folder = tmp_path / "[bold]CLÉ"
    odd_folder.mkdir()
    drive = make_circuitpy(odd_folder)
    monkeypatch.setenv("KIT_DRIVE_ROOTS", str(drive))
    # The drive's path is long (pytest's temporary folder): wide enough that rich never folds it.
    from kit.console import console

    monkeypatch.setattr(console, "width", 400)
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "Carte [/b] [bold]maison" in result.output
    assert "[bold]CLÉ" in result.output


def test_serial_group_membership_and_its_fix() -> None:
    from kit.doctor import permission_report

    outside = permission_report(
        "dialout", 20, ["bob"], user="alice", process_gids=[1000], as_root=False
    )
    assert not outside.ok
    assert outside.fix is not None and "sudo usermod -aG dialout $USER" in outside.fix
    added = permission_report(
        "uucp", 14, ["alice"], user="alice", process_gids=[1000], as_root=False
    )
    assert not added.ok and "fermez la session" in added.message and added.fix is None
    member = permission_report("dialout", 20, [], user="alice", process_gids=[20], as_root=False)
    assert member.ok and "dialout" in member.message
    assert permission_report("dialout", None, [], user="a", process_gids=[], as_root=False).ok
    assert permission_report("dialout", 20, [], user="root", process_gids=[], as_root=True).ok


def test_doctor_reports_a_malformed_configuration_and_exits_1(isolated_user_dirs: Path) -> None:
    config = isolated_user_dirs / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("[octoprint\nurl = 'x'\n", encoding="utf-8")
    result = run_kit("doctor")
    assert result.returncode == 1
    out = " ".join(result.stdout.split())
    assert "Problèmes (1)" in out and "config.toml" in out and "mal formé" in out
    as_json = run_kit("doctor", "--json")
    assert as_json.returncode == 1
    assert any("mal formé" in p for p in json.loads(as_json.stdout)["problems"])


def test_doctor_reports_what_the_commands_would_refuse(isolated_user_dirs: Path) -> None:
    config = isolated_user_dirs / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(
        "[octoprnt]\nurl = 'http://octopi.local'\n[printers.ender1]\nprofile = 'ender3'\n",
        encoding="utf-8",
    )
    secrets = config / "secrets.toml"
    secrets.write_text("[octoprint]\napi_key = 'ABCDEFGHIJKLMNOP'\n", encoding="utf-8")
    secrets.chmod(0o644)
    firmware = isolated_user_dirs / "cache" / "firmware"
    firmware.mkdir(parents=True)
    (firmware / "adafruit-circuitpython-raspberry_pi_pico-fr-9.2.1.uf2").write_bytes(b"x" * 100)
    result = run_kit("doctor")
    assert result.returncode == 1
    out = " ".join(result.stdout.split())
    assert "Clé inconnue : « octoprnt.url »" in out
    assert "L'imprimante « ender1 » doit avoir soit un port" in out
    assert "lisible par d'autres comptes" in out and "chmod 600" in out
    assert "n'est pas un micrologiciel valide" in out and "tronqué" in out
    assert "ABCDEFGHIJKLMNOP" not in result.stdout + result.stderr


def test_doctor_on_a_clean_installation_exits_0() -> None:
    result = run_kit("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rien à signaler" in result.stdout


def test_doctor_leaves_sections_of_other_commands_to_them(isolated_user_dirs: Path) -> None:
    config = isolated_user_dirs / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(
        "[badges.emetteur]\nnom = 'Fablab des Tilleuls'\n", encoding="utf-8"
    )
    result = run_kit("doctor")
    assert result.returncode == 0, result.stdout
