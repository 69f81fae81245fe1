# SPDX-License-Identifier: GPL-3.0-or-later
"""Numbers in the French messages of the microcontroller commands and simulators."""

from __future__ import annotations


def seconds_fr(value: float) -> str:
    """« 0,3 s », « 2 s », « 12,5 s »: a delay as a French reader writes it."""
    if value == int(value):
        return f"{int(value)} s"
    return f"{value:g} s".replace(".", ",")
