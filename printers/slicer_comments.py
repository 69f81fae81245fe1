# SPDX-License-Identifier: GPL-3.0-or-later
"""The slicers' comments: layers, embedded estimates and configuration, per dialect.

- PrusaSlicer / SuperSlicer / OrcaSlicer: ``;LAYER_CHANGE``, ``;Z:``, ``;TYPE:``, and at the
  end ``; estimated printing time (normal mode) = 14m 35s``, ``; filament used [mm] = …`` and
  the configuration block (``; printer_model = MK3S``, ``; bed_shape = …``…).
- Cura: ``;LAYER:n``, ``;TYPE:``, ``;TIME:`` (seconds), ``;Filament used: 1.2m``,
  ``;TARGET_MACHINE.NAME:``.
- Simplify3D: ``; layer 1, Z = 0.200``, ``;   Build time: 1 hours 2 minutes``,
  ``;   Filament length: 1234.5 mm``.
- Slic3r 1.3 with ``--gcode-comments``: a comment on each move (``; skirt``, ``; perimeter``,
  ``; infill``, ``; move to next layer (3)``).

Which *part* of the print the following moves belong to (:attr:`SlicerComments.part`) comes from
the same comments: what is extruded before the first layer mark is the start G-code's purge line;
the skirt (and brim) is named by the feature type; everything else is the object.
"""

from __future__ import annotations

import contextlib

from printers.findings import SlicerInfo
from printers.gcode import parse_duration

#: The slicer's name is looked for in the first lines only.
_BANNER_LINES = 20

#: Parts of a print, as :attr:`SlicerComments.part` names them.
PART_PURGE = "purge"  # start (or end) G-code: the purge line before the first layer
PART_SKIRT = "skirt"  # skirt or brim, around the object on the first layers
PART_OBJECT = "object"

#: Feature types naming the skirt or brim: PrusaSlicer ``Skirt/Brim`` (and ``Skirt``, ``Brim``
#: in its forks), Cura ``SKIRT`` and ``BRIM`` (adhesion types in CuraEngine's
#: ``PrintFeatureType``), compared upper-case. PrusaSlicer's ``Custom`` is the custom G-code.
_SKIRT_TYPES = frozenset({b"SKIRT", b"SKIRT/BRIM", b"BRIM"})
_CUSTOM_TYPES = frozenset({b"CUSTOM"})

#: Slic3r 1.3's per-move comments (``--gcode-comments``, GCode.pm's ``_extrude_path`` uses the
#: path's description) that name a part.
_SLIC3R_PARTS = {
    b"skirt": PART_SKIRT,
    b"brim": PART_SKIRT,
    b"perimeter": PART_OBJECT,
    b"infill": PART_OBJECT,
    b"support material": PART_OBJECT,
    b"support material interface": PART_OBJECT,
}

#: CuraEngine run from the command line (no front end) writes this header, which Cura's front
#: end rewrites once the slice is done (CuraEngine 4.13 ``GCodeExport::getFileHeader``: a
#: ``;TIME:6666`` placeholder when no print time is known, ``;Filament used: 0m``; seen in
#: tests/data/gcode/cube20-cura.gcode). It is no estimate.
CURA_PLACEHOLDER_TIME_S = 6666.0


class SlicerComments:
    """Accumulates what the comments of one file say (bounded: a few keys, counters)."""

    def __init__(self) -> None:
        self.layers = 0
        self.slicer_name: str | None = None
        self.config: dict[str, str] = {}
        self.embedded: dict[str, float] = {}
        #: What the moves that follow print: PART_PURGE until the first layer mark, then the
        #: part the feature comments name.
        self.part = PART_PURGE
        #: Whether the file marks layers or features at all (else parts cannot be told apart).
        self.marked = False
        self._cura_header: dict[str, float] = {}

    def _layer_mark(self) -> None:
        self.layers += 1
        self.marked = True
        if self.part == PART_PURGE:
            self.part = PART_OBJECT

    def _feature(self, kind: bytes) -> None:
        self.marked = True
        upper = kind.strip().upper()
        if upper in _SKIRT_TYPES:
            self.part = PART_SKIRT
        elif upper in _CUSTOM_TYPES:
            self.part = PART_PURGE
        else:
            self.part = PART_OBJECT

    def feed(self, comment: bytes, line_number: int) -> None:
        """Read one comment (without its ``;``), found on line ``line_number``."""
        if comment.startswith(b"TYPE:"):
            self._feature(comment[5:])
            return
        if comment.startswith(b"WIDTH:"):
            return
        if comment == b"LAYER_CHANGE" or comment.startswith(b"LAYER:"):
            self._layer_mark()
            return
        if comment.startswith(b"layer ") and b"Z =" in comment:  # Simplify3D
            self._layer_mark()
            return
        if comment.startswith(b"feature "):  # Simplify3D: "; feature skirt"
            self._feature(b"SKIRT" if b"skirt" in comment or b"brim" in comment else comment)
            return
        part = _SLIC3R_PARTS.get(comment)
        if part is not None:
            self.marked = True
            self.part = part
            return
        if comment.startswith(b"move to next layer ("):  # Slic3r 1.3
            self._layer_mark()
            return
        if comment.startswith(b"Z:") or comment.startswith(b"HEIGHT:"):
            return
        if b" = " in comment:
            key, _, value = comment.partition(b" = ")
            self._config_line(key.decode("utf-8", "replace").strip(), value, line_number)
            return
        if b":" in comment:
            key, _, value = comment.partition(b":")
            self._cura_line(key.decode("utf-8", "replace").strip(), value, line_number)
            return
        if self.slicer_name is None and line_number < _BANNER_LINES:
            self._slicer_banner(comment.decode("utf-8", "replace"))

    def _slicer_banner(self, text: str) -> None:
        lowered = text.lower()
        for marker, name in (
            ("prusaslicer", "PrusaSlicer"),
            ("superslicer", "SuperSlicer"),
            ("orcaslicer", "OrcaSlicer"),
            ("bambustudio", "Bambu Studio"),
            ("simplify3d", "Simplify3D"),
            ("cura", "Cura"),
            ("slic3r", "Slic3r"),
        ):
            if marker in lowered:
                self.slicer_name = name
                return

    _CONFIG_KEYS = frozenset(
        {
            "printer_model",
            "printer_settings_id",
            "bed_shape",
            "max_print_height",
            "filament_type",
            "filament_diameter",
            "layer_height",
            "fill_density",
        }
    )

    def _config_line(self, key: str, value: bytes, line_number: int) -> None:
        text = value.decode("utf-8", "replace").strip()
        if key.startswith("estimated printing time (normal mode)") or key == "total estimated time":
            duration = parse_duration(text)
            if duration is not None:
                self.embedded.setdefault("estimate", duration)
        elif key == "filament used [mm]":
            with contextlib.suppress(ValueError):
                self.embedded.setdefault("filament_mm", float(text.split(",")[0]))
        elif key in self._CONFIG_KEYS:
            self.config[key] = text
        elif self.slicer_name is None and line_number < _BANNER_LINES:
            self._slicer_banner(key + " " + text)

    def _cura_line(self, key: str, value: bytes, line_number: int) -> None:
        text = value.decode("utf-8", "replace").strip()
        if key == "TIME":  # Cura header: whole seconds
            with contextlib.suppress(ValueError):
                self._cura_header.setdefault("estimate", float(text))
                self.embedded.setdefault("estimate", float(text))
        elif key == "Filament used":  # Cura: "1.23456m"
            with contextlib.suppress(ValueError):
                metres = float(text.split("m")[0])
                self._cura_header.setdefault("filament_mm", metres * 1000.0)
                self.embedded.setdefault("filament_mm", metres * 1000.0)
        elif key == "FLAVOR" and self.slicer_name is None:
            self.slicer_name = "Cura"
        elif key == "Layer height":  # Cura header
            self.config.setdefault("layer_height", text)
        elif key in ("TARGET_MACHINE.NAME", "MACHINE_NAME"):
            self.config.setdefault("printer_model", text)
        elif key.strip().lower() == "build time":  # Simplify3D
            seconds = _s3d_duration(text)
            if seconds is not None:
                self.embedded.setdefault("estimate", seconds)
        elif key.strip().lower() == "filament length":  # Simplify3D: "1234.5 mm"
            with contextlib.suppress(ValueError, IndexError):
                self.embedded.setdefault("filament_mm", float(text.split()[0]))
        elif self.slicer_name is None and line_number < _BANNER_LINES:
            self._slicer_banner(key + " " + text)

    def _cura_placeholder(self) -> bool:
        """Whether the Cura header is the command-line engine's placeholder (no estimate)."""
        header = self._cura_header
        return (
            header.get("estimate") == CURA_PLACEHOLDER_TIME_S
            and header.get("filament_mm", 0.0) == 0.0
            and self.embedded.get("estimate") == CURA_PLACEHOLDER_TIME_S
        )

    def info(self) -> SlicerInfo:
        """What the slicer said, as far as it said it."""
        config = self.config
        estimate = self.embedded.get("estimate")
        filament = self.embedded.get("filament_mm")
        if self._cura_placeholder():
            estimate = None
            filament = None
        bed: tuple[float, float] | None = None
        if "bed_shape" in config:
            bed = _bed_size(config["bed_shape"])
        height: float | None = None
        try:
            height = float(config["max_print_height"]) if "max_print_height" in config else None
        except ValueError:
            height = None
        diameter: float | None = None
        try:
            if config.get("filament_diameter"):
                diameter = float(config["filament_diameter"].split(",")[0].split(";")[0])
        except ValueError:
            diameter = None
        model = config.get("printer_model") or None
        layer = _number(config.get("layer_height", ""))
        infill = _number(config.get("fill_density", "").rstrip("%"))
        if infill is not None and "%" not in config.get("fill_density", "") and infill <= 1.0:
            infill *= 100.0  # Slic3r 1.3 writes the density as a fraction (0.1)
        filament_type = (config.get("filament_type") or "").split(";")[0].strip() or None
        return SlicerInfo(
            name=self.slicer_name,
            estimate_s=estimate,
            filament_mm=filament,
            printer_model=model,
            bed_size_mm=bed,
            max_height_mm=height,
            filament_type=filament_type,
            filament_diameter_mm=diameter,
            m73_estimate_s=self.embedded.get("m73"),
            layer_height_mm=layer,
            infill_percent=infill,
        )


def _number(text: str) -> float | None:
    try:
        return float(text.strip())
    except ValueError:
        return None


def _s3d_duration(text: str) -> float | None:
    """Simplify3D's "1 hours 2 minutes" (or "0 hours 14 minutes")."""
    parts = text.replace(",", " ").split()
    total = 0.0
    found = False
    for value, unit in zip(parts, parts[1:], strict=False):
        try:
            number = float(value)
        except ValueError:
            continue
        if unit.startswith("hour"):
            total += number * 3600.0
            found = True
        elif unit.startswith("min"):
            total += number * 60.0
            found = True
        elif unit.startswith("sec"):
            total += number
            found = True
    return total if found else None


def _bed_size(shape: str) -> tuple[float, float] | None:
    """PrusaSlicer's ``bed_shape = 0x0,220x0,220x220,0x220`` -> (220, 220)."""
    xs: list[float] = []
    ys: list[float] = []
    for point in shape.split(","):
        try:
            x_text, y_text = point.strip().split("x")
            xs.append(float(x_text))
            ys.append(float(y_text))
        except ValueError:
            return None
    if not xs:
        return None
    return (max(xs) - min(xs), max(ys) - min(ys))
