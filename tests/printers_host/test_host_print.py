# SPDX-License-Identifier: GPL-3.0-or-later
"""Printing through the serial host on ``sim://marlin``: completeness, faults, cancel, pause."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.errors import DeviceFault, KitError, LinkError
from printers.backend import PrinterBackend, PrinterState
from printers.print_file import check_print_file
from printers.print_job import JobState, PrintJob
from printers.serial_backend import SerialBackend
from tests.printers_host.helpers import (
    FAST,
    arc_lines,
    connect,
    executed_file_commands,
    file_commands,
    write_gcode,
)


def _print(
    url: str, path: Path, *, baudrate: int = 115200, **host_options: object
) -> tuple[PrintJob, int]:
    host = connect(url, baudrate=baudrate, **host_options)
    first = host.flow.next_number
    job = PrintJob(host, check_print_file(path))
    job.run()
    return job, first


def test_every_line_is_executed_once_and_in_order(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(300))
    job, first = _print(f"sim://marlin?{FAST}", path)
    assert job.state is JobState.DONE
    executed = executed_file_commands(job.host, first, job.poll_line_numbers)
    # The file, then the end barrier (M400, M105) that proves nothing was skipped.
    assert executed == [*file_commands(path), "M400", "M105"]
    assert job.snapshot().fraction == 1.0
    assert job.snapshot().layer == 1


def test_ping_pong_prints_the_same_lines(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(100), heat=False)
    job, first = _print("sim://marlin", path, ping_pong=True)
    assert job.state is JobState.DONE
    executed = executed_file_commands(job.host, first, job.poll_line_numbers)
    assert executed[:-2] == file_commands(path)
    assert job.host.flow.in_flight_lines == 0


def test_flow_control_never_overflows_the_receive_buffer(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(400), heat=False)
    job, _ = _print("sim://marlin?baud=250000", path, baudrate=250000)
    device = job.host.link.device  # type: ignore[attr-defined]
    assert device.rx_dropped == 0
    assert device.line_errors == 1  # only the deliberate duplicate proving the end


def test_wrong_speed_is_explained() -> None:
    with pytest.raises(LinkError) as info:
        connect("sim://marlin?baud=250000", baudrate=115200)
    assert "vitesse" in info.value.message
    assert info.value.exit_code == 2


def test_autoreport_is_turned_on_when_the_firmware_offers_it() -> None:
    host = connect("sim://marlin")
    assert host.identity.has("AUTOREPORT_TEMP")
    executed = [c.command for c in host.link.device.executed]  # type: ignore[attr-defined]
    assert "M155 S2" in executed
    host2 = connect("sim://marlin?autoreport=0")
    executed2 = [c.command for c in host2.link.device.executed]  # type: ignore[attr-defined]
    assert not any(c.startswith("M155") for c in executed2)


def test_without_autoreport_temperatures_are_asked_between_lines(tmp_path: Path) -> None:
    """A printer without AUTOREPORT_TEMP (Klipper, older forks) is polled with M105 every 5 s
    of the print, between two file lines, and the file still runs once and in order."""
    from printers.print_job import TEMPERATURE_POLL_S

    path = write_gcode(tmp_path / "arc.gcode", arc_lines(600, feed_mm_min=600))
    host = connect(f"sim://marlin?{FAST}&autoreport=0")
    assert not host.reports_temperatures
    first = host.flow.next_number
    job = PrintJob(host, check_print_file(path))
    hotend_seen: list[float] = []

    def watch(j: PrintJob) -> None:
        if "tool0" in j.host.temperatures:
            hotend_seen.append(j.host.temperatures["tool0"].actual_c)

    job.run(watch)
    assert job.state is JobState.DONE
    duration_s = (job.finished_s or 0.0) - job.started_s
    assert len(job.poll_line_numbers) >= int(duration_s / TEMPERATURE_POLL_S) - 2 > 3
    everything = executed_file_commands(host, first)
    assert len(everything) == len(file_commands(path)) + 2 + len(job.poll_line_numbers)
    executed = executed_file_commands(host, first, job.poll_line_numbers)
    assert executed == [*file_commands(path), "M400", "M105"]
    # The hot end was read warming up and then at its target, not only once at connection.
    assert min(hotend_seen) < 100 and max(hotend_seen) > 190


def test_with_autoreport_no_temperature_poll_is_added(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(600, feed_mm_min=600))
    job, first = _print(f"sim://marlin?{FAST}", path)
    assert job.host.reports_temperatures
    # Only the flow control's own questions (a silence over a long move) come in between.
    questions = job.host.flow.probe_numbers
    assert job.poll_line_numbers == sorted(questions)
    executed = executed_file_commands(job.host, first, questions)
    assert executed == [*file_commands(path), "M400", "M105"]


def test_a_dropped_ok_is_recovered_by_probing(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(60), heat=False)
    job, first = _print("sim://marlin?drop_ok=20,40", path)
    assert job.state is JobState.DONE
    executed = executed_file_commands(job.host, first, job.poll_line_numbers)
    assert executed[:-2] == file_commands(path)
    # An M105 behind the silent line found each lost ok: no line had to be sent twice.
    assert job.host.flow.stall_recoveries == 0
    assert job.host.flow.resends == 0


# -- faults -------------------------------------------------------------------------------

FAULTS = [
    ("runaway_at=9", "emballement thermique"),
    ("reset_at_line=150", "redémarré"),
    ("disconnect_at_line=150", "liaison USB"),
    ("dialect=klipper&runaway_at=9", "erreur fatale"),
]


@pytest.mark.parametrize(("fault", "words"), FAULTS)
def test_faults_stop_the_print_quickly_with_a_french_message(
    tmp_path: Path, fault: str, words: str
) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(400))
    host = connect(f"sim://marlin?{FAST}&{fault}")
    device = host.link.device  # type: ignore[attr-defined]
    job = PrintJob(host, check_print_file(path))
    with pytest.raises(DeviceFault) as info:
        job.run()
    error = info.value
    assert error.exit_code == 1
    assert words in error.message
    assert "Dernière ligne exécutée : ligne" in error.message
    assert device.fault_time_s is not None
    assert host.clock() - device.fault_time_s < 2.0
    assert device.heaters_off
    assert job.state is JobState.FAILED


def test_kill_from_the_file_stops_the_print(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "kill.gcode", [*arc_lines(20), "M112", *arc_lines(20)])
    host = connect(f"sim://marlin?{FAST}")
    job = PrintJob(host, check_print_file(path))
    with pytest.raises(DeviceFault) as info:
        job.run()
    assert "kill" in info.value.message
    assert "Dernière ligne exécutée" in info.value.message


def test_a_printer_that_stops_answering_is_declared_lost(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(100), heat=False)
    host = connect("sim://marlin?hang_at_line=50")
    job = PrintJob(host, check_print_file(path))
    with pytest.raises(DeviceFault) as info:
        job.run()
    assert "ne répond plus" in info.value.message
    assert host.link.device.executed  # type: ignore[attr-defined]


# -- cancel and pause ---------------------------------------------------------------------


def test_cancel_turns_heaters_fan_and_motors_off(tmp_path: Path) -> None:
    body = ["M106 S255", *arc_lines(400)]
    path = write_gcode(tmp_path / "arc.gcode", body)
    host = connect(f"sim://marlin?{FAST}")
    device = host.link.device  # type: ignore[attr-defined]
    job = PrintJob(host, check_print_file(path))
    while job.commands_done < 100:
        job.step()
    assert device.fan == 255 and not device.heaters_off
    job.cancel()
    job.run()
    assert job.state is JobState.CANCELLED
    assert device.heaters_off and device.fan == 0 and not device.motors_on
    assert job.heaters_off_confirmed
    executed = [c.command for c in device.executed]
    restart = len(executed) - executed[::-1].index("M110 N0")
    # After the numbering restarts: the shutdown, then the M105s whose answer proves it.
    assert executed[restart : restart + 4] == ["M104 S0", "M140 S0", "M107", "M84"]
    assert set(executed[restart + 4 :]) == {"M105"}
    assert "M104 S0" not in executed[:restart]  # the file's own end was not reached


def test_pause_stops_feeding_and_resume_completes(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(200), heat=False)
    host = connect("sim://marlin")
    device = host.link.device  # type: ignore[attr-defined]
    first = host.flow.next_number
    job = PrintJob(host, check_print_file(path))
    while job.commands_done < 50:
        job.step()
    job.pause()
    for _ in range(200):
        job.step()
    paused_count = len(device.executed)
    paused_at = host.clock()
    for _ in range(200):
        job.step()
    assert len(device.executed) == paused_count
    assert host.clock() > paused_at
    job.resume()
    job.run()
    assert job.state is JobState.DONE
    assert executed_file_commands(host, first, job.poll_line_numbers)[:-2] == file_commands(path)


# -- the backend the farm uses ------------------------------------------------------------


def test_serial_backend_prints_in_the_background(tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(100))
    backend = SerialBackend(f"sim://marlin?{FAST}", name="ender")
    assert isinstance(backend, PrinterBackend)
    backend.connect()
    try:
        assert backend.status().state is PrinterState.IDLE
        replies = backend.send_command("M105")
        assert "ok" not in replies  # the bare acknowledgement is not a reply
        assert any("T:" in line for line in replies), replies  # Marlin answers "ok T:… B:…"
        assert any("FIRMWARE_NAME:" in line for line in backend.send_command("M115"))
        backend.start_print(path)
        backend.wait(timeout_s=60)
        status = backend.status()
        assert status.state is PrinterState.IDLE
        assert status.job is not None and status.job.fraction_done == 1.0
        assert "tool0" in status.temperatures
    finally:
        backend.close()


# -- property: never a silent skip or duplicate -------------------------------------------

_commands = st.lists(
    st.one_of(
        st.builds(
            "G1 X{:.2f} Y{:.2f} E{:.3f}".format,
            st.floats(0, 200),
            st.floats(0, 200),
            st.floats(0, 50),
        ),
        st.sampled_from(["M105", "G4 P20", "M400", "M106 S128", "G28 X", "M117 Bonjour"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    commands=_commands,
    corrupt_in=st.sampled_from([0.0, 0.005, 0.02]),
    corrupt_out=st.sampled_from([0.0, 0.005, 0.02]),
    seed=st.integers(0, 1000),
    ping_pong=st.booleans(),
)
def test_every_line_runs_exactly_once_in_order_or_the_print_fails_clearly(
    tmp_path_factory: pytest.TempPathFactory,
    commands: list[str],
    corrupt_in: float,
    corrupt_out: float,
    seed: int,
    ping_pong: bool,
) -> None:
    path = tmp_path_factory.mktemp("prop") / "random.gcode"
    path.write_text("\n".join(["; random", *commands]) + "\n", encoding="utf-8")
    url = f"sim://marlin?corrupt_in={corrupt_in}&corrupt_out={corrupt_out}&seed={seed}"
    try:
        host = connect(url, ping_pong=ping_pong)
    except KitError as error:
        assert error.message  # too noisy to even connect: refused with a message
        return
    first = host.flow.next_number
    job = PrintJob(host, check_print_file(path))
    try:
        job.run()
    except DeviceFault as error:
        assert error.message  # a clear reason; then what ran is still an in-order prefix
        executed = executed_file_commands(host, first, job.poll_line_numbers)
        expected = [*file_commands(path), "M400", "M105"]
        assert executed == expected[: len(executed)]
        return
    executed = executed_file_commands(host, first, job.poll_line_numbers)
    assert executed == [*commands, "M400", "M105"]
    assert job.commands_done == job.checked.commands == len(commands)


def test_planner_starvation_is_counted_when_the_link_cannot_keep_up(tmp_path: Path) -> None:
    path = tmp_path / "arc.gcode"
    path.write_text("\n".join(["G92 E0", *arc_lines(80)]) + "\n", encoding="utf-8")
    slow, _ = _print("sim://marlin?baud=19200", path, baudrate=19200)
    fast, _ = _print("sim://marlin", path)
    assert slow.host.link.device.starvation_count > 40  # type: ignore[attr-defined]
    assert fast.host.link.device.starvation_count == 0  # type: ignore[attr-defined]


def test_pause_with_park_lifts_the_nozzle_and_restores_the_modes(tmp_path: Path) -> None:
    body = ["M83", *[f"G1 X{10 + i * 0.2:.1f} Y10 E0.01 F3000" for i in range(120)]]
    path = write_gcode(tmp_path / "park.gcode", body, heat=False)
    host = connect("sim://marlin")
    device = host.link.device  # type: ignore[attr-defined]
    first = host.flow.next_number
    job = PrintJob(host, check_print_file(path))
    while job.commands_done < 40:
        job.step()
    job.pause(park_z_mm=10)
    for _ in range(100):
        job.step()
    assert job.parked
    assert device.position[2] == pytest.approx(10.2)
    executed = [c.command for c in device.executed]
    assert executed[-4:] == ["G91", "G1 Z10.00 F600", "G90", "M83"]
    job.resume()
    job.run()
    assert job.state is JobState.DONE
    assert device.position[2] == pytest.approx(0.2)
    executed = executed_file_commands(host, first, job.poll_line_numbers)
    lift = ["G91", "G1 Z10.00 F600", "G90", "M83"]
    lower = ["G91", "G1 Z-10.00 F600", "G90", "M83"]
    at = executed.index("G1 Z10.00 F600") - 1
    assert executed[at : at + 4] == lift
    back = executed.index("G1 Z-10.00 F600") - 1
    assert executed[back : back + 4] == lower
    without_park = executed[:at] + executed[at + 4 : back] + executed[back + 4 :]
    assert without_park == [*file_commands(path), "M400", "M105"]
    assert not device.absolute_e  # M83 from the file is still in force after the park


def test_cancel_during_heating_breaks_the_wait_with_the_emergency_parser(tmp_path: Path) -> None:
    path = tmp_path / "heat.gcode"
    path.write_text("M190 S60\nM109 S200\nG1 X10 F3000\n", encoding="utf-8")
    host = connect("sim://marlin?emergency_parser=1")
    device = host.link.device  # type: ignore[attr-defined]
    job = PrintJob(host, check_print_file(path))
    while host.clock() < 5:
        job.step()
    started = host.clock()
    job.cancel()
    job.run()
    assert job.state is JobState.CANCELLED
    assert host.clock() - started < 2.0  # not the minute the bed needs to reach 60 °C
    assert device.heaters_off
    assert "M108" in [c.command for c in device.executed]


@pytest.mark.parametrize("dialect", ["prusa", "klipper"])
def test_other_firmware_dialects_print_completely(tmp_path: Path, dialect: str) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(60), heat=False)
    job, first = _print(f"sim://marlin?dialect={dialect}", path)
    assert job.state is JobState.DONE
    executed = executed_file_commands(job.host, first, job.poll_line_numbers)
    assert executed[: len(file_commands(path))] == file_commands(path)


def test_advanced_ok_and_a_bigger_firmware_buffer_keep_more_lines_in_flight(
    tmp_path: Path,
) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(200), heat=False)
    host = connect("sim://marlin?advanced_ok=1&bufsize=16&rx_buffer=1024")
    host.flow.rx_buffer_bytes = 1024
    job = PrintJob(host, check_print_file(path))
    most = 0
    while not job.finished:
        job.step()
        most = max(most, host.flow.in_flight_lines)
    assert job.state is JobState.DONE
    assert host.flow.max_lines == 16
    assert most > 4


def test_progress_counts_each_file_line_once_on_a_noisy_link(tmp_path: Path) -> None:
    """A line acknowledged by position and then replayed after a resend is one line of the
    file: the progress never shows more lines done than the file has."""
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(250), heat=False)
    host = connect("sim://marlin?corrupt_in=0.01&corrupt_out=0.01&seed=3")
    job = PrintJob(host, check_print_file(path))
    most = 0
    while not job.finished:
        job.step()
        most = max(most, job.commands_done)
    assert job.state is JobState.DONE
    assert host.flow.resends > 0  # the link was noisy enough to replay lines
    assert job.commands_done == job.checked.commands
    assert most <= job.checked.commands


def test_emergency_stop_halts_at_once_even_during_a_heating_wait(tmp_path: Path) -> None:
    """M112 goes out of band: with the emergency parser the firmware acts on it while it
    waits for M109, behind a full queue; the print ends with exit 1 and the heaters off."""
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(100))
    host = connect("sim://marlin?emergency_parser=1")
    device = host.link.device  # type: ignore[attr-defined]
    job = PrintJob(host, check_print_file(path))
    while not any(c.command.startswith("M109") for c in device.executed):
        job.step()
    job.pause()
    stop_s = host.clock()
    host.emergency_stop()
    with pytest.raises(DeviceFault) as info:
        job.run()
    assert info.value.exit_code == 1
    assert "arrêt d'urgence" in info.value.message
    assert device.heaters_off
    assert device.fault_time_s is not None and device.fault_time_s - stop_s < 2.0
    assert host.clock() - stop_s < 2.0


def test_without_evidence_at_most_63_bytes_are_in_flight(tmp_path: Path) -> None:
    """A 64-byte receive buffer (VirtualPrinter's, some 32-bit boards') never overflows."""
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(200), heat=False)
    host = connect("sim://marlin?rx_buffer=64&baud=250000", baudrate=250000)
    job = PrintJob(host, check_print_file(path))
    most = 0
    while not job.finished:
        job.step()
        most = max(most, host.flow.in_flight_bytes)
    assert job.state is JobState.DONE
    assert most <= 63
    assert host.link.device.rx_dropped == 0  # type: ignore[attr-defined]


def test_a_known_receive_buffer_lets_more_lines_go_ahead(tmp_path: Path) -> None:
    """--rx-buffer 128 or a profile that knows it (mk3s): up to 127 bytes, never an overflow."""
    from printers.profile import load_profile

    assert load_profile("mk3s").rx_buffer_bytes == 128
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(200), heat=False)
    host = connect("sim://marlin?baud=250000", baudrate=250000, rx_buffer_bytes=127)
    job = PrintJob(host, check_print_file(path))
    most = 0
    while not job.finished:
        job.step()
        most = max(most, host.flow.in_flight_bytes)
    assert job.state is JobState.DONE
    assert 63 < most <= 127
    assert host.link.device.rx_dropped == 0  # type: ignore[attr-defined]
