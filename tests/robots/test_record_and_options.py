# SPDX-License-Identifier: GPL-3.0-or-later
"""The record crosses the worker's pipe intact; the ``appui`` and ``liaison`` options never
fail with anything but a French option error."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from robots.arenas import load_arena
from robots.record import Collision, DeviceEvent, RunRecord
from sim.device import SimOptionError
from sim.mbot.device import MBotDevice

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@given(
    samples=st.lists(st.tuples(finite, finite, finite, finite, finite), max_size=20),
    collisions=st.lists(st.tuples(finite, finite, finite), max_size=5),
    events=st.lists(st.tuples(finite, st.text(max_size=8), st.text(max_size=20), finite, finite,
                              finite), max_size=10),
    start=finite,
)
def test_a_record_survives_its_json_trip(
    samples: list[tuple[float, float, float, float, float]],
    collisions: list[tuple[float, float, float]],
    events: list[tuple[float, str, str, float, float, float]],
    start: float,
) -> None:
    arena = load_arena("mur")
    record = RunRecord(
        arena,
        samples=list(samples),
        collisions=[Collision(*c) for c in collisions],
        events=[DeviceEvent(*e) for e in events],
        start_s=start,
    )
    again = RunRecord.from_json(arena, json.loads(json.dumps(record.to_json())))
    assert again == record


@given(st.text(max_size=30))
def test_any_appui_or_liaison_text_is_accepted_or_refused_in_french(raw: str) -> None:
    for option in ("appui", "liaison"):
        try:
            MBotDevice({option: raw, "arena": "obstacles"})
        except SimOptionError as exc:
            assert option in exc.message
