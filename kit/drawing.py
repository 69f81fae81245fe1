# SPDX-License-Identifier: GPL-3.0-or-later
"""One drawing surface for every picture the kit makes, saved as PNG (Pillow) or SVG.

Layer previews, robot paths and board timelines are drawn once through :class:`Drawing`
and saved in the format the file name asks for: PNG for the projector, SVG for handouts
that are printed or scaled. Coordinates are pixels, origin top-left; :class:`Viewport` maps
world coordinates (millimetres, centimetres, seconds…) with the y axis pointing up.
"""

from __future__ import annotations

import html
import io
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import KitError
from kit.files import atomic_write_bytes, write_error

Point = tuple[float, float]
#: A colour as "#rrggbb" (what both SVG and Pillow understand).
Color = str

SUPPORTED_SUFFIXES = (".png", ".svg")


@dataclass(frozen=True)
class Viewport:
    """Maps a world rectangle onto a pixel rectangle, keeping proportions, y axis up."""

    world_min: Point
    world_max: Point
    size_px: tuple[int, int]
    margin_px: int = 20

    @property
    def scale(self) -> float:
        w = max(self.world_max[0] - self.world_min[0], 1e-9)
        h = max(self.world_max[1] - self.world_min[1], 1e-9)
        usable_w = self.size_px[0] - 2 * self.margin_px
        usable_h = self.size_px[1] - 2 * self.margin_px
        return max(min(usable_w / w, usable_h / h), 1e-9)

    def to_px(self, point: Point) -> Point:
        s = self.scale
        x = self.margin_px + (point[0] - self.world_min[0]) * s
        y = self.size_px[1] - self.margin_px - (point[1] - self.world_min[1]) * s
        return (x, y)

    def used_height_px(self) -> float:
        """Pixel height the world rectangle takes at :attr:`scale`, margins included."""
        h = max(self.world_max[1] - self.world_min[1], 1e-9)
        return h * self.scale + 2 * self.margin_px

    def length_px(self, world_length: float) -> float:
        return world_length * self.scale


@dataclass
class _Shape:
    kind: str
    points: tuple[Point, ...]
    stroke: Color | None = None
    fill: Color | None = None
    width: float = 1.0
    text: str = ""
    size: float = 12.0
    radius: float = 0.0


@dataclass
class Drawing:
    """Shapes in drawing order; :meth:`save` renders them to PNG or SVG."""

    width_px: int
    height_px: int
    background: Color = "#ffffff"
    _shapes: list[_Shape] = field(default_factory=list)

    def line(self, a: Point, b: Point, color: Color = "#000000", width: float = 1.0) -> None:
        self._shapes.append(_Shape("polyline", (a, b), stroke=color, width=width))

    def polyline(
        self, points: Sequence[Point], color: Color = "#000000", width: float = 1.0
    ) -> None:
        if len(points) >= 2:
            self._shapes.append(_Shape("polyline", tuple(points), stroke=color, width=width))

    def polygon(
        self,
        points: Sequence[Point],
        *,
        fill: Color | None = None,
        stroke: Color | None = "#000000",
        width: float = 1.0,
    ) -> None:
        if len(points) >= 3:
            self._shapes.append(
                _Shape("polygon", tuple(points), stroke=stroke, fill=fill, width=width)
            )

    def rect(
        self,
        top_left: Point,
        bottom_right: Point,
        *,
        fill: Color | None = None,
        stroke: Color | None = "#000000",
        width: float = 1.0,
    ) -> None:
        (x0, y0), (x1, y1) = top_left, bottom_right
        self.polygon(
            [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], fill=fill, stroke=stroke, width=width
        )

    def circle(
        self,
        center: Point,
        radius_px: float,
        *,
        fill: Color | None = None,
        stroke: Color | None = "#000000",
        width: float = 1.0,
    ) -> None:
        self._shapes.append(
            _Shape("circle", (center,), stroke=stroke, fill=fill, width=width, radius=radius_px)
        )

    def text(self, at: Point, text: str, *, size: float = 12.0, color: Color = "#000000") -> None:
        """Text whose top-left corner is ``at``."""
        self._shapes.append(_Shape("text", (at,), fill=color, text=text, size=size))

    # -- output --------------------------------------------------------------------------
    def to_svg(self) -> bytes:
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width_px}" '
            f'height="{self.height_px}" viewBox="0 0 {self.width_px} {self.height_px}">',
            f'<rect width="100%" height="100%" fill="{self.background}"/>',
        ]
        for s in self._shapes:
            stroke = f'stroke="{s.stroke}" stroke-width="{s.width:g}"' if s.stroke else ""
            fill = f'fill="{s.fill}"' if s.fill else 'fill="none"'
            if s.kind == "polyline":
                pts = " ".join(f"{x:.2f},{y:.2f}" for x, y in s.points)
                out.append(
                    f'<polyline points="{pts}" {stroke} fill="none" '
                    'stroke-linecap="round" stroke-linejoin="round"/>'
                )
            elif s.kind == "polygon":
                pts = " ".join(f"{x:.2f},{y:.2f}" for x, y in s.points)
                out.append(f'<polygon points="{pts}" {stroke} {fill}/>')
            elif s.kind == "circle":
                (cx, cy) = s.points[0]
                out.append(
                    f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="{s.radius:.2f}" {stroke} {fill}/>'
                )
            elif s.kind == "text":
                (x, y) = s.points[0]
                text = html.escape(s.text, quote=False)  # & < >, as XML text needs
                out.append(
                    f'<text x="{x:.2f}" y="{y + s.size:.2f}" font-family="DejaVu Sans, sans-serif" '
                    f'font-size="{s.size:g}" fill="{s.fill}">{text}</text>'
                )
        out.append("</svg>")
        return ("\n".join(out) + "\n").encode("utf-8")

    def to_png(self) -> bytes:
        from PIL import Image, ImageDraw, ImageFont

        image = Image.new("RGB", (self.width_px, self.height_px), self.background)
        pen = ImageDraw.Draw(image)
        fonts: dict[int, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}
        for s in self._shapes:
            width = max(1, round(s.width))
            if s.kind == "polyline":
                pen.line(list(s.points), fill=s.stroke, width=width, joint="curve")
            elif s.kind == "polygon":
                pen.polygon(list(s.points), fill=s.fill, outline=s.stroke, width=width)
            elif s.kind == "circle":
                (cx, cy) = s.points[0]
                r = max(s.radius, 0.5)
                pen.ellipse(
                    (cx - r, cy - r, cx + r, cy + r), fill=s.fill, outline=s.stroke, width=width
                )
            elif s.kind == "text":
                size = max(6, round(s.size))
                if size not in fonts:
                    fonts[size] = _font(size)
                pen.text(s.points[0], s.text, fill=s.fill, font=fonts[size])
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()

    def save(self, path: str | Path) -> Path:
        """Write the picture; the format follows the suffix (.png or .svg)."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise KitError(
                f"Format d'image non pris en charge : « {target.name} ». "
                "Utilisez un nom de fichier en .png ou .svg."
            )
        data = self.to_png() if suffix == ".png" else self.to_svg()
        return atomic_write_bytes(target, data)


def check_picture_target(path: str | Path) -> Path:
    """Refuse, before any work, a picture the kit could not write: wrong suffix, a missing
    or read-only folder, a folder in the file's place (French :class:`KitError`)."""
    target = Path(path)
    if target.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise KitError(
            f"Format d'image non pris en charge : « {target.name} ». "
            "Utilisez un nom de fichier en .png ou .svg."
        )
    folder = target.parent
    if target.is_dir():
        raise KitError(f"Impossible d'écrire l'image « {target} » : c'est un dossier.")
    if not folder.is_dir():
        raise KitError(f"Impossible d'écrire l'image « {target} » : le dossier n'existe pas.")
    if not os.access(folder, os.W_OK):
        raise KitError(
            f"Impossible d'écrire l'image « {target} » : le dossier est protégé en écriture."
        )
    # os.access says yes to root everywhere, and knows nothing of a read-only file system
    # or of /proc: a real file created and removed at once is the only honest probe.
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".kit-essai-", suffix=".tmp")
    except OSError as exc:
        raise write_error(target, exc) from None
    os.close(handle)
    os.unlink(probe)
    return target


def _font(size: int):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def speed_color(fraction: float) -> Color:
    """Blue (slow) to red (fast) for a value in [0, 1]; used to colour paths by speed."""
    f = 0.0 if math.isnan(fraction) else min(max(fraction, 0.0), 1.0)
    r = int(40 + 215 * f)
    g = int(90 + 80 * (1 - abs(2 * f - 1)))
    b = int(230 * (1 - f) + 25)
    return f"#{r:02x}{g:02x}{b:02x}"
