# SPDX-License-Identifier: GPL-3.0-or-later
"""The G-code state machine of one preflight pass (pure: lines in, facts and times out).

:class:`Interpreter` follows positions, modes, temperatures and limits line by line, feeds each
move to the whole-file estimator (:mod:`printers.estimator`), records what the checks need
(:class:`printers.findings.Facts`) and hands comments to :mod:`printers.slicer_comments`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from printers.arcs import arc_waypoints
from printers.estimator import MotionEstimator, ProgressMap
from printers.findings import BoundingBox, Facts, SlicerInfo
from printers.gcode import BadNumber, split_code, split_words
from printers.profile import PrinterProfile
from printers.slicer_comments import PART_OBJECT, PART_PURGE, PART_SKIRT, SlicerComments

# Letters as the integer codes split_words gives.
_X, _Y, _Z, _E, _F = 88, 89, 90, 69, 70
_I, _J, _R, _S, _P = 73, 74, 82, 83, 80
#: Commands that stop the print until someone acts (filament change, pause for the user).
_USER_PAUSES = frozenset({b"M0", b"M1", b"M600", b"M601", b"M25", b"PAUSE"})
#: How many problem lines of one kind are remembered for the report.
_MAX_EXAMPLES = 5


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
        # The hot path widens the box inline without add(): a box is empty while min > max.
        if self.empty and self.min_x > self.max_x:
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
        # One box per part of the print (purge line, skirt, object), chosen by the slicer's
        # comments; the box of everything extruded is their union (see finish()).
        self._part_boxes = {PART_PURGE: _Box(), PART_SKIRT: _Box(), PART_OBJECT: _Box()}
        self.print_box = _Box()
        self.move_count = 0
        self.box_min_x = self.box_min_y = self.box_min_z = math.inf
        self.box_max_x = self.box_max_y = self.box_max_z = -math.inf
        self.z_layers = 0
        self._last_print_z = -math.inf
        self.comments = SlicerComments()
        self.offset = 0
        self._extrude_min_c = profile.extrude_min_c
        self._cold_extrusion_allowed = False
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
            b"M302": self._m302,
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
        comment = self.comments.feed
        linear = self._linear_words
        slow = self._feed_slow
        for line in lines:
            offset += len(line)
            self.offset = offset
            facts.line_count += 1
            first = line[:1]
            if first == b";":
                comment(line[1:].strip(), facts.line_count)
            elif first == b"G" and line[2:3] == b" " and line[1:2] in b"01" and b"(" not in line:
                # "G1 X.. Y.. E.. ;comment"
                cut = line.find(b";")
                if cut >= 0:
                    note = line[cut + 1 :].strip()
                    if note:
                        comment(note, facts.line_count)
                    line = line[:cut]
                linear(line.split())
            else:
                slow(line)

    def _feed_slow(self, line: bytes) -> None:
        """Every line but comments and plain G0/G1."""
        facts = self.facts
        code, comment = split_code(line)
        if comment:
            self.comments.feed(comment, facts.line_count)
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
            layer = self.layers
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
        too_cold = self.hotend.target < self._extrude_min_c
        if too_cold and self._cold_extrusion_allowed:
            if facts.allowed_cold_extrusion_line is None:
                facts.allowed_cold_extrusion_line = facts.line_count
        elif too_cold:
            cold = facts.extrusion_cold_lines
            # An arc is many moves on one line: its line is named once.
            if len(cold) < _MAX_EXAMPLES and (not cold or cold[-1] != facts.line_count):
                cold.append(facts.line_count)
        elif not facts.heated_wait_seen and facts.extrusion_before_wait_line is None:
            facts.extrusion_before_wait_line = facts.line_count
        box = self._part_boxes[self.comments.part]
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
        waypoints = arc_waypoints(
            (self.x, self.y),
            (x1, y1),
            clockwise=clockwise,
            offset=(values.get(_I, 0.0), values.get(_J, 0.0)),
            radius=values.get(_R),
        )
        if waypoints is None:
            self._move_to(x1, y1, z1, e1)
            return
        z0, e0 = self.z, self.e
        for x, y, fraction in waypoints[:-1]:
            self._move_to(x, y, z0 + (z1 - z0) * fraction, e0 + (e1 - e0) * fraction)
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

    def _m302(self, params: list[tuple[int, float]]) -> None:
        """M302: P1 allows cold extrusion, P0 forbids it again, S sets the minimum."""
        for letter, value in params:
            if not math.isfinite(value):
                continue
            if letter == _P:
                self._cold_extrusion_allowed = value != 0.0
            elif letter == _S:
                self._extrude_min_c = max(0.0, value)

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
            if letter == _R and math.isfinite(value) and "m73" not in self.comments.embedded:
                self.comments.embedded["m73"] = value * 60.0

    def _exclude_object(self, code: bytes) -> None:
        text = code.decode("utf-8", "replace")
        if text.upper().startswith("EXCLUDE_OBJECT_DEFINE"):
            for part in text.split()[1:]:
                if part.upper().startswith("NAME="):
                    self.facts.objects.add(part[5:])

    # -- result ----------------------------------------------------------------------------
    def finish(self) -> None:
        self.estimator.finish(self.offset)
        parts = {name: box.frozen() for name, box in self._part_boxes.items()}
        for part in parts.values():
            if part is not None:
                self.print_box.add(part.min_x, part.min_y, part.min_z)
                self.print_box.add(part.max_x, part.max_y, part.max_z)
        self.facts.print_box = self.print_box.frozen()
        if self.comments.marked and parts[PART_OBJECT] is not None:
            self.facts.object_box = parts[PART_OBJECT]
            self.facts.skirt_box = parts[PART_SKIRT]
            self.facts.purge_box = parts[PART_PURGE]
        else:  # no layer or feature marks: the parts cannot be told apart
            self.facts.object_box = self.facts.print_box
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
        """Layers from the slicer's comments, else counted from the heights printed at."""
        return self.comments.layers if self.comments.layers else self.z_layers

    def slicer_info(self) -> SlicerInfo:
        """What the slicer's comments said."""
        return self.comments.info()
