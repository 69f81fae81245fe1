# SPDX-License-Identifier: GPL-3.0-or-later
"""The print progress line fits the terminal: bar, percentage, remaining time and temperatures
at 80 columns, details when wider, two lines when narrower; the remaining time is never cut."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from kit.commands import print_progress
from kit.commands.print_progress import (
    BAR_DONE,
    BAR_TODO,
    PrintProgress,
    ProgressStatus,
    progress_lines,
)

NAME = "porte-nom-ender3.gcode"
STATUS = ProgressStatus(
    remaining_s=8 * 60 + 12,
    temperatures="buse 200/200 °C · plateau 60/60 °C",
    elapsed_s=6 * 60 + 5,
    layer="couche 2/15",
    lines="ligne 1151/7048",
)


def _essentials_whole(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert "42 %" in text
    assert "reste ~8 min 12 s" in text
    assert "buse 200/200 °C · plateau 60/60 °C" in text
    assert BAR_DONE in text and BAR_TODO in text


def test_at_80_columns_one_line_holds_the_bar_percentage_remaining_time_and_temperatures() -> None:
    lines = progress_lines(NAME, 42.0, STATUS, 80)
    assert len(lines) == 1 and len(lines[0]) <= 80
    _essentials_whole(lines)


def test_at_120_columns_details_are_added() -> None:
    lines = progress_lines(NAME, 42.0, STATUS, 120)
    assert len(lines) == 1 and len(lines[0]) <= 120
    _essentials_whole(lines)
    assert "couche 2/15" in lines[0] and "écoulé 6 min 05 s" in lines[0]


def test_at_60_columns_the_essentials_take_two_lines() -> None:
    lines = progress_lines(NAME, 42.0, STATUS, 60)
    assert len(lines) == 2 and all(len(line) <= 60 for line in lines)
    _essentials_whole(lines)
    assert "reste ~8 min 12 s" in lines[0]


def test_a_paused_print_says_so_first() -> None:
    paused = ProgressStatus(remaining_s=None, temperatures="buse 180/200 °C", state="EN PAUSE")
    (line,) = progress_lines(NAME, 10.0, paused, 80)
    assert line.split(" ", 1)[1].startswith("EN PAUSE")
    assert "reste : inconnu" in line


@given(
    width=st.integers(min_value=45, max_value=250),
    percent=st.floats(min_value=0, max_value=100),
    remaining=st.one_of(st.none(), st.floats(min_value=0, max_value=48 * 3600)),
)
def test_no_line_is_wider_than_the_terminal_and_the_remaining_time_is_never_cut(
    width: int, percent: float, remaining: float | None
) -> None:
    status = ProgressStatus(
        remaining_s=remaining,
        temperatures=STATUS.temperatures,
        elapsed_s=12345.0,
        layer="couche 120/150",
        lines="ligne 123456/654321",
        state="chauffe",
    )
    lines = progress_lines(NAME, percent, status, width)
    assert all(len(line) <= width for line in lines)
    assert any(status.remaining_text() in line for line in lines)
    assert any(status.temperatures in line for line in lines)


@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_terminal_shows_the_whole_layout(width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, color_system=None)
    monkeypatch.setattr(print_progress, "err_console", console)
    with PrintProgress(NAME) as progress:
        progress.update(42.0, STATUS)
    screen = out.getvalue()
    for line in progress_lines(NAME, 42.0, STATUS, width):
        assert line in screen
