# SPDX-License-Identifier: GPL-3.0-or-later
"""Reporting periods: every day of a year falls in exactly one quarter, one month, one half."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal.periods import date_fr, minutes_fr, parse_date, parse_period
from kit.errors import KitError

days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


@given(days)
def test_a_day_is_in_its_year_quarter_half_and_month_and_in_no_other(day: dt.date) -> None:
    year = day.year
    quarter = (day.month - 1) // 3 + 1
    half = 1 if day.month <= 6 else 2
    assert day in parse_period(str(year))
    assert day in parse_period(f"{year}-t{quarter}")
    assert day in parse_period(f"{year}-S{half}")
    assert day in parse_period(f"{year}-{day.month:02d}")
    assert day in parse_period(day.isoformat())
    assert day not in parse_period(f"{year + 1}")
    others = [q for q in range(1, 5) if q != quarter]
    assert all(day not in parse_period(f"{year}-T{q}") for q in others)


@given(st.integers(min_value=2000, max_value=2099))
def test_the_quarters_and_the_months_cover_the_year_without_overlap(year: int) -> None:
    whole = parse_period(str(year))
    quarters = [parse_period(f"{year}-T{q}") for q in range(1, 5)]
    months = [parse_period(f"{year}-{m:02d}") for m in range(1, 13)]
    for parts in (quarters, months):
        assert parts[0].start == whole.start and parts[-1].end == whole.end
        assert sum(p.days for p in parts) == whole.days
        for before, after in zip(parts, parts[1:], strict=False):
            assert after.start - before.end == dt.timedelta(days=1)


@given(days, days)
def test_a_range_holds_both_ends(first: dt.date, second: dt.date) -> None:
    start, end = sorted((first, second))
    period = parse_period(f"{start.isoformat()}..{end.strftime('%d/%m/%Y')}")
    assert start in period and end in period and period.days == (end - start).days + 1


def test_periods_are_named_in_french() -> None:
    assert parse_period("2026-T4").label == "4e trimestre 2026"
    assert parse_period("2026-t1").label == "1er trimestre 2026"
    assert parse_period("2026-08").label == "août 2026"
    assert date_fr(dt.date(2026, 11, 1)) == "1er novembre 2026"
    assert minutes_fr(90) == "1 h 30" and minutes_fr(120) == "2 h" and minutes_fr(45) == "45 min"


@pytest.mark.parametrize(
    "text", ["2026-T5", "2026-13", "26", "2026-12-01..2026-11-01", "2026-02-30", "T4", "", "é"]
)
def test_bad_periods_are_refused_in_french(text: str) -> None:
    with pytest.raises(KitError, match="Période invalide|fin est avant|n'est pas une date"):
        parse_period(text)


def test_bad_dates_are_refused_in_french() -> None:
    with pytest.raises(KitError, match="Date invalide"):
        parse_date("2026-02-30")
