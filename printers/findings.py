# SPDX-License-Identifier: GPL-3.0-or-later
"""What a preflight pass finds: boxes, checks, the slicer's own figures, raw observations.

Plain data shared by :mod:`printers.interpreter` (which fills :class:`Facts`),
:mod:`printers.checks` (which judges them) and :mod:`printers.analysis` (the result).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BoundingBox:
    """Axis-aligned box in millimetres."""

    min_x: float
    min_y: float
    min_z: float
    max_x: float
    max_y: float
    max_z: float

    @property
    def size_mm(self) -> tuple[float, float, float]:
        return (self.max_x - self.min_x, self.max_y - self.min_y, self.max_z - self.min_z)

    @property
    def object_size_mm(self) -> tuple[float, float, float]:
        """Width, depth and height of a printed object standing on the bed.

        The height is the top of the highest printed layer, ``max_z``: the nozzle prints a layer
        at the height of its top, so the first layer is printed at Z = its thickness and a
        20 mm cube's last layer at Z = 20 (``max_z - min_z`` would say 19.8).
        """
        return (self.max_x - self.min_x, self.max_y - self.min_y, self.max_z)

    def as_dict(self) -> dict[str, float]:
        return {
            "min_x": round(self.min_x, 3),
            "min_y": round(self.min_y, 3),
            "min_z": round(self.min_z, 3),
            "max_x": round(self.max_x, 3),
            "max_y": round(self.max_y, 3),
            "max_z": round(self.max_z, 3),
        }


@dataclass(frozen=True)
class Check:
    """One finding: ``severity`` is ``"error"`` (forbids the print), ``"warning"`` or ``"info"``.

    ``message`` is in French, for the animateur.
    """

    code: str
    severity: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "message": self.message}


@dataclass(frozen=True)
class SlicerInfo:
    """What the slicer wrote about the file, when it wrote it."""

    name: str | None = None
    estimate_s: float | None = None
    filament_mm: float | None = None
    printer_model: str | None = None
    bed_size_mm: tuple[float, float] | None = None
    max_height_mm: float | None = None
    filament_type: str | None = None
    filament_diameter_mm: float | None = None
    m73_estimate_s: float | None = None
    #: The layer height and infill density the file was sliced with, when the slicer wrote them.
    layer_height_mm: float | None = None
    infill_percent: float | None = None


@dataclass
class Facts:
    """Observations of one pass, before they are judged against a profile (see checks.py)."""

    line_count: int = 0
    move_count: int = 0
    extruding_moves: int = 0
    homed_before_first_move: bool = True
    first_unhomed_move_line: int | None = None
    extrusion_cold_lines: list[int] = field(default_factory=list)
    #: First line extruding cold after the file allowed it (M302 P1 or S0).
    allowed_cold_extrusion_line: int | None = None
    heated_wait_seen: bool = False
    extrusion_before_wait_line: int | None = None
    absolute_e_extrusion: bool = False
    relative_e_extrusion: bool = False
    zero_feedrate_lines: list[int] = field(default_factory=list)
    invalid_value_lines: list[tuple[int, str]] = field(default_factory=list)
    negative_temperature_lines: list[tuple[int, float]] = field(default_factory=list)
    hotend_targets_c: set[float] = field(default_factory=set)
    bed_targets_c: set[float] = field(default_factory=set)
    max_hotend_c: float = 0.0
    max_bed_c: float = 0.0
    tool_changes: int = 0
    objects: set[str] = field(default_factory=set)
    unknown_commands: int = 0
    user_pause_lines: list[tuple[int, str]] = field(default_factory=list)
    print_box: BoundingBox | None = None
    move_box: BoundingBox | None = None
    #: What is extruded apart from the start G-code's purge line and the skirt or brim (the
    #: whole print box when the file marks neither layers nor features).
    object_box: BoundingBox | None = None
    skirt_box: BoundingBox | None = None
    purge_box: BoundingBox | None = None
