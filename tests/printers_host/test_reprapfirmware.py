# SPDX-License-Identifier: GPL-3.0-or-later
"""RepRapFirmware 3.5.3 on a Duet's USB port: the simulator's ``reprap`` dialect, the replies
the host must understand, and a real sliced file printed through it exactly once.

What RRF does differently from Marlin is described, with its sources, in
``sim/marlin/dialects.py``: it never compares line numbers (a line sent twice runs twice) and
discards a line with a wrong checksum without a word, so the host must never replay a line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers.host import PrinterStopped
from printers.marlin.events import Fault, FaultKind, FirmwareInfo, Ok, Other, TemperatureReport
from printers.marlin.flow import firmware_checks_numbers
from printers.marlin.framing import frame
from printers.marlin.responses import ResponseParser, parse_line
from printers.print_file import check_print_file
from printers.print_job import JobState, PrintJob
from sim.device import SimOptionError
from sim.marlin import MarlinPrinter
from tests.printers_host.helpers import FAST, connect, file_commands
from tests.printers_host.test_exactly_once import _journal
from tests.printers_host.test_sim_marlin import Bench

CUBE = Path(__file__).parents[1] / "data" / "gcode" / "cube20-slic3r.gcode"


def _reprap(**options: str) -> Bench:
    return Bench({"dialect": "reprap", **options})


# -- the simulated firmware ---------------------------------------------------------------


def test_rrf_runs_every_line_whatever_its_number_and_drops_a_bad_checksum_silently() -> None:
    bench = _reprap()
    assert bench.run(3.0) == ""  # native USB: no reset when the port opens, no banner
    bench.send(frame(0, "M110 N0") + frame(5, "G1 X1 F600"))  # 5 after 0: run all the same
    assert bench.run(0.1) == "ok\nok\n"
    bench.send(b"N6 M106 S255*1\n")  # wrong checksum: no error, no resend, no ok
    assert bench.run(0.5) == ""
    assert bench.device.fan == 0 and bench.device.line_errors == 1
    bench.send(frame(7, "M106 S100") + frame(7, "M106 S100"))  # the same line twice: twice
    assert bench.run(0.1) == "ok\nok\n"
    assert [(c.line_number, c.command) for c in bench.device.executed] == [
        (0, "M110 N0"),
        (5, "G1 X1 F600"),
        (7, "M106 S100"),
        (7, "M106 S100"),
    ]


def test_rrf_replies_to_m115_m105_unknown_codes_and_m112_in_its_own_words() -> None:
    bench = _reprap()
    bench.send(frame(1, "M115") + frame(2, "M105") + frame(3, "M4242") + frame(4, "M155 S2"))
    out = bench.run(0.2)
    assert out.startswith(
        "FIRMWARE_NAME: RepRapFirmware for Duet 2 WiFi/Ethernet FIRMWARE_VERSION: 3.5.3 "
    )
    assert "Cap:" not in out
    assert "ok T:20.0 /0.0 T0:20.0 /0.0 B:20.0 /0.0\n" in out
    assert "Warning: M4242: Command is not supported\nok\n" in out
    assert "Warning: M155: Command is not supported\nok\n" in out
    bench.send(b"M112\n")
    assert bench.run(0.1) == "Emergency Stop! Reset the controller to continue.\n"
    assert bench.device.halted and bench.device.fault == "emergency_stop"


def test_rrf_reports_temperatures_every_two_seconds_while_a_command_runs() -> None:
    """No ``busy:``, no ``wait``: CheckReportDue's report, once the host has asked M105."""
    bench = _reprap(heat_scale="2", residency_s="0")
    bench.send(frame(1, "M105") + frame(2, "M109 S200"))
    out = bench.run(7.0)
    reports = [line for line in out.splitlines() if line.startswith("T:")]
    assert len(reports) == 3 and all("/200.0" in line for line in reports)
    assert "busy" not in out and "wait" not in out and "W:" not in out


def test_rrf_heater_fault_and_cold_extrusion_use_its_texts() -> None:
    bench = _reprap(runaway_at="1")
    bench.send(frame(1, "M104 S200") + frame(2, "G1 E5 F300"))
    out = bench.run(0.5)
    assert "Warning: Tool 0 was not driven because its heater temperatures" in out
    out = bench.run(1.0)
    assert "Error: Heater 1 fault: exceeded allowed temperature excursion: target 200.0°C" in out
    assert bench.device.heaters_off


def test_an_unknown_dialect_is_refused_in_french_naming_reprap() -> None:
    with pytest.raises(SimOptionError, match="Dialecte inconnu.*reprap"):
        MarlinPrinter({"dialect": "duet"})


# -- what the host understands ----------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    board=st.sampled_from(
        ["Duet 2 WiFi/Ethernet", "Duet 3 MB6HC", "Duet 3 Mini 5+", "Duet 2 Maestro", "FMDC"]
    ),
    version=st.from_regex(r"3\.[0-6]\.[0-9](-(beta|rc)\.[0-9])?", fullmatch=True),
    hotend=st.floats(-20, 400, allow_nan=False).map(lambda v: round(v, 1)),
    bed=st.floats(-20, 150, allow_nan=False).map(lambda v: round(v, 1)),
)
def test_rrf_identity_and_temperatures_parse_for_any_board_and_value(
    board: str, version: str, hotend: float, bed: float
) -> None:
    info = parse_line(
        f"FIRMWARE_NAME: RepRapFirmware for {board} FIRMWARE_VERSION: {version} "
        f"ELECTRONICS: {board} FIRMWARE_DATE: 2024-09-18 13:22:58"
    )
    assert isinstance(info, FirmwareInfo)
    assert info.fields["FIRMWARE_NAME"] == f"RepRapFirmware for {board}"
    assert info.fields["FIRMWARE_VERSION"] == version
    assert not firmware_checks_numbers(info.fields["FIRMWARE_NAME"])
    report = f"T:{hotend:.1f} /0.0 T0:{hotend:.1f} /0.0 B:{bed:.1f} /60.0"
    ok = parse_line("ok " + report)
    assert isinstance(ok, Ok) and ok.temperatures is not None
    assert ok.temperatures.heaters["tool0"].actual_c == hotend
    assert ok.temperatures.heaters["bed"].target_c == 60.0
    unsolicited = parse_line(report)
    assert isinstance(unsolicited, TemperatureReport)
    assert unsolicited.heaters["bed"].actual_c == bed


@settings(max_examples=40, deadline=None)
@given(
    heater=st.integers(0, 31),
    kind=st.sampled_from(
        [
            ("failed to read sensor: ", FaultKind.MINTEMP),
            ("temperature rising too slowly: ", FaultKind.HEATING_FAILED),
            ("exceeded allowed temperature excursion: ", FaultKind.THERMAL_RUNAWAY),
            ("", FaultKind.THERMAL_RUNAWAY),  # "monitor 0 was triggered"
        ]
    ),
    detail=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    chunk=st.integers(1, 30),
)
def test_an_rrf_heater_fault_stops_the_host_whatever_its_detail_and_chunking(
    heater: int, kind: tuple[str, FaultKind], detail: str, chunk: int
) -> None:
    text, expected = kind
    data = f"ok\nError: Heater {heater} fault: {text}{detail}\nok\n".encode()
    parser = ResponseParser()
    events = []
    for start in range(0, len(data), chunk):
        events += parser.feed(data[start : start + chunk])
    faults = [e for e in events if isinstance(e, Fault)]
    assert len(faults) == 1 and faults[0].kind is expected
    assert faults[0].text.startswith(f"Heater {heater} fault")


def test_rrf_emergency_stop_is_a_fault_and_its_warnings_are_not() -> None:
    stop = parse_line("Emergency Stop! Reset the controller to continue.")
    assert isinstance(stop, Fault) and stop.kind is FaultKind.KILLED
    assert isinstance(parse_line("Warning: M4242: Command is not supported"), Other)


# -- printing through it ------------------------------------------------------------------


def test_a_real_sliced_file_runs_exactly_once_through_reprapfirmware(tmp_path: Path) -> None:
    """cube20-slic3r.gcode (2775 commands: M190, M109, G28, the whole cube) through the RRF
    dialect, four of its oks lost: the host recognises RRF, never sends a line twice, and the
    journal holds every command of the file once, in order. Some lost oks fall on the answers
    of the host's M105 probes, which a slow firmware owes long after a stall recovery: their
    late answers must not acknowledge lines RRF has not reached (the end-of-file proof would
    pass early). No doubled ok: RRF answers each line once, and without line numbers a doubled
    ok cannot be told from a real one."""
    journal = tmp_path / "journal.txt"
    host = connect(
        f"sim://marlin?dialect=reprap&{FAST}&drop_ok=40,900,1500,2000&journal={journal}"
    )
    assert host.identity.name == "RepRapFirmware for Duet 2 WiFi/Ethernet"
    assert host.flow.checks_numbers is False
    first = host.flow.next_number
    job = PrintJob(host, check_print_file(CUBE))
    job.run()
    assert job.state is JobState.DONE
    commands = file_commands(CUBE)
    assert len(commands) == 2775 and job.commands_done == len(commands)
    polls = set(job.poll_line_numbers)
    executed = [c for n, c in _journal(journal) if n is not None and n >= first and n not in polls]
    # After the file: the M400/M105 barrier, then the end-of-print M105 sent again (RRF runs it).
    assert executed[: len(commands) + 2] == [*commands, "M400", "M105"]
    assert set(executed[len(commands) + 2 :]) == {"M105"}
    assert host.flow.resends == 0


def test_the_host_stops_on_an_rrf_heater_fault_and_counts_its_cold_extrusions() -> None:
    host = connect("sim://marlin?dialect=reprap&runaway_at=30")
    host.command("M104 S200")
    host.command("G1 E5 F300")
    assert host.cold_extrusions == 1
    with pytest.raises(PrinterStopped, match="emballement thermique") as stopped:
        host.command("G4 S60")
    assert stopped.value.reason == "thermal_runaway"
