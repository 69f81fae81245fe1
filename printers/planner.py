# SPDX-License-Identifier: GPL-3.0-or-later
"""A Marlin-style motion planner: pure functions from moves and machine limits to durations.

This is the physics the time estimate, the simulated Marlin printer and the host's remaining
time all share. It does no I/O and reads no clock.

Model (the one Marlin's ``planner.cpp`` implements and PrusaSlicer's ``GCodeProcessor`` mirrors
for its own estimate):

- A move becomes a :class:`Block` (:func:`make_block`): its length is the XYZ distance, or the
  E distance for an extruder-only move. Its nominal speed is the requested feedrate, raised to
  the minimum feedrate (M205 S for printing, M205 T for travel) and lowered so that no axis
  exceeds its maximum feedrate (M203).
- Its acceleration is the print (M204 P), travel (M204 T) or retract (M204 R) acceleration,
  lowered so that no axis exceeds its own maximum acceleration (M201). Which of the three
  applies follows the slicer's classification: a move that extrudes is printing, a move with
  XYZ motion and no positive extrusion is travel, an extruder-only move is a retract/unretract.
- Speed at a junction between two blocks is limited either by **classic jerk** (M205 X/Y/Z/E:
  the largest instantaneous per-axis speed change, with Marlin's distinction between an axis
  coasting in the same direction and an axis reversing) or by **junction deviation**
  (M205 J: the speed at which a virtual circle of radius set by the deviation can be taken at
  the block's acceleration). That limit is ``Block.max_junction_speed_mm_s``. A block may
  start from (or stop to) rest at its ``safe_speed_mm_s``: Marlin 2 scales the nominal speed
  so that no axis's component exceeds its jerk. (PrusaSlicer 2.5 keeps Marlin 1.1's cruder
  rule, "the jerk of the first axis over its limit": with it our estimates were 0.25 % and
  0.04 % from PrusaSlicer's on the reference files, with Marlin 2's they are 0.6 % and
  0.25 %; we follow the firmware.)
- :func:`plan` is the look-ahead: a backward pass (every block must be able to decelerate to
  the next junction's speed within its length) then a forward pass (and to accelerate from the
  previous junction's speed), then one trapezoid (accelerate, cruise, decelerate) or triangle
  per block. This computes the same junction speeds as Marlin's ``reverse_pass`` /
  ``forward_pass`` / ``recalculate_trapezoids`` without its caching flags. No block runs
  faster than its nominal speed: where classic jerk lets the next block start faster than
  that (its safe speed, see ``_handover``), the block cruises to its end and its
  ``BlockTiming.exit_speed_mm_s`` is below the next block's entry speed.

Units: millimetres, seconds, mm/s, mm/s². Axis order is always ``(x, y, z, e)``.

Typical use (a simulated printer executing its 16-block queue)::

    limits = MachineLimits().updated("M204", {"P": 1250.0})
    queue: list[Block] = []
    previous = None
    for delta, feed in moves:
        block = make_block(previous, delta, feed, limits)
        if block is not None:
            queue.append(block)
            previous = block
    timings = plan(queue, entry_speed_mm_s=current_speed)
    duration_of_first = timings[0].duration_s

``queue_draining=True`` in :func:`make_block` applies Marlin's minimum segment time (M205 B):
Marlin only slows short segments down when its queue is less than half full, so a whole-file
estimate (host keeps the queue full) leaves it off, while a simulated printer can pass it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from math import sqrt
from typing import NamedTuple

Axes = tuple[float, float, float, float]

_INF = math.inf
_new_tuple = tuple.__new__

#: Marlin's MINIMUM_PLANNER_SPEED: the slowest junction speed the planner plans for (mm/s).
MINIMUM_PLANNER_SPEED_MM_S = 0.05

#: Shorter moves make no block (Marlin drops moves of less than one step the same way).
MIN_LENGTH_MM = 1e-6

_AXIS_LETTERS = ("X", "Y", "Z", "E")


@dataclass(frozen=True, slots=True)
class MachineLimits:
    """Firmware motion limits, as set by M201/M203/M204/M205 or by a printer profile.

    ``junction_deviation_mm`` set (not ``None``) selects junction deviation; otherwise the
    classic per-axis jerk ``jerk_mm_s`` limits junction speeds. Build one from a profile's
    ``[limits]`` table with :meth:`from_mapping` (``printers.profiles`` does this for you:
    ``profile.limits``), then apply a file's M201–M205 lines with :meth:`updated`.
    """

    max_feedrate_mm_s: Axes = (500.0, 500.0, 5.0, 25.0)
    max_acceleration_mm_s2: Axes = (500.0, 500.0, 100.0, 5000.0)
    print_acceleration_mm_s2: float = 500.0
    retract_acceleration_mm_s2: float = 500.0
    travel_acceleration_mm_s2: float = 500.0
    jerk_mm_s: Axes = (8.0, 8.0, 0.4, 5.0)
    junction_deviation_mm: float | None = None
    min_segment_time_s: float = 0.0
    min_print_feedrate_mm_s: float = 0.0
    min_travel_feedrate_mm_s: float = 0.0

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> MachineLimits:
        """Build limits from a profile's table; missing keys keep Marlin-like defaults.

        Keys: ``max_feedrate_mm_s``, ``max_acceleration_mm_s2``, ``jerk_mm_s`` (lists of four
        numbers x, y, z, e), ``print_acceleration_mm_s2``, ``retract_acceleration_mm_s2``,
        ``travel_acceleration_mm_s2``, ``junction_deviation_mm``, ``min_segment_time_s``,
        ``min_print_feedrate_mm_s``, ``min_travel_feedrate_mm_s``. Raises ``ValueError`` on
        a key it does not know or a value that is not a finite non-negative number.
        """
        base = cls()
        changes: dict[str, object] = {}
        known = set(cls.__dataclass_fields__)
        for key, value in data.items():
            if key not in known:
                raise ValueError(f"unknown machine limit {key!r}")
            if key in ("max_feedrate_mm_s", "max_acceleration_mm_s2", "jerk_mm_s"):
                if not isinstance(value, (list, tuple)) or len(value) != 4:
                    raise ValueError(f"{key} needs four numbers (x, y, z, e)")
                changes[key] = tuple(_non_negative(key, v) for v in value)
            elif key == "junction_deviation_mm" and value is None:
                changes[key] = None
            else:
                changes[key] = _non_negative(key, value)
        return replace(base, **changes)  # type: ignore[arg-type]

    def updated(self, code: str, params: Mapping[str, float]) -> MachineLimits:
        """Return new limits after ``code`` (``"M201"``…``"M205"``) with letter ``params``.

        Follows Marlin 2's meanings: M201 per-axis max acceleration; M203 per-axis max
        feedrate (mm/s); M204 ``S`` print and travel, ``P`` print, ``R`` retract, ``T`` travel
        acceleration; M205 ``X``/``Y``/``Z``/``E`` jerk (selects classic jerk when X, Y or Z is
        given), ``J`` junction deviation (selects it), ``S``/``T`` minimum print/travel
        feedrate, ``B`` minimum segment time in µs. Non-finite or negative values are ignored
        (the firmware would refuse them too). Other codes return ``self``.
        """
        clean = {k.upper(): v for k, v in params.items() if math.isfinite(v) and v >= 0.0}
        if code == "M201":
            return replace(
                self, max_acceleration_mm_s2=_axes_update(self.max_acceleration_mm_s2, clean)
            )
        if code == "M203":
            return replace(self, max_feedrate_mm_s=_axes_update(self.max_feedrate_mm_s, clean))
        if code == "M204":
            print_a = self.print_acceleration_mm_s2
            travel_a = self.travel_acceleration_mm_s2
            retract_a = self.retract_acceleration_mm_s2
            if "S" in clean:
                print_a = travel_a = clean["S"]
            print_a = clean.get("P", print_a)
            travel_a = clean.get("T", travel_a)
            retract_a = clean.get("R", retract_a)
            return replace(
                self,
                print_acceleration_mm_s2=print_a,
                travel_acceleration_mm_s2=travel_a,
                retract_acceleration_mm_s2=retract_a,
            )
        if code == "M205":
            limits = self
            if any(letter in clean for letter in _AXIS_LETTERS):
                limits = replace(limits, jerk_mm_s=_axes_update(limits.jerk_mm_s, clean))
                if any(letter in clean for letter in "XYZ"):
                    limits = replace(limits, junction_deviation_mm=None)
            if "J" in clean:
                limits = replace(limits, junction_deviation_mm=clean["J"])
            if "S" in clean:
                limits = replace(limits, min_print_feedrate_mm_s=clean["S"])
            if "T" in clean:
                limits = replace(limits, min_travel_feedrate_mm_s=clean["T"])
            if "B" in clean:
                limits = replace(limits, min_segment_time_s=clean["B"] / 1_000_000.0)
            return limits
        return self


def _non_negative(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key} must be a number")
    number = float(value)
    if not math.isfinite(number) or number < 0.0:
        raise ValueError(f"{key} must be a finite number >= 0")
    return number


def _axes_update(current: Axes, params: Mapping[str, float]) -> Axes:
    x, y, z, e = current
    return (
        params.get("X", x),
        params.get("Y", y),
        params.get("Z", z),
        params.get("E", e),
    )


class Block(NamedTuple):
    """One move after the machine limits, ready for the look-ahead (immutable).

    A ``NamedTuple`` rather than a frozen dataclass: a whole file makes one per move, and a
    tuple is built four times faster.

    ``max_junction_speed_mm_s`` is the highest speed allowed at the block's start given the
    previous block (jerk or junction deviation), ``safe_speed_mm_s`` the speed it may start or
    stop at from standstill. ``axis_speeds_mm_s`` are the signed per-axis components of the
    nominal speed (used for the next block's junction).
    """

    dx_mm: float
    dy_mm: float
    dz_mm: float
    de_mm: float
    length_mm: float
    nominal_speed_mm_s: float
    acceleration_mm_s2: float
    max_junction_speed_mm_s: float
    safe_speed_mm_s: float
    axis_speeds_mm_s: Axes
    kind: str  # "print", "travel" or "retract"

    @property
    def delta_mm(self) -> Axes:
        return (self.dx_mm, self.dy_mm, self.dz_mm, self.de_mm)


class BlockTiming(NamedTuple):
    """How one block is executed: speeds at its ends and top, and how long each phase lasts."""

    entry_speed_mm_s: float
    cruise_speed_mm_s: float
    exit_speed_mm_s: float
    accelerate_s: float
    cruise_s: float
    decelerate_s: float

    @property
    def duration_s(self) -> float:
        return self.accelerate_s + self.cruise_s + self.decelerate_s


def move_kind(delta_xyze_mm: Axes) -> str:
    """Classify a move as the slicers do: ``"print"``, ``"travel"`` or ``"retract"``."""
    dx, dy, dz, de = delta_xyze_mm
    moves_xyz = dx != 0.0 or dy != 0.0 or dz != 0.0
    if not moves_xyz:
        return "retract"
    if de > 0.0 and (dx != 0.0 or dy != 0.0):
        return "print"
    return "travel"


def make_block(
    previous: Block | None,
    delta_xyze_mm: Axes,
    feedrate_mm_s: float,
    limits: MachineLimits,
    *,
    queue_draining: bool = False,
) -> Block | None:
    """Turn one move into a :class:`Block`, or ``None`` for a move of (almost) zero length.

    ``previous`` is the block executed just before (``None`` after a stop or at the start): it
    sets the junction speed limit. ``feedrate_mm_s`` is the requested speed along the move
    (G1 F divided by 60, times M220's factor). ``queue_draining`` applies the minimum segment
    time (see the module docstring). Non-finite deltas or feedrates give ``None``.

    Written axis by axis (no loops over tuples): this runs once per move of a whole file.
    """
    dx, dy, dz, de = delta_xyze_mm
    if dx != 0.0 or dy != 0.0 or dz != 0.0:
        length = sqrt(dx * dx + dy * dy + dz * dz)
        kind = "print" if de > 0.0 and (dx != 0.0 or dy != 0.0) else "travel"
    else:
        length = abs(de)
        kind = "retract"
    if not (MIN_LENGTH_MM < length < _INF) or feedrate_mm_s != feedrate_mm_s:
        return None
    inv = 1.0 / length
    ax = abs(dx) * inv
    ay = abs(dy) * inv
    az = abs(dz) * inv
    ae = abs(de) * inv

    speed = feedrate_mm_s if feedrate_mm_s > 0.0 else 0.0
    minimum = limits.min_print_feedrate_mm_s if de != 0.0 else limits.min_travel_feedrate_mm_s
    if speed < minimum:
        speed = minimum
    if queue_draining and limits.min_segment_time_s > 0.0:
        speed = min(speed, length / limits.min_segment_time_s)
    if speed <= 0.0:
        # F0 would never finish; Marlin clamps to its minimum feedrates. Use the planner floor.
        speed = MINIMUM_PLANNER_SPEED_MM_S
    if speed == _INF:
        return None

    # Per-axis maximum feedrates scale the whole move down (direction is kept).
    fx, fy, fz, fe = limits.max_feedrate_mm_s
    top = speed
    if ax * top > fx > 0.0:
        top = fx / ax
    if ay * top > fy > 0.0:
        top = fy / ay
    if az * top > fz > 0.0:
        top = fz / az
    if ae * top > fe > 0.0:
        top = fe / ae
    speed = top

    if kind == "print":
        accel = limits.print_acceleration_mm_s2
    elif kind == "travel":
        accel = limits.travel_acceleration_mm_s2
    else:
        accel = limits.retract_acceleration_mm_s2
    # Per-axis maximum accelerations lower the move's acceleration.
    mx, my, mz, me = limits.max_acceleration_mm_s2
    if ax * accel > mx > 0.0:
        accel = mx / ax
    if ay * accel > my > 0.0:
        accel = my / ay
    if az * accel > mz > 0.0:
        accel = mz / az
    if ae * accel > me > 0.0:
        accel = me / ae
    if accel <= 0.0:
        accel = _INF  # no limit given: instant speed changes

    k = speed * inv
    vx = dx * k
    vy = dy * k
    vz = dz * k
    ve = de * k

    if limits.junction_deviation_mm is None:
        # Marlin 2's "safe speed": the fastest the block may start from (or stop to) rest, so
        # that no axis's own speed jumps by more than its jerk: nominal * min(jerk / |v_axis|),
        # that is min(jerk / |unit component|) over the axes that would exceed their jerk.
        jx, jy, jz, je = limits.jerk_mm_s
        safe = speed
        if ax * speed > jx:
            safe = jx / ax
        if ay * speed > jy and jy / ay < safe:
            safe = jy / ay
        if az * speed > jz and jz / az < safe:
            safe = jz / az
        if ae * speed > je and je / ae < safe:
            safe = je / ae
        if previous is None or previous.nominal_speed_mm_s <= 1e-4:
            junction = safe
        else:
            # Classic jerk junction (Marlin's CLASSIC_JERK, as PrusaSlicer models it), inline
            # because it runs for every move: the smaller nominal speed bounds the junction;
            # the axes are judged in order x, y, z, e and once one limits the junction, the
            # next ones are judged at the reduced speeds (Marlin's v_factor).
            prev_speed = previous.nominal_speed_mm_s
            if prev_speed > speed:
                exit_scale = speed / prev_speed
                junction = speed
            else:
                exit_scale = 1.0
                junction = prev_speed
            px, py, pz, pe = previous.axis_speeds_mm_s
            factor = 1.0
            v_exit = px * exit_scale
            if v_exit > vx:
                change = v_exit - vx if (vx > 0.0 or v_exit < 0.0) else max(v_exit, -vx)
            else:
                change = vx - v_exit if (vx < 0.0 or v_exit > 0.0) else max(-v_exit, vx)
            if change > jx:
                factor = jx / change
            v_exit = py * exit_scale * factor
            v_entry = vy * factor
            if v_exit > v_entry:
                if v_entry > 0.0 or v_exit < 0.0:
                    change = v_exit - v_entry
                else:
                    change = max(v_exit, -v_entry)
            elif v_entry < 0.0 or v_exit > 0.0:
                change = v_entry - v_exit
            else:
                change = max(-v_exit, v_entry)
            if change > jy:
                factor *= jy / change
            if pz != 0.0 or vz != 0.0:
                change = _axis_jerk(pz * exit_scale * factor, vz * factor)
                if change > jz:
                    factor *= jz / change
            if pe != 0.0 or ve != 0.0:
                change = _axis_jerk(pe * exit_scale * factor, ve * factor)
                if change > je:
                    factor *= je / change
            junction *= factor
            # If both blocks could start from rest faster than the shared junction speed, the
            # machine effectively stops and restarts: the safe speed is the better estimate.
            threshold = junction * 0.99
            if previous.safe_speed_mm_s > threshold and safe > threshold:
                junction = safe
    else:
        safe = min(speed, MINIMUM_PLANNER_SPEED_MM_S)
        junction = _deviation_junction(
            previous, speed, accel, (dx * inv, dy * inv, dz * inv, de * inv), limits
        )
    # tuple.__new__ directly: Block(...) would add a Python-level call for every move.
    return _new_tuple(
        Block,
        (dx, dy, dz, de, length, speed, accel, junction, safe, (vx, vy, vz, ve), kind),
    )


def _axis_jerk(v_exit: float, v_entry: float) -> float:
    """Speed change of one axis at a junction, as Marlin's classic jerk counts it."""
    if v_exit > v_entry:
        # Coasting in the same direction costs the difference; a reversal costs the larger.
        if v_entry > 0.0 or v_exit < 0.0:
            return v_exit - v_entry
        return v_exit if v_exit > -v_entry else -v_entry
    if v_entry < 0.0 or v_exit > 0.0:
        return v_entry - v_exit
    return -v_exit if -v_exit > v_entry else v_entry


def _deviation_junction(
    previous: Block | None,
    speed: float,
    accel: float,
    unit: Axes,
    limits: MachineLimits,
) -> float:
    """Junction deviation speed (Marlin 2 ``JUNCTION_DEVIATION``)."""
    if previous is None or previous.nominal_speed_mm_s <= 1e-4:
        return min(speed, MINIMUM_PLANNER_SPEED_MM_S)
    deviation = limits.junction_deviation_mm or 0.0
    inv_prev = 1.0 / previous.length_mm
    prev_unit = (
        previous.dx_mm * inv_prev,
        previous.dy_mm * inv_prev,
        previous.dz_mm * inv_prev,
        previous.de_mm * inv_prev,
    )
    # Only XYZ direction matters for the corner unless both moves are extruder-only.
    if unit[:3] == (0.0, 0.0, 0.0) and prev_unit[:3] == (0.0, 0.0, 0.0):
        cos_theta = -(unit[3] * prev_unit[3])
    else:
        norm_a = sqrt(sum(c * c for c in unit[:3])) or 1.0
        norm_b = sqrt(sum(c * c for c in prev_unit[:3])) or 1.0
        dot = sum(a * b for a, b in zip(unit[:3], prev_unit[:3], strict=True))
        cos_theta = -dot / (norm_a * norm_b)
    if cos_theta > 0.999999:
        # A full reversal: stop.
        return min(speed, MINIMUM_PLANNER_SPEED_MM_S)
    cos_theta = max(cos_theta, -0.999999)
    sin_half = sqrt(0.5 * (1.0 - cos_theta))
    if math.isinf(accel):
        v_junction = _INF
    else:
        v_junction = sqrt(accel * deviation * sin_half / (1.0 - sin_half))
    # Marlin raises the junction to its minimum planner speed, but never above the block's own
    # nominal speed (``NOMORE(minimum_planner_speed_sqr, sq(block->nominal_speed))``).
    return min(max(min(v_junction, previous.nominal_speed_mm_s), MINIMUM_PLANNER_SPEED_MM_S), speed)


def _reach(speed: float, accel: float, length: float) -> float:
    """Speed reached from ``speed`` after ``length`` at constant ``accel`` (mm/s)."""
    return sqrt(speed * speed + 2.0 * accel * length)


def _first_entry(first: Block, entry_mm_s: float, exit_limit_mm_s: float) -> float:
    """The speed ``first`` starts at: ``entry_mm_s`` raised to its jerk-safe speed (a start
    from rest), within its nominal speed, and never faster than it can brake from to
    ``exit_limit_mm_s`` in its length (Marlin's reverse pass caps the first entry the same
    way; a tiny move before a slow one does not start at the full jerk speed)."""
    current = min(max(entry_mm_s, first.safe_speed_mm_s), first.nominal_speed_mm_s)
    accel = first.acceleration_mm_s2
    if accel != _INF:
        brake = exit_limit_mm_s * exit_limit_mm_s + 2.0 * accel * first.length_mm
        if brake < current * current:
            current = sqrt(brake)
    return current


def plan_junctions(
    blocks: Sequence[Block], entry_speed_mm_s: float = 0.0, exit_speed_mm_s: float = 0.0
) -> list[float]:
    """Junction speeds ``v[0..n]``: ``v[i]`` starts block ``i``, ``v[n]`` ends the last one.

    ``v[0]`` is ``entry_speed_mm_s`` (the speed the first block is already entered at);
    ``v[n]`` is at most ``exit_speed_mm_s``. Backward pass then forward pass.

    Jerk lets a block start from rest, or stop, at its safe speed in one step (Marlin and
    PrusaSlicer both plan it so), so an end speed below the end block's ``safe_speed_mm_s``
    is raised to it: 0 means "from standstill" / "to standstill".
    """
    count = len(blocks)
    speeds = [0.0] * (count + 1)
    if count == 0:
        return speeds
    last = blocks[-1]
    speeds[count] = min(max(exit_speed_mm_s, last.safe_speed_mm_s), last.nominal_speed_mm_s)
    # Backward: each junction no faster than the block after it can brake from.
    following = speeds[count]
    for index in range(count - 1, 0, -1):
        block = blocks[index]
        limit = block.max_junction_speed_mm_s
        accel = block.acceleration_mm_s2
        if accel != _INF:
            brake = following * following + 2.0 * accel * block.length_mm
            if brake < limit * limit:
                limit = sqrt(brake)
        speeds[index] = limit
        following = limit
    current = _first_entry(blocks[0], entry_speed_mm_s, speeds[1])
    speeds[0] = current
    # Forward: each junction no faster than the block before it can accelerate to, unless
    # that block reaches its nominal speed and the junction is faster still (see _handover).
    for index in range(count):
        block = blocks[index]
        accel = block.acceleration_mm_s2
        target = speeds[index + 1]
        if accel != _INF:
            reachable = current * current + 2.0 * accel * block.length_mm
            if _handover(reachable, target, block.nominal_speed_mm_s):
                target = sqrt(reachable)
                speeds[index + 1] = target
        current = target
    return speeds


def _handover(reachable_sq: float, junction: float, nominal: float) -> bool:
    """Whether a block's reachable exit speed (squared) lowers the junction after it.

    Normally when it is below the junction speed. But classic jerk's "not coasting" rule
    (Marlin 2.0/2.1 ``planner.cpp``, ``_populate_block``: when both blocks' safe speeds are
    above the jerk-limited junction speed, ``vmax_junction = safe_speed``) lets the next block
    start at its own safe speed, which may be above this block's nominal speed (a slow Z or
    Z+E move before a travel). This block cannot exit that fast: it cruises to its end at its
    nominal speed (``calculate_trapezoid_for_block``: a final rate above the nominal rate
    gives no deceleration steps; :func:`trapezoid` does the same) and the next block starts at
    its safe speed, as after a stop. Marlin 2.0/2.1's ``forward_pass_kernel`` leaves that
    junction alone when this block reaches its nominal speed in its length (its
    ``nominal_length`` flag); so do we. Limiting the junction to a speed this block never runs
    at made a higher acceleration slower (hypothesis found it: a Z+E move before a Y travel).
    Marlin's current bugfix branch has dropped the rule; the releases printers run have it.
    """
    return reachable_sq < junction * junction and reachable_sq < nominal * nominal


def trapezoid(
    block: Block, entry_mm_s: float, exit_mm_s: float
) -> tuple[float, float, float, float, float]:
    """``(cruise_speed, exit_speed, accelerate_s, cruise_s, decelerate_s)`` of one block.

    The plain-tuple core of :func:`block_timing`, for callers timing thousands of blocks.
    """
    length = block.length_mm
    nominal = block.nominal_speed_mm_s
    accel = block.acceleration_mm_s2
    if exit_mm_s > nominal:
        # A junction faster than this block (see _handover): it ends at its nominal speed.
        exit_mm_s = nominal
    if accel == _INF:
        return (nominal, exit_mm_s, 0.0, length / nominal, 0.0)
    entry_sq = entry_mm_s * entry_mm_s
    exit_sq = exit_mm_s * exit_mm_s
    nominal_sq = nominal * nominal
    two_a = 2.0 * accel
    cruise_dist = length - (2.0 * nominal_sq - entry_sq - exit_sq) / two_a
    if cruise_dist >= 0.0:
        return (
            nominal,
            exit_mm_s,
            (nominal - entry_mm_s) / accel,
            cruise_dist / nominal,
            (nominal - exit_mm_s) / accel,
        )
    peak = sqrt((two_a * length + entry_sq + exit_sq) * 0.5)
    if peak >= entry_mm_s and peak >= exit_mm_s:
        return (peak, exit_mm_s, (peak - entry_mm_s) / accel, 0.0, (peak - exit_mm_s) / accel)
    # Inconsistent ends (an entry speed imposed from outside that cannot be reached or shed in
    # this length): move at constant acceleration from one end towards the other.
    if entry_mm_s > exit_mm_s:
        end = sqrt(max(entry_sq - two_a * length, 0.0))
        return (entry_mm_s, end, 0.0, 0.0, (entry_mm_s - end) / accel)
    end = sqrt(entry_sq + two_a * length)
    return (end, end, (end - entry_mm_s) / accel, 0.0, 0.0)


def block_timing(block: Block, entry_mm_s: float, exit_mm_s: float) -> BlockTiming:
    """Trapezoid (or triangle) for one block between two junction speeds."""
    cruise, end, rise_s, cruise_s, fall_s = trapezoid(block, entry_mm_s, exit_mm_s)
    return BlockTiming(entry_mm_s, cruise, end, rise_s, cruise_s, fall_s)


def plan_head(
    blocks: Sequence[Block], entry_speed_mm_s: float, count: int
) -> tuple[list[float], float]:
    """Plan ``blocks`` to a standstill and time only the first ``count`` of them.

    Returns ``(durations_s, speed at the end of block count-1)``. The same backward pass as
    :func:`plan_junctions` over all blocks; the forward pass and the trapezoids (as in
    :func:`trapezoid`) run together, over the head only: the tail is planned again with the
    next window. This is the whole-file estimator's inner loop. An infinite acceleration
    (no limit) needs no special case here: its terms vanish or stay infinite.
    """
    total = len(blocks)
    speeds = [0.0] * (total + 1)
    last = blocks[-1]
    following = min(last.safe_speed_mm_s, last.nominal_speed_mm_s)
    speeds[total] = following
    for index in range(total - 1, 0, -1):
        block = blocks[index]
        limit = block.max_junction_speed_mm_s
        brake = following * following + 2.0 * block.acceleration_mm_s2 * block.length_mm
        if brake < limit * limit:
            limit = sqrt(brake)
        speeds[index] = limit
        following = limit
    current = _first_entry(blocks[0], entry_speed_mm_s, speeds[1])
    end = current
    durations: list[float] = []
    append = durations.append
    for index in range(count):
        block = blocks[index]
        length = block.length_mm
        nominal = block.nominal_speed_mm_s
        accel = block.acceleration_mm_s2
        junction = speeds[index + 1]
        entry_sq = current * current
        two_a_length = 2.0 * accel * length
        reachable = entry_sq + two_a_length
        if _handover(reachable, junction, nominal):
            junction = sqrt(reachable)
        # The block's own end: no faster than its nominal speed (see _handover).
        end = junction if junction < nominal else nominal
        end_sq = end * end
        cruise_dist = length - (2.0 * nominal * nominal - entry_sq - end_sq) / (2.0 * accel)
        if cruise_dist >= 0.0:
            append((2.0 * nominal - current - end) / accel + cruise_dist / nominal)
        else:
            peak = sqrt((two_a_length + entry_sq + end_sq) * 0.5)
            if peak >= current and peak >= end:
                append((2.0 * peak - current - end) / accel)
            else:
                # An entry too fast to shed in this length: the block ends faster than
                # planned, at the speed trapezoid() reaches (as plan() reports it).
                _, end, rise_s, cruise_s, fall_s = trapezoid(block, current, end)
                junction = end
                append(rise_s + cruise_s + fall_s)
        current = junction
    return durations, end


def plan(
    blocks: Sequence[Block], entry_speed_mm_s: float = 0.0, exit_speed_mm_s: float = 0.0
) -> list[BlockTiming]:
    """Plan a sequence of blocks (look-ahead) and time each one.

    ``entry_speed_mm_s`` is the speed at the start of ``blocks[0]`` (0 from standstill, or the
    speed a printer is already moving at when ``blocks[0]`` is the block starting to execute);
    ``exit_speed_mm_s`` the speed wanted after the last block (0: stop, as Marlin does when its
    queue runs dry). Runs in O(len(blocks)); a 16-block queue plans in tens of microseconds.
    """
    speeds = plan_junctions(blocks, entry_speed_mm_s, exit_speed_mm_s)
    return [
        block_timing(block, speeds[index], speeds[index + 1]) for index, block in enumerate(blocks)
    ]


def plan_duration_s(
    blocks: Sequence[Block], entry_speed_mm_s: float = 0.0, exit_speed_mm_s: float = 0.0
) -> float:
    """Total duration of :func:`plan`'s result, in seconds."""
    return sum(t.duration_s for t in plan(blocks, entry_speed_mm_s, exit_speed_mm_s))
