# SPDX-License-Identifier: GPL-3.0-or-later
"""G2/G3 arcs cut into chords, as Marlin's ``plan_arc`` does.

Shared by the whole-file estimator (``printers.interpreter``) and the simulated printer
(``sim.marlin``), so an arc-fitted file (PrusaSlicer's arc fitting, ArcWelder) takes the same
time in both.
"""

from __future__ import annotations

import math

#: Marlin's arc chord length (MM_PER_ARC_SEGMENT / MAX_ARC_SEGMENT_MM).
ARC_SEGMENT_MM = 1.0
#: More chords than this for one arc is a typo in the file (a radius of kilometres).
MAX_ARC_SEGMENTS = 100_000


def arc_waypoints(
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    clockwise: bool,
    offset: tuple[float, float] = (0.0, 0.0),
    radius: float | None = None,
    segment_mm: float = ARC_SEGMENT_MM,
) -> list[tuple[float, float, float]] | None:
    """The chord ends of an arc from ``start`` to ``end``, each with its fraction of the arc.

    The centre is ``start + offset`` (I/J), or found from ``radius`` (R: positive takes the
    short way round, negative the long way). The last waypoint is ``end`` itself with fraction
    1.0; Z and E are interpolated by the caller with the fractions. ``None`` means the arc is
    degenerate (zero radius, R shorter than half the chord) and Marlin moves straight.
    Equal start and end with I/J is a full circle.
    """
    x0, y0 = start
    x1, y1 = end
    if radius is not None:
        chord_x, chord_y = x1 - x0, y1 - y0
        chord = math.hypot(chord_x, chord_y)
        if chord == 0.0 or abs(radius) < chord / 2.0 - 1e-6:
            return None
        h = math.sqrt(max(radius * radius - chord * chord / 4.0, 0.0))
        sign = (-1.0 if clockwise else 1.0) * (1.0 if radius > 0 else -1.0)
        cx = x0 + chord_x / 2.0 - sign * h * chord_y / chord
        cy = y0 + chord_y / 2.0 + sign * h * chord_x / chord
    else:
        cx, cy = x0 + offset[0], y0 + offset[1]
    arc_radius = math.hypot(x0 - cx, y0 - cy)
    if arc_radius == 0.0:
        return None
    first = math.atan2(y0 - cy, x0 - cx)
    sweep = math.atan2(y1 - cy, x1 - cx) - first
    if clockwise:
        if sweep >= 0.0:
            sweep -= 2.0 * math.pi
    elif sweep <= 0.0:
        sweep += 2.0 * math.pi
    length = abs(sweep) * arc_radius
    segments = max(1, min(int(length / segment_mm), MAX_ARC_SEGMENTS))
    points = []
    for step in range(1, segments):
        fraction = step / segments
        angle = first + sweep * fraction
        points.append(
            (cx + arc_radius * math.cos(angle), cy + arc_radius * math.sin(angle), fraction)
        )
    points.append((x1, y1, 1.0))
    return points
