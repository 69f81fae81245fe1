# SPDX-License-Identifier: GPL-3.0-or-later
"""esptool's chip features (``get_chip_features()``) in French, for ``kit mcu info``.

esptool builds them from fixed strings per target (``esptool/targets/esp32s2.py``,
``esp32s3.py``… in esptool 5): a name (« Wi-Fi », « Dual Core + LP Core »), a clock
(« 240MHz ») or an embedded memory with its size and vendor (« Embedded Flash 8MB (GD) »).
A feature this table does not know is shown as esptool wrote it.
"""

from __future__ import annotations

import re

_NAMES = {
    "Wi-Fi": "Wi-Fi",
    "BT": "Bluetooth",
    "BLE": "Bluetooth basse consommation",
    "BT 5": "Bluetooth 5",
    "BT 5 (LE)": "Bluetooth 5 basse consommation",
    "BT 5.0": "Bluetooth 5",
    "Single Core": "un cœur",
    "Dual Core": "deux cœurs",
    "Dual Core + LP Core": "deux cœurs et un cœur basse consommation",
    "Single Core + LP Core": "un cœur et un cœur basse consommation",
    "IEEE802.15.4": "IEEE 802.15.4 (Thread, Zigbee)",
    "No Embedded Flash": "pas de mémoire flash intégrée",
    "No Embedded PSRAM": "pas de PSRAM intégrée",
    "Unknown Embedded Flash": "mémoire flash intégrée inconnue",
    "Unknown Embedded PSRAM": "PSRAM intégrée inconnue",
    "No calibration in BLK2 of efuse": "pas d'étalonnage en eFuse (BLK2)",
    "Unknown calibration in BLK2": "étalonnage en eFuse (BLK2) inconnu",
}
_CLOCK = re.compile(r"^(\d+)\s*MHz$")
_EMBEDDED = re.compile(r"^Embedded (Flash|PSRAM) (\d+)MB(?: \((.+)\))?$")
_CALIBRATION = re.compile(r"^ADC and temperature sensor calibration in BLK2 of eFuse (V\d+)$")


def feature_fr(feature: str) -> str:
    """One feature in French (unchanged when unknown)."""
    text = feature.strip()
    if text in _NAMES:
        return _NAMES[text]
    clock = _CLOCK.match(text)
    if clock:
        return f"{clock.group(1)} MHz"
    embedded = _EMBEDDED.match(text)
    if embedded:
        kind, size, vendor = embedded.groups()
        memory = "mémoire flash intégrée" if kind == "Flash" else "PSRAM intégrée"
        made_by = f" (fabricant {vendor})" if vendor else ""
        return f"{memory} de {size} Mo{made_by}"
    calibration = _CALIBRATION.match(text)
    if calibration:
        return f"CAN et capteur de température étalonnés en eFuse (BLK2, {calibration.group(1)})"
    return text


def features_fr(features: tuple[str, ...] | list[str]) -> str:
    """The features as a French list: « Wi-Fi, deux cœurs…, 240 MHz »."""
    return ", ".join(feature_fr(feature) for feature in features)


def description_fr(description: str) -> str:
    """esptool's chip description (« ESP32-S3 (QFN56) (revision v0.2) ») in French."""
    return description.replace("(revision ", "(révision ")
