# SPDX-License-Identifier: GPL-3.0-or-later
"""The web front-end of the oral: answers from several browsers at once count once each.

Every answer names the prompt it answers (the position the page showed). Whatever the order
of presses from two pages (late, repeated, ahead), each prompt is answered exactly once, in
order, and only by a press that named it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kit.commands.tableau_rehearsal import StartRequest, WebRehearsal
from lessons.oral import Kind, Part


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 60),
    presses=st.lists(st.tuples(st.integers(-2, 2), st.floats(0, 900)), max_size=40),
)
# Found in CI: a duration is a difference of clock readings, equal only to rounding; and a
# refused press (a stale page) spends the current prompt's time like any other.
@example(seed=0, presses=[(0, 0.0)] * 6 + [(0, 1.0), (0, 511.7010266889859)])
@example(seed=0, presses=[(0, 0.0)] * 7 + [(1, 1.0), (0, 0.0)])
def test_each_prompt_is_answered_once_whatever_the_presses(
    seed: int, presses: list[tuple[int, float]]
) -> None:
    clock = Clock()
    changes: list[int] = []
    web = WebRehearsal(Path("/nonexistent-never-written"), clock, lambda: changes.append(1))
    web.start(StartRequest(title=None, support=None), seed)
    oral = web.oral
    assert oral is not None
    accepted = 0
    since_prompt = 0.0  # refused presses spend the prompt's time too
    for offset, seconds in presses:
        prompt = oral.current
        if prompt is None or prompt.kind in (Kind.DEMO, Kind.TEXT, Kind.SCORE):
            break  # the rest of the oral needs other answers (and the report a real folder)
        before = oral.position
        clock.now += seconds
        since_prompt += seconds
        value: bool | float = True if prompt.kind is Kind.CHECK else 0.0
        web.answer(before + offset, value)
        if offset == 0:
            accepted += 1
            assert oral.position == before + 1
            if prompt.kind is Kind.TIMED:
                measured = oral.presentation if prompt.part is Part.PRESENTATION else None
                if prompt.part is Part.ATELIER:
                    measured = oral.timings[-1]
                assert measured is not None
                # the server's clock, not the page's (to rounding: it is a difference of readings)
                assert measured.actual_s == pytest.approx(since_prompt, abs=1e-6)
            since_prompt = 0.0  # the next prompt starts now
        else:
            assert oral.position == before
    assert oral.position == accepted
