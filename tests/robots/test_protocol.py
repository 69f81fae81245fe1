# SPDX-License-Identifier: GPL-3.0-or-later
"""The mBot firmware codec: frames as the firmware builds and reads them."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from robots import protocol as p


def decode_all(data: bytes) -> list[p.Event]:
    decoder = p.ReplyDecoder()
    decoder.receive_data(data)
    return decoder.events()


def test_get_ultrasonic_request_is_laid_out_as_the_firmware_reads_it() -> None:
    # ff 55 len idx action device port: len counts idx, action, device and port.
    assert p.get_ultrasonic().encode(7) == bytes.fromhex("ff 55 04 07 01 01 03")


def test_motors_forward_is_m1_negative_m2_positive_as_short_little_endian() -> None:
    frame = p.run_motors(-100, 100).encode(1)
    assert frame[:6] == bytes.fromhex("ff 55 07 01 02 05")
    assert struct.unpack("<hh", frame[6:]) == (-100, 100)


def test_tone_has_no_port_byte_on_the_mcore() -> None:
    assert p.play_tone(440, 500).encode(3) == bytes.fromhex("ff 55 07 03 02 22 b8 01 f4 01")


def test_float_reply_and_ack_and_button_frame_decode() -> None:
    data = (
        p.encode_reply(5, 42.5, p.ValueType.FLOAT)
        + p.encode_ack()
        + bytes.fromhex("ff 55 80 01 01 0d 0a")
    )
    events = decode_all(data)
    assert events == [
        p.Reply(5, 42.5, p.ValueType.FLOAT),
        p.Ack(),
        p.ButtonEvent(True),
    ]


def test_boot_line_is_reported_as_version() -> None:
    events = decode_all(b"\x00\xf0Version: 06.01.106\r\n" + p.encode_ack())
    assert events == [p.VersionLine("06.01.106"), p.Ack()]


def test_reply_with_index_0x0d_is_not_an_ack() -> None:
    assert decode_all(p.encode_reply(0x0D, None, None)) == [p.Reply(0x0D, None, None)]
    assert decode_all(p.encode_reply(0x0D, 3, p.ValueType.BYTE)) == [
        p.Reply(0x0D, 3, p.ValueType.BYTE)
    ]


def test_firmware_short_with_two_extra_bytes_and_a_plain_short_both_decode() -> None:
    firmware_style = bytes.fromhex("ff 55 09 03 34 12 00 00 0d 0a")
    plain = bytes.fromhex("ff 55 09 03 34 12 0d 0a")
    assert decode_all(firmware_style) == [p.Reply(9, 0x1234, p.ValueType.SHORT)]
    assert decode_all(plain) == [p.Reply(9, 0x1234, p.ValueType.SHORT)]


def test_string_and_double_replies() -> None:
    data = p.encode_reply(1, "06.01.106", p.ValueType.STRING) + p.encode_reply(
        2, 1.25, p.ValueType.DOUBLE
    )
    assert decode_all(data) == [
        p.Reply(1, "06.01.106", p.ValueType.STRING),
        p.Reply(2, 1.25, p.ValueType.DOUBLE),
    ]


def test_decoder_waits_for_the_rest_of_a_split_frame() -> None:
    frame = p.encode_reply(9, 12.0, p.ValueType.FLOAT)
    decoder = p.ReplyDecoder()
    for byte in frame[:-1]:
        decoder.receive_data(bytes((byte,)))
        assert decoder.next_event() is p.NEED_DATA
    decoder.receive_data(frame[-1:])
    assert decoder.next_event() == p.Reply(9, 12.0, p.ValueType.FLOAT)


def test_request_parser_accepts_makeblock_clients_trailing_byte() -> None:
    # Makeblock's Python client ends every request with 0a and counts it in the length.
    parser = p.RequestParser()
    requests = parser.feed(bytes.fromhex("ff 55 05 07 01 01 03 0a"))
    assert requests == [p.Request(7, 1, 1, bytes.fromhex("03 0a"))]


def test_request_parser_skips_garbage_and_oversized_frames() -> None:
    parser = p.RequestParser()
    junk = b"\x00\x55\xff\xff" + bytes.fromhex("ff 55 ff") + b"\x01" * 10
    good = p.get_light().encode(4)
    assert parser.feed(junk + good) == [p.Request(4, 1, 3, bytes((6,)))]


replies = st.one_of(
    st.builds(
        lambda i, v: (i, v, p.ValueType.FLOAT), st.integers(0, 0x7F), st.floats(-1e6, 1e6, width=32)
    ),
    st.builds(lambda i, v: (i, v, p.ValueType.BYTE), st.integers(0, 0x7F), st.integers(0, 255)),
    st.builds(
        lambda i, v: (i, v, p.ValueType.SHORT), st.integers(0, 0x7F), st.integers(-32768, 32767)
    ),
    st.builds(
        lambda i, v: (i, v, p.ValueType.STRING),
        st.integers(0, 0x7F),
        st.text(alphabet="0123456789.abcdefXYZ ", max_size=30),
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(replies, max_size=8))
def test_replies_round_trip(items: list[tuple[int, p.Value, p.ValueType]]) -> None:
    data = b"".join(p.encode_reply(i, v, t) for i, v, t in items)
    decoded = decode_all(data)
    assert decoded == [p.Reply(i, v, t) for i, v, t in items]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash_the_decoder(junk: bytes) -> None:
    decoder = p.ReplyDecoder()
    decoder.receive_data(junk)
    decoder.events()


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=60).filter(lambda b: b"\xff" not in b),
    st.integers(1, 0x7F),
    st.floats(0, 400, width=32),
)
def test_decoder_resynchronises_after_garbage(junk: bytes, idx: int, value: float) -> None:
    frame = p.encode_reply(idx, value, p.ValueType.FLOAT)
    events = decode_all(junk + frame)
    assert events[-1] == p.Reply(idx, value, p.ValueType.FLOAT)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 0x7F), st.floats(0, 400, width=32)), min_size=1, max_size=5),
    st.integers(0, 5),
    st.booleans(),
)
def test_button_frame_between_replies_is_never_taken_for_a_reply(
    items: list[tuple[int, float]], where: int, pressed: bool
) -> None:
    frames = [p.encode_reply(i, v, p.ValueType.FLOAT) for i, v in items]
    frames.insert(min(where, len(frames)), p.encode_button_event(pressed))
    events = decode_all(b"".join(frames))
    assert [e for e in events if isinstance(e, p.ButtonEvent)] == [p.ButtonEvent(pressed)]
    assert [e for e in events if isinstance(e, p.Reply)] == [
        p.Reply(i, v, p.ValueType.FLOAT) for i, v in items
    ]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=120))
def test_arbitrary_bytes_never_crash_the_request_parser(junk: bytes) -> None:
    parser = p.RequestParser()
    for request in parser.feed(junk):
        assert len(request.data) < p.MAX_REQUEST_LEN


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 0x7F), st.integers(-255, 255), st.integers(-255, 255))
def test_requests_round_trip_through_the_firmware_parser(idx: int, left: int, right: int) -> None:
    parser = p.RequestParser()
    (request,) = parser.feed(p.run_motors(left, right).encode(idx))
    assert (request.idx, request.action, request.device) == (idx, p.Action.RUN, p.Device.JOYSTICK)
    assert (request.short(0), request.short(2)) == (left, right)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 0xFF),
    st.sampled_from(list(p.Action)),
    st.integers(0, 0xFF),
    st.binary(max_size=p.MAX_REQUEST_LEN - 7),
    st.integers(1, 4),
)
def test_any_command_survives_the_firmware_parser_even_split_in_pieces(
    idx: int, action: p.Action, device: int, payload: bytes, pieces: int
) -> None:
    frame = p.Command(action, device, payload).encode(idx)
    parser = p.RequestParser()
    cut = max(1, len(frame) // pieces)
    requests = []
    for start in range(0, len(frame), cut):
        requests += parser.feed(frame[start : start + cut])
    assert requests == [p.Request(idx, int(action), device, payload)]


def test_noise_that_looks_like_a_long_string_does_not_hold_back_replies() -> None:
    noise = bytes.fromhex("ff 55 05 04 f0 01 02")  # « string of 240 bytes », then binary
    reply = p.encode_reply(3, 25.0, p.ValueType.FLOAT)
    assert decode_all(noise + reply) == [p.Reply(3, 25.0, p.ValueType.FLOAT)]
    noise2 = bytes.fromhex("ff 55 05 04 10 00 ff")  # 16 « characters » that are not text
    assert decode_all(noise2 + reply) == [p.Reply(3, 25.0, p.ValueType.FLOAT)]
