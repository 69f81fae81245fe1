# SPDX-License-Identifier: GPL-3.0-or-later
"""The farm view keeps every printer in sight when one server stops answering."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kit import config as cfg
from printers.atelier_config import BackendKind, PrinterEntry
from printers.backend import PrinterState
from printers.farm import Farm
from tests.conftest import run_kit
from tests.octoprint.octoprint_server import OctoPrintServer, free_loopback_port

pytestmark = pytest.mark.octoprint


def _entry(name: str, url: str, key: str | None) -> PrinterEntry:
    return PrinterEntry(name, BackendKind.OCTOPRINT, url, None, key)


def test_frozen_server_shows_unreachable_and_comes_back(
    octoprint_server: OctoPrintServer,
) -> None:
    dead_url = f"http://127.0.0.1:{free_loopback_port()}"
    entries = [
        _entry("pi", octoprint_server.url, octoprint_server.api_key),
        _entry("eteint", dead_url, "ABCDEF"),
    ]
    with Farm(entries, timeout_s=0.5) as farm:
        first = farm.poll()
        assert [row.entry.name for row in first] == ["pi", "eteint"]
        assert first[0].reachable and first[0].status.state is PrinterState.OFFLINE
        assert not first[1].reachable
        assert first[1].status.state is PrinterState.UNREACHABLE
        assert "ne répond pas" in (first[1].status.message_fr or "")

        octoprint_server.freeze()
        try:
            started = time.monotonic()
            frozen = farm.poll()
            took_s = time.monotonic() - started
        finally:
            octoprint_server.thaw()
        assert frozen[0].status.state is PrinterState.UNREACHABLE
        assert "n'a pas répondu" in (frozen[0].status.message_fr or "")
        assert took_s < 5  # bounded by the deadline, not by the frozen server

        again = farm.poll()
        assert again[0].reachable and again[0].status.state is PrinterState.OFFLINE


def test_slow_printer_keeps_its_last_row_until_its_timeout(
    octoprint_server: OctoPrintServer,
) -> None:
    entries = [_entry("pi", octoprint_server.url, octoprint_server.api_key)]
    with Farm(entries, timeout_s=1.0) as farm:
        (before,) = farm.poll()
        assert before.reachable
        octoprint_server.freeze()
        try:
            (stale,) = farm.poll(wait_s=0.1)
            assert stale is before  # still answering: the last known row stays
            time.sleep(1.2)
            (late,) = farm.poll(wait_s=0.1)
        finally:
            octoprint_server.thaw()
        assert late.status.state is PrinterState.UNREACHABLE
        # Either the request's own timeout or the farm's, whichever came first.
        assert late.status.message_fr in (
            "Ne répond pas depuis plus de 1 s.",
            f"Le serveur OctoPrint « {octoprint_server.url} » n'a pas répondu dans les 1 s.",
        )


def test_farm_json_lists_configured_printers_without_their_keys(
    octoprint_server: OctoPrintServer,
) -> None:
    cfg.set_value("printers.pi.url", octoprint_server.url)
    cfg.set_value("printers.pi.api_key", octoprint_server.api_key)
    cfg.set_value("printers.pi.profile", "mk3s")
    cfg.set_value("printers.garage.url", f"http://127.0.0.1:{free_loopback_port()}")
    result = run_kit("printer", "farm", "--json", KIT_OCTOPRINT_KEY="CLE-ENV-DU-GARAGE")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    pi, garage = data["printers"]
    assert pi["name"] == "pi" and pi["backend"] == "octoprint" and pi["profile"] == "mk3s"
    assert pi["reachable"] is True and pi["state"] == "offline"
    assert garage["reachable"] is False and garage["state_fr"] == "injoignable"
    assert octoprint_server.api_key not in result.stdout + result.stderr
    assert "CLE-ENV-DU-GARAGE" not in result.stdout + result.stderr


def test_farm_without_printers_explains_how_to_add_them() -> None:
    result = run_kit("printer", "farm", "--json")
    assert result.returncode == 2
    assert "Aucune imprimante" in result.stderr
    assert "kit config set printers." in result.stderr
    assert result.stdout == ""


def test_live_table_shows_every_printer(octoprint_server: OctoPrintServer) -> None:
    cfg.set_value("printers.pi.url", octoprint_server.url)
    cfg.set_value("printers.garage.url", f"http://127.0.0.1:{free_loopback_port()}")
    result = run_kit(
        "printer",
        "farm",
        "--count",
        "2",
        "--interval",
        "0.2",
        KIT_OCTOPRINT_KEY=octoprint_server.api_key,
    )
    assert result.returncode == 0, result.stderr
    assert "Imprimantes de l'atelier" in result.stdout
    assert "hors ligne" in result.stdout and "injoignable" in result.stdout
    assert octoprint_server.api_key not in result.stdout


def test_api_key_never_reaches_the_log_file(
    octoprint_server: OctoPrintServer, isolated_user_dirs: Path
) -> None:
    cfg.set_value("printers.pi.url", octoprint_server.url)
    result = run_kit("-v", "printer", "farm", "--json", KIT_OCTOPRINT_KEY=octoprint_server.api_key)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["printers"][0]["reachable"] is True
    log_text = "".join(
        path.read_text(encoding="utf-8") for path in (isolated_user_dirs / "state").glob("*.log*")
    )
    assert "OctoPrint" in log_text or "127.0.0.1" in log_text  # the run was logged...
    assert (
        octoprint_server.api_key not in log_text + result.stdout + result.stderr
    )  # ...not the key


def test_table_cells_keep_the_first_sentence_without_the_address() -> None:
    from kit.commands.printer_farm import short_message

    message = (
        "Le port « /dev/ttyUSB9 » est introuvable. Ports visibles : aucun.\n"
        "Vérifiez le câble USB."
    )
    assert short_message(message, "/dev/ttyUSB9") == "Le port est introuvable."
    assert short_message("Hors ligne", "x") == "Hors ligne"
