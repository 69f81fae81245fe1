# SPDX-License-Identifier: GPL-3.0-or-later
"""Printer profiles as data files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kit.errors import InputFileError
from printers.profile import list_profiles, load_profile, profile_names
from tests.conftest import run_kit


def test_the_atelier_printers_have_profiles() -> None:
    assert profile_names() == ["ender3", "ender3v2", "generic", "i3mega", "mk3s", "mk4"]
    for profile in list_profiles():
        assert {"PLA", "PETG", "TPU"} <= set(profile.materials)
        assert profile.hotend_max_c > 200 and profile.bed_max_c > 60
        assert profile.baud in (115200, 250000)
        assert all(v > 0 for v in profile.limits.max_feedrate_mm_s)
        pla = profile.material("pla")
        assert 1.0 < pla.density_g_cm3 < 1.5 and pla.price_eur_kg > 0


def test_profile_from_a_file_and_errors(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "printers" / "profiles" / "ender3.toml"
    mine = tmp_path / "mine.toml"
    mine.write_text(source.read_text(encoding="utf-8").replace('"ender3"', '"mine"', 1))
    assert load_profile(str(mine)).name == "mine"
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x"\n[build_volume]\nx_mm = [10, 0]\n')
    with pytest.raises(InputFileError, match="invalide|incomplet"):
        load_profile(str(broken))
    with pytest.raises(InputFileError, match="inconnu"):
        load_profile("voron")
    unclosed = tmp_path / "unclosed.toml"
    unclosed.write_text('name = "x"\n[build_volume\n')
    with pytest.raises(InputFileError, match="syntaxe TOML invalide ligne 2"):
        load_profile(str(unclosed))
    missing = tmp_path / "missing.toml"
    missing.write_text(source.read_text(encoding="utf-8").replace("[temperatures]", "[temp]"))
    with pytest.raises(InputFileError, match="la clé « temperatures » manque"):
        load_profile(str(missing))


def test_kit_printer_profiles_lists_them() -> None:
    result = run_kit("printer", "profiles", "--json")
    assert result.returncode == 0, result.stderr
    names = [p["name"] for p in json.loads(result.stdout)]
    assert names == profile_names()
    table = run_kit("printer", "profiles", COLUMNS="160")
    assert "Creality Ender-3" in table.stdout and "250000" in table.stdout
    narrow = run_kit("printer", "profiles", COLUMNS="80")
    assert "Modèle" in narrow.stdout and "…" not in narrow.stdout
    for name in names:
        assert f"│ {name} " in narrow.stdout  # typed after --profile: never wrapped
