# SPDX-License-Identifier: GPL-3.0-or-later
"""The kit's esptool driver (firmware.esp_flash) against the simulated ROM bootloader."""

from __future__ import annotations

import hashlib

import pytest

from firmware import esp_flash
from firmware.boards import get_board
from kit.errors import DeviceFault, InputFileError, KitError, LinkError
from sim.esp_rom.device import EspRomDevice
from tests.support.esp_images import combined_bin

S3 = get_board("feather_esp32s3")
S2 = get_board("qtpy_esp32s2")


def _device(session: esp_flash.EspSession) -> EspRomDevice:
    device = session.link.device
    assert isinstance(device, EspRomDevice)
    return device


@pytest.mark.slow
@pytest.mark.parametrize(
    ("board_id", "kind"), [("feather_esp32s3", "esp32s3"), ("qtpy_esp32s2", "esp32s2")]
)
def test_flash_lands_at_the_board_offset_and_md5_matches(board_id: str, kind: str) -> None:
    board = get_board(board_id)
    image = combined_bin(kind, 1_500_000, compressible=True)
    esp_flash.check_image(image, board)
    seen: list[tuple[int, int]] = []
    with esp_flash.connect(f"sim://{kind}") as session:
        session.require_chip(board)
        result = session.flash(image, board.flash_offset, progress=lambda d, t: seen.append((d, t)))
        flashed = _device(session).flash.read(board.flash_offset, len(image))
    assert flashed == image
    assert result.md5 == hashlib.md5(image).hexdigest() and result.compressed
    assert seen and seen[-1][0] == seen[-1][1]


def test_image_for_the_wrong_chip_is_refused_before_any_connection() -> None:
    with pytest.raises(InputFileError, match="puce ESP32-S2, pas pour la puce ESP32-S3"):
        esp_flash.check_image(combined_bin("esp32s2", 64_000), S3)
    with pytest.raises(InputFileError, match="pas un micrologiciel ESP"):
        esp_flash.check_image(b"\x00" * 64_000, S3)


def test_board_with_another_chip_is_refused_before_writing() -> None:
    with esp_flash.connect("sim://esp32s3?answer_as=esp32s2") as session:
        device = _device(session)
        with pytest.raises(KitError, match="contient une puce ESP32-S2"):
            session.require_chip(S3)
    assert device.flash.used_sectors() == 0


def test_silent_corruption_is_caught_by_the_md5_check() -> None:
    image = combined_bin("esp32s3", 200_000, compressible=True)
    with esp_flash.connect("sim://esp32s3?corrupt_packet=3&corrupt_mode=silent") as session:
        with pytest.raises(DeviceFault, match="MD5"):
            session.flash(image, 0)
        assert _device(session).corrupted_packets == 1


def test_checksum_corruption_is_reported_in_french() -> None:
    image = combined_bin("esp32s3", 200_000, compressible=True)
    with (
        esp_flash.connect("sim://esp32s3?corrupt_packet=1") as session,
        pytest.raises(DeviceFault, match="Le bloc n° 1 est arrivé abîmé"),
    ):
        session.flash(image, 0)


def test_erase_empties_the_flash() -> None:
    image = combined_bin("esp32s3", 100_000)  # random: zlib cannot shrink it
    with esp_flash.connect("sim://esp32s3") as session:
        assert not session.flash(image, 0, stub=False).compressed
        assert _device(session).flash.used_sectors() > 0
        session.erase()
        assert _device(session).flash.used_sectors() == 0


def test_info_reads_chip_mac_and_flash_size() -> None:
    with esp_flash.connect("sim://esp32s2?mac=02:11:22:33:44:55&flash_size=8") as session:
        info = session.info()
    assert (info.chip, info.mac, info.flash_size) == ("esp32s2", "02:11:22:33:44:55", "8MB")


def test_silent_chip_raises_chip_not_answering() -> None:
    with pytest.raises(esp_flash.ChipNotAnswering):
        esp_flash.connect("sim://esp32s3?boot=app", attempts=1)


def test_waiting_calls_back_once_then_gives_up() -> None:
    calls: list[str] = []
    now = [0.0]
    with pytest.raises(esp_flash.ChipNotAnswering, match="après 3 s"):
        esp_flash.connect_waiting(
            "sim://esp32s3?boot=app",
            timeout_s=3,
            on_waiting=lambda: calls.append("bouton"),
            clock=lambda: now[0],
            sleep=lambda s: now.__setitem__(0, now[0] + s),
        )
    assert calls == ["bouton"]


def test_missing_port_is_a_link_error() -> None:
    with pytest.raises(LinkError, match="introuvable"):
        esp_flash.connect("/dev/ttyNOPE42")


def test_chip_that_stops_answering_mid_flash_is_a_device_fault() -> None:
    image = combined_bin("esp32s3", 200_000)
    with (
        esp_flash.connect("sim://esp32s3?stop_after=120") as session,
        pytest.raises(DeviceFault, match="a cessé de répondre pendant l'écriture"),
    ):
        session.flash(image, 0, stub=False, compress=False)


def test_a_port_not_there_yet_is_waited_for() -> None:
    calls: list[str] = []
    now = [0.0]
    with pytest.raises(esp_flash.ChipNotAnswering) as caught:
        esp_flash.connect_waiting(
            "/dev/ttyNOPE42",
            timeout_s=2,
            on_waiting=lambda: calls.append("bouton"),
            clock=lambda: now[0],
            sleep=lambda s: now.__setitem__(0, now[0] + s),
        )
    assert calls == ["bouton"]
    assert caught.value.hint is not None and "introuvable" in caught.value.hint
