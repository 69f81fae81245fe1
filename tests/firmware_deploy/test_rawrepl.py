# SPDX-License-Identifier: GPL-3.0-or-later
"""The raw REPL codec: host side against board side, and arbitrary bytes."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware import rawrepl
from firmware.rawrepl import (
    NEED_DATA,
    ExecAccepted,
    ExecDone,
    Output,
    ProtocolError,
    RawReady,
    RawReplDevice,
    RawReplHost,
    SoftRebooted,
)


def events(host: RawReplHost) -> list[object]:
    found = []
    while (event := host.next_event()) is not NEED_DATA:
        found.append(event)
    return found


def ready_host() -> RawReplHost:
    host = RawReplHost()
    assert host.enter_raw() == b"\r\x01"
    host.receive_data(b"junk from code.py\r\n>>> \r\nraw REPL; CTRL-B to exit\r\n>")
    assert events(host) == [RawReady()]
    return host


def test_banner_split_across_reads_is_found() -> None:
    host = RawReplHost()
    host.enter_raw()
    message = b"Hello\r\nraw REPL; CTRL-B to exit\r\n>"
    for i in range(len(message)):
        host.receive_data(message[i : i + 1])
        found = events(host)
        if i < len(message) - 1:
            assert found == []
    assert found == [RawReady()]


def test_exec_streams_output_then_reports_the_error() -> None:
    host = ready_host()
    chunks = host.exec_(b"x" * 600)
    assert [len(c) for c in chunks] == [256, 256, 88, 1] and chunks[-1] == b"\x04"
    host.receive_data(b"O")
    assert events(host) == []
    host.receive_data(b"Kline 1\r\n")
    assert events(host) == [ExecAccepted(), Output(b"line 1\r\n")]
    host.receive_data(b"line 2\r\n\x04Traceback\r\n")
    assert events(host) == [Output(b"line 2\r\n")]
    host.receive_data(b"ZeroDivisionError\r\n\x04>")
    assert events(host) == [ExecDone(b"Traceback\r\nZeroDivisionError\r\n"), RawReady()]


def test_missing_ok_is_a_protocol_error() -> None:
    host = ready_host()
    host.exec_(b"print(1)")
    host.receive_data(b"raw REPL; CTRL-B to exit\r\n>")
    (event,) = events(host)
    assert isinstance(event, ProtocolError)


def test_soft_reset_waits_for_soft_reboot() -> None:
    host = ready_host()
    assert host.soft_reset() == b"\x04"
    host.receive_data(b"OK\r\nsoft rebo")
    assert events(host) == []
    host.receive_data(b"ot\r\n")
    assert events(host) == [SoftRebooted()]


def test_exec_refuses_ctrl_d_inside_the_code() -> None:
    host = ready_host()
    with pytest.raises(ValueError):
        host.exec_(b"print(1)\x04")


def test_device_runs_a_program_after_ctrl_d() -> None:
    device = RawReplDevice()
    assert device.feed(b"print(1)\r\n") == []
    assert device.feed(b"\x04rest") == [rawrepl.Send(b"OK"), rawrepl.Execute(b"print(1)\r\n")]
    assert device.take_pending() == b"rest"


def test_device_ctrl_c_clears_and_empty_ctrl_d_soft_resets() -> None:
    device = RawReplDevice()
    assert device.feed(b"abc\x03\x04") == [rawrepl.Send(b"OK\r\n"), rawrepl.SoftReset()]


def test_device_raw_paste_flow_control() -> None:
    device = RawReplDevice(window_size=4)
    assert device.feed(b"\x05A\x01") == [rawrepl.Send(b"R\x01" + struct.pack("<H", 4))]
    assert device.feed(b"abcdefg") == [rawrepl.Send(b"\x01")]
    assert device.feed(b"h\x04") == [
        rawrepl.Send(b"\x01"),
        rawrepl.Send(b"\x04"),
        rawrepl.Execute(b"abcdefgh", paste=True),
    ]


def test_host_and_device_agree_on_a_whole_exchange() -> None:
    host, device = RawReplHost(), RawReplDevice()
    host.enter_raw()
    host.receive_data(device.banner())
    assert events(host) == [RawReady()]
    sent = b"".join(host.exec_(b"print('ok')"))
    board_events = device.feed(sent)
    assert board_events[-1] == rawrepl.Execute(b"print('ok')")
    replies = b"".join(e.data for e in board_events if isinstance(e, rawrepl.Send))
    host.receive_data(replies + b"ok\r\n\x04\x04>")
    assert events(host) == [ExecAccepted(), Output(b"ok\r\n"), ExecDone(b""), RawReady()]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=12))
def test_host_codec_never_crashes_on_arbitrary_bytes(chunks: list[bytes]) -> None:
    host = ready_host()
    host.exec_(b"print(1)")
    for chunk in chunks:
        host.receive_data(chunk)
        for event in events(host):
            assert isinstance(event, (RawReady, ExecAccepted, Output, ExecDone, ProtocolError))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_device_codec_never_crashes_and_keeps_every_byte(data: bytes) -> None:
    device = RawReplDevice(window_size=8)
    remaining = data
    for _ in range(len(data) + 1):
        device.feed(remaining)
        remaining = device.take_pending()
        if not remaining:
            break
    assert remaining == b""


_NO_EOF = st.binary(max_size=200).map(lambda b: b.replace(b"\x04", b""))


@settings(max_examples=80, deadline=None)
@given(_NO_EOF, _NO_EOF, st.lists(st.integers(min_value=1, max_value=17), min_size=1))
def test_output_and_error_survive_any_chunking(out: bytes, err: bytes, sizes: list[int]) -> None:
    host = ready_host()
    host.exec_(b"print(1)")
    stream = b"OK" + out + b"\x04" + err + b"\x04>"
    received: list[object] = []
    position, i = 0, 0
    while position < len(stream):
        size = sizes[i % len(sizes)]
        host.receive_data(stream[position : position + size])
        received += events(host)
        position += size
        i += 1
    printed = b"".join(e.data for e in received if isinstance(e, Output))
    assert printed == out
    assert received[0] == ExecAccepted()
    assert received[-2:] == [ExecDone(err), RawReady()]
