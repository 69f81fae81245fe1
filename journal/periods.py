# SPDX-License-Identifier: GPL-3.0-or-later
"""Reporting periods as a funder or La Coop asks for them: a year, a quarter, a month.

« 2026 », « 2026-T4 » (trimestre), « 2026-S1 » (semestre), « 2026-11 », a single day
« 2026-11-05 », or any range « 2026-09-01..2026-12-31 » (both days included).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kit.errors import KitError

_MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip

PERIOD_HELP = (
    "« 2026 », « 2026-T4 » (trimestre), « 2026-S1 » (semestre), « 2026-11 » (mois), "
    "« 2026-11-05 » ou « 2026-09-01..2026-12-31 »"
)


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end``, both included, and how a French reader names them."""

    start: dt.date
    end: dt.date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def date_fr(day: dt.date) -> str:
    """« 5 novembre 2026 » (« 1er » for the first of a month)."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {_MONTHS_FR[day.month - 1]} {day.year}"


def short_date_fr(day: dt.date) -> str:
    """« 05/11/2026 »."""
    return day.strftime("%d/%m/%Y")


def minutes_fr(minutes: int | None) -> str:
    """An atelier's length: « 1 h 30 », « 2 h », « 45 min » (« en cours » while open)."""
    if minutes is None:
        return "en cours"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def parse_date(text: str) -> dt.date:
    """« 2026-11-05 » (ISO) or « 05/11/2026 », or a French error."""
    value = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise KitError(
        f"Date invalide : « {text} ».", hint="Écrivez-la AAAA-MM-JJ (2026-11-05) ou JJ/MM/AAAA."
    )


def parse_period(text: str) -> Period:
    """The period ``text`` names (see the module's docstring), or a French error."""
    value = text.strip().upper()
    match = re.fullmatch(r"(\d{4})", value)
    if match:
        year = int(match[1])
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"année {year}")
    match = re.fullmatch(r"(\d{4})-T([1-4])", value)
    if match:
        year, quarter = int(match[1]), int(match[2])
        first = 3 * quarter - 2
        label = f"{'1er' if quarter == 1 else f'{quarter}e'} trimestre {year}"
        return Period(dt.date(year, first, 1), _month_end(year, first + 2), label)
    match = re.fullmatch(r"(\d{4})-S([12])", value)
    if match:
        year, half = int(match[1]), int(match[2])
        first = 1 if half == 1 else 7
        label = f"{'1er' if half == 1 else '2e'} semestre {year}"
        return Period(dt.date(year, first, 1), _month_end(year, first + 5), label)
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if match and 1 <= int(match[2]) <= 12:
        year, month = int(match[1]), int(match[2])
        label = f"{_MONTHS_FR[month - 1]} {year}"
        return Period(dt.date(year, month, 1), _month_end(year, month), label)
    if ".." in value:
        first_text, _, last_text = value.partition("..")
        start, end = _checked_date(first_text, text), _checked_date(last_text, text)
        if end < start:
            raise KitError(f"Période « {text} » : la fin est avant le début.")
        return Period(start, end, f"du {date_fr(start)} au {date_fr(end)}")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}", value):
        day = _checked_date(value, text)
        return Period(day, day, date_fr(day))
    raise KitError(f"Période invalide : « {text} ».", hint=f"Exemples : {PERIOD_HELP}.")


def _checked_date(part: str, whole: str) -> dt.date:
    try:
        return parse_date(part)
    except KitError:
        raise KitError(
            f"Période invalide : « {whole} » (« {part.strip()} » n'est pas une date).",
            hint=f"Exemples : {PERIOD_HELP}.",
        ) from None
