# SPDX-License-Identifier: GPL-3.0-or-later
"""The real esptool (Python API) against the simulated ROM bootloader, in-process."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from esptool import cmds
from esptool.util import FatalError

from firmware import esp_flash
from firmware.esp_protocol import RomError, StubError
from kit.links import open_link
from sim.device import SimOptionError
from sim.esp_rom.device import EspRomDevice
from sim.registry import create_device
from tests.support.esp_images import combined_bin, payload

IMAGE_SIZE = 300_000


@pytest.fixture(autouse=True)
def quiet_esptool() -> Iterator[None]:
    with esp_flash._quiet_esptool():
        yield


def _connect(url: str) -> tuple[object, EspRomDevice]:
    link = open_link(url, timeout_s=1.0)
    esp = cmds.detect_chip(port=link, baud=115200, connect_mode="no-reset", connect_attempts=2)
    device = link.device
    assert isinstance(device, EspRomDevice)
    return esp, device


@pytest.mark.parametrize(
    ("kind", "name", "features"),
    [
        ("esp32s3", "ESP32-S3", ["Embedded Flash 4MB (XMC)", "Embedded PSRAM 2MB (AP_3v3)"]),
        (
            "esp32s2",
            "ESP32-S2",
            ["Embedded Flash 4MB", "ADC and temperature sensor calibration in BLK2 of eFuse V1"],
        ),
    ],
)
def test_esptool_detects_each_chip(kind: str, name: str, features: list[str]) -> None:
    esp, device = _connect(f"sim://{kind}")
    assert name == esp.CHIP_NAME
    # The eFuses describe the atelier's boards as esptool would print them (vendors included).
    assert set(features) <= set(esp.get_chip_features())
    assert esp.read_mac() == tuple(device.mac)
    cmds.attach_flash(esp)
    assert cmds.detect_flash_size(esp) == "4MB"
    esp._port.close()


@pytest.mark.parametrize(("kind", "stub"), [("esp32s3", True), ("esp32s2", False)])
def test_esptool_flashes_through_rom_and_stub(kind: str, stub: bool) -> None:
    image = combined_bin(kind, IMAGE_SIZE, compressible=True)
    esp, device = _connect(f"sim://{kind}")
    if stub:
        esp = cmds.run_stub(esp)
        assert device.loader.stub
    esp.change_baud(460800)
    assert device.uart_baud == 460800
    cmds.attach_flash(esp)
    # Compressed on both paths: the ROM of the S2/S3 inflates FLASH_DEFL_DATA itself.
    cmds.write_flash(esp, [(0x0, image)], compress=True)
    assert esp.flash_md5sum(0, IMAGE_SIZE) == hashlib.md5(image).hexdigest()
    assert device.flash.read(0, IMAGE_SIZE) == image
    assert device.loader.stats.errors == []
    esp._port.close()


def test_uncompressed_write_at_an_offset_and_flash_is_sparse() -> None:
    data = payload(100_000, seed=3)
    esp, device = _connect("sim://esp32s3?flash_size=16")
    cmds.attach_flash(esp)
    cmds.write_flash(esp, [(0x200000, data)], no_compress=True)
    assert device.flash.read(0x200000, len(data)) == data
    assert device.flash.read(0, 16) == b"\xff" * 16
    assert device.flash.used_sectors() == -(-len(data) // 4096)
    esp._port.close()


def test_a_packet_damaged_once_is_rejected_by_checksum_and_resent() -> None:
    data = payload(20_000, seed=4)
    esp, device = _connect("sim://esp32s3?corrupt_packet=5&corrupt_count=1")
    cmds.attach_flash(esp)
    cmds.write_flash(esp, [(0x10000, data)], no_compress=True)
    assert device.corrupted_packets == 1
    assert device.loader.stats.errors == [(0x03, RomError.BAD_CHECKSUM)]
    assert device.flash.read(0x10000, len(data)) == data
    esp._port.close()


def test_a_packet_always_damaged_makes_esptool_fail() -> None:
    esp, device = _connect("sim://esp32s3?corrupt_packet=2")
    esp = cmds.run_stub(esp)
    cmds.attach_flash(esp)
    with pytest.raises(FatalError, match="Bad data checksum"):
        cmds.write_flash(esp, [(0x10000, payload(200_000, seed=5, compressible=True))])
    assert device.corrupted_packets == 3
    assert device.loader.stats.errors == [(0x11, StubError.BAD_DATA_CHECKSUM)] * 3
    esp._port.close()


def test_baud_rate_is_modelled_on_the_wire() -> None:
    data = payload(60_000, seed=6)
    timings = {}
    for baud in (115200, 460800):
        link = open_link("sim://esp32s3", timeout_s=1.0)
        esp = cmds.detect_chip(port=link, baud=115200, connect_mode="no-reset")
        if baud != 115200:
            esp.change_baud(baud)
        cmds.attach_flash(esp)
        start = link.now_s()
        cmds.write_flash(esp, [(0x10000, data)], no_compress=True)
        timings[baud] = link.now_s() - start
        link.close()
    wire_115200 = len(data) * 10 / 115200
    assert timings[115200] > wire_115200
    assert timings[460800] < timings[115200] / 2.5


def test_host_at_the_wrong_speed_gets_nothing() -> None:
    link = open_link("sim://esp32s3", timeout_s=1.0)
    esp = cmds.detect_chip(port=link, baud=115200, connect_mode="no-reset")
    esp.change_baud(460800)
    device = link.device
    link.baudrate = 115200  # the host falls back, the chip does not
    with pytest.raises(FatalError):
        esp.read_reg(0x40001000)
    assert device.garbled_bytes > 0
    link.close()


def test_chip_that_stops_answering() -> None:
    esp, device = _connect("sim://esp32s3?stop_after=300")
    cmds.attach_flash(esp)
    assert device.loader.stats.commands < 200
    with pytest.raises(FatalError):
        cmds.write_flash(esp, [(0x10000, payload(400_000))], no_compress=True)
    assert device.silent
    esp._port.close()


def test_chip_in_application_mode_does_not_sync() -> None:
    link = open_link("sim://esp32s3?boot=app", timeout_s=1.0)
    with pytest.raises(FatalError, match="Failed to connect"):
        cmds.detect_chip(port=link, baud=115200, connect_mode="no-reset", connect_attempts=1)
    link.close()


def test_dtr_rts_auto_reset_enters_download_mode() -> None:
    link = open_link("sim://esp32s3?boot=app", timeout_s=1.0)
    device = link.device
    assert isinstance(device, EspRomDevice)
    # Classic auto-program sequence: EN low, then GPIO0 low while EN rises.
    link.dtr, link.rts = False, True
    link.dtr, link.rts = True, False
    link.dtr = False
    assert b"waiting for download" in link.read(200)
    assert device.in_download_mode and device.resets == 1
    link.close()


def test_bad_options_are_refused_in_french() -> None:
    with pytest.raises(SimOptionError, match="answer_as"):
        create_device("esp32s3", {"answer_as": "z80"})
    with pytest.raises(SimOptionError, match="flash_size"):
        create_device("esp32s2", {"flash_size": "3"})
    with pytest.raises(SimOptionError, match="Option inconnue"):
        create_device("esp32s2", {"turbo": "1"})


@pytest.mark.parametrize("stub", [True, False], ids=["stub-read-flash", "rom-read-flash-slow"])
def test_esptool_reads_the_flash_back(stub: bool) -> None:
    data = payload(20_000, seed=8)
    esp, device = _connect("sim://esp32s2")
    if stub:
        esp = cmds.run_stub(esp)
    cmds.attach_flash(esp)
    device.flash.program(0x30000, data)
    assert esp.read_flash(0x30000, len(data)) == data
    esp._port.close()
