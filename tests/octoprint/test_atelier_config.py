# SPDX-License-Identifier: GPL-3.0-or-later
"""The atelier's printer list in the user configuration, and where API keys come from."""

from __future__ import annotations

import pytest

from kit import config as cfg
from kit.errors import KitError
from printers.atelier_config import (
    API_KEY_ENV,
    BackendKind,
    atelier_printers,
    configured_timeout_s,
    normalise_url,
    resolve_api_key,
    with_api_key,
)
from tests.conftest import run_kit

pytestmark = pytest.mark.octoprint  # the whole area runs alone with -m octoprint


def test_printers_are_read_in_file_order_with_backend_guessed() -> None:
    cfg.set_value("printers.ender1.port", "/dev/ttyUSB0")
    cfg.set_value("printers.ender1.profile", "ender3")
    cfg.set_value("printers.prusa.url", "octopi.local:5000/")
    cfg.set_value("printers.sim.backend", "usb")
    cfg.set_value("printers.sim.port", "sim://marlin")
    entries = atelier_printers()
    assert [(e.name, e.backend, e.address, e.profile) for e in entries] == [
        ("ender1", BackendKind.SERIAL, "/dev/ttyUSB0", "ender3"),
        ("prusa", BackendKind.OCTOPRINT, "http://octopi.local:5000", None),
        ("sim", BackendKind.SERIAL, "sim://marlin", None),
    ]


def test_no_printers_is_an_empty_list() -> None:
    assert atelier_printers() == []


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"printers.a.backend": "wifi", "printers.a.port": "x"}, "« serial » (USB) et"),
        ({"printers.a.profile": "ender3"}, "soit un port (USB), soit une url"),
        ({"printers.a.backend": "octoprint"}, "n'a pas d'adresse"),
        ({"printers.a.backend": "serial"}, "n'a pas de port"),
        ({"printers.a.url": "ftp://octopi"}, "Adresse OctoPrint invalide"),
        ({"printers.a": "ender"}, "doit être une table"),
    ],
)
def test_bad_printer_tables_are_explained(settings: dict[str, str], expected: str) -> None:
    for key, value in settings.items():
        cfg.set_value(key, value)
    with pytest.raises(KitError) as caught:
        atelier_printers()
    assert expected in caught.value.message


def test_api_key_order_own_then_environment_then_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    assert resolve_api_key("http://a") is None
    cfg.set_value("octoprint.api_key", "FROM-CONFIG-0001")
    assert resolve_api_key("http://a") == "FROM-CONFIG-0001"
    monkeypatch.setenv(API_KEY_ENV, "FROM-ENV-0002")
    assert resolve_api_key("http://a") == "FROM-ENV-0002"
    cfg.set_value("printers.p.url", "http://a")
    cfg.set_value("printers.p.api_key", "OWN-KEY-0003")
    assert resolve_api_key("http://a") == "OWN-KEY-0003"  # --octoprint URL of a listed printer
    (entry,) = atelier_printers()
    assert with_api_key(entry).api_key == "OWN-KEY-0003"
    assert "OWN-KEY" not in repr(entry)


def test_printer_key_is_kept_in_the_secrets_file_and_masked() -> None:
    cfg.set_value("printers.p.url", "http://a")
    cfg.set_value("printers.p.api_key", "SECRET-KEY-123456")
    assert "SECRET-KEY" not in cfg.config_path().read_text(encoding="utf-8")
    shown = run_kit("config", "show")
    assert shown.returncode == 0
    assert "SECRET-KEY-123456" not in shown.stdout


def test_timeout_setting() -> None:
    assert configured_timeout_s() == 10.0
    cfg.set_value("octoprint.timeout_s", 2.5)
    assert configured_timeout_s() == 2.5
    cfg.set_value("octoprint.timeout_s", "long")
    with pytest.raises(KitError, match="octoprint.timeout_s"):
        configured_timeout_s()


def test_url_normalisation() -> None:
    assert normalise_url(" 192.168.1.20 ") == "http://192.168.1.20"
    assert normalise_url("https://pi.local/") == "https://pi.local"
    with pytest.raises(KitError):
        normalise_url("")
