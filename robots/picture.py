# SPDX-License-Identifier: GPL-3.0-or-later
"""Pictures of an arena and of a simulated run, for the projector (PNG) and handouts (SVG).

Drawn with :mod:`kit.drawing`: the table with a 10 cm grid, its dimensions, a scale bar, the
size of every wall, crate, zone and of the black track (so an animateur can tape the arena on
the floor), the start pose; for a run, the robot's path coloured by speed (blue slow, red
fast), the collisions (red rings), the ultrasonic readings of obstacles closer than 30 cm
(orange dots), the final pose, a timeline strip of the LEDs and notes under the table (so that
they never hide the path, whatever their colour), the duration the console gives, and the
verdict.

Legibility: pictures are :data:`WIDTH_PX` (1600) pixels wide and no text is smaller than
:data:`TEXT_MIN_PX` (24 px): about 8 pt printed across an A4 page (190 mm), 29 px on a
1920-pixel projector.
"""

from __future__ import annotations

import math

from kit.drawing import Drawing, Viewport, speed_color
from kit.messages import decimal_fr
from robots.arenas import ROBOT_FRONT_CM, Arena
from robots.challenges import Challenge, ChallengeResult
from robots.record import DeviceEvent, RunRecord

WIDTH_PX = 1600
#: Smallest text on any picture (legend, labels), in pixels of a :data:`WIDTH_PX` picture.
TEXT_MIN_PX = 24
TITLE_PX = 40
MARGIN_PX = 30
HEADER_PX = 150
#: Room left of and under the table for its dimensions.
LEFT_PX = 150
BOTTOM_PX = 90
#: Ultrasonic readings below this distance are drawn as « obstacle seen » marks.
NEAR_CM = 30.0
COLLISION_COLOUR = "#d62828"
LABEL_COLOUR = "#333333"
#: Average advance of one character, in font sizes (DejaVu Sans), to wrap and centre text.
CHAR_EM = 0.56


def _cm(value: float) -> str:
    return f"{decimal_fr(value, 1)} cm"


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_EM


def _wrap(text: str, size: float, width_px: float) -> list[str]:
    """``text`` cut into lines that fit ``width_px`` at ``size``."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and _text_width(candidate, size) > width_px:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


def _paragraph(drawing: Drawing, y: float, text: str, size: float, color: str) -> float:
    """Write ``text`` wrapped to the picture's width from ``y``; returns the next free y."""
    for line in _wrap(text, size, WIDTH_PX - 2 * MARGIN_PX):
        drawing.text((MARGIN_PX, y), line, size=size, color=color)
        y += size * 1.35
    return y


def _lines_height(text: str, size: float) -> float:
    return len(_wrap(text, size, WIDTH_PX - 2 * MARGIN_PX)) * size * 1.35


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


def _scale_bar_cm(scale_px_per_cm: float) -> float:
    """A round length whose bar is 150-400 px long."""
    for length in (5, 10, 20, 25, 50, 100, 200):
        if length * scale_px_per_cm >= 150:
            return float(length)
    return 200.0


def _dimension(drawing: Drawing, a: tuple[float, float], b: tuple[float, float], label: str,
               *, vertical: bool) -> None:
    """A dimension line from ``a`` to ``b`` (pixels) with end ticks and its label."""
    drawing.line(a, b, color=LABEL_COLOUR, width=2)
    for x, y in (a, b):
        if vertical:
            drawing.line((x - 8, y), (x + 8, y), color=LABEL_COLOUR, width=2)
        else:
            drawing.line((x, y - 8), (x, y + 8), color=LABEL_COLOUR, width=2)
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    if vertical:
        drawing.text((mx - 14 - _text_width(label, TEXT_MIN_PX), my - TEXT_MIN_PX / 2), label,
                     size=TEXT_MIN_PX, color=LABEL_COLOUR)
    else:
        drawing.text((mx - _text_width(label, TEXT_MIN_PX) / 2, my + 10), label,
                     size=TEXT_MIN_PX, color=LABEL_COLOUR)


def _label(drawing: Drawing, at: tuple[float, float], text: str, color: str = LABEL_COLOUR) -> None:
    """A label on a white backing, so that it reads over the grid and the track."""
    w = _text_width(text, TEXT_MIN_PX)
    x, y = at
    drawing.rect((x - 3, y - 2), (x + w + 3, y + TEXT_MIN_PX * 1.2), fill="#ffffff",
                 stroke=None)
    drawing.text((x, y), text, size=TEXT_MIN_PX, color=color)


def draw_arena(
    arena: Arena, title: str | None = None, footer_px: float = 0.0
) -> tuple[Drawing, Viewport]:
    """The empty arena, dimensioned to be taped on the floor; returns the drawing and the
    viewport to draw more on it. ``footer_px`` leaves room under the table."""
    usable_w = WIDTH_PX - 2 * MARGIN_PX
    scale = (usable_w - LEFT_PX) / arena.width
    table_px = arena.depth * scale
    size_h = int(HEADER_PX + table_px + BOTTOM_PX + 2 * MARGIN_PX)
    view = Viewport(
        (-LEFT_PX / scale, -BOTTOM_PX / scale), (arena.width, arena.depth), (WIDTH_PX, size_h),
        margin_px=MARGIN_PX,
    )
    drawing = Drawing(WIDTH_PX, int(size_h + footer_px))
    drawing.text((MARGIN_PX, 14), title or arena.title, size=TITLE_PX)
    track_text = ""
    if arena.track is not None:
        kind = "tour" if arena.track.closed else "longueur"
        track_text = (f" — ligne noire de {_cm(arena.track.width)}, {kind} de "
                      f"{_cm(arena.track.length)}")
    _paragraph(
        drawing,
        14 + TITLE_PX * 1.4,
        f"Arène « {arena.name} » — table de {decimal_fr(arena.width, 1)} × "
        f"{decimal_fr(arena.depth, 1)} cm, quadrillage de 10 cm{track_text}",
        TEXT_MIN_PX + 4,
        "#555555",
    )
    # Scale bar, under the table on the right.
    bar_cm = _scale_bar_cm(scale)
    bar_px = bar_cm * scale
    x1 = WIDTH_PX - MARGIN_PX
    y_bar = size_h - MARGIN_PX - BOTTOM_PX + 62
    drawing.rect((x1 - bar_px, y_bar), (x1, y_bar + 12), fill="#222222", stroke=None)
    drawing.rect((x1 - bar_px / 2, y_bar), (x1, y_bar + 12), fill="#ffffff", stroke="#222222",
                 width=2)
    bar_label = f"{bar_cm:g} cm"
    drawing.text((x1 - bar_px - 16 - _text_width(bar_label, TEXT_MIN_PX), y_bar - 6),
                 bar_label, size=TEXT_MIN_PX)

    corners = [(0.0, 0.0), (arena.width, 0.0), (arena.width, arena.depth), (0.0, arena.depth)]
    drawing.polygon([view.to_px(c) for c in corners], fill="#f4efe4", stroke="#8a7a5a", width=3)
    # A 10 cm grid to place everything by measuring from the bottom-left corner.
    for x in range(10, int(arena.width), 10):
        strong = x % 50 == 0
        drawing.line(view.to_px((x, 0)), view.to_px((x, arena.depth)),
                     color="#cfc4a8" if strong else "#e6dfcc", width=2 if strong else 1)
    for y in range(10, int(arena.depth), 10):
        strong = y % 50 == 0
        drawing.line(view.to_px((0, y)), view.to_px((arena.width, y)),
                     color="#cfc4a8" if strong else "#e6dfcc", width=2 if strong else 1)
    bottom_left = view.to_px((0.0, 0.0))
    _dimension(drawing, (bottom_left[0], bottom_left[1] + 30),
               (view.to_px((arena.width, 0.0))[0], bottom_left[1] + 30),
               f"{decimal_fr(arena.width, 1)} cm", vertical=False)
    _dimension(drawing, (bottom_left[0] - 30, view.to_px((0.0, arena.depth))[1]),
               (bottom_left[0] - 30, bottom_left[1]),
               f"{decimal_fr(arena.depth, 1)} cm", vertical=True)
    for zone in arena.zones:
        drawing.polygon(
            [view.to_px(c) for c in zone.corners], fill="#d9f2d0", stroke="#4c9a3a", width=2
        )
    if arena.track is not None:
        pts = [view.to_px(p) for p in arena.track.points]
        if arena.track.closed:
            pts.append(pts[0])
        drawing.polyline(pts, color="#111111", width=max(2.0, view.length_px(arena.track.width)))
    for poly in arena.obstacles:
        drawing.polygon([view.to_px(c) for c in poly], fill="#b98b5a", stroke="#6b4a2a", width=2)
    for wall in arena.walls:
        drawing.polyline([view.to_px(p) for p in wall], color="#444444", width=6)
    # Sizes, on white backings (drawn last among the arena's marks).
    for zone in arena.zones:
        x0, y1 = view.to_px((zone.x, zone.y + zone.depth))
        _label(drawing, (x0 + 6, y1 + 6),
               f"{zone.name} {decimal_fr(zone.width, 1)} × {decimal_fr(zone.depth, 1)}",
               color="#2f6b22")
    for poly in arena.obstacles:
        xs, ys = [c[0] for c in poly], [c[1] for c in poly]
        w, d = max(xs) - min(xs), max(ys) - min(ys)
        cx, cy = view.to_px(((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2))
        text = f"{decimal_fr(w, 1)} × {decimal_fr(d, 1)}"
        _label(drawing, (cx - _text_width(text, TEXT_MIN_PX) / 2, cy - TEXT_MIN_PX / 2), text,
               color="#6b4a2a")
    for wall in arena.walls:
        for a, b in zip(wall, wall[1:], strict=False):
            length = math.hypot(b[0] - a[0], b[1] - a[1])
            if length < 10:
                continue
            mx, my = view.to_px(((a[0] + b[0]) / 2, (a[1] + b[1]) / 2))
            _label(drawing, (mx + 8, my + 8),
                   f"mur {_cm(length)} depuis ({decimal_fr(a[0], 1)} ; {decimal_fr(a[1], 1)})")
    start = arena.start
    drawing.polygon(
        _pose_triangle(view, start.x, start.y, math.radians(start.heading_deg)),
        fill="#ffffff",
        stroke="#333333",
        width=2,
    )
    return drawing, view


def _led_spans(events: list[DeviceEvent], start_s: float, end_s: float) -> list[
    tuple[float, float, int]
]:
    """(from, to, colour 0xRRGGBB) of the LEDs over the run; equal neighbours merged."""
    spans: list[tuple[float, float, int]] = []
    colour, since = 0, start_s
    for event in events:
        if event.kind != "led" or event.t_s < start_s:
            continue
        value = int(event.value)
        if value == colour:
            continue
        if event.t_s > since:
            spans.append((since, event.t_s, colour))
        colour, since = value, event.t_s
    if end_s > since:
        spans.append((since, end_s, colour))
    return [s for s in spans if s[2] != 0]


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
    duration = record.end_s - record.start_s if duration_s is None else duration_s
    summary = (
        f"Durée : {decimal_fr(duration, 1)} s — trajet : {record.path_length():.0f} cm — "
        f"vitesse max : {decimal_fr(record.max_speed(), 1)} cm/s — collisions : "
        f"{len(record.collisions)}"
    )
    legend = (
        "Trajet : bleu = lent, rouge = rapide · anneau rouge : collision · point orange : "
        f"obstacle à moins de {NEAR_CM:g} cm · triangle bleu foncé : arrivée du robot · "
        "bande « DEL » : couleur des DEL au fil du temps, losanges violets : notes"
    )
    verdict = ""
    colour = "#c92a2a"
    if result is not None:
        colour = "#2b8a3e" if result.passed else "#c92a2a"
        verdict = ("Défi réussi : " if result.passed else "Défi manqué : ") + result.reason
    elif error:
        verdict = error
    strip_px = 60.0
    footer = (20 + strip_px + 20 + _lines_height(summary, TEXT_MIN_PX + 4)
              + _lines_height(legend, TEXT_MIN_PX)
              + (_lines_height(verdict, TEXT_MIN_PX + 6) if verdict else 0) + MARGIN_PX)
    title = f"Défi : {challenge.title}" if challenge else record.arena.title
    drawing, view = draw_arena(record.arena, title, footer_px=footer)
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
            width=4,
        )
    # The final pose first, so that the marks of what happened there stay visible.
    if samples:
        _t, x, y, heading, _v = samples[-1]
        drawing.polygon(_pose_triangle(view, x, y, heading), fill="#1d3557", stroke="#1d3557")
    for event in record.events:
        if event.kind == "ultrasonic" and event.value < NEAR_CM:
            drawing.circle(view.to_px((event.x, event.y)), 3, fill="#f08c00", stroke=None)
    for hit in record.collisions:
        drawing.circle(view.to_px((hit.x, hit.y)), view.length_px(8.0), stroke=COLLISION_COLOUR,
                       width=4)

    # The timeline strip: LEDs as coloured spans, notes as diamonds, over the program's time.
    y = drawing.height_px - footer + 20
    label_w = _text_width("DEL ", TEXT_MIN_PX) + 10
    x0, x1 = MARGIN_PX + label_w, WIDTH_PX - MARGIN_PX
    t0 = record.start_s
    span_s = max(duration, 1e-6)

    def at(t: float) -> float:
        return x0 + (x1 - x0) * min(max((t - t0) / span_s, 0.0), 1.0)

    drawing.text((MARGIN_PX, y + 6), "DEL", size=TEXT_MIN_PX)
    drawing.rect((x0, y), (x1, y + 34), fill="#f1f1f1", stroke="#999999")
    for start, end, rgb in _led_spans(record.events, t0, t0 + span_s):
        drawing.rect((at(start), y + 2), (max(at(end), at(start) + 2), y + 32),
                     fill=f"#{rgb:06x}", stroke=None)
    for event in record.events:
        if event.kind == "tone" and event.value > 0 and t0 <= event.t_s <= t0 + span_s:
            cx, cy = at(event.t_s), y + 17
            drawing.polygon([(cx, cy - 10), (cx + 8, cy), (cx, cy + 10), (cx - 8, cy)],
                            fill="#7048e8", stroke="#ffffff")
    end_label = f"{decimal_fr(duration, 1)} s"
    drawing.text((x0, y + 38), "0 s", size=TEXT_MIN_PX, color="#555555")
    drawing.text((x1 - _text_width(end_label, TEXT_MIN_PX), y + 38), end_label,
                 size=TEXT_MIN_PX, color="#555555")
    y += strip_px + 20
    y = _paragraph(drawing, y, summary, TEXT_MIN_PX + 4, "#000000")
    y = _paragraph(drawing, y, legend, TEXT_MIN_PX, "#555555")
    if verdict:
        _paragraph(drawing, y, verdict, TEXT_MIN_PX + 6, colour)
    return drawing
