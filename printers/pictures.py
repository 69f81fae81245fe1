# SPDX-License-Identifier: GPL-3.0-or-later
"""Pictures of a G-code file for the group: a top view of chosen layers and a front view.

The picture is drawn through :class:`kit.drawing.Drawing` and saved as PNG (projector) or SVG
(handouts). The file is read a second time, streaming; segments are snapped to the pixel grid
and de-duplicated, so memory is bounded by the picture's size, not by the file's.

Left panel: the print seen from above with the extruded paths of the chosen layers (all of
them by default), coloured from blue (bottom) to red (top). Right panel: the front view
(X against Z) of the whole print. Both are zoomed on the print. A caption gives time,
filament, layers and size.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kit.drawing import Drawing, Viewport, speed_color
from kit.errors import InputFileError
from kit.messages import decimal_fr, format_duration_fr
from printers.analysis import Analysis, open_gcode, run_interpreter
from printers.profile import PrinterProfile

WIDTH_PX = 1200
#: The tallest the picture gets; a flat print gets a shorter one.
HEIGHT_PX = 640
_PANEL_TOP_PX = 70
#: The panels never get shorter than this, however flat the print.
_MIN_PANEL_H_PX = 160
#: Segments kept per panel at most (after de-duplication on the pixel grid).
MAX_SEGMENTS = 60_000
#: Space around the print in both views (mm).
_MARGIN_MM = 5.0

_Segment = tuple[int, int, int, int]


class _Panel:
    """Collects snapped segments for one view, each with a colour index (height band)."""

    def __init__(self, viewport: Viewport, offset_px: tuple[int, int]) -> None:
        self.viewport = viewport
        self.offset = offset_px
        self.segments: dict[_Segment, int] = {}
        self.dropped = 0

    def add(self, a: tuple[float, float], b: tuple[float, float], band: int) -> None:
        ax, ay = self.viewport.to_px(a)
        bx, by = self.viewport.to_px(b)
        key = (round(ax), round(ay), round(bx), round(by))
        if key[:2] == key[2:]:
            return
        if key in self.segments or len(self.segments) < MAX_SEGMENTS:
            # Higher bands overwrite lower ones: the top of the print shows.
            self.segments[key] = max(band, self.segments.get(key, band))
        else:
            self.dropped += 1

    def draw(self, drawing: Drawing, bands: int) -> None:
        ox, oy = self.offset
        colours = [speed_color(i / max(bands - 1, 1)) for i in range(bands)]
        for (ax, ay, bx, by), band in sorted(self.segments.items(), key=lambda item: item[1]):
            drawing.line((ax + ox, ay + oy), (bx + ox, by + oy), colours[band], 1.0)


def draw_file(
    analysis: Analysis,
    profile: PrinterProfile,
    out: str | Path,
    *,
    layers: Sequence[int] | None = None,
) -> Path:
    """Draw ``analysis.path`` to ``out`` (.png or .svg); ``layers`` are 1-based layer numbers.

    Raises :class:`InputFileError` when a chosen layer does not exist.
    """
    chosen = sorted(set(layers)) if layers else []
    for number in chosen:
        if not 1 <= number <= max(analysis.layers, 1):
            raise InputFileError(
                f"La couche {number} n'existe pas : le fichier en a {analysis.layers}."
            )
    source = open_gcode(analysis.path)
    panel_w = (WIDTH_PX - 60) // 2
    panel_h = HEIGHT_PX - _PANEL_TOP_PX - 20
    box = analysis.bounding_box
    if box is None:  # nothing extruded: show the plate
        (x0, x1), (y0, y1) = profile.x_range_mm, profile.y_range_mm
        height = 1.0
    else:
        # Zoom on the print, with a margin, so that a small part fills the projected picture.
        x0, x1 = box.min_x - _MARGIN_MM, box.max_x + _MARGIN_MM
        y0, y1 = box.min_y - _MARGIN_MM, box.max_y + _MARGIN_MM
        height = max(box.max_z, 0.1)
    top_world = ((x0, y0), (x1, y1))
    front_world = ((x0, 0.0), (x1, height + _MARGIN_MM / 2))
    # A wide, flat print needs less height than the panels allow: the picture is cut to the
    # taller of the two views, so nothing floats under a band of white.
    panel_h = max(
        _MIN_PANEL_H_PX,
        *(round(Viewport(*world, (panel_w, panel_h)).used_height_px()) for world in (
            top_world,
            front_world,
        )),
    )
    picture_h = _PANEL_TOP_PX + panel_h + 20
    top_view = _Panel(Viewport(*top_world, (panel_w, panel_h)), (20, _PANEL_TOP_PX))
    front_view = _Panel(Viewport(*front_world, (panel_w, panel_h)), (40 + panel_w, _PANEL_TOP_PX))
    bands = 12
    wanted = set(chosen)

    def on_move(
        ax: float,
        ay: float,
        az: float,
        bx: float,
        by: float,
        bz: float,
        extruding: bool,
        layer: int,
    ) -> None:
        if not extruding:
            return
        band = min(int(bz / height * bands), bands - 1) if height > 0 else 0
        if not wanted or layer in wanted:
            top_view.add((ax, ay), (bx, by), band)
        front_view.add((ax, az), (bx, bz), band)

    run_interpreter(source, profile, on_move=on_move)

    drawing = Drawing(WIDTH_PX, picture_h)
    for panel, title in (
        (top_view, _top_title(chosen)),
        (front_view, "Vue de face (X et hauteur)"),
    ):
        ox, oy = panel.offset
        vp = panel.viewport
        (wx0, wy0), (wx1, wy1) = vp.world_min, vp.world_max
        p0 = vp.to_px((wx0, wy0))
        p1 = vp.to_px((wx1, wy1))
        drawing.rect(
            (p0[0] + ox, p1[1] + oy),
            (p1[0] + ox, p0[1] + oy),
            fill="#f4f4f4",
            stroke="#999999",
        )
        drawing.text((ox, oy - 24), title, size=16)
        panel.draw(drawing, bands)
    name = Path(analysis.path).name
    size_x, size_y, size_z = box.size_mm if box else (0.0, 0.0, 0.0)
    caption = (
        f"{name} — {profile.display_name} — ≈ {format_duration_fr(analysis.estimated_seconds)}"
        f" — {decimal_fr(analysis.filament_mm / 1000, 2)} m de filament — "
        f"{analysis.layers} couches — {decimal_fr(size_x, 0)} × {decimal_fr(size_y, 0)} × "
        f"{decimal_fr(size_z, 1)} mm"
    )
    drawing.text((20, 10), caption, size=16)
    return drawing.save(out)


def _top_title(chosen: list[int]) -> str:
    if not chosen:
        return "Vue de dessus (toutes les couches)"
    if len(chosen) == 1:
        return f"Vue de dessus (couche {chosen[0]})"
    return "Vue de dessus (couches " + ", ".join(str(n) for n in chosen) + ")"
