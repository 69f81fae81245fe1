# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading one command's reply out of OctoPrint's terminal lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers.octoprint_push import ReplyCollector, strip_framing

pytestmark = pytest.mark.octoprint  # the whole area runs alone with -m octoprint


def feed(collector: ReplyCollector, lines: list[str]) -> ReplyCollector:
    for line in lines:
        collector.feed(line)
    return collector


def test_framing_is_removed_from_sent_lines() -> None:
    assert strip_framing("N12 M105*39") == "M105"
    assert strip_framing("M115") == "M115"


def test_reply_starts_after_our_send_and_ends_at_ok() -> None:
    collector = feed(
        ReplyCollector("m114"),
        [
            "Recv: X:1.00 Y:1.00",  # before our command: not ours
            "Send: N7 M105*40",
            "Recv: ok T:20.0 /0.0",
            "Send: N8 M114*33",
            "Recv: wait",
            "Recv: T:29.03 /0.00 B:21.77 /0.00 @:0 B@:0",  # autoreport in between
            "Recv: X:42.00 Y:24.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0",
            "Recv: ok",
            "Recv: X:0.00 Y:0.00",  # after the ok: not ours
        ],
    )
    assert collector.done
    assert collector.lines == ["X:42.00 Y:24.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0"]


def test_temperature_answer_kept_for_m105_including_on_the_ok_line() -> None:
    split = feed(ReplyCollector("M105"), ["Send: M105", "Recv: T:20.0 /0.0", "Recv: ok"])
    assert split.lines == ["T:20.0 /0.0"]
    inline = feed(ReplyCollector("M105"), ["Send: M105", "Recv: ok T:20.0 /0.0 B:19.0 /0.0"])
    assert inline.done and inline.lines == ["T:20.0 /0.0 B:19.0 /0.0"]


def test_no_ok_yet_means_not_done() -> None:
    collector = feed(ReplyCollector("G28"), ["Send: G28", "Recv: echo:busy: processing"])
    assert not collector.done
    assert collector.lines == ["echo:busy: processing"]


@settings(max_examples=60, deadline=None)
@given(
    before=st.lists(st.text(max_size=40), max_size=8),
    reply=st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
        .map(str.strip)
        .filter(lambda t: t and t != "wait" and not t.startswith("ok") and ":" not in t[:3]),
        max_size=5,
    ),
    after=st.lists(st.text(max_size=40), max_size=8),
)
def test_any_terminal_noise_around_the_reply_is_ignored(
    before: list[str], reply: list[str], after: list[str]
) -> None:
    lines = [f"Recv: {text}" for text in before]
    lines += ["Send: N4 G4 P1*99", *(f"Recv: {text}" for text in reply), "Recv: ok"]
    lines += after
    collector = feed(ReplyCollector("G4 P1"), lines)
    assert collector.done
    assert collector.lines == reply
