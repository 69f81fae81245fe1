# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulated Marlin printer, driven directly in virtual time like a firmware on a bench."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from printers.arcs import arc_waypoints
from printers.marlin.framing import frame
from printers.planner import MachineLimits, make_block, plan
from sim.device import SimOptionError
from sim.marlin import MarlinPrinter


class Bench:
    """Feeds a simulator and collects its output, advancing virtual time explicitly."""

    def __init__(self, options: dict[str, str] | None = None) -> None:
        self.device = MarlinPrinter(options or {})
        self.device.set_baudrate(115200, 0.0)
        self.now = 0.0
        self.device.on_open(0.0)

    def run(self, seconds: float) -> str:
        self.now += seconds
        self.device.advance(self.now)
        return self.device.read_output().decode("utf-8", "replace")

    def send(self, data: bytes) -> None:
        self.device.feed(data, self.now)


def booted(options: dict[str, str] | None = None) -> Bench:
    bench = Bench(options)
    bench.run(2.0)
    return bench


def test_start_banner_after_the_reset_caused_by_opening_the_port() -> None:
    bench = Bench()
    assert bench.run(0.5) == ""  # still in the bootloader
    out = bench.run(1.0)
    assert out.startswith("start\n")
    assert "echo:Marlin" in out


def test_no_banner_on_a_board_that_does_not_reset() -> None:
    assert Bench({"reset_on_open": "0"}).run(3.0) == ""


def test_line_number_and_checksum_errors_use_marlins_words() -> None:
    bench = booted()
    bench.send(frame(0, "M110 N0") + frame(2, "M105"))
    out = bench.run(0.1)
    assert "Error:Line Number is not Last Line Number+1, Last Line: 0\nResend: 1\nok\n" in out
    bench.send(b"N1 M105*99\n")
    out = bench.run(0.1)
    assert "Error:checksum mismatch, Last Line: 0\nResend: 1\nok\n" in out
    bench.send(b"N1 M105\n")
    assert "Error:No Checksum with line number, Last Line: 0" in bench.run(0.1)
    # A digit damaged into ";" turns the rest into a comment: "N" is still a numbered line
    # for Marlin (it starts with N), number 0, refused; never run as an unnumbered command.
    bench.send(b"N;5 M105*17\n")
    assert "Error:Line Number is not Last Line Number+1, Last Line: 0\nResend: 1" in bench.run(0.1)


def test_unknown_commands_are_answered_like_marlin() -> None:
    bench = booted()
    bench.send(b"M12345 S1\nFOO\n")
    out = bench.run(0.1)
    assert 'echo:Unknown command: "M12345 S1"\nok\n' in out
    assert 'echo:Unknown command: "FOO"\nok\n' in out


def test_m105_and_m115_answers() -> None:
    bench = booted()
    bench.send(b"M105\nM115\n")
    out = bench.run(0.2)
    assert "ok T:20.00 /0.00 B:20.00 /0.00 @:0 B@:0" in out
    assert "FIRMWARE_NAME:Marlin" in out
    assert "Cap:AUTOREPORT_TEMP:1" in out


def test_a_byte_costs_ten_bit_times_plus_usb_latency() -> None:
    bench = booted({"latency_ms": "1"})
    line = frame(1, "M105")
    bench.send(frame(0, "M110 N0"))
    bench.run(0.1)
    start = bench.now
    bench.send(line)
    # The line takes len*10/115200 s, the answer (~40 bytes) as much back, plus 2 ms.
    wire_s = len(line) * 10 / 115200
    assert bench.run(wire_s + 0.001) == ""
    answer = bench.run(0.01)
    assert answer.startswith("ok T:")
    assert bench.device.bytes_received >= len(line)
    assert bench.now - start > wire_s + 0.002


def test_the_receive_buffer_drops_bytes_when_the_firmware_is_busy() -> None:
    bench = booted()
    bench.send(frame(0, "M110 N0") + frame(1, "G4 S1"))
    bench.run(0.05)
    # Flood while the firmware dwells: 4 slots of queue, then 127 bytes of buffer, then loss.
    flood = b"".join(frame(n, "G1 X1.000 Y1.000 E0.10000") for n in range(2, 30))
    bench.send(flood)
    out = bench.run(3.0)
    assert bench.device.rx_dropped > 0
    assert out.count("ok\n") == 4  # G4 and the three whole lines the buffer kept
    # The next line completes the truncated one: garbage that fails its checks.
    bench.send(frame(30, "M105"))
    out = bench.run(0.5)
    assert "Resend: 5" in out


def test_m109_waits_and_reports_temperatures_every_second() -> None:
    bench = booted({"heat_scale": "10", "residency_s": "0"})
    bench.send(b"M109 S200\n")
    out = bench.run(3.0)
    assert out.count(" W:?") >= 2
    assert "ok\n" not in out
    out = bench.run(30.0)
    assert "ok\n" in out
    assert bench.device.hotend.temperature(bench.now) == pytest.approx(200.0)


def test_homing_says_busy_every_two_seconds() -> None:
    bench = booted()
    bench.send(b"G28\n")
    out = bench.run(3.0)
    assert "echo:busy: processing" in out
    assert "ok" not in out
    assert "ok\n" in bench.run(3.0)


def test_autoreport_with_m155() -> None:
    bench = booted()
    bench.send(b"M155 S1\n")
    out = bench.run(3.5)
    assert out.count("T:20.00 /0.00") == 3


def test_moves_take_the_time_the_shared_planner_gives() -> None:
    bench = booted()
    bench.send(b"G1 X100 F6000\n")
    bench.run(0.01)
    limits = MachineLimits()
    block = make_block(None, (100.0, 0.0, 0.0, 0.0), 100.0, limits, queue_draining=True)
    assert block is not None
    expected = plan([block])[0].duration_s
    end = bench.device.planner.next_end_s()
    assert end is not None
    started = end - expected
    assert 2.0 < started < 2.01


def _moving_until(bench: Bench, step_s: float = 0.01, limit_s: float = 60.0) -> tuple[float, str]:
    """Advance until the planner has nothing left to move: the time it stopped, the output."""
    output = ""
    while bench.now < limit_s:
        output += bench.run(step_s)
        if not bench.device.planner.moving and not len(bench.device.planner):
            return bench.now, output
    raise AssertionError("the printer never stopped moving")


def _chords_time_s(
    start: tuple[float, float], waypoints: list[tuple[float, float, float]]
) -> float:
    limits = MachineLimits()
    blocks = []
    previous, x0, y0 = None, *start
    for x, y, _ in waypoints:
        block = make_block(previous, (x - x0, y - y0, 0.0, 0.0), 50.0, limits)
        assert block is not None
        blocks.append(block)
        previous, x0, y0 = block, x, y
    return sum(timing.duration_s for timing in plan(blocks))


@pytest.mark.parametrize(
    ("command", "end", "waypoints"),
    [
        # A full circle (same start and end, centre 20 mm to the left): 126 mm of chords.
        (
            "G2 X100 Y100 I-20 J0",
            (100.0, 100.0),
            arc_waypoints((100.0, 100.0), (100.0, 100.0), clockwise=True, offset=(-20.0, 0.0)),
        ),
        # A half circle given by its radius.
        (
            "G3 X140 Y100 R20",
            (140.0, 100.0),
            arc_waypoints((100.0, 100.0), (140.0, 100.0), clockwise=False, radius=20.0),
        ),
    ],
)
def test_arcs_run_as_marlins_chords(
    command: str, end: tuple[float, float], waypoints: list[tuple[float, float, float]] | None
) -> None:
    """G2/G3 take the time of the arc's chords (far more than the planner's 16 blocks, so the
    command waits for room), end where the file says, and are answered once."""
    assert waypoints is not None and len(waypoints) > 16
    bench = booted()
    bench.send(b"G1 X100 Y100 F3000\n")
    start, _ = _moving_until(bench)
    bench.send(command.encode() + b"\n")
    stopped, output = _moving_until(bench)
    assert bench.device.position[:2] == pytest.approx(list(end))
    assert output.count("ok") == 1
    expected = _chords_time_s((100.0, 100.0), waypoints)
    assert stopped - start == pytest.approx(expected, rel=0.05, abs=0.03)


def test_m201_to_m205_change_the_machine_limits() -> None:
    bench = booted()
    bench.send(b"M204 P2000 T3000\nM205 X12\n")
    bench.run(0.1)
    limits = bench.device.planner.limits
    assert limits.print_acceleration_mm_s2 == 2000
    assert limits.travel_acceleration_mm_s2 == 3000
    assert limits.jerk_mm_s[0] == 12


def test_advanced_ok_reports_free_slots() -> None:
    bench = booted({"advanced_ok": "1"})
    bench.send(frame(0, "M110 N0") + frame(1, "G1 X1"))
    out = bench.run(0.1)
    assert "ok N1 P15 B3" in out


def test_emergency_parser_acts_on_m112_even_behind_a_full_queue() -> None:
    bench = booted({"emergency_parser": "1"})
    bench.send(b"G4 S10\nG1 X1\nG1 X2\nG1 X3\nM112\n")
    out = bench.run(0.5)
    assert "Error:Printer halted. kill() called!" in out
    assert bench.device.halted


def test_thermal_runaway_at_a_given_time_halts_with_marlins_messages() -> None:
    bench = booted({"runaway_at": "5"})
    bench.send(b"M104 S200\n")
    out = bench.run(4.0)
    out += bench.run(2.0)
    assert "Error:Thermal Runaway, system stopped! Heater_ID: 0" in out
    assert "Error:Printer halted. kill() called!" in out
    assert bench.device.heaters_off and bench.device.fault_time_s == 5.0


def test_klipper_dialect_ignores_line_numbers_and_shouts_faults() -> None:
    bench = Bench({"dialect": "klipper", "runaway_at": "1"})
    bench.send(b"N5 M105*0\n")
    out = bench.run(2.0)
    assert "ok B:20.0 /0.0 T0:20.0 /0.0" in out
    assert "!! Thermal Runaway" in out


def test_every_executed_command_is_recorded_in_order() -> None:
    bench = booted()
    bench.send(frame(0, "M110 N0") + frame(1, "G1 X1 F600") + frame(2, "M106 S255"))
    bench.run(1.0)
    assert [(c.line_number, c.command) for c in bench.device.executed] == [
        (0, "M110 N0"),
        (1, "G1 X1 F600"),
        (2, "M106 S255"),
    ]
    assert bench.device.fan == 255


@pytest.mark.parametrize(
    "options",
    [{"bogus": "1"}, {"bufsize": "0"}, {"dialect": "repetier"}, {"corrupt_in": "beaucoup"}],
)
def test_bad_options_are_refused_in_french(options: dict[str, str]) -> None:
    with pytest.raises(SimOptionError) as info:
        MarlinPrinter(options)
    assert any(word in info.value.message for word in ("Option", "option", "Dialecte"))


@given(st.lists(st.binary(max_size=200), max_size=8), st.booleans())
@example(chunks=[b"G\xb2"], emergency_parser=False)  # « G² »: a digit to isdigit, not to int
@settings(max_examples=60, deadline=None)
def test_arbitrary_bytes_never_crash_the_simulated_printer(
    chunks: list[bytes], emergency_parser: bool
) -> None:
    bench = booted({"emergency_parser": "1" if emergency_parser else "0", "residency_s": "0"})
    for chunk in chunks:
        bench.send(chunk + b"\n")
        bench.run(0.5)
    bench.send(b"M105\n")
    out = bench.run(30.0)
    assert bench.device.halted or "ok" in out or bench.device._wait is not None


def _command(bench: Bench, number: int, command: str, seconds: float = 0.2) -> str:
    bench.send(frame(number, command))
    return bench.run(seconds)


def test_cold_extrusion_is_prevented_like_marlin_and_m302_allows_it() -> None:
    bench = booted()
    bench.send(frame(0, "M110 N0"))
    bench.run(0.1)
    # Cold: the E-only move is dropped (nothing planned), yet the position takes the new E.
    out = _command(bench, 1, "G1 E5 F300")
    assert "echo: cold extrusion prevented\nok\n" in out
    assert len(bench.device.planner) == 0 and bench.device.cold_extrusions == 1
    assert "E:5.00" in _command(bench, 2, "M114")
    # A move with travel keeps its XY part.
    assert "cold extrusion prevented" in _command(bench, 3, "G1 X10 E6 F3000")
    assert bench.device.position[:2] == [10.0, 0.0]
    assert "Cold extrudes are disabled (min temp 170C)" in _command(bench, 4, "M302")
    out = _command(bench, 5, "M302 P1")
    assert "Cold extrudes" not in out  # with a parameter it only sets
    assert "Cold extrudes are enabled (min temp 170C)" in _command(bench, 6, "M302")
    assert "prevented" not in _command(bench, 7, "G1 E7 F300")
    assert bench.device.cold_extrusions == 2


def test_a_hot_nozzle_extrudes_and_the_minimum_is_an_option() -> None:
    bench = booted({"heat_scale": "50", "residency_s": "0"})
    bench.send(frame(0, "M110 N0") + frame(1, "M109 S200"))
    bench.run(30.0)
    assert "prevented" not in _command(bench, 2, "G1 E5 F300")
    assert len(bench.device.planner) == 1
    never = booted({"extrude_min_c": "0"})
    never.send(frame(0, "M110 N0") + frame(1, "G1 E5 F300"))
    assert "prevented" not in never.run(0.2)
    klipper = booted({"dialect": "klipper"})
    klipper.send(b"G1 E5 F300\n")
    assert "prevented" not in klipper.run(0.2)
