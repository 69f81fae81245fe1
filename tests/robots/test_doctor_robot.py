# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit doctor``'s mBot advice: the 2.4G dongle's udev rule and brltty on Ubuntu."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kit.discovery import PortReport
from kit.doctor import MBOT_DONGLE_UDEV_RULE, robot_advice

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

CH340 = PortReport("/dev/ttyUSB0", "USB Serial", "1A86:7523", None, "CH340", "mBot", ("robot",))


def plug_dongle(root: Path) -> None:
    device = root / "sys/bus/usb/devices/1-2"
    device.mkdir(parents=True)
    (device / "idVendor").write_text("0416\n")
    (device / "idProduct").write_text("ffff\n")


def install_brltty(root: Path) -> None:
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin/brltty").write_text("")
    rules = root / "usr/lib/udev/rules.d"
    rules.mkdir(parents=True)
    (rules / "85-brltty.rules").write_text(
        'ENV{PRODUCT}=="1a86/7523/*", ENV{BRLTTY_BRAILLE_DRIVER}="bm", GOTO="brltty_usb_run"\n'
    )


def test_dongle_without_udev_rule_gets_the_rule(tmp_path: Path) -> None:
    plug_dongle(tmp_path)
    (advice,) = robot_advice([], tmp_path, as_root=False)
    assert "Clé 2.4G" in advice and MBOT_DONGLE_UDEV_RULE in advice


def test_dongle_with_its_rule_or_for_root_needs_nothing(tmp_path: Path) -> None:
    plug_dongle(tmp_path)
    assert robot_advice([], tmp_path, as_root=True) == []
    rules = tmp_path / "etc/udev/rules.d"
    rules.mkdir(parents=True)
    (rules / "70-mbot-2g4.rules").write_text(MBOT_DONGLE_UDEV_RULE + "\n")
    assert robot_advice([], tmp_path, as_root=False) == []


def test_brltty_that_claims_ch340_is_explained_when_no_ch340_port_shows(tmp_path: Path) -> None:
    install_brltty(tmp_path)
    (advice,) = robot_advice([], tmp_path, as_root=False)
    assert "brltty" in advice and "systemctl mask" in advice
    # A visible CH340 port means brltty did not take it: nothing to say.
    assert robot_advice([CH340], tmp_path, as_root=False) == []


def test_clean_machine_has_no_robot_advice(tmp_path: Path) -> None:
    assert robot_advice([], tmp_path, as_root=False) == []
