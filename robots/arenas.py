# SPDX-License-Identifier: GPL-3.0-or-later
"""Arenas: the tables the simulated mBot drives on, read from data files.

An arena is a TOML file in ``robots/arenas/`` (centimetres, origin at the bottom-left corner of
the table, headings in degrees counter-clockwise from the +x axis)::

    titre = "Table vide"
    largeur = 120            # table size (cm)
    profondeur = 80
    bords = true             # walls along the four edges
    lumiere = 500            # ambient light level read by the light sensor (0-1023)
    depart = { x = 20, y = 40, cap = 0 }

    [[murs]]                 # walls: polylines
    points = [[90, 10], [90, 70]]

    [[obstacles]]            # boxes: rectangles (x, y = bottom-left corner)
    x = 50
    y = 30
    largeur = 10
    profondeur = 10

    [ligne]                  # the black track drawn on the floor
    largeur = 2.5
    fermee = true
    points = [[...], ...]

    [[zones]]                # goal zones (rectangles)
    nom = "arrivée"
    x = 100
    y = 60
    largeur = 15
    profondeur = 15

Pure data and geometry: used by the simulator, the challenges and the pictures.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.errors import InputFileError, KitError
from kit.files import data_error_fr, read_toml_input

ARENAS_DIR = Path(__file__).resolve().parent / "arenas"
DEFAULT_ARENA = "mur"

# The mBot's geometry, shared by the simulator and the challenge checks (cm, from the middle
# of the wheel axle, along the heading).
WHEEL_BASE_CM = 11.5
ROBOT_FRONT_CM = 10.0
LINE_SENSORS_AHEAD_CM = 7.0

Point = tuple[float, float]
Segment = tuple[Point, Point]


@dataclass(frozen=True)
class Pose:
    x: float
    y: float
    heading_deg: float


@dataclass(frozen=True)
class Zone:
    name: str
    x: float
    y: float
    width: float
    depth: float

    def contains(self, p: Point) -> bool:
        return self.x <= p[0] <= self.x + self.width and self.y <= p[1] <= self.y + self.depth

    @property
    def corners(self) -> list[Point]:
        x0, y0, x1, y1 = self.x, self.y, self.x + self.width, self.y + self.depth
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


@dataclass(frozen=True)
class Track:
    """A line drawn on the floor: a polyline (closed or not) with a width."""

    points: tuple[Point, ...]
    width: float
    closed: bool

    def segments(self) -> list[Segment]:
        pts = list(self.points)
        if self.closed:
            pts.append(pts[0])
        return list(zip(pts, pts[1:], strict=False))

    @functools.cached_property
    def _table(self) -> list[tuple[float, float, float, float, float, float, float]]:
        # (ax, ay, dx, dy, squared length, length, arc length at a) for each segment.
        rows = []
        s0 = 0.0
        for (ax, ay), (bx, by) in self.segments():
            dx, dy = bx - ax, by - ay
            seg2 = dx * dx + dy * dy
            seg_len = math.sqrt(seg2)
            rows.append((ax, ay, dx, dy, seg2, seg_len, s0))
            s0 += seg_len
        return rows

    @property
    def length(self) -> float:
        rows = self._table
        return rows[-1][6] + rows[-1][5] if rows else 0.0

    def project(self, p: Point) -> tuple[float, float]:
        """(distance from ``p`` to the line, arc length of the nearest point along it)."""
        best_d2 = math.inf
        best_s = 0.0
        px, py = p
        for ax, ay, dx, dy, seg2, seg_len, s0 in self._table:
            t = ((px - ax) * dx + (py - ay) * dy) / seg2 if seg2 else 0.0
            if t < 0.0:
                t = 0.0
            elif t > 1.0:
                t = 1.0
            ex = ax + t * dx - px
            ey = ay + t * dy - py
            d2 = ex * ex + ey * ey
            if d2 < best_d2:
                best_d2 = d2
                best_s = s0 + t * seg_len
        return math.sqrt(best_d2), best_s

    def distance(self, p: Point) -> float:
        return self.project(p)[0]


def first_hit_distance(
    origin: Point, angle_rad: float, segments: Iterable[Sequence[float]]
) -> float:
    """Distance along a ray to the nearest segment it crosses (``inf`` when none).

    Each segment is given as ``(ax, ay, dx, dy, …)``: a start point and its direction vector
    (extra items are ignored, so the simulator can pass its precomputed segment tuples).
    Shared by the simulator's ultrasonic sensor and the challenge referee.
    """
    ox, oy = origin
    ux, uy = math.cos(angle_rad), math.sin(angle_rad)
    best = math.inf
    for seg in segments:
        ax, ay, dx, dy = seg[0], seg[1], seg[2], seg[3]
        denom = ux * dy - uy * dx
        if abs(denom) < 1e-12:
            continue
        wx, wy = ax - ox, ay - oy
        t = (wx * dy - wy * dx) / denom
        s = (wx * uy - wy * ux) / denom
        if t >= 0.0 and 0.0 <= s <= 1.0 and t < best:
            best = t
    return best


@dataclass(frozen=True)
class Arena:
    name: str
    title: str
    width: float
    depth: float
    start: Pose
    walls: tuple[tuple[Point, ...], ...] = ()
    obstacles: tuple[tuple[Point, ...], ...] = ()
    track: Track | None = None
    zones: tuple[Zone, ...] = ()
    light: float = 500.0
    description: str = ""
    edges: bool = True
    _segments: list[Segment] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        segs: list[Segment] = []
        if self.edges:
            w, d = self.width, self.depth
            corners = [(0.0, 0.0), (w, 0.0), (w, d), (0.0, d)]
            segs += list(zip(corners, corners[1:] + corners[:1], strict=False))
        for line in self.walls:
            segs += list(zip(line, line[1:], strict=False))
        for poly in self.obstacles:
            closed = list(poly) + [poly[0]]
            segs += list(zip(closed, closed[1:], strict=False))
        self._segments.extend(segs)

    def segments(self) -> list[Segment]:
        """Every solid segment: table edges, walls and obstacle sides."""
        return list(self._segments)

    def ray_distance(self, origin: Point, angle_rad: float) -> float:
        """Distance from ``origin`` to the first solid segment along ``angle_rad`` (inf: none)."""
        return first_hit_distance(
            origin,
            angle_rad,
            ((ax, ay, bx - ax, by - ay) for (ax, ay), (bx, by) in self._segments),
        )

    def zone(self, name: str) -> Zone:
        for zone in self.zones:
            if zone.name == name:
                return zone
        raise KitError(f"L'arène « {self.name} » n'a pas de zone « {name} ».")


def available_arenas() -> list[str]:
    return sorted(p.stem for p in ARENAS_DIR.glob("*.toml"))


def load_arena(name: str) -> Arena:
    """Load an arena by name (a file of ``robots/arenas/``) or by path to a ``.toml`` file."""
    candidate = Path(name)
    if name.endswith(".toml") and candidate.is_file():
        path = candidate
    else:
        path = ARENAS_DIR / f"{name}.toml"
        if not path.is_file() or "/" in name or "\\" in name:
            known = ", ".join(available_arenas())
            raise KitError(f"Arène inconnue : « {name} ». Arènes disponibles : {known}.")
    data = read_toml_input(path, what="fichier d'arène")
    try:
        return arena_from_dict(path.stem, data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputFileError(f"L'arène « {path} » est mal formée : {data_error_fr(exc)}.") from exc


def _points(raw: Any) -> tuple[Point, ...]:
    pts = tuple((float(p[0]), float(p[1])) for p in raw)
    if len(pts) < 2:
        raise ValueError("il faut au moins deux points")
    return pts


def _rect(raw: dict[str, Any]) -> tuple[Point, ...]:
    x, y = float(raw["x"]), float(raw["y"])
    w, d = float(raw["largeur"]), float(raw["profondeur"])
    if w <= 0 or d <= 0:
        raise ValueError("un obstacle doit avoir une largeur et une profondeur positives")
    return ((x, y), (x + w, y), (x + w, y + d), (x, y + d))


_ARENA_KEYS = {
    "titre",
    "description",
    "largeur",
    "profondeur",
    "bords",
    "lumiere",
    "depart",
    "murs",
    "obstacles",
    "ligne",
    "zones",
}
_SECTION_KEYS = {
    "depart": {"x", "y", "cap"},
    "murs": {"points"},
    "obstacles": {"x", "y", "largeur", "profondeur"},
    "ligne": {"points", "largeur", "fermee"},
    "zones": {"nom", "x", "y", "largeur", "profondeur"},
}


def _check_keys(data: dict[str, Any]) -> None:
    """Refuse unknown keys: a typo in an arena file must not pass silently."""
    unknown = sorted(set(data) - _ARENA_KEYS)
    for section, allowed in _SECTION_KEYS.items():
        raw = data.get(section)
        items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
        for item in items:
            if isinstance(item, dict):
                unknown += [f"{section}.{k}" for k in sorted(set(item) - allowed)]
    if unknown:
        raise ValueError(f"clés inconnues : {', '.join(unknown)}")


def arena_from_dict(name: str, data: dict[str, Any]) -> Arena:
    _check_keys(data)
    width, depth = float(data["largeur"]), float(data["profondeur"])
    if width <= 0 or depth <= 0:
        raise ValueError("la table doit avoir une largeur et une profondeur positives")
    start_raw = data["depart"]
    start = Pose(float(start_raw["x"]), float(start_raw["y"]), float(start_raw.get("cap", 0.0)))
    track = None
    if "ligne" in data:
        raw = data["ligne"]
        track = Track(_points(raw["points"]), float(raw.get("largeur", 2.5)), bool(raw["fermee"]))
    zones = tuple(
        Zone(
            str(z["nom"]), float(z["x"]), float(z["y"]), float(z["largeur"]), float(z["profondeur"])
        )
        for z in data.get("zones", [])
    )
    return Arena(
        name=name,
        title=str(data.get("titre", name)),
        description=str(data.get("description", "")),
        width=width,
        depth=depth,
        start=start,
        walls=tuple(_points(w["points"]) for w in data.get("murs", [])),
        obstacles=tuple(_rect(o) for o in data.get("obstacles", [])),
        track=track,
        zones=zones,
        light=float(data.get("lumiere", 500.0)),
        edges=bool(data.get("bords", True)),
    )
