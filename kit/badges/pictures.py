# SPDX-License-Identifier: GPL-3.0-or-later
"""The badge picture: one template per support (colour and icon), the badge's name beneath.

Drawn through :class:`kit.drawing.Drawing`, so the same picture exists as PNG (to share, to
bake into) and SVG (to print at any size). The credential is baked into both afterwards.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from kit.drawing import Drawing

SIZE_PX = 400
_CENTER = SIZE_PX / 2

#: (ring colour, inner colour) per support, keyed like ``lessons.model.SUPPORTS``.
COLORS: dict[str, tuple[str, str]] = {
    "robot": ("#1f6fb2", "#dcecf9"),
    "impression-3d": ("#c2571a", "#fbe6d8"),
    "microcontroleur": ("#2e7d32", "#dff0e0"),
    "tablette-smartphone": ("#6a3fa0", "#ece3f6"),
    "pc": ("#37474f", "#e3e8eb"),
}
_DEFAULT_COLORS = ("#555555", "#eeeeee")
_INK = "#1d1d1b"


def _robot(d: Drawing, color: str) -> None:
    """An mBot seen from the front: chassis, ultrasonic « eyes », two wheels."""
    d.rect((135, 120), (265, 190), fill=color, stroke=_INK, width=3)
    d.rect((160, 95), (240, 122), fill="#ffffff", stroke=_INK, width=3)
    for x in (180, 220):
        d.circle((x, 108), 10, fill="#cfd8dc", stroke=_INK, width=3)
    for x in (128, 272):
        d.circle((x, 190), 22, fill=_INK, stroke=_INK)
        d.circle((x, 190), 8, fill="#9e9e9e", stroke=None)


def _printer(d: Drawing, color: str) -> None:
    """A 3D printer frame, its nozzle and an object growing layer by layer."""
    d.rect((130, 80), (270, 215), fill=None, stroke=_INK, width=6)
    d.line((130, 110), (270, 110), color=_INK, width=4)
    d.polygon([(185, 110), (215, 110), (200, 135)], fill=color, stroke=_INK, width=2)
    d.rect((150, 200), (250, 208), fill="#9e9e9e", stroke=None)
    for row in range(4):
        y = 196 - row * 9
        inset = row * 6
        d.rect((170 + inset, y - 7), (230 - inset, y), fill=color, stroke=None)


def _board(d: Drawing, color: str) -> None:
    """A round microcontroller board with its LEDs and pads."""
    d.circle((200, 150), 68, fill=color, stroke=_INK, width=4)
    d.circle((200, 150), 20, fill="#263238", stroke=None)
    for index in range(10):
        angle = index * math.tau / 10
        x = 200 + 48 * math.cos(angle)
        y = 150 + 48 * math.sin(angle)
        d.circle((x, y), 6, fill="#ffffff" if index % 2 else "#ffeb3b", stroke=_INK)


def _phone(d: Drawing, color: str) -> None:
    """A smartphone with a padlock on its screen."""
    d.rect((160, 75), (240, 220), fill=_INK, stroke=_INK, width=3)
    d.rect((168, 90), (232, 200), fill="#ffffff", stroke=None)
    d.circle((200, 210), 5, fill="#9e9e9e", stroke=None)
    d.rect((184, 140), (216, 168), fill=color, stroke=None)
    d.circle((200, 138), 11, fill=None, stroke=color, width=5)


def _computer(d: Drawing, color: str) -> None:
    """A screen with an envelope on it, its stand and keyboard."""
    d.rect((130, 80), (270, 175), fill=_INK, stroke=_INK, width=3)
    d.rect((140, 90), (260, 165), fill="#ffffff", stroke=None)
    d.rect((170, 108), (230, 148), fill=color, stroke=_INK, width=2)
    d.polyline([(170, 108), (200, 130), (230, 108)], color="#ffffff", width=3)
    d.polygon([(190, 175), (210, 175), (220, 195), (180, 195)], fill="#9e9e9e", stroke=None)
    d.rect((140, 200), (260, 214), fill="#9e9e9e", stroke=_INK, width=2)


ICONS: dict[str, Callable[[Drawing, str], None]] = {
    "robot": _robot,
    "impression-3d": _printer,
    "microcontroleur": _board,
    "tablette-smartphone": _phone,
    "pc": _computer,
}


def _text_width(text: str, size: float) -> float:
    """An estimate of DejaVu Sans' advance (about 0.6 em per character)."""
    return 0.6 * size * len(text)


def _lines(name: str, max_width: float) -> tuple[list[str], float]:
    """The name on one or two lines, and the largest font size that fits."""
    words = name.split()
    candidates = [[name]]
    if len(words) > 1:
        best = min(
            range(1, len(words)),
            key=lambda cut: abs(len(" ".join(words[:cut])) - len(" ".join(words[cut:]))),
        )
        candidates.append([" ".join(words[:best]), " ".join(words[best:])])
    chosen, size = candidates[0], 8.0
    for lines in candidates:
        longest = max(len(line) for line in lines)
        fit = min(30.0, max_width / (0.6 * max(longest, 1)))
        if fit > size + 2:
            chosen, size = lines, fit
    return chosen, size


def badge_drawing(name: str, support: str) -> Drawing:
    """The badge picture for ``name`` on the template of ``support``."""
    ring, inner = COLORS.get(support, _DEFAULT_COLORS)
    d = Drawing(SIZE_PX, SIZE_PX, background="#ffffff")
    d.circle((_CENTER, _CENTER), 192, fill=ring, stroke=None)
    d.circle((_CENTER, _CENTER), 172, fill=inner, stroke="#ffffff", width=6)
    ICONS.get(support, _robot)(d, ring)
    lines, size = _lines(name, 250)
    band_top = 238 if len(lines) == 1 else 228
    band_bottom = band_top + len(lines) * size * 1.25 + 16
    d.rect((60, band_top), (340, band_bottom), fill=ring, stroke=None)
    y = band_top + 8.0
    for line in lines:
        d.text((_CENTER - _text_width(line, size) / 2, y), line, size=size, color="#ffffff")
        y += size * 1.25
    label_y = min(band_bottom + 6, 348)
    label_x = _CENTER - _text_width("Open Badge", 14) / 2
    d.text((label_x, label_y), "Open Badge", size=14, color=ring)
    return d


def badge_png(name: str, support: str) -> bytes:
    return badge_drawing(name, support).to_png()


def badge_svg(name: str, support: str) -> bytes:
    return badge_drawing(name, support).to_svg()
