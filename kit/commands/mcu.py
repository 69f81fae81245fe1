# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit mcu``: the group; its commands live in ``mcu_*.py`` modules beside this one."""

from __future__ import annotations

import click


@click.group()
def mcu() -> None:
    """Microcontrôleurs : installer CircuitPython, déposer un programme, le lancer."""
