# SPDX-License-Identifier: GPL-3.0-or-later
"""Which simulator answers to which ``sim://KIND``.

Simulators are listed by dotted path so that opening one imports only that one. Extra kinds
(for instance the echo device used by the foundation's tests) can be added without touching
this file through the ``KIT_SIM_EXTRA`` environment variable:
``KIT_SIM_EXTRA="echo=tests.support.echo_sim:EchoDevice;other=pkg.mod:Class"``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping

from kit.errors import KitError
from sim.device import SimulatedDevice

#: kind -> "module:ClassName". Each simulator's issue adds its line here.
BUILTIN_SIMULATORS: dict[str, str] = {
    "marlin": "sim.marlin:MarlinPrinter",
    "mbot": "sim.mbot.device:MBotDevice",
    "esp32s3": "sim.esp_rom.device:Esp32S3Device",
    "esp32s2": "sim.esp_rom.device:Esp32S2Device",
    "circuitpython": "sim.circuitpython.device:CircuitPythonDevice",
}

#: Options understood by the link/server themselves, never passed to the device.
LINK_OPTIONS = frozenset({"speed"})


def _extra_simulators() -> dict[str, str]:
    extra: dict[str, str] = {}
    for item in os.environ.get("KIT_SIM_EXTRA", "").split(";"):
        if "=" in item:
            kind, target = item.split("=", 1)
            extra[kind.strip().lower()] = target.strip()
    return extra


def known_kinds() -> list[str]:
    return sorted({**BUILTIN_SIMULATORS, **_extra_simulators()})


def create_device(kind: str, options: Mapping[str, str] | None = None) -> SimulatedDevice:
    """Instantiate the simulator registered for ``kind`` with its options."""
    table = {**BUILTIN_SIMULATORS, **_extra_simulators()}
    target = table.get(kind.lower())
    if target is None:
        known = ", ".join(known_kinds()) or "aucun"
        raise KitError(f"Simulateur inconnu : « {kind} ». Simulateurs disponibles : {known}.")
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(module_name)
    cls = getattr(module, class_name)
    device = cls(dict(options or {}))
    if not isinstance(device, SimulatedDevice):
        raise TypeError(f"{target} is not a SimulatedDevice")
    return device
