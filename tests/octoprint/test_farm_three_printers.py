# SPDX-License-Identifier: GPL-3.0-or-later
"""An atelier of three printers: two simulated USB printers and one behind OctoPrint.

The USB printers are ``kit sim serve marlin --pty`` processes opened by the kit's serial
backend; the third is the same simulator behind a real OctoPrint server. Unplugging one (its
pty disappears) must not stop the view of the others.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kit import config as cfg
from printers.atelier_config import BackendKind, PrinterEntry
from printers.backend import PrinterState
from printers.farm import Farm
from printers.octoprint_backend import OctoPrintBackend, OctoPrintError
from tests.conftest import run_kit
from tests.octoprint.octoprint_server import OctoPrintServer
from tests.octoprint.sim_printer import ServedPrinter, serve_marlin

pytestmark = pytest.mark.octoprint


@dataclass
class Atelier:
    usb1: ServedPrinter
    usb2: ServedPrinter
    behind_octoprint: ServedPrinter
    server: OctoPrintServer

    def entries(self) -> list[PrinterEntry]:
        return [
            PrinterEntry("usb1", BackendKind.SERIAL, self.usb1.port, "generic"),
            PrinterEntry("usb2", BackendKind.SERIAL, self.usb2.port, "generic"),
            PrinterEntry("pi", BackendKind.OCTOPRINT, self.server.url, None, self.server.api_key),
        ]

    def configure(self) -> None:
        cfg.set_value("printers.usb1.port", self.usb1.port)
        cfg.set_value("printers.usb2.port", self.usb2.port)
        cfg.set_value("printers.usb2.profile", "generic")
        cfg.set_value("printers.pi.url", self.server.url)


@pytest.fixture
def atelier(octoprint_server: OctoPrintServer) -> Iterator[Atelier]:
    printers = [serve_marlin(), serve_marlin(), serve_marlin()]
    octoprint = OctoPrintBackend(octoprint_server.url, octoprint_server.api_key, timeout_s=5)
    try:
        octoprint.connect_printer(printers[2].port, baudrate=115200)
        yield Atelier(*printers, server=octoprint_server)
    finally:
        try:
            octoprint.disconnect_printer()
            if octoprint.status().state is not PrinterState.OFFLINE:
                # Left "Offline after error" by the unplug: a clean connect/disconnect
                # gives the next tests a plain offline server.
                spare = serve_marlin()
                try:
                    octoprint.connect_printer(spare.port, baudrate=115200)
                    octoprint.disconnect_printer()
                finally:
                    spare.unplug()
        finally:
            octoprint.close()
            for printer in printers:
                printer.unplug()


def farm_json(server: OctoPrintServer) -> dict[str, dict[str, Any]]:
    result = run_kit("printer", "farm", "--json", KIT_OCTOPRINT_KEY=server.api_key)
    assert result.returncode == 0, result.stderr
    assert server.api_key not in result.stdout
    return {row["name"]: row for row in json.loads(result.stdout)["printers"]}


def test_farm_json_with_one_printer_unplugged_midway(atelier: Atelier) -> None:
    atelier.configure()
    before = farm_json(atelier.server)
    assert list(before) == ["usb1", "usb2", "pi"]
    for name in ("usb1", "usb2", "pi"):
        row = before[name]
        assert row["reachable"] is True and row["state"] == "idle", before
        assert 15 <= row["temperatures"]["tool0"]["actual_c"] <= 30
        assert "bed" in row["temperatures"]
    assert before["usb1"]["backend"] == "serial" and before["pi"]["backend"] == "octoprint"

    atelier.usb2.unplug()
    after = farm_json(atelier.server)
    assert after["usb2"]["reachable"] is False, after["usb2"]
    assert after["usb2"]["state_fr"] == "injoignable"
    # Usually « introuvable »; on a busy machine another program may already have been given
    # the same /dev/pts number (then the port is « déjà utilisé », or answers as no printer).
    assert after["usb2"]["message"], after["usb2"]
    assert after["usb1"]["state"] == "idle" and after["pi"]["state"] == "idle"


def test_live_farm_keeps_updating_the_others(atelier: Atelier, tmp_path: Path) -> None:
    with Farm(atelier.entries(), timeout_s=3) as farm:
        first = {row.entry.name: row for row in farm.poll()}
        assert all(row.status.state is PrinterState.IDLE for row in first.values())

        atelier.behind_octoprint.unplug()  # the printer behind OctoPrint loses its cable
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            rows = {row.entry.name: row for row in farm.poll(wait_s=1)}
            if rows["pi"].status.state is PrinterState.ERROR:
                break
            time.sleep(0.2)
        assert rows["pi"].reachable  # the server answers; its printer is gone
        assert rows["pi"].status.state is PrinterState.ERROR
        assert "Liaison USB perdue" in (rows["pi"].status.message_fr or "")
        gcode = tmp_path / "cube.gcode"
        gcode.write_text("G28\nG1 X10 Y10 F3000\n", encoding="utf-8")
        with pytest.raises(OctoPrintError) as caught:
            OctoPrintBackend(atelier.server.url, atelier.server.api_key).start_print(gcode)
        assert caught.value.message.startswith("L'imprimante n'est pas connectée au serveur")
        assert "Dernière erreur : Liaison USB perdue" in caught.value.message

        atelier.usb1.unplug()
        later = {row.entry.name: row for row in farm.poll()}
        if later["usb1"].status.state is PrinterState.ERROR:  # noticed on this poll...
            later = {row.entry.name: row for row in farm.poll()}  # ...gone on the next one
        assert later["usb1"].status.state is PrinterState.UNREACHABLE
        assert later["usb2"].status.state is PrinterState.IDLE
        assert later["usb2"].checked_at_s > first["usb2"].checked_at_s
        assert later["usb2"].status.temperatures["tool0"].actual_c > 0
