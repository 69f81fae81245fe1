# SPDX-License-Identifier: GPL-3.0-or-later
"""Preflight of a G-code file: one streaming pass gives time, filament, size, layers, checks.

Entry point: :func:`analyse_file(path, profile) <analyse_file>` returns an :class:`Analysis`.
The file is read line by line (never whole), so memory stays flat in the file's size.

What the numbers mean:

- ``estimated_seconds``: motion (the Marlin-style planner of :mod:`printers.planner`, with the
  file's M201–M205 limits, else the profile's) plus dwells (G4). This is the figure slicers
  print; PrusaSlicer's estimate leaves heating out too.
- ``heating_seconds``: waits for M109/M190, from the profile's heat-up rates, starting from
  the ambient temperature and counting the heating that M104/M140 started earlier.
- ``total_seconds``: both, what the atelier's slot must hold.
- ``progress_points``: at most ~1000 ``(byte_offset, cumulative_seconds)`` pairs over the file
  (``cumulative_seconds`` counts motion, dwells and heating, in file order). A host streaming
  the file asks :meth:`Analysis.remaining_s_at` with the byte offset it has sent (or the
  printer has acknowledged) to display the remaining time.

Interpreted: G0/G1, G2/G3 (I/J centre or R radius, split in 1 mm chords as Marlin does), G4,
G20/G21, G28, G90/G91, G92, M82/M83, M104/M109/M140/M190 (S and R), M106/M107, M201–M205,
M220/M221, M302, M400, T-tool changes, M73, Klipper's EXCLUDE_OBJECT_* and the comments of
PrusaSlicer/SuperSlicer/OrcaSlicer, Cura and Simplify3D (layers, feature types, embedded
estimates and the PrusaSlicer-family configuration block).
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kit.errors import InputFileError
from kit.files import looks_binary, require_input_file
from printers.estimator import elapsed_s_at, remaining_s_at
from printers.findings import BoundingBox, Check, Facts, SlicerInfo
from printers.interpreter import Interpreter
from printers.planner import MachineLimits
from printers.print_file import LineChecks, bounded_lines, check_print_file, open_print_file
from printers.profile import PrinterProfile

__all__ = [
    "Analysis",
    "BoundingBox",
    "Check",
    "Facts",
    "Interpreter",
    "SlicerInfo",
    "analyse_file",
    "open_gcode",
    "run_interpreter",
]


@dataclass(frozen=True)
class Analysis:
    """Everything the preflight found about one file (see the module docstring)."""

    path: str
    size_bytes: int
    profile_name: str
    estimated_seconds: float
    motion_seconds: float
    dwell_seconds: float
    heating_seconds: float
    filament_mm: float
    filament_volume_cm3: float
    filament_g: float
    filament_cost_eur: float
    material: str
    layers: int
    bounding_box: BoundingBox | None
    move_box: BoundingBox | None
    limits: MachineLimits
    limits_from_file: bool
    slicer: SlicerInfo
    facts: Facts
    checks: tuple[Check, ...]
    progress_points: tuple[tuple[int, float], ...]
    slot_minutes: float | None = None

    @property
    def object_box(self) -> BoundingBox | None:
        """The object apart from the purge line and the skirt (see :class:`Facts`)."""
        return self.facts.object_box

    @property
    def object_size_mm(self) -> tuple[float, float, float] | None:
        """Width, depth and height of the object (height: top of its highest layer)."""
        box = self.facts.object_box
        return box.object_size_mm if box is not None else None

    @property
    def total_seconds(self) -> float:
        return self.estimated_seconds + self.heating_seconds

    @property
    def printable(self) -> bool:
        """No check of severity ``"error"``."""
        return not any(c.severity == "error" for c in self.checks)

    @property
    def fits_slot(self) -> bool | None:
        if self.slot_minutes is None:
            return None
        return self.total_seconds <= self.slot_minutes * 60.0

    def elapsed_s_at(self, byte_offset: int) -> float:
        """Estimated seconds (motion, dwells, heating) to reach ``byte_offset`` in the file."""
        return elapsed_s_at(self.progress_points, byte_offset)

    def remaining_s_at(self, byte_offset: int) -> float:
        """Estimated seconds left once the file has been executed up to ``byte_offset``.

        ``total_seconds`` at offset 0, exactly 0 at the end of the file; O(log n).
        """
        return remaining_s_at(self.progress_points, byte_offset)

    def to_json_dict(self) -> dict[str, object]:
        """The ``kit printer check --json`` document (keys fixed by the issue)."""
        return {
            "estimated_seconds": round(self.estimated_seconds, 1),
            "heating_seconds": round(self.heating_seconds, 1),
            "total_seconds": round(self.total_seconds, 1),
            "filament_mm": round(self.filament_mm, 1),
            "filament_g": round(self.filament_g, 2),
            "layers": self.layers,
            "bounding_box": self.bounding_box.as_dict() if self.bounding_box else None,
            "object_box": self.object_box.as_dict() if self.object_box else None,
            "checks": [c.as_dict() for c in self.checks],
        }


#: Longest line read at once (Marlin's own limit is 96 characters).
MAX_LINE_BYTES = 1 << 20

#: Bytes looked at to refuse binary files.
_SNIFF_BYTES = 8192


def open_gcode(path: str | Path) -> Path:
    """Check that ``path`` is a readable text file; French errors (exit 2) otherwise."""
    source = require_input_file(path, what="fichier G-code")
    with source.open("rb") as handle:
        sample = handle.read(_SNIFF_BYTES)
    if looks_binary(sample):
        raise InputFileError(
            f"« {source} » n'est pas un fichier G-code texte (contenu binaire).",
            hint="Exportez le G-code depuis le trancheur (un fichier .gcode, pas .bgcode, "
            ".3mf ni .stl).",
        )
    return source


def run_interpreter(
    source: Path,
    profile: PrinterProfile,
    *,
    on_move: Callable[[float, float, float, float, float, float, bool, int], None] | None = None,
    line_checks: LineChecks | None = None,
) -> Interpreter:
    """One pass of :class:`Interpreter` over ``source`` (already checked by open_gcode).

    With ``line_checks``, the same read runs the print file's line checks (an
    :class:`~kit.errors.InputFileError` at the first line a print would refuse).
    """
    try:
        size = source.stat().st_size
    except OSError:
        size = 0
    interpreter = Interpreter(profile, on_move=on_move, expected_bytes=size)
    try:
        with source.open("rb") as handle:
            if line_checks is None:
                # Lines are read with a length limit: a file without newlines (or a huge
                # line) must not be loaded whole. Longer lines arrive in pieces and read as
                # garbage.
                interpreter.feed_lines(iter(lambda: handle.readline(MAX_LINE_BYTES), b""))
            else:
                # The checks refuse a line longer than MAX_RAW_LINE_BYTES: every line they
                # let through is the line the unchecked read above would give.
                interpreter.feed_lines(line_checks.checked(bounded_lines(handle, source)))
    except OSError as exc:
        raise InputFileError(f"Impossible de lire « {source} » : {exc.strerror or exc}.") from exc
    interpreter.finish()
    return interpreter


def analyse_file(
    path: str | Path,
    profile: PrinterProfile,
    *,
    slot_minutes: float | None = None,
    check_lines: bool = False,
) -> Analysis:
    """Analyse a G-code file for ``profile``; ``slot_minutes`` adds the "fits the slot" check.

    Raises :class:`kit.errors.InputFileError` (exit 2) for a missing, empty or binary file or
    one without a single move. With ``check_lines``, the file must first pass the checks
    ``kit printer print`` makes before sending it (:class:`printers.print_file.LineChecks`,
    run during the same read): the same errors as :func:`check_print_file`, in its order.
    """
    from printers.checks import evaluate

    if check_lines:
        source = open_print_file(path)
        line_checks: LineChecks | None = LineChecks(source)
    else:
        source = open_gcode(path)
        line_checks = None
    interpreter = run_interpreter(source, profile, line_checks=line_checks)
    if line_checks is not None:
        line_checks.result()
    facts = interpreter.facts
    if facts.move_count == 0:
        if facts.invalid_value_lines:  # moves there were, but none could be read
            line, what = facts.invalid_value_lines[0]
            raise InputFileError(
                f"« {source} » ne contient aucun déplacement lisible (ligne {line} : {what}) : "
                "le fichier est abîmé.",
                hint="Exportez de nouveau le G-code depuis le trancheur.",
            )
        raise InputFileError(
            f"« {source} » ne contient aucun déplacement : ce n'est pas un fichier à imprimer.",
            hint="Vérifiez que c'est bien le G-code exporté par le trancheur.",
        )
    slicer = interpreter.slicer_info()
    material = profile.material(slicer.filament_type)
    diameter = profile.filament_diameter_mm
    area_mm2 = math.pi * (diameter / 2.0) ** 2
    filament_mm = max(interpreter.filament_mm, 0.0)
    volume_cm3 = filament_mm * area_mm2 / 1000.0
    grams = volume_cm3 * material.density_g_cm3
    motion_s = interpreter.estimator.motion_s
    analysis = Analysis(
        path=str(source),
        size_bytes=interpreter.offset,
        profile_name=profile.name,
        estimated_seconds=motion_s + interpreter.dwell_s,
        motion_seconds=motion_s,
        dwell_seconds=interpreter.dwell_s,
        heating_seconds=interpreter.heating_s,
        filament_mm=filament_mm,
        filament_volume_cm3=volume_cm3,
        filament_g=grams,
        filament_cost_eur=grams / 1000.0 * material.price_eur_kg,
        material=material.name,
        layers=interpreter.layers,
        bounding_box=facts.print_box,
        move_box=facts.move_box,
        limits=interpreter.limits,
        limits_from_file=interpreter.limits_from_file,
        slicer=slicer,
        facts=facts,
        checks=(),
        progress_points=tuple(interpreter.estimator.progress.points),
        slot_minutes=slot_minutes,
    )
    checks = evaluate(analysis, profile)
    return _with_checks(analysis, checks)


#: Profile used when neither the user nor the file names the printer.
DEFAULT_PROFILE = "generic"


#: How much of a file's end is read to guess the printer it was sliced for: PrusaSlicer and
#: its forks write ``; printer_model = …`` in the configuration block that ends the file.
_MODEL_TAIL_BYTES = 64 * 1024
_MODEL_LINE = re.compile(rb"^;[ \t]*printer_model = ([^\r\n]*)", re.MULTILINE)


def _model_named_near_end(path: str | Path) -> str | None:
    """The ``printer_model`` of the configuration block at the end of the file, if any.

    A guess that saves the second pass of :func:`analyse_for_printer`: the analysis' own
    reading of the slicer's comments decides in the end.
    """
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            return None  # a pipe or a device is left to the checks (never read twice)
        with open(path, "rb") as handle:
            handle.seek(max(status.st_size - _MODEL_TAIL_BYTES, 0))
            tail = handle.read(_MODEL_TAIL_BYTES)
    except (OSError, ValueError):
        return None
    found = _MODEL_LINE.findall(tail)
    if not found:
        return None
    return found[-1].decode("utf-8", "replace").strip() or None


def analyse_for_printer(
    path: str | Path,
    profile_name: str | None,
    *,
    slot_minutes: float | None = None,
    check_lines: bool = False,
) -> tuple[Analysis, PrinterProfile, bool]:
    """Analyse for the named profile; with none, for the printer the file was sliced for.

    Returns the analysis, the profile used and whether it was detected from the file (the
    slicer's ``printer_model``). Neither named nor detected: the generic profile. The file
    is analysed once when the model named at its end is the one the analysis reads (the
    usual case), twice otherwise. ``check_lines``: see :func:`analyse_file`.
    """
    from printers.profile import load_profile, profile_for_model

    if profile_name is not None:
        try:
            profile = load_profile(profile_name)
        except InputFileError:
            if check_lines:
                # The file's own problem first, as when it was checked before the analysis.
                check_print_file(path)
            raise
        analysis = analyse_file(path, profile, slot_minutes=slot_minutes, check_lines=check_lines)
        return analysis, profile, False
    guessed_model = _model_named_near_end(path)
    guessed = profile_for_model(guessed_model)
    default = load_profile(DEFAULT_PROFILE)
    if guessed is None or guessed.name == default.name:
        guessed = default
    analysis = analyse_file(path, guessed, slot_minutes=slot_minutes, check_lines=check_lines)
    model = analysis.slicer.printer_model
    detected = guessed if model == guessed_model else profile_for_model(model)
    if detected is None or detected.name == default.name:
        detected = default
    if detected.name != guessed.name:
        analysis = analyse_file(path, detected, slot_minutes=slot_minutes)
    return analysis, detected, detected is not default


def _with_checks(analysis: Analysis, checks: list[Check]) -> Analysis:
    from dataclasses import replace

    return replace(analysis, checks=tuple(checks))
