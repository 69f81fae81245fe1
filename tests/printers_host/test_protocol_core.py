# SPDX-License-Identifier: GPL-3.0-or-later
"""The sans-I/O Marlin protocol core: framing, response parsing, flow control."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers.marlin.events import (
    Busy,
    Capability,
    Echo,
    ErrorMessage,
    Fault,
    FaultKind,
    FirmwareInfo,
    LineError,
    LineErrorKind,
    Ok,
    Other,
    Resend,
    SdStatus,
    Start,
    TemperatureReport,
    UnknownCommand,
    Wait,
)
from printers.marlin.flow import FlowControl, HistoryExceededError, ResendLoopError
from printers.marlin.framing import (
    MAX_FRAMED_LINE_BYTES,
    LineTooLongError,
    checksum,
    frame,
    parse_received_line,
    strip_comment,
    strip_host_framing,
)
from printers.marlin.responses import ResponseParser, parse_line
from printers.marlin.timeouts import PROBE_AFTER_S, probe_after_s

# -- framing ------------------------------------------------------------------------------


def test_frame_matches_the_well_known_m110_line() -> None:
    # "N0 M110 N0*125" is the line every host sends first (RepRap wiki, OctoPrint logs).
    assert frame(0, "M110 N0") == b"N0 M110 N0*125\n"


def test_checksum_is_the_xor_of_every_byte_before_the_star() -> None:
    body = b"N7 G1 X10"
    expected = 0
    for byte in body:
        expected ^= byte
    assert checksum(body) == expected
    assert frame(7, "G1 X10") == body + f"*{expected}\n".encode()


def test_comments_and_blank_lines_are_stripped() -> None:
    assert strip_comment("G1 X1 ; move") == "G1 X1"
    assert strip_comment("   ; only a comment") == ""
    assert strip_comment("\t\r") == ""


def test_lines_too_long_for_marlin_are_refused_before_sending() -> None:
    command = "M117 " + "x" * 90
    with pytest.raises(LineTooLongError) as info:
        frame(12, command)
    assert info.value.length > MAX_FRAMED_LINE_BYTES
    assert len(frame(12, "M117 " + "x" * 70)) - 1 <= MAX_FRAMED_LINE_BYTES


def test_received_line_is_checked_like_marlin() -> None:
    good = parse_received_line(frame(5, "G1 X1")[:-1])
    assert (good.line_number, good.command, good.checksum_ok) == (5, "G1 X1", True)
    bad = parse_received_line(b"N5 G1 X2*" + str(checksum(b"N5 G1 X1")).encode())
    assert bad.has_checksum and not bad.checksum_ok
    m110 = parse_received_line(frame(9, "M110 N41")[:-1])
    assert m110.line_number == 41


@given(st.integers(0, 10**6), st.text(alphabet="GMXYZEF0123456789. -", max_size=60))
@settings(max_examples=60, deadline=None)
def test_frame_then_parse_round_trips(number: int, command: str) -> None:
    command = command.strip()
    try:
        data = frame(number, command)
    except LineTooLongError:
        return
    parsed = parse_received_line(data[:-1])
    assert parsed.checksum_ok
    assert parsed.line_number == number or command.upper().startswith("M110")


@given(st.binary(max_size=120))
@settings(max_examples=200, deadline=None)
def test_any_received_line_parses_without_crashing(raw: bytes) -> None:
    """What a simulator or a console user can feed the line parser, including Latin-1 bytes
    such as ``\xb2`` that decode to « ² », a digit for ``str.isdigit`` but not for ``int``."""
    parsed = parse_received_line(raw)
    assert isinstance(parsed.command, str)


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_command_codes_and_timeouts_accept_any_text(command: str) -> None:
    from printers.marlin.timeouts import command_code, probe_after_s, silence_allowed_s

    command_code(command)
    assert silence_allowed_s(command) > 0
    assert probe_after_s([command]) > 0


def test_superscript_and_other_unicode_digits_are_not_marlin_numbers() -> None:
    from printers.marlin.timeouts import command_code

    assert parse_received_line("N² G1 X1".encode("latin-1")).line_number is None
    assert command_code("G²") != "G2"
    assert command_code("G٣") != "G3"


# -- responses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ok", Ok()),
        ("ok N12 P15 B3", Ok(line_number=12, planner_free=15, queue_free=3)),
        ("Resend: 5", Resend(5)),
        ("Resend:5", Resend(5)),
        ("rs N5", Resend(5)),
        ("rs 5", Resend(5)),
        ("echo:busy: processing", Busy("processing")),
        ("busy: paused for user", Busy("paused for user")),
        ("wait", Wait()),
        ("start", Start()),
        ('echo:Unknown command: "G12345"', UnknownCommand("G12345")),
        ("echo:SD card ok", SdStatus("SD card ok")),
        ("Not SD printing", SdStatus("Not SD printing")),
        ("SD printing byte 10/200", SdStatus("SD printing byte 10/200")),
        ("Cap:AUTOREPORT_TEMP:1", Capability("AUTOREPORT_TEMP", True)),
        ("Cap:EMERGENCY_PARSER:0", Capability("EMERGENCY_PARSER", False)),
        ("echo:Marlin 2.1.2", Echo("Marlin 2.1.2")),
        ("// Klipper state: Ready", Echo("Klipper state: Ready")),
    ],
)
def test_marlin_responses_are_classified(line: str, expected: object) -> None:
    assert parse_line(line) == expected


@pytest.mark.parametrize(
    ("line", "kind", "last"),
    [
        ("Error:checksum mismatch, Last Line: 41", LineErrorKind.CHECKSUM_MISMATCH, 41),
        (
            "Error:Line Number is not Last Line Number+1, Last Line: 7",
            LineErrorKind.LINE_NUMBER,
            7,
        ),
        ("Error:No Checksum with line number, Last Line: 3", LineErrorKind.NO_CHECKSUM, 3),
        ("Error:No Line Number with checksum, Last Line: 3", LineErrorKind.NO_LINE_NUMBER, 3),
    ],
)
def test_transmission_errors_carry_the_last_line(line: str, kind: LineErrorKind, last: int) -> None:
    event = parse_line(line)
    assert isinstance(event, LineError)
    assert (event.kind, event.last_line) == (kind, last)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Error:Printer halted. kill() called!", FaultKind.KILLED),
        ("Error:Thermal Runaway, system stopped! Heater_ID: 0", FaultKind.THERMAL_RUNAWAY),
        ("Error:MINTEMP triggered, system stopped! Heater_ID: E0", FaultKind.MINTEMP),
        ("Error:MAXTEMP triggered, system stopped! Heater_ID: bed", FaultKind.MAXTEMP),
        ("Error:Heating failed, system stopped! Heater_ID: 0", FaultKind.HEATING_FAILED),
        ("!! Shutdown due to M112 command", FaultKind.EMERGENCY),
        ("Error:Printer stopped due to errors. Fix the error and use M999.", FaultKind.STOPPED),
    ],
)
def test_firmware_faults_are_recognised(line: str, kind: FaultKind) -> None:
    event = parse_line(line)
    assert isinstance(event, Fault) and event.kind == kind


def test_marlin_1_heater_error_split_over_two_lines_is_joined() -> None:
    parser = ResponseParser()
    events = parser.feed(b"Error:0\n: Extruder switched off. MAXTEMP triggered !\nok\n")
    assert isinstance(events[0], Fault) and events[0].kind == FaultKind.MAXTEMP
    assert events[1] == Ok()


@pytest.mark.parametrize(
    ("line", "heaters"),
    [
        (
            "T:210.0 /210.0 B:60.0 /60.0 @:127 B@:0",
            {"tool0": (210.0, 210.0), "bed": (60.0, 60.0)},
        ),
        (
            "T0:200.5 /205.0 T1:25.0 /0.0 B:58.0 /60.0 @:64 B@:127",
            {"tool0": (200.5, 205.0), "tool1": (25.0, 0.0), "bed": (58.0, 60.0)},
        ),
        ("B:60.0 /60.0 T0:210.0 /210.0", {"tool0": (210.0, 210.0), "bed": (60.0, 60.0)}),
        (
            "T:210.0 /210.0 B:60.0 /60.0 T0:210.0 /210.0 @:30 B@:0 P:35.2 A:31.0",
            {"tool0": (210.0, 210.0), "bed": (60.0, 60.0)},
        ),
        ("T:180.3 /200.0 @0 B:50.0 /60.0 @0", {"tool0": (180.3, 200.0), "bed": (50.0, 60.0)}),
        ("T:201.2 /210.0 B:60.0 /60.0 @:127 B@:0 W:?", {"tool0": (201.2, 210.0), "bed": (60, 60)}),
    ],
)
def test_temperature_reports_in_every_usual_form(line: str, heaters: dict[str, tuple]) -> None:
    event = parse_line(line)
    assert isinstance(event, TemperatureReport)
    got = {name: (r.actual_c, r.target_c) for name, r in event.heaters.items()}
    assert got == heaters


def test_ok_with_temperatures_is_the_m105_answer() -> None:
    event = parse_line("ok T:20.0 /0.0 B:21.0 /0.0 @:0 B@:0")
    assert isinstance(event, Ok) and event.temperatures is not None
    assert event.temperatures.heaters["bed"].actual_c == 21.0
    klipper = parse_line("ok B:60.0 /60.0 T0:210.0 /210.0")
    assert isinstance(klipper, Ok) and klipper.queue_free is None


def test_firmware_name_fields_are_split() -> None:
    event = parse_line(
        "FIRMWARE_NAME:Marlin 2.1.2.1 (Jul 13 2023) SOURCE_CODE_URL:github.com/Marlin "
        "PROTOCOL_VERSION:1.0 MACHINE_TYPE:Ender-3 EXTRUDER_COUNT:1"
    )
    assert isinstance(event, FirmwareInfo)
    assert event.name == "Marlin 2.1.2.1 (Jul 13 2023)"
    assert event.fields["MACHINE_TYPE"] == "Ender-3"
    assert event.fields["EXTRUDER_COUNT"] == "1"


def test_a_single_flipped_bit_in_ok_or_resend_is_repaired() -> None:
    assert parse_line("oj") == Ok()  # 'k' 0x6B -> 'j' 0x6A
    assert parse_line("Resenl: 12") == Resend(12)  # 'd' 0x64 -> 'l' 0x6C
    assert isinstance(parse_line("xy"), Other)


def test_damaged_error_words_and_temperature_answers_are_still_recognised() -> None:
    """A checksum error tells the flow control that the replayed line itself arrived damaged
    (the round goes again at once); an answer to M105 ends a recovery. Both were missed when
    one character of them was damaged on a noisy link (seen at 1 % per byte)."""
    for line in (
        "Errob:checksum mismatch, Last Line: 147",  # 'r' 0x72 -> 'b' 0x62
        "Error:checksul mismatch, Last Line: 147",
        "Error:cxecksum mismatch, Last Line: 147",
    ):
        event = parse_line(line)
        assert isinstance(event, LineError), line
        assert event.kind is LineErrorKind.CHECKSUM_MISMATCH and event.last_line == 147
    event = parse_line("Error:Line Num`er is not Last Line Number+1, Last Line: 594")
    assert isinstance(event, LineError) and event.kind is LineErrorKind.LINE_NUMBER
    event = parse_line("Error:No Checks}m with line number, Last Line: 455")
    assert isinstance(event, LineError) and event.kind is LineErrorKind.NO_CHECKSUM
    # « ok(T:… »: the space after ok damaged (0x20 -> 0x28).
    answer = parse_line("ok(T:20.00 /0.00 B:20.00 /0.00 @:0 B@:0")
    assert isinstance(answer, Ok) and answer.temperatures is not None
    assert answer.temperatures.heaters["tool0"].actual_c == 20.0
    # Its figures damaged beyond reading: still the answer to M105, figures left unread.
    answer = parse_line("ok T;20.00 /0.0# B;20.00 /0.00")
    assert isinstance(answer, Ok) and answer.temperatures == TemperatureReport({})
    # ADVANCED_OK is no temperature answer.
    assert parse_line("ok N12 P15 B3") == Ok(line_number=12, planner_free=15, queue_free=3)


@given(st.binary(max_size=400), st.integers(1, 50))
@settings(max_examples=150, deadline=None)
def test_parser_never_fails_on_arbitrary_bytes_and_chunking_does_not_matter(
    data: bytes, chunk: int
) -> None:
    whole = ResponseParser().feed(data + b"\n")
    parser = ResponseParser()
    pieces = []
    for i in range(0, len(data), chunk):
        pieces.extend(parser.feed(data[i : i + chunk]))
    pieces.extend(parser.feed(b"\n"))
    assert pieces == whole


# -- flow control -------------------------------------------------------------------------


def _fill(flow: FlowControl, count: int, command: str = "G1 X10.000 Y10.000 E0.12345") -> bytes:
    for _ in range(count):
        flow.push(command)
    return flow.take_output()


def test_window_is_bounded_by_the_receive_buffer_bytes() -> None:
    flow = FlowControl(max_lines=8, rx_buffer_bytes=128)
    out = _fill(flow, 10)
    assert out.count(b"\n") == flow.in_flight_lines
    assert flow.in_flight_bytes <= 128
    assert flow.in_flight_lines == 3  # 3 lines of ~38 bytes fit in 128, a 4th would not


def test_window_is_bounded_by_the_queue_slots() -> None:
    flow = FlowControl(max_lines=4, rx_buffer_bytes=10_000)
    _fill(flow, 10, "G1 X1")
    assert flow.in_flight_lines == 4


def test_ping_pong_keeps_one_line_in_flight() -> None:
    flow = FlowControl(ping_pong=True, rx_buffer_bytes=10_000)
    _fill(flow, 5, "G1 X1")
    assert flow.in_flight_lines == 1
    acked = flow.handle(Ok())
    assert [a.number for a in acked] == [1]
    assert flow.take_output().startswith(b"N2 ")


def test_advanced_ok_teaches_the_queue_size() -> None:
    flow = FlowControl(max_lines=4, rx_buffer_bytes=10_000)
    _fill(flow, 40, "G1 X1")
    flow.handle(Ok(line_number=4, planner_free=15, queue_free=31))
    flow.take_output()
    assert flow.max_lines == 32
    assert flow.in_flight_lines == 32


def test_resend_replays_the_lines_with_a_numbered_question_and_ignores_stale_requests() -> None:
    """Never an unnumbered line in a recovery: the round ends on a numbered M105 right after
    the last line written (lines never written move one number up)."""
    flow = FlowControl(max_lines=4, rx_buffer_bytes=10_000)
    _fill(flow, 6, "G1 X1")  # lines 1-4 in flight
    assert [a.number for a in flow.handle(Ok())] == [1]
    assert [a.number for a in flow.handle(Ok())] == [2]
    flow.handle(LineError(LineErrorKind.LINE_NUMBER, 2, "Line Number is not Last Line"))
    flow.handle(Resend(3))
    # The round: the lines refused, as many as the window holds, then the question.
    assert flow.take_output() == frame(3, "G1 X1") + frame(4, "G1 X1") + frame(5, "M105")
    assert flow.probe_numbers == [5]
    flow.handle(Ok())  # the ok after a resend acknowledges nothing
    # Line 4 was in flight after the bad one: its own "Resend: 3" is stale.
    flow.handle(Resend(3))
    flow.handle(Ok())
    assert flow.duplicate_resends == 1 and flow.resends == 1
    assert flow.take_output() == b""  # one round at a time
    flow.handle(Ok())
    flow.handle(Ok())
    acked = flow.handle(Ok(temperatures=TemperatureReport({})))
    assert [a.number for a in acked] == [3, 4, 5] and not flow.recovering
    # The lines never written, renumbered after the question.
    assert flow.take_output() == frame(6, "G1 X1") + frame(7, "G1 X1")


def test_a_question_refused_for_a_later_line_starts_a_round_from_there() -> None:
    flow = FlowControl(max_lines=2, rx_buffer_bytes=10_000)
    _fill(flow, 3, "G1 X1")  # lines 1-2 in flight
    flow.handle(Resend(1))
    assert flow.take_output() == frame(1, "G1 X1") + frame(3, "M105")  # room for one line
    flow.handle(Resend(1))  # line 2's refusal
    # Line 1 accepted, the question refused since line 2 is missing: a round from 2.
    assert [a.number for a in flow.handle(Resend(2))] == [1]
    assert flow.take_output() == frame(2, "G1 X1") + frame(3, "M105")  # the same question
    acked = flow.handle(Ok(temperatures=TemperatureReport({})))
    assert [a.number for a in acked] == [2, 3] and not flow.recovering
    assert flow.take_output() == frame(4, "G1 X1")


def test_a_round_refused_line_by_line_goes_again_at_once_else_after_a_silence() -> None:
    """``Resend: N`` again is the refusal of a line written before the round or of the
    round's own: once as many came as lines were written from N (each is refused at most
    once), the whole round was refused and the firmware has read it all: it goes again at
    once, without overflowing anything. Otherwise only a silence sends it again, and a
    round answered only by refusals counts towards the ten requests that make a fault."""
    flow = FlowControl(max_lines=2, rx_buffer_bytes=10_000)
    _fill(flow, 2, "G1 X1")  # lines 1-2 in flight
    flow.handle(Resend(1))  # line 1 refused; line 2 will be too
    round_ = frame(1, "G1 X1") + frame(3, "M105")
    assert flow.take_output() == round_
    flow.handle(Resend(1))  # line 2
    assert not flow.round_read
    flow.handle(Resend(1))  # the round's line 1: more than line 2 could cause, so read
    assert flow.take_output() == b"" and flow.round_read
    flow.handle(Resend(1))  # the round's question: every line written was refused
    assert flow.take_output() == round_
    assert flow.resends == 2
    flow.handle(Resend(1))  # a refusal of the new round: read, the rest follows
    assert flow.round_read and flow.take_output() == b""
    assert flow.recover_stall() == b""
    assert flow.take_output() == round_
    with pytest.raises(ResendLoopError):
        for _ in range(10):
            flow.handle(Resend(1))
            flow.recover_stall()
            flow.take_output()


def test_a_resend_whose_error_names_another_line_takes_the_older_line() -> None:
    """« Last Line: 1 » then « Resend: 51 »: one of them had a digit damaged (found by
    hypothesis: the same damage twice made a resynchronisation that skipped lines). The
    older line is safe: the firmware refuses what it already has, saying where it stands;
    a number the firmware cannot mean (past every line written) is left out."""
    flow = FlowControl(max_lines=4, rx_buffer_bytes=10_000)
    _fill(flow, 3, "G1 X1")
    for _ in range(2):
        flow.handle(LineError(LineErrorKind.LINE_NUMBER, 1, "Line Number is not Last Line"))
        flow.handle(Resend(51))
        assert flow.recovering and flow.resyncs == 0
    assert flow.damaged_requests == 2 and flow.confirmed == 1
    # « Last Line: 5… » damaged into a later line, « Resend: 3 » right: line 3 again.
    flow = FlowControl(max_lines=4, rx_buffer_bytes=10_000)
    _fill(flow, 3, "G1 X1")
    flow.handle(LineError(LineErrorKind.LINE_NUMBER, 52, "Line Number is not Last Line"))
    assert [a.number for a in flow.handle(Resend(3))] == [1, 2]
    assert flow.take_output().startswith(frame(3, "G1 X1"))
    # Both numbers impossible (below a line the firmware said it accepted, past every line
    # written): nothing is acted on.
    flow.handle(LineError(LineErrorKind.LINE_NUMBER, 0, "Line Number is not Last Line"))
    assert flow.handle(Resend(60)) == [] and flow.confirmed == 2


def test_an_unreadable_resend_number_is_taken_from_the_error_line() -> None:
    """« Resend:$1040 »: the number is unreadable; the error line before it said the last
    line the firmware accepted."""
    flow = FlowControl(max_lines=4, rx_buffer_bytes=10_000)
    _fill(flow, 3, "G1 X1")
    flow.handle(LineError(LineErrorKind.LINE_NUMBER, 1, "Line Number is not Last Line"))
    acked = flow.handle(Other("Resend:$2"))
    assert [a.number for a in acked] == [1] and flow.recovering
    assert flow.take_output().startswith(frame(2, "G1 X1"))


def test_a_resend_for_the_line_after_every_line_written_acknowledges_them_all() -> None:
    flow = FlowControl(max_lines=2, rx_buffer_bytes=10_000)
    _fill(flow, 4, "G1 X1")  # lines 1-2 in flight, 3-4 waiting
    assert [a.number for a in flow.handle(Resend(2))] == [1]
    assert flow.take_output() == frame(2, "G1 X1") + frame(3, "M105")
    # The question's answer lost, the round sent again after a silence: its duplicate is
    # refused with "Resend: 4", which says the firmware has every line written.
    assert flow.recover_stall() == b""
    assert flow.take_output() == frame(2, "G1 X1") + frame(3, "M105")
    acked = flow.handle(Resend(4))
    assert [a.number for a in acked] == [2, 3] and not flow.recovering
    assert flow.take_output() == frame(4, "G1 X1") + frame(5, "G1 X1")


@pytest.mark.parametrize(
    "error",
    [
        None,
        ErrorMessage("Missing checksum"),
        ErrorMessage("expected line 3 got 5"),
        LineError(LineErrorKind.CHECKSUM_MISMATCH, None, "Checksum mismatch"),
    ],
)
def test_any_resend_request_rewinds_whatever_the_error_text(error: object) -> None:
    flow = FlowControl(max_lines=4, rx_buffer_bytes=10_000)
    _fill(flow, 4, "G1 X1")
    if error is not None:
        flow.handle(error)  # type: ignore[arg-type]
    flow.handle(Resend(3))
    assert flow.take_output().startswith(frame(3, "G1 X1"))
    assert flow.confirmed == 2


def test_a_resend_beyond_every_line_sent_is_checked_then_resynchronised() -> None:
    flow = FlowControl(max_lines=4, rx_buffer_bytes=10_000)
    _fill(flow, 3, "G1 X1")
    flow.handle(Resend(9))  # a damaged digit, or a firmware counter really ahead
    # Asked once more: the last line again, and a question (numbered 4) behind it.
    assert flow.take_output() == frame(3, "G1 X1") + frame(4, "M105")
    flow.handle(Resend(9))
    assert flow.take_output() == frame(4, "M110 N4") and flow.resyncs == 1


def test_the_same_line_asked_for_again_and_again_is_a_fault() -> None:
    flow = FlowControl(max_lines=4, rx_buffer_bytes=10_000)
    _fill(flow, 3, "G1 X1")
    with pytest.raises(ResendLoopError) as info:
        for _ in range(20):
            flow.handle(Resend(2))
            flow.take_output()
            flow.handle(Ok(temperatures=TemperatureReport({})))  # the probe: episode over
    assert info.value.line_number == 2


def test_a_stall_asks_with_a_numbered_m105_right_after_the_lines_sent() -> None:
    """Never an unnumbered line: a damaged one would run as whatever it became. Lines
    pushed but never written move one number up to make room for the question."""
    flow = FlowControl(max_lines=3, rx_buffer_bytes=10_000)
    _fill(flow, 4, "G1 X1")  # lines 1-3 written, line 4 waits for room
    flow.handle(Ok())
    assert flow.recover_stall() == frame(4, "M105")
    assert flow.probe_numbers == [4]
    # The firmware had every line: the question's answer acknowledges them all.
    acked = flow.handle(Ok(temperatures=TemperatureReport({})))
    assert [a.number for a in acked] == [2, 3, 4]
    assert flow.take_output() == frame(5, "G1 X1")  # the waiting line, renumbered


def test_a_question_refused_after_a_lost_line_starts_a_recovery() -> None:
    flow = FlowControl(max_lines=3, rx_buffer_bytes=10_000)
    _fill(flow, 3, "G1 X1")
    flow.handle(Ok())
    assert flow.ask() == frame(4, "M105")
    acked = flow.handle(Resend(2))  # line 2 never arrived: 3 and the question refused
    assert acked == [] and flow.recovering
    assert flow.take_output().startswith(frame(2, "G1 X1"))


def test_a_stall_stops_waiting_for_answers_that_were_lost() -> None:
    """Found by hypothesis: three questions whose "ok T:" were lost, then each new question's
    answer was taken for the oldest one still in flight, for ever: the print never went on.
    After a silence as long as a whole allowance, the answers owed are taken as lost."""
    flow = FlowControl(max_lines=4, rx_buffer_bytes=10_000)
    _fill(flow, 1, "G1 X1")
    flow.handle(Ok())
    flow.push("G1 X2")
    flow.take_output()
    assert flow.ask() == frame(3, "M105")  # its answer lost
    assert flow.questions_in_flight == 1
    flow.recover_stall()  # N4 M105; the answer owed by N3 is no longer waited for
    acked = flow.handle(Ok(temperatures=TemperatureReport({})))
    assert [a.number for a in acked] == [2, 3, 4] and flow.idle


def test_a_replayed_m105_refused_as_a_duplicate_owes_no_answer() -> None:
    """A recovery that went back too far (a damaged number) replays an M105 the firmware
    already has: refused, it will never answer it, so its place is not kept in flight (it
    would take the question's answer, and the recovery would never end)."""
    flow = FlowControl(max_lines=4, rx_buffer_bytes=10_000)
    flow.push("G1 X1")
    flow.push("M105")
    flow.push("G1 X2")
    flow.take_output()  # lines 1-3
    flow.handle(Resend(2))  # line 1 accepted; the round: 2 (an M105), 3, question 4
    assert flow.take_output() == frame(2, "M105") + frame(3, "G1 X2") + frame(4, "M105")
    flow.handle(Resend(4))  # the firmware had 2 and 3 after all: refused as duplicates
    assert flow.take_output() == frame(4, "M105")
    acked = flow.handle(Ok(temperatures=TemperatureReport({})))
    assert [a.number for a in acked][-1] == 4 and not flow.recovering


def test_a_waiting_m105_is_the_question_itself() -> None:
    flow = FlowControl(max_lines=1, rx_buffer_bytes=10_000)
    flow.push("G1 X1")
    flow.push("M105")
    assert flow.take_output() == frame(1, "G1 X1")
    assert flow.ask() == frame(2, "M105")
    assert flow.probe_numbers == []


def test_resend_older_than_the_history_fails_clearly() -> None:
    flow = FlowControl(max_lines=2, rx_buffer_bytes=10_000, history_lines=4)
    for _ in range(10):
        flow.push("G1 X1")
        flow.take_output()
        flow.handle(Ok())
    with pytest.raises(HistoryExceededError) as info:
        flow.handle(Resend(2))
    assert info.value.line_number == 2


def test_a_damaged_resend_number_older_than_the_history_is_ignored() -> None:
    """« Resend: 12 » read as « Resend: 2 » (a flipped bit turns a digit into another):
    the firmware already said it accepted line 11, and its counter never goes back."""
    flow = FlowControl(max_lines=2, rx_buffer_bytes=10_000, history_lines=4)
    for _ in range(12):
        flow.push("G1 X1")
        flow.take_output()
        flow.handle(Ok())
    flow.handle(Resend(12))  # the firmware proves it accepted line 11
    assert flow.handle(Resend(2)) == []
    assert flow.take_output() == frame(12, "G1 X1") + frame(13, "M105")


def test_probe_answer_acknowledges_every_older_line() -> None:
    flow = FlowControl(max_lines=4, rx_buffer_bytes=10_000)
    _fill(flow, 3, "G1 X1")
    flow.take_probe()
    acked = flow.handle(Ok(temperatures=TemperatureReport({})))
    assert [a.number for a in acked] == [1, 2, 3]
    assert flow.idle


def test_verification_proves_the_last_line_was_accepted() -> None:
    flow = FlowControl()
    _fill(flow, 2, "G1 X1")
    flow.handle(Ok())
    flow.handle(Ok())
    assert flow.verify_last() == frame(2, "G1 X1")
    flow.handle(LineError(LineErrorKind.LINE_NUMBER, 2, "Line Number is not"))
    flow.handle(Resend(3))
    assert flow.verified


def test_long_commands_wait_longer_before_a_probe() -> None:
    assert probe_after_s(["G1 X1"]) == PROBE_AFTER_S
    assert probe_after_s(["G1 X1", "M190 S60"]) > 600
    assert probe_after_s(["G4 P30000"]) == pytest.approx(PROBE_AFTER_S + 30)
    assert probe_after_s(["G28"]) > probe_after_s(["M104 S200"])


@given(
    number=st.integers(0, 10**6),
    command=st.text(alphabet="GMXYZEF0123456789. -", min_size=1, max_size=40).map(str.strip),
)
def test_host_framing_kept_in_a_file_is_verified_and_removed(number: int, command: str) -> None:
    if not command:
        return
    framed = frame(number, command).decode("ascii").strip()
    assert strip_host_framing(framed) == (command, True)
    body = framed[: framed.rfind("*")]
    damaged = f"{body}*{(checksum(body.encode()) + 1) % 256}"
    assert strip_host_framing(damaged).checksum_ok is False  # type: ignore[union-attr]
    assert strip_host_framing(command) is None or command[:1] in "Nn"


def test_a_damaged_resend_number_is_not_read_as_another_line() -> None:
    assert not isinstance(parse_line("Resend: 1s5"), Resend)
    assert parse_line("Resend: 15") == Resend(15)
    assert parse_line("rs N15") == Resend(15)
