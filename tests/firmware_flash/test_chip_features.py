# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit mcu info`` presents esptool's chip features in French."""

from __future__ import annotations

from firmware.chip_features import description_fr, feature_fr, features_fr
from tests.conftest import run_kit


def test_esptool_features_read_in_french() -> None:
    assert feature_fr("Dual Core + LP Core") == "deux cœurs et un cœur basse consommation"
    assert feature_fr("240MHz") == "240 MHz"
    assert feature_fr("Embedded Flash 8MB (GD)") == "mémoire flash intégrée de 8 Mo (fabricant GD)"
    assert feature_fr("Embedded PSRAM 2MB") == "PSRAM intégrée de 2 Mo"
    assert feature_fr("Something new") == "Something new"  # shown as esptool wrote it
    assert features_fr(["Wi-Fi", "Single Core"]) == "Wi-Fi, un cœur"
    assert description_fr("ESP32-S3 (QFN56) (revision v0.2)") == "ESP32-S3 (QFN56) (révision v0.2)"


def test_mcu_info_on_the_simulated_chips_has_no_english_feature() -> None:
    for chip in ("esp32s3", "esp32s2"):
        result = run_kit("mcu", "info", "--port", f"sim://{chip}")
        assert result.returncode == 0, result.stderr
        out = " ".join(result.stdout.split())
        for english in ("Core", "Embedded", "revision", "MB", "calibration"):
            assert english not in out, (chip, english, out)
