# SPDX-License-Identifier: GPL-3.0-or-later
"""UF2 flashing onto the simulated bootloader drive."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware import uf2, uf2_flash
from firmware.boards import get_board
from kit.errors import KitError
from sim.uf2_drive import Uf2Drive
from tests.support.esp_images import payload

PICO = get_board("pico")
FIRMWARE = b"Adafruit CircuitPython 9.2.1 " + payload(60_000, seed=9)


@pytest.fixture
def drive(tmp_path: Path) -> Iterator[Uf2Drive]:
    sim = Uf2Drive(tmp_path / "RPI-RP2", PICO)
    sim.enter_bootloader()
    stop = threading.Event()
    thread = threading.Thread(target=sim.serve, args=(stop, 0.01), daemon=True)
    thread.start()
    yield sim
    stop.set()
    thread.join(timeout=5)


def test_valid_file_lands_on_the_drive_and_it_becomes_circuitpy(drive: Uf2Drive) -> None:
    data = uf2.build(FIRMWARE, PICO.flash_offset, PICO.uf2_family)
    found = uf2_flash.inspect(drive.folder)
    assert found.board_id == "RPI-RP2"
    result = uf2_flash.flash(data, PICO, found, reboot_timeout_s=5)
    assert result.rebooted and result.blocks == len(data) // 512
    flashed = b"".join(drive.memory[a] for a in sorted(drive.memory))
    assert flashed == FIRMWARE
    # flash() returns once the bootloader drive is gone; CIRCUITPY appears a moment later.
    assert uf2_flash.find_circuitpy(drive.folder, timeout_s=5, poll_s=0.02) is not None
    boot_out = (drive.folder / "boot_out.txt").read_text(encoding="utf-8")
    assert "CircuitPython 9.2.1" in boot_out and "Board ID:raspberry_pi_pico" in boot_out
    assert not (drive.folder / "INFO_UF2.TXT").exists()


def test_family_mismatch_is_refused_before_copying(drive: Uf2Drive) -> None:
    samd21 = uf2.build(FIRMWARE, 0x2000, 0x68ED2B88)
    with pytest.raises(uf2.Uf2Error, match="SAMD21"):
        uf2_flash.flash(samd21, PICO, uf2_flash.inspect(drive.folder))
    assert sorted(p.name for p in drive.folder.iterdir()) == ["INDEX.HTM", "INFO_UF2.TXT"]
    assert drive.state == "bootloader" and not drive.memory


def test_truncated_file_is_refused_before_copying(drive: Uf2Drive) -> None:
    data = uf2.build(FIRMWARE, PICO.flash_offset, PICO.uf2_family)
    with pytest.raises(uf2.Uf2Error, match="tronqué"):
        uf2_flash.flash(data[:-700], PICO, uf2_flash.inspect(drive.folder))
    assert drive.flash_count == 0


def test_simulated_bootloader_ignores_what_a_real_one_ignores(drive: Uf2Drive) -> None:
    # Copied behind the kit's back: another family, then a truncated file.
    other = uf2.build(FIRMWARE, 0x2000, 0x68ED2B88)
    (drive.folder / "samd.uf2").write_bytes(other)
    good = uf2.build(FIRMWARE, PICO.flash_offset, PICO.uf2_family)
    (drive.folder / "part.uf2").write_bytes(good[: len(good) // 2])
    assert not drive.poll() and drive.state == "bootloader"
    assert drive.ignored_blocks >= len(other) // 512


def test_circuitpy_files_survive_a_reflash(drive: Uf2Drive) -> None:
    data = uf2.build(FIRMWARE, PICO.flash_offset, PICO.uf2_family)
    uf2_flash.flash(data, PICO, uf2_flash.inspect(drive.folder), reboot_timeout_s=5)
    (drive.folder / "code.py").write_text("print('atelier')\n", encoding="utf-8")
    drive.enter_bootloader()
    assert not (drive.folder / "code.py").exists()
    uf2_flash.flash(data, PICO, uf2_flash.inspect(drive.folder), reboot_timeout_s=5)
    assert (drive.folder / "code.py").read_text(encoding="utf-8") == "print('atelier')\n"
    assert drive.flash_count == 2


def test_a_circuitpy_folder_is_not_a_bootloader_drive(tmp_path: Path) -> None:
    (tmp_path / "boot_out.txt").write_text("Adafruit CircuitPython 9.2.1\nBoard ID:x\n")
    with pytest.raises(KitError, match="CIRCUITPY"):
        uf2_flash.inspect(tmp_path)


def test_two_drives_need_a_choice() -> None:
    a = uf2_flash.BootDrive(Path("/a"), "SAMD21G18A-CPlay-v0", {})
    b = uf2_flash.BootDrive(Path("/b"), "SAMD51J19A-Feather-M4-v0", {})
    assert uf2_flash.pick_drive(get_board("feather_m4_express"), [a, b]) is b
    with pytest.raises(KitError, match="Plusieurs lecteurs"):
        uf2_flash.pick_drive(PICO, [a, b])
