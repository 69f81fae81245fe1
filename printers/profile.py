# SPDX-License-Identifier: GPL-3.0-or-later
"""Printer profiles: data files in ``printers/profiles/*.toml``, validated into dataclasses.

A profile says what a printer can do (build volume, maximum temperatures, default machine
limits, serial speed, how fast it heats) and which materials the atelier uses on it, with
their temperature ranges, density and price. ``load_profile("ender3")`` reads a built-in
profile; a path to a ``.toml`` file of the same shape works too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.errors import InputFileError
from kit.files import data_error_fr, read_toml_input
from printers.planner import MachineLimits

PROFILES_DIR = Path(__file__).with_name("profiles")


@dataclass(frozen=True)
class Material:
    """A filament as used in the atelier."""

    name: str
    hotend_min_c: float
    hotend_max_c: float
    bed_min_c: float
    bed_max_c: float
    density_g_cm3: float
    price_eur_kg: float


@dataclass(frozen=True)
class PrinterProfile:
    """One printer model."""

    name: str
    display_name: str
    firmware: str
    baud: int
    slicer_models: tuple[str, ...]
    x_range_mm: tuple[float, float]
    y_range_mm: tuple[float, float]
    z_range_mm: tuple[float, float]
    tolerance_mm: float
    hotend_max_c: float
    bed_max_c: float
    extrude_min_c: float
    ambient_c: float
    hotend_rate_c_s: float
    bed_rate_c_s: float
    cooling_rate_c_s: float
    settle_s: float
    limits: MachineLimits
    filament_diameter_mm: float
    default_material: str
    materials: dict[str, Material]
    #: The firmware's serial receive buffer when known (bytes): the host may keep one less in
    #: flight. None: unknown, the host assumes the smallest common one (64).
    rx_buffer_bytes: int | None = None

    def material(self, name: str | None) -> Material:
        """The named material (case-insensitive), else the profile's default one."""
        if name:
            for key, material in self.materials.items():
                if key.upper() == name.strip().upper():
                    return material
        return self.materials[self.default_material]

    @property
    def size_mm(self) -> tuple[float, float, float]:
        return (
            self.x_range_mm[1] - self.x_range_mm[0],
            self.y_range_mm[1] - self.y_range_mm[0],
            self.z_range_mm[1] - self.z_range_mm[0],
        )


def profile_names() -> list[str]:
    """Names of the built-in profiles, sorted."""
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


def list_profiles() -> list[PrinterProfile]:
    """Every built-in profile, sorted by name."""
    return [load_profile(name) for name in profile_names()]


def profile_for_model(model: str | None) -> PrinterProfile | None:
    """The built-in profile whose ``slicer_models`` names ``model`` (case-insensitive)."""
    if not model:
        return None
    wanted = model.strip().upper()
    for profile in list_profiles():
        if wanted in {m.upper() for m in profile.slicer_models}:
            return profile
    return None


def load_profile(name_or_path: str) -> PrinterProfile:
    """Load a built-in profile by name, or a profile file by path; French errors (exit 2)."""
    candidate = Path(name_or_path)
    if name_or_path.endswith(".toml") and candidate.is_file():
        path = candidate
    else:
        path = PROFILES_DIR / f"{name_or_path.strip().lower()}.toml"
        if not path.is_file():
            known = ", ".join(profile_names())
            raise InputFileError(
                f"Profil d'imprimante inconnu : « {name_or_path} ».",
                hint=f"Profils disponibles : {known} (voir « kit printer profiles »).",
            )
    data = read_toml_input(path, what="profil")
    try:
        return _parse_profile(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputFileError(
            f"Le profil « {path} » est incomplet ou invalide : {data_error_fr(exc)}."
        ) from exc


def _number(table: dict[str, Any], key: str) -> float:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"« {key} » doit être un nombre")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"« {key} » doit être un nombre fini")
    return number


def _pair(table: dict[str, Any], key: str) -> tuple[float, float]:
    value = table[key]
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(f"« {key} » doit être une paire [min, max]")
    low, high = (_number({"v": v}, "v") for v in value)
    if low > high:
        raise ValueError(f"« {key} » : le minimum dépasse le maximum")
    return (low, high)


def _parse_profile(data: dict[str, Any]) -> PrinterProfile:
    volume = data["build_volume"]
    temps = data["temperatures"]
    heating = data["heating"]
    materials: dict[str, Material] = {}
    for key, table in data["materials"].items():
        hotend = _pair(table, "hotend_c")
        bed = _pair(table, "bed_c")
        materials[key] = Material(
            name=key,
            hotend_min_c=hotend[0],
            hotend_max_c=hotend[1],
            bed_min_c=bed[0],
            bed_max_c=bed[1],
            density_g_cm3=_number(table, "density_g_cm3"),
            price_eur_kg=_number(table, "price_eur_kg"),
        )
    default_material = str(data.get("default_material", "PLA"))
    if default_material not in materials:
        raise ValueError(f"matériau par défaut « {default_material} » absent de [materials]")
    return PrinterProfile(
        name=str(data["name"]),
        display_name=str(data["display_name"]),
        firmware=str(data.get("firmware", "marlin")),
        baud=int(data.get("baud", 115200)),
        slicer_models=tuple(str(m) for m in data.get("slicer_models", [])),
        x_range_mm=_pair(volume, "x_mm"),
        y_range_mm=_pair(volume, "y_mm"),
        z_range_mm=_pair(volume, "z_mm"),
        tolerance_mm=_number(volume, "tolerance_mm"),
        hotend_max_c=_number(temps, "hotend_max_c"),
        bed_max_c=_number(temps, "bed_max_c"),
        extrude_min_c=_number(temps, "extrude_min_c"),
        ambient_c=_number(heating, "ambient_c"),
        hotend_rate_c_s=_number(heating, "hotend_rate_c_s"),
        bed_rate_c_s=_number(heating, "bed_rate_c_s"),
        cooling_rate_c_s=_number(heating, "cooling_rate_c_s"),
        settle_s=_number(heating, "settle_s"),
        limits=MachineLimits.from_mapping(data.get("limits", {})),
        filament_diameter_mm=_number(data, "filament_diameter_mm"),
        default_material=default_material,
        materials=materials,
        rx_buffer_bytes=int(data["rx_buffer"]) if "rx_buffer" in data else None,
    )
