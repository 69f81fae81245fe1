# SPDX-License-Identifier: GPL-3.0-or-later
"""User configuration: TOML in the config folder, secrets in a 0600 file, never shown in full."""

from __future__ import annotations

import os
import stat

import pytest

from kit import config as cfg
from kit.errors import KitError
from tests.conftest import run_kit


def test_set_then_get_round_trips_typed_values() -> None:
    cfg.set_value("atelier.nom", "Fab lab de Brest")
    cfg.set_value("atelier.imprimantes", 4)
    cfg.set_value("atelier.vitesse", 2.5)
    cfg.set_value("atelier.ouvert", True)
    assert cfg.get_value("atelier.nom") == "Fab lab de Brest"
    assert cfg.get_value("atelier.imprimantes") == 4
    assert cfg.get_value("atelier.vitesse") == 2.5
    assert cfg.get_value("atelier.ouvert") is True
    assert cfg.get_value("atelier.absent", "défaut") == "défaut"


def test_secrets_go_to_a_private_file() -> None:
    cfg.set_value("octoprint.api_key", "0123456789ABCDEF")
    assert (
        "0123456789ABCDEF" not in cfg.config_path().read_text(encoding="utf-8")
        if cfg.config_path().exists()
        else True
    )
    mode = stat.S_IMODE(os.stat(cfg.secrets_path()).st_mode)
    assert mode == 0o600
    assert cfg.get_value("octoprint.api_key") == "0123456789ABCDEF"


def test_masked_view_hides_secrets() -> None:
    cfg.set_value("octoprint.url", "http://127.0.0.1:5000")
    cfg.set_value("octoprint.api_key", "0123456789ABCDEF")
    shown = cfg.masked_config()
    assert shown["octoprint"]["url"] == "http://127.0.0.1:5000"
    assert "0123456789ABCDEF" not in str(shown)
    assert shown["octoprint"]["cle_api"].startswith("0123")  # shown with its French name


def test_cli_show_never_prints_the_key() -> None:
    assert run_kit("config", "set", "octoprint.api_key", "SECRETSECRETSECRET").returncode == 0
    assert run_kit("config", "set", "octoprint.url", "http://localhost:5000").returncode == 0
    shown = run_kit("config", "show")
    assert shown.returncode == 0
    assert "SECRETSECRETSECRET" not in shown.stdout + shown.stderr
    assert "http://localhost:5000" in shown.stdout
    as_json = run_kit("config", "show", "--json")
    assert "SECRETSECRETSECRET" not in as_json.stdout


def test_unset_removes_a_key() -> None:
    cfg.set_value("a.b", 1)
    assert cfg.unset_value("a.b")
    assert cfg.get_value("a.b") is None
    result = run_kit("config", "unset", "a.b")
    assert result.returncode == 2
    assert "n'existe pas" in result.stderr


def test_malformed_config_is_reported_in_french() -> None:
    cfg.config_path().parent.mkdir(parents=True, exist_ok=True)
    cfg.config_path().write_text("[octoprint\nurl = 3\n", encoding="utf-8")
    with pytest.raises(KitError, match="mal formé"):
        cfg.load_config()
    result = run_kit("config", "show")
    assert result.returncode == 2
    # The message names the file: a long temporary path may wrap the line anywhere.
    assert "mal formé" in " ".join(result.stderr.split())


def test_invalid_key_is_refused() -> None:
    with pytest.raises(KitError, match="Clé de configuration invalide"):
        cfg.set_value("octoprint..url", "x")


def test_value_under_a_scalar_is_refused_and_file_kept() -> None:
    cfg.set_value("atelier", "simple")
    before = cfg.config_path().read_bytes()
    with pytest.raises(KitError, match="valeur simple"):
        cfg.set_value("atelier.nom", "x")
    assert cfg.config_path().read_bytes() == before


def test_cli_set_refuses_keys_the_kit_does_not_read_and_keeps_the_file() -> None:
    assert run_kit("config", "set", "octoprint.url", "http://localhost:5000").returncode == 0
    before = cfg.config_path().read_bytes()
    for key in ("octoprnt.url", "zzz", "printers.ender1", "printers.a.b.c", "octoprint.url.x"):
        result = run_kit("config", "set", key, "http://octopi.local")
        assert result.returncode == 2, key
        message = " ".join(result.stderr.split())
        assert f"Clé inconnue : « {cfg.french_key(key)} »" in message
        assert "imprimantes.NOM.port" in message
    assert cfg.config_path().read_bytes() == before


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("octoprint.url", "octopi.local/", "http://octopi.local"),
        ("octoprint.timeout_s", "2,5", 2.5),
        ("octoprint.timeout_s", "30", 30),
        ("printers.ender1.port", "/dev/ttyUSB0", "/dev/ttyUSB0"),
        ("printers.ender1.profile", "ender3", "ender3"),
        ("printers.ender1.backend", "USB", "serial"),
        ("printers.prusa.api_key", "0123456789", "0123456789"),  # digits stay text
    ],
)
def test_cli_set_checks_and_normalises_known_keys(key: str, typed: str, stored: object) -> None:
    result = run_kit("config", "set", key, typed)
    assert result.returncode == 0, result.stderr
    assert cfg.get_value(key) == stored


@pytest.mark.parametrize(
    ("key", "typed", "expected"),
    [
        ("octoprint.url", "ftp://octopi.local", "Adresse OctoPrint invalide"),
        ("octoprint.timeout_s", "nan", "entre 0 et 600"),
        ("octoprint.timeout_s", "0", "entre 0 et 600"),
        ("printers.ender1.profile", "prusa-xl", "Profil d'imprimante inconnu"),
        ("printers.ender1.backend", "ftp", "« serial » (USB) et « octoprint »"),
        ("printers.en/der.port", "/dev/ttyUSB0", "Nom d'imprimante invalide"),
        ("printers.ender1.port", " ", "ne peut pas être vide"),
    ],
)
def test_cli_set_refuses_bad_values_in_french(key: str, typed: str, expected: str) -> None:
    result = run_kit("config", "set", key, typed)
    assert result.returncode == 2
    assert expected in " ".join(result.stderr.split())
    assert cfg.get_value(key) is None


def test_french_keys_with_or_without_accents_and_english_aliases() -> None:
    assert run_kit("config", "set", "imprimantes.ender1.port", "/dev/ttyUSB0").returncode == 0
    assert run_kit("config", "set", "imprimantes.ender1.profil", "ender3").returncode == 0
    assert run_kit("config", "set", "octoprint.clé_api", "0123456789ABCDEF").returncode == 0
    assert run_kit("config", "set", "octoprint.délai_s", "12").returncode == 0
    assert run_kit("config", "set", "printers.prusa.url", "http://octopi.local").returncode == 0
    # The code reads one set of names; the files and the screen use the French ones.
    assert cfg.get_value("printers.ender1.profile") == "ender3"
    assert cfg.get_value("imprimantes.prusa.url") == "http://octopi.local"
    assert cfg.get_value("octoprint.timeout_s") == 12
    assert "[imprimantes.ender1]" in cfg.config_path().read_text(encoding="utf-8")
    assert "cle_api" in cfg.secrets_path().read_text(encoding="utf-8")
    shown = run_kit("config", "show")
    assert "profil = " in shown.stdout and "profile" not in shown.stdout
    assert "0123456789ABCDEF" not in shown.stdout
    assert run_kit("config", "unset", "imprimantes.ender1.profil").returncode == 0
    assert cfg.get_value("printers.ender1.profile") is None


def test_a_hand_written_french_file_is_read_by_the_commands() -> None:
    cfg.config_path().parent.mkdir(parents=True, exist_ok=True)
    cfg.config_path().write_text(
        '[imprimantes.atelier]\nport = "/dev/ttyUSB0"\nprofil = "mk3s"\n', encoding="utf-8"
    )
    from printers.atelier_config import atelier_printers

    (entry,) = atelier_printers()
    assert entry.name == "atelier" and entry.profile == "mk3s"
