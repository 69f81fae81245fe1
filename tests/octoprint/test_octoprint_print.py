# SPDX-License-Identifier: GPL-3.0-or-later
"""Printing through a real OctoPrint server whose printer is the kit's simulated Marlin.

OctoPrint opens the pty of ``kit sim serve marlin --pty`` as it would open a USB printer,
streams the file itself, and the kit drives it over the REST API.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from printers.backend import PrinterState, PrinterStatus
from printers.job_watch import JobOutcome, wait_for_job
from printers.octoprint_backend import OctoPrintBackend, OctoPrintError

pytestmark = pytest.mark.octoprint

WAIT_S = 30.0


def wait_until(
    backend: OctoPrintBackend, predicate: Callable[[PrinterStatus], bool], what: str
) -> PrinterStatus:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        status = backend.status()
        if predicate(status):
            return status
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; last status {status}")


def moves_file(path: Path, moves: int, feedrate_mm_min: int, last: tuple[int, int]) -> Path:
    lines = ["G28", "G90"]
    for i in range(moves):
        x, y = (10 + (i * 37) % 150, 10 + (i * 53) % 150)
        lines.append(f"G1 X{x} Y{y} F{feedrate_mm_min}")
    lines.append(f"G1 X{last[0]} Y{last[1]} F{feedrate_mm_min}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_temperatures_come_from_the_simulated_printer(octoprint_printer: OctoPrintBackend) -> None:
    status = octoprint_printer.status()
    assert status.state is PrinterState.IDLE
    assert set(status.temperatures) >= {"tool0", "bed"}
    assert 15 <= status.temperatures["tool0"].actual_c <= 30
    octoprint_printer.set_temperatures(hotend_c=60, bed_c=40)
    try:
        heated = wait_until(
            octoprint_printer,
            lambda s: (
                s.temperatures["tool0"].target_c == 60
                and s.temperatures["bed"].target_c == 40
                and s.temperatures["tool0"].actual_c > status.temperatures["tool0"].actual_c + 2
            ),
            "the hotend to heat towards 60 °C",
        )
        assert heated.temperatures["bed"].target_c == 40
    finally:
        octoprint_printer.set_temperatures(hotend_c=0, bed_c=0)
    wait_until(octoprint_printer, lambda s: s.temperatures["tool0"].target_c == 0, "heaters off")


def test_command_reply_is_the_printers(octoprint_printer: OctoPrintBackend) -> None:
    reply = octoprint_printer.send_command("M115")
    assert any(line.startswith("FIRMWARE_NAME:Marlin") for line in reply)
    assert any(line.startswith("Cap:AUTOREPORT_TEMP") for line in reply)


def test_small_file_prints_to_completion(
    octoprint_printer: OctoPrintBackend, tmp_path: Path
) -> None:
    gcode = moves_file(tmp_path / "badge.gcode", 30, 6000, last=(42, 24))
    path = octoprint_printer.upload(gcode)
    names = [item.get("name") for item in octoprint_printer.client.files().get("files", [])]
    assert path == "badge.gcode" and "badge.gcode" in names
    octoprint_printer.start_uploaded(path)
    result = wait_for_job(octoprint_printer, "badge.gcode", poll_s=0.2)
    assert result.outcome is JobOutcome.DONE
    assert result.last_status.job is not None and result.last_status.job.fraction_done == 1.0
    # The simulated printer really executed the file: it stands where the last move left it.
    assert octoprint_printer.send_command("M114")[0].startswith("X:42.00 Y:24.00")


def test_pause_resume_then_cancel(octoprint_printer: OctoPrintBackend, tmp_path: Path) -> None:
    gcode = moves_file(tmp_path / "porte-cles.gcode", 300, 1200, last=(5, 5))
    octoprint_printer.start_print(gcode)
    try:
        wait_until(
            octoprint_printer,
            lambda s: (
                s.state is PrinterState.PRINTING
                and s.job is not None
                and s.job.fraction_done > 0.01
            ),
            "the print to run",
        )
        # The server refuses to overwrite the file it is printing.
        with pytest.raises(OctoPrintError) as caught:
            octoprint_printer.upload(gcode)
        assert "en cours d'impression" in caught.value.message

        octoprint_printer.pause()
        paused = wait_until(
            octoprint_printer,
            lambda s: octoprint_printer.connection_state()[0] == "Paused",
            "the pause",
        )
        assert paused.state is PrinterState.PAUSED and paused.job is not None
        time.sleep(0.5)
        still = octoprint_printer.status()
        assert still.state is PrinterState.PAUSED
        assert still.job is not None and still.job.fraction_done == paused.job.fraction_done

        octoprint_printer.resume()
        wait_until(
            octoprint_printer,
            lambda s: (
                s.state is PrinterState.PRINTING
                and s.job is not None
                and s.job.fraction_done > paused.job.fraction_done
            ),  # type: ignore[union-attr]
            "the print to go on after resume",
        )
    finally:
        octoprint_printer.cancel()
    result = wait_for_job(octoprint_printer, "porte-cles.gcode", poll_s=0.2)
    assert result.outcome is JobOutcome.CANCELLED
    assert octoprint_printer.status().state is PrinterState.IDLE


def test_pause_without_a_print_is_refused_in_french(octoprint_printer: OctoPrintBackend) -> None:
    assert octoprint_printer.status().state is PrinterState.IDLE
    with pytest.raises(OctoPrintError) as caught:
        octoprint_printer.pause()
    assert caught.value.message == (
        "OctoPrint refuse l'opération (pause) : aucune impression en cours sur cette imprimante."
    )
    assert caught.value.exit_code == 1
