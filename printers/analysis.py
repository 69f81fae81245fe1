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
M220/M221, M400, T-tool changes, M73, Klipper's EXCLUDE_OBJECT_* and the comments of
PrusaSlicer/SuperSlicer/OrcaSlicer, Cura and Simplify3D (layers, feature types, embedded
estimates and the PrusaSlicer-family configuration block).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import InputFileError
from kit.files import looks_binary, require_input_file
from printers.estimator import MotionEstimator, ProgressMap, elapsed_s_at, remaining_s_at
from printers.gcode import BadNumber, parse_duration, split_code, split_words
from printers.planner import MachineLimits
from printers.profile import PrinterProfile

# Letters as the integer codes split_words gives.
_X, _Y, _Z, _E, _F = 88, 89, 90, 69, 70
_I, _J, _R, _S, _P = 73, 74, 82, 83, 80
#: Marlin's arc chord length (MM_PER_ARC_SEGMENT / MAX_ARC_SEGMENT_MM).
ARC_SEGMENT_MM = 1.0
#: Commands that stop the print until someone acts (filament change, pause for the user).
_USER_PAUSES = frozenset({b"M0", b"M1", b"M600", b"M601", b"M25", b"PAUSE"})
#: How many problem lines of one kind are remembered for the report.
_MAX_EXAMPLES = 5


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


@dataclass
class Facts:
    """Observations of one pass, before they are judged against a profile (see checks.py)."""

    line_count: int = 0
    move_count: int = 0
    extruding_moves: int = 0
    homed_before_first_move: bool = True
    first_unhomed_move_line: int | None = None
    extrusion_cold_lines: list[int] = field(default_factory=list)
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
            "checks": [c.as_dict() for c in self.checks],
        }


class _Heater:
    """First-order heater: goes to its target at a constant rate (°C/s)."""

    def __init__(self, ambient_c: float, rate_up: float, rate_down: float) -> None:
        self.temp = ambient_c
        self.target = ambient_c
        self.since_s = 0.0
        self.rate_up = max(rate_up, 1e-3)
        self.rate_down = max(rate_down, 1e-3)

    def _advance(self, now_s: float) -> None:
        elapsed = max(now_s - self.since_s, 0.0)
        if self.temp < self.target:
            self.temp = min(self.target, self.temp + elapsed * self.rate_up)
        elif self.temp > self.target:
            self.temp = max(self.target, self.temp - elapsed * self.rate_down)
        self.since_s = now_s

    def set_target(self, target_c: float, now_s: float) -> None:
        self._advance(now_s)
        self.target = target_c

    def wait(self, now_s: float, both_ways: bool) -> float:
        """Seconds until the target is reached (cooling counted only if ``both_ways``)."""
        self._advance(now_s)
        if self.temp < self.target:
            seconds = (self.target - self.temp) / self.rate_up
        elif both_ways and self.temp > self.target:
            seconds = (self.temp - self.target) / self.rate_down
        else:
            seconds = 0.0
        self.temp = self.target
        self.since_s = now_s + seconds
        return seconds


class _Box:
    __slots__ = ("min_x", "min_y", "min_z", "max_x", "max_y", "max_z", "empty")

    def __init__(self) -> None:
        self.min_x = self.min_y = self.min_z = math.inf
        self.max_x = self.max_y = self.max_z = -math.inf
        self.empty = True

    def add(self, x: float, y: float, z: float) -> None:
        self.empty = False
        if x < self.min_x:
            self.min_x = x
        if x > self.max_x:
            self.max_x = x
        if y < self.min_y:
            self.min_y = y
        if y > self.max_y:
            self.max_y = y
        if z < self.min_z:
            self.min_z = z
        if z > self.max_z:
            self.max_z = z

    def frozen(self) -> BoundingBox | None:
        if self.empty:
            return None
        return BoundingBox(self.min_x, self.min_y, self.min_z, self.max_x, self.max_y, self.max_z)


class Interpreter:
    """The G-code state machine of one pass. Feed lines with :meth:`feed`, then :meth:`finish`.

    Pure (no I/O): :func:`analyse_file` does the reading. ``on_move`` (optional) is called for
    each linear move with ``(x0, y0, z0, x1, y1, z1, extruding, layer)`` — the pictures use it.
    """

    def __init__(
        self,
        profile: PrinterProfile,
        *,
        on_move: Callable[[float, float, float, float, float, float, bool, int], None]
        | None = None,
        max_progress_points: int = 1000,
        expected_bytes: int = 0,
    ) -> None:
        self.profile = profile
        self.limits = profile.limits
        self.limits_from_file = False
        self.estimator = MotionEstimator(
            profile.limits,
            progress=ProgressMap.for_size(expected_bytes, max_points=max_progress_points),
        )
        self.facts = Facts()
        self.on_move = on_move
        self.x = self.y = self.z = self.e = 0.0
        self.absolute = True
        self.absolute_e = True
        self.unit = 1.0
        self.feedrate_mm_s = 25.0
        self.speed_factor = 1.0
        self.flow_factor = 1.0
        self.homed = False
        self.filament_mm = 0.0
        self.retracted_mm = 0.0
        self._was_extruding = False
        self.dwell_s = 0.0
        self.heating_s = 0.0
        self.hotend = _Heater(profile.ambient_c, profile.hotend_rate_c_s, profile.cooling_rate_c_s)
        self.bed = _Heater(profile.ambient_c, profile.bed_rate_c_s, profile.cooling_rate_c_s)
        self.print_box = _Box()
        self.move_count = 0
        self.box_min_x = self.box_min_y = self.box_min_z = math.inf
        self.box_max_x = self.box_max_y = self.box_max_z = -math.inf
        self.comment_layers = 0
        self.z_layers = 0
        self._last_print_z = -math.inf
        self.slicer_name: str | None = None
        self.config: dict[str, str] = {}
        self.embedded: dict[str, float] = {}
        self.offset = 0
        self._commands: dict[bytes, Callable[[list[tuple[int, float]]], None]] = {
            b"G4": self._g4,
            b"G20": self._g20,
            b"G21": self._g21,
            b"G28": self._g28,
            b"G90": self._g90,
            b"G91": self._g91,
            b"G92": self._g92,
            b"M82": self._m82,
            b"M83": self._m83,
            b"M104": self._m104,
            b"M109": self._m109,
            b"M140": self._m140,
            b"M190": self._m190,
            b"M201": self._limits_cmd(b"M201"),
            b"M203": self._limits_cmd(b"M203"),
            b"M204": self._limits_cmd(b"M204"),
            b"M205": self._limits_cmd(b"M205"),
            b"M220": self._m220,
            b"M221": self._m221,
            b"M400": self._m400,
            b"M73": self._m73,
        }
        self._ignored = {b"M106", b"M107", b"M84", b"M18", b"M117", b"M115", b"M900", b"M862.3"}

    # -- line dispatch -------------------------------------------------------------------
    def feed(self, line: bytes, end_offset: int) -> None:
        """Interpret one raw line ending at byte ``end_offset`` of the file."""
        self.offset = end_offset - len(line)
        self.feed_lines((line,))

    def feed_lines(self, lines: Iterable[bytes]) -> None:
        """Interpret raw lines that follow the last one fed (offsets continue from there).

        The loop over a file's lines lives here, with the G0/G1 case first: it is most of a
        sliced file, and one method call less per line is worth a tenth of the run time.
        """
        facts = self.facts
        offset = self.offset
        comment = self._comment
        linear = self._linear_words
        slow = self._feed_slow
        for line in lines:
            offset += len(line)
            self.offset = offset
            facts.line_count += 1
            first = line[:1]
            if first == b";":
                comment(line[1:].strip())
            elif first == b"G" and line[2:3] == b" " and line[1:2] in b"01" and b"(" not in line:
                # "G1 X.. Y.. E.. ;comment"
                cut = line.find(b";")
                if cut >= 0:
                    note = line[cut + 1 :].strip()
                    if note:
                        comment(note)
                    line = line[:cut]
                linear(line.split())
            else:
                slow(line)

    def _feed_slow(self, line: bytes) -> None:
        """Every line but comments and plain G0/G1."""
        facts = self.facts
        code, comment = split_code(line)
        if comment:
            self._comment(comment)
        if not code:
            return
        try:
            command, params = split_words(code)
        except BadNumber as exc:
            self._invalid(f"valeur illisible « {exc} »")
            return
        if command == b"G1" or command == b"G0":
            self._linear(params)
            return
        handler = self._commands.get(command)
        if handler is not None:
            handler(params)
        elif command in (b"G2", b"G3"):
            self._arc(params, clockwise=command == b"G2")
        elif command[:1] == b"T" and command[1:].isdigit():
            facts.tool_changes += 1
        elif command in _USER_PAUSES:
            if len(facts.user_pause_lines) < _MAX_EXAMPLES:
                facts.user_pause_lines.append((facts.line_count, command.decode()))
        elif command.startswith(b"EXCLUDE_OBJECT"):
            self._exclude_object(code)
        elif command not in self._ignored:
            facts.unknown_commands += 1

    def _invalid(self, what: str) -> None:
        if len(self.facts.invalid_value_lines) < _MAX_EXAMPLES:
            self.facts.invalid_value_lines.append((self.facts.line_count, what))

    # -- moves -----------------------------------------------------------------------------
    def _linear(self, params: list[tuple[int, float]]) -> None:
        """G0/G1 from parsed words (the rare packed or parenthesised spelling)."""
        self._linear_words([b"G1"] + [bytes((letter,)) + repr(v).encode() for letter, v in params])

    def _linear_words(self, words: list[bytes]) -> None:
        """G0/G1 from its words (``[b"G1", b"X10", b"E.5"]``): the hot path of a sliced file."""
        unit = self.unit
        absolute = self.absolute
        x, y, z = self.x, self.y, self.z
        nx, ny, nz = x, y, z
        ne = self.e
        for word in words[1:]:
            letter = word[0] & 0xDF  # upper-case
            try:
                value = float(word[1:])
            except ValueError:
                if len(word) > 1:
                    self._invalid(f"valeur illisible « {word.decode('ascii', 'replace')} »")
                    return
                value = 0.0  # a bare letter ("G1 X") counts as 0, as Marlin reads it
            if letter == _X:
                nx = value * unit if absolute else x + value * unit
            elif letter == _Y:
                ny = value * unit if absolute else y + value * unit
            elif letter == _Z:
                nz = value * unit if absolute else z + value * unit
            elif letter == _E:
                ne = value * unit if self.absolute_e else self.e + value * unit
            elif letter == _F:
                if 0.0 < value < math.inf:
                    self.feedrate_mm_s = value * unit / 60.0
                elif value <= 0.0:
                    if len(self.facts.zero_feedrate_lines) < _MAX_EXAMPLES:
                        self.facts.zero_feedrate_lines.append(self.facts.line_count)
                else:
                    self._invalid("vitesse invalide (NaN ou infinie)")
                    return
        # One check per line rather than per word: NaN or infinity anywhere spoils the sum.
        check = nx + ny + nz + ne
        if check - check != 0.0:
            self._invalid("coordonnée invalide (NaN ou infinie)")
            return
        self._move_to(nx, ny, nz, ne)

    def _move_to(self, nx: float, ny: float, nz: float, ne: float) -> None:
        x, y, z = self.x, self.y, self.z
        dx = nx - x
        dy = ny - y
        dz = nz - z
        de = ne - self.e
        if dx == 0.0 and dy == 0.0 and dz == 0.0 and de == 0.0:
            return
        self.move_count += 1
        self.estimator.move((dx, dy, dz, de), self.feedrate_mm_s * self.speed_factor, self.offset)
        self.x, self.y, self.z, self.e = nx, ny, nz, ne
        extruding = False
        if de > 0.0:
            # Filament used: what goes past an outstanding retraction (G92 E0 while retracted
            # does not cancel it), so retract/unretract pairs count nothing, as slicers count.
            retracted = self.retracted_mm
            if retracted > 0.0:
                cancel = de if de < retracted else retracted
                self.retracted_mm = retracted - cancel
                self.filament_mm += (de - cancel) * self.flow_factor
            else:
                self.filament_mm += de * self.flow_factor
            if dx != 0.0 or dy != 0.0:
                extruding = True
                self._extruding_move(x, y, z, nx, ny, nz)
        elif de < 0.0:
            self.retracted_mm -= de
        self._was_extruding = extruding
        # Box of every move once homed (inline: this runs for each move of the file).
        if self.homed:
            if nx < self.box_min_x:
                self.box_min_x = nx
            if nx > self.box_max_x:
                self.box_max_x = nx
            if ny < self.box_min_y:
                self.box_min_y = ny
            if ny > self.box_max_y:
                self.box_max_y = ny
            if nz < self.box_min_z:
                self.box_min_z = nz
            if nz > self.box_max_z:
                self.box_max_z = nz
        elif self.facts.first_unhomed_move_line is None:
            self.facts.first_unhomed_move_line = self.facts.line_count
        if self.on_move is not None:
            layer = self.comment_layers if self.comment_layers else self.z_layers
            self.on_move(x, y, z, nx, ny, nz, extruding, layer)

    def _extruding_move(
        self, x: float, y: float, z: float, nx: float, ny: float, nz: float
    ) -> None:
        facts = self.facts
        facts.extruding_moves += 1
        if self.absolute_e:
            facts.absolute_e_extrusion = True
        else:
            facts.relative_e_extrusion = True
        if self.hotend.target < self.profile.extrude_min_c:
            if len(facts.extrusion_cold_lines) < _MAX_EXAMPLES:
                facts.extrusion_cold_lines.append(facts.line_count)
        elif not facts.heated_wait_seen and facts.extrusion_before_wait_line is None:
            facts.extrusion_before_wait_line = facts.line_count
        box = self.print_box
        if not self._was_extruding:
            box.add(x, y, z)
        # box.add(nx, ny, nz), inline: this runs for most moves of a file.
        if nx < box.min_x:
            box.min_x = nx
        if nx > box.max_x:
            box.max_x = nx
        if ny < box.min_y:
            box.min_y = ny
        if ny > box.max_y:
            box.max_y = ny
        if nz < box.min_z:
            box.min_z = nz
        if nz > box.max_z:
            box.max_z = nz
        if nz > self._last_print_z + 1e-6:
            self._last_print_z = nz
            self.z_layers += 1

    def _arc(self, params: list[tuple[int, float]], *, clockwise: bool) -> None:
        unit = self.unit
        values: dict[int, float] = {}
        for letter, value in params:
            if not math.isfinite(value):
                self._invalid(f"nombre invalide pour {chr(letter)}")
                return
            values[letter] = value * unit if letter != _F else value
        if _F in values and values[_F] > 0.0:
            self.feedrate_mm_s = values[_F] * unit / 60.0

        def target(letter: int, current: float, absolute: bool) -> float:
            if letter not in values:
                return current
            return values[letter] if absolute else current + values[letter]

        x1 = target(_X, self.x, self.absolute)
        y1 = target(_Y, self.y, self.absolute)
        z1 = target(_Z, self.z, self.absolute)
        e1 = target(_E, self.e, self.absolute_e)
        x0, y0 = self.x, self.y
        if _R in values:
            radius = values[_R]
            chord_x, chord_y = x1 - x0, y1 - y0
            chord = math.hypot(chord_x, chord_y)
            if chord == 0.0 or abs(radius) < chord / 2.0 - 1e-6:
                self._move_to(x1, y1, z1, e1)
                return
            h = math.sqrt(max(radius * radius - chord * chord / 4.0, 0.0))
            # Marlin: positive R takes the short way round, negative R the long way.
            sign = (-1.0 if clockwise else 1.0) * (1.0 if radius > 0 else -1.0)
            cx = x0 + chord_x / 2.0 - sign * h * chord_y / chord
            cy = y0 + chord_y / 2.0 + sign * h * chord_x / chord
        else:
            cx, cy = x0 + values.get(_I, 0.0), y0 + values.get(_J, 0.0)
        radius = math.hypot(x0 - cx, y0 - cy)
        if radius == 0.0:
            self._move_to(x1, y1, z1, e1)
            return
        start = math.atan2(y0 - cy, x0 - cx)
        end = math.atan2(y1 - cy, x1 - cx)
        sweep = end - start
        if clockwise:
            if sweep >= 0.0:
                sweep -= 2.0 * math.pi
        elif sweep <= 0.0:
            sweep += 2.0 * math.pi
        length = abs(sweep) * radius
        segments = max(1, min(int(length / ARC_SEGMENT_MM), 100_000))
        z0, e0 = self.z, self.e
        for step in range(1, segments):
            fraction = step / segments
            angle = start + sweep * fraction
            self._move_to(
                cx + radius * math.cos(angle),
                cy + radius * math.sin(angle),
                z0 + (z1 - z0) * fraction,
                e0 + (e1 - e0) * fraction,
            )
        self._move_to(x1, y1, z1, e1)

    # -- other commands --------------------------------------------------------------------
    def _g4(self, params: list[tuple[int, float]]) -> None:
        seconds = 0.0
        for letter, value in params:
            if not math.isfinite(value) or value < 0.0:
                self._invalid("durée de pause invalide (G4)")
                return
            if letter == _P:
                seconds += value / 1000.0
            elif letter == _S:
                seconds += value
        self.dwell_s += seconds
        self.estimator.wait(seconds, self.offset)

    def _g20(self, params: list[tuple[int, float]]) -> None:
        self.unit = 25.4

    def _g21(self, params: list[tuple[int, float]]) -> None:
        self.unit = 1.0

    def _g28(self, params: list[tuple[int, float]]) -> None:
        self.estimator.synchronize()
        letters = {letter for letter, _ in params} & {_X, _Y, _Z}
        if not letters:
            letters = {_X, _Y, _Z}
            self.homed = True
        elif letters == {_X, _Y, _Z}:
            self.homed = True
        if _X in letters:
            self.x = 0.0
        if _Y in letters:
            self.y = 0.0
        if _Z in letters:
            self.z = 0.0
        self.estimator.wait(0.0, self.offset)

    def _g90(self, params: list[tuple[int, float]]) -> None:
        self.absolute = True
        self.absolute_e = True

    def _g91(self, params: list[tuple[int, float]]) -> None:
        self.absolute = False
        self.absolute_e = False

    def _g92(self, params: list[tuple[int, float]]) -> None:
        if not params:
            self.x = self.y = self.z = self.e = 0.0
            return
        for letter, value in params:
            if not math.isfinite(value):
                self._invalid("position invalide (G92)")
                return
            value *= self.unit
            if letter == _X:
                self.x = value
            elif letter == _Y:
                self.y = value
            elif letter == _Z:
                self.z = value
            elif letter == _E:
                self.e = value

    def _m82(self, params: list[tuple[int, float]]) -> None:
        self.absolute_e = True

    def _m83(self, params: list[tuple[int, float]]) -> None:
        self.absolute_e = False

    def _temperature(self, params: list[tuple[int, float]]) -> tuple[float, bool] | None:
        """The S (heat only) or R (heat or cool) target, validated."""
        for letter, value in params:
            if letter in (_S, _R):
                if not math.isfinite(value):
                    self._invalid("température invalide")
                    return None
                if value < 0.0:
                    facts = self.facts
                    if len(facts.negative_temperature_lines) < _MAX_EXAMPLES:
                        facts.negative_temperature_lines.append((facts.line_count, value))
                    return None
                return value, letter == _R
        return None

    def _set_hotend(self, params: list[tuple[int, float]], wait: bool) -> None:
        parsed = self._temperature(params)
        if parsed is None:
            return
        target, both_ways = parsed
        facts = self.facts
        facts.max_hotend_c = max(facts.max_hotend_c, target)
        if target > 0.0:
            facts.hotend_targets_c.add(target)
        if wait:
            self.estimator.synchronize()
        now = self.estimator.elapsed_s
        self.hotend.set_target(target, now)
        if wait:
            if target >= self.profile.extrude_min_c:
                facts.heated_wait_seen = True
            seconds = self.hotend.wait(now, both_ways) + (
                self.profile.settle_s if target > 0 else 0.0
            )
            self.heating_s += seconds
            self.estimator.wait(seconds, self.offset)

    def _set_bed(self, params: list[tuple[int, float]], wait: bool) -> None:
        parsed = self._temperature(params)
        if parsed is None:
            return
        target, both_ways = parsed
        self.facts.max_bed_c = max(self.facts.max_bed_c, target)
        if target > 0.0:
            self.facts.bed_targets_c.add(target)
        if wait:
            self.estimator.synchronize()
        now = self.estimator.elapsed_s
        self.bed.set_target(target, now)
        if wait:
            seconds = self.bed.wait(now, both_ways)
            self.heating_s += seconds
            self.estimator.wait(seconds, self.offset)

    def _m104(self, params: list[tuple[int, float]]) -> None:
        self._set_hotend(params, wait=False)

    def _m109(self, params: list[tuple[int, float]]) -> None:
        self._set_hotend(params, wait=True)

    def _m140(self, params: list[tuple[int, float]]) -> None:
        self._set_bed(params, wait=False)

    def _m190(self, params: list[tuple[int, float]]) -> None:
        self._set_bed(params, wait=True)

    def _limits_cmd(self, code: bytes) -> Callable[[list[tuple[int, float]]], None]:
        name = code.decode()

        def handler(params: list[tuple[int, float]]) -> None:
            values = {chr(letter): value for letter, value in params}
            if any(not math.isfinite(v) or v < 0.0 for v in values.values()):
                self._invalid(f"limite de la machine invalide ({name})")
            self.limits = self.limits.updated(name, values)
            self.limits_from_file = True
            self.estimator.set_limits(self.limits)

        return handler

    def _m220(self, params: list[tuple[int, float]]) -> None:
        for letter, value in params:
            if letter == _S:
                if not math.isfinite(value) or value <= 0.0:
                    self._invalid("facteur de vitesse invalide (M220)")
                    return
                self.speed_factor = value / 100.0

    def _m221(self, params: list[tuple[int, float]]) -> None:
        for letter, value in params:
            if letter == _S:
                if not math.isfinite(value) or value < 0.0:
                    self._invalid("facteur de débit invalide (M221)")
                    return
                self.flow_factor = value / 100.0

    def _m400(self, params: list[tuple[int, float]]) -> None:
        self.estimator.synchronize()

    def _m73(self, params: list[tuple[int, float]]) -> None:
        for letter, value in params:
            if letter == _R and math.isfinite(value) and "m73" not in self.embedded:
                self.embedded["m73"] = value * 60.0

    def _exclude_object(self, code: bytes) -> None:
        text = code.decode("utf-8", "replace")
        if text.upper().startswith("EXCLUDE_OBJECT_DEFINE"):
            for part in text.split()[1:]:
                if part.upper().startswith("NAME="):
                    self.facts.objects.add(part[5:])

    # -- comments --------------------------------------------------------------------------
    def _comment(self, comment: bytes) -> None:
        if comment.startswith(b"TYPE:") or comment.startswith(b"WIDTH:"):
            return
        if comment == b"LAYER_CHANGE" or comment.startswith(b"LAYER:"):
            self.comment_layers += 1
            return
        if comment.startswith(b"layer ") and b"Z =" in comment:  # Simplify3D
            self.comment_layers += 1
            return
        if comment.startswith(b"Z:") or comment.startswith(b"HEIGHT:"):
            return
        if b" = " in comment:
            key, _, value = comment.partition(b" = ")
            self._config_line(key.decode("utf-8", "replace").strip(), value)
            return
        if b":" in comment:
            key, _, value = comment.partition(b":")
            self._cura_line(key.decode("utf-8", "replace").strip(), value)
            return
        if self.slicer_name is None and self.facts.line_count < 20:
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
        }
    )

    def _config_line(self, key: str, value: bytes) -> None:
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
        elif self.slicer_name is None and self.facts.line_count < 20:
            self._slicer_banner(key + " " + text)

    def _cura_line(self, key: str, value: bytes) -> None:
        text = value.decode("utf-8", "replace").strip()
        if key == "TIME":  # Cura header: whole seconds
            with contextlib.suppress(ValueError):
                self.embedded.setdefault("estimate", float(text))
        elif key == "Filament used":  # Cura: "1.23456m"
            with contextlib.suppress(ValueError):
                self.embedded.setdefault("filament_mm", float(text.split("m")[0]) * 1000.0)
        elif key == "FLAVOR" and self.slicer_name is None:
            self.slicer_name = "Cura"
        elif key in ("TARGET_MACHINE.NAME", "MACHINE_NAME"):
            self.config.setdefault("printer_model", text)
        elif key.strip().lower() == "build time":  # Simplify3D
            seconds = _s3d_duration(text)
            if seconds is not None:
                self.embedded.setdefault("estimate", seconds)
        elif key.strip().lower() == "filament length":  # Simplify3D: "1234.5 mm"
            with contextlib.suppress(ValueError, IndexError):
                self.embedded.setdefault("filament_mm", float(text.split()[0]))
        elif self.slicer_name is None and self.facts.line_count < 20:
            self._slicer_banner(key + " " + text)

    # -- result ----------------------------------------------------------------------------
    def finish(self) -> None:
        self.estimator.finish(self.offset)
        self.facts.print_box = self.print_box.frozen()
        self.facts.move_count = self.move_count
        if self.box_min_x <= self.box_max_x:
            self.facts.move_box = BoundingBox(
                self.box_min_x,
                self.box_min_y,
                self.box_min_z,
                self.box_max_x,
                self.box_max_y,
                self.box_max_z,
            )

    @property
    def layers(self) -> int:
        return self.comment_layers if self.comment_layers else self.z_layers

    def slicer_info(self) -> SlicerInfo:
        config = self.config
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
        filament_type = (config.get("filament_type") or "").split(";")[0].strip() or None
        return SlicerInfo(
            name=self.slicer_name,
            estimate_s=self.embedded.get("estimate"),
            filament_mm=self.embedded.get("filament_mm"),
            printer_model=model,
            bed_size_mm=bed,
            max_height_mm=height,
            filament_type=filament_type,
            filament_diameter_mm=diameter,
            m73_estimate_s=self.embedded.get("m73"),
        )


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
) -> Interpreter:
    """One pass of :class:`Interpreter` over ``source`` (already checked by open_gcode)."""
    try:
        size = source.stat().st_size
    except OSError:
        size = 0
    interpreter = Interpreter(profile, on_move=on_move, expected_bytes=size)
    try:
        with source.open("rb") as handle:
            # Lines are read with a length limit: a file without newlines (or a huge line)
            # must not be loaded whole. Longer lines arrive in pieces and read as garbage.
            interpreter.feed_lines(iter(lambda: handle.readline(MAX_LINE_BYTES), b""))
    except OSError as exc:
        raise InputFileError(f"Impossible de lire « {source} » : {exc.strerror or exc}.") from exc
    interpreter.finish()
    return interpreter


def analyse_file(
    path: str | Path, profile: PrinterProfile, *, slot_minutes: float | None = None
) -> Analysis:
    """Analyse a G-code file for ``profile``; ``slot_minutes`` adds the "fits the slot" check.

    Raises :class:`kit.errors.InputFileError` (exit 2) for a missing, empty or binary file or
    one without a single move.
    """
    from printers.checks import evaluate

    source = open_gcode(path)
    interpreter = run_interpreter(source, profile)
    facts = interpreter.facts
    if facts.move_count == 0:
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


def _with_checks(analysis: Analysis, checks: list[Check]) -> Analysis:
    from dataclasses import replace

    return replace(analysis, checks=tuple(checks))
