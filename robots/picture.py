# SPDX-License-Identifier: GPL-3.0-or-later
"""Pictures of an arena and of a simulated run, for the projector (PNG) and handouts (SVG).

Drawn with :mod:`kit.drawing`: the table, walls, crates, the black track and the goal zones;
the robot's path coloured by speed (blue slow, red fast), the collisions (red rings), the
ultrasonic readings of obstacles closer than 30 cm (orange dots), the start and end poses, and
the challenge's verdict when there is one.
"""

from __future__ import annotations

import math

from kit.drawing import Drawing, Viewport, speed_color
from robots.arenas import ROBOT_FRONT_CM, Arena
from robots.challenges import Challenge, ChallengeResult
from robots.record import RunRecord

WIDTH_PX = 1000
HEADER_PX = 70
FOOTER_PX = 90
#: Ultrasonic readings below this distance are drawn as « obstacle seen » marks.
NEAR_CM = 30.0


def _pose_triangle(
    view: Viewport, x: float, y: float, heading: float, size_cm: float = 0.7 * ROBOT_FRONT_CM
) -> list[tuple[float, float]]:
    c, s = math.cos(heading), math.sin(heading)
    tip = (x + size_cm * c, y + size_cm * s)
    back_left = (
        x - 0.5 * size_cm * c - 0.6 * size_cm * s,
        y - 0.5 * size_cm * s + 0.6 * size_cm * c,
    )
    back_right = (
        x - 0.5 * size_cm * c + 0.6 * size_cm * s,
        y - 0.5 * size_cm * s - 0.6 * size_cm * c,
    )
    return [view.to_px(tip), view.to_px(back_left), view.to_px(back_right)]


def draw_arena(arena: Arena, title: str | None = None) -> tuple[Drawing, Viewport]:
    """The empty arena; returns the drawing and the viewport to draw more on it."""
    table_px = int(WIDTH_PX * arena.depth / arena.width)
    height = HEADER_PX + table_px + FOOTER_PX
    drawing = Drawing(WIDTH_PX, height)
    view = Viewport(
        (0.0, 0.0), (arena.width, arena.depth), (WIDTH_PX, table_px + HEADER_PX + 20), margin_px=20
    )
    # Shift the table below the header: the viewport's y axis points up from its bottom edge.
    drawing.text((20, 12), title or arena.title, size=22)
    drawing.text(
        (20, 42),
        f"Arène « {arena.name} » — {arena.width:g} × {arena.depth:g} cm",
        size=14,
        color="#555555",
    )
    corners = [(0.0, 0.0), (arena.width, 0.0), (arena.width, arena.depth), (0.0, arena.depth)]
    drawing.polygon([view.to_px(c) for c in corners], fill="#f4efe4", stroke="#8a7a5a", width=3)
    for zone in arena.zones:
        drawing.polygon(
            [view.to_px(c) for c in zone.corners], fill="#d9f2d0", stroke="#4c9a3a", width=2
        )
        x0, y1 = view.to_px((zone.x, zone.y + zone.depth))
        drawing.text((x0 + 4, y1 + 4), zone.name, size=14, color="#2f6b22")
    if arena.track is not None:
        pts = [view.to_px(p) for p in arena.track.points]
        if arena.track.closed:
            pts.append(pts[0])
        drawing.polyline(pts, color="#111111", width=max(2.0, view.length_px(arena.track.width)))
    for poly in arena.obstacles:
        drawing.polygon([view.to_px(c) for c in poly], fill="#b98b5a", stroke="#6b4a2a", width=2)
    for wall in arena.walls:
        drawing.polyline([view.to_px(p) for p in wall], color="#444444", width=6)
    start = arena.start
    drawing.polygon(
        _pose_triangle(view, start.x, start.y, math.radians(start.heading_deg)),
        fill="#ffffff",
        stroke="#333333",
        width=2,
    )
    return drawing, view


def draw_run(
    record: RunRecord,
    *,
    challenge: Challenge | None = None,
    result: ChallengeResult | None = None,
    duration_s: float | None = None,
    error: str | None = None,
) -> Drawing:
    """The arena with the path of ``record`` and, when given, the challenge's verdict.

    ``duration_s`` is the program's duration as the console says it (the record goes on for
    the robot's coasting after the stop); ``error`` the program's error, shown in red.
    """
    title = f"Défi : {challenge.title}" if challenge else record.arena.title
    drawing, view = draw_arena(record.arena, title)
    samples = record.since_start() or record.samples
    top_speed = max(record.max_speed(), 1e-6)
    # One polyline per run of samples: a new colour every 10 samples keeps files small.
    chunk = 10
    for i in range(0, max(len(samples) - 1, 0), chunk):
        part = samples[i : i + chunk + 1]
        mean = sum(abs(s[4]) for s in part) / len(part)
        drawing.polyline(
            [view.to_px((s[1], s[2])) for s in part],
            color=speed_color(mean / top_speed),
            width=3,
        )
    # The final pose first, so that the marks of what happened there stay visible.
    if samples:
        _t, x, y, heading, _v = samples[-1]
        drawing.polygon(_pose_triangle(view, x, y, heading), fill="#1d3557", stroke="#1d3557")
    for event in record.events:
        if event.kind == "ultrasonic" and event.value < NEAR_CM:
            drawing.circle(view.to_px((event.x, event.y)), 2, fill="#f08c00", stroke=None)
    for event in record.events:
        if event.kind == "led" and event.value > 0:
            drawing.circle(
                view.to_px((event.x, event.y)),
                5,
                fill=f"#{int(event.value):06x}",
                stroke="#333333",
            )
        elif event.kind == "tone" and event.value > 0:
            cx, cy = view.to_px((event.x, event.y))
            drawing.polygon(
                [(cx, cy - 6), (cx + 6, cy), (cx, cy + 6), (cx - 6, cy)],
                fill="#7048e8",
                stroke=None,
            )
    for hit in record.collisions:
        drawing.circle(view.to_px((hit.x, hit.y)), view.length_px(8.0), stroke="#d62828", width=3)
    base = drawing.height_px - FOOTER_PX + 10
    duration = record.end_s - record.start_s if duration_s is None else duration_s
    summary = (
        f"Durée : {duration:.1f} s — trajet : {record.path_length():.0f} cm — vitesse max : "
        f"{record.max_speed():.1f} cm/s — collisions : {len(record.collisions)}"
    ).replace(".", ",")
    drawing.text((20, base), summary, size=14)
    legend = (
        "Trajet : bleu = lent, rouge = rapide · cercle rouge : collision · point orange : "
        f"obstacle à moins de {NEAR_CM:g} cm · losange violet : note · rond : DEL allumée"
    )
    drawing.text((20, base + 22), legend, size=11, color="#555555")
    if result is not None:
        colour = "#2b8a3e" if result.passed else "#c92a2a"
        verdict = "Défi réussi : " if result.passed else "Défi manqué : "
        drawing.text((20, base + 44), verdict + result.reason, size=15, color=colour)
    elif error:
        drawing.text((20, base + 44), error, size=15, color="#c92a2a")
    return drawing
