# SPDX-License-Identifier: GPL-3.0-or-later
"""2D physics of the mBot in virtual time: differential drive, collisions and sensors.

Model (all lengths in centimetres, times in seconds):

* Geometry of the mBot (mCore chassis): 11.5 cm between the wheel centres, 6.4 cm wheels. The
  body is a disc of radius 8 cm whose centre is 2 cm ahead of the wheel axle, so the front
  bumper is 10 cm ahead of the axle; the ultrasonic sensor sits there, the line follower's two
  sensors 7 cm ahead of the axle and 0.7 cm either side of the middle.
* Motors: PWM -255…255. Below the dead zone (100 by default: a mBot on the floor does not move
  below about 100) the wheel does not turn; above it the wheel's ground speed grows linearly to
  20 cm/s at 255 (mBlock's « 100 % »). M1 is the left motor and M2 the right one; forward is M1
  negative and M2 positive, as mBlock does. A small gain mismatch between M1 and M2 (1 % by
  default) makes a « straight » run drift, as real robots do. Wheels accelerate at most at
  80 cm/s², so the robot needs about a quarter of a second to reach full speed or to stop.
* Kinematics: v = (vl + vr) / 2, ω = (vr - vl) / wheel_base, integrated at 100 Hz.
* Collisions: when a step would make the body disc overlap a wall, an obstacle or a table edge,
  the step is cancelled, the wheels stop and the collision is recorded (once per contact).
* Ultrasonic sensor: nearest surface in a 30° cone, 3–400 cm, Gaussian noise, 400 when
  nothing echoes; like the Makeblock library, a new measurement at most every 23 ms.
* Line follower: each sensor reads the floor under it (1–2 cm above the track): over the black
  line it reads 0, elsewhere 1; the firmware sends ``left * 2 + right`` (0–3, S1 left).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from robots.arenas import (
    LINE_SENSORS_AHEAD_CM,
    ROBOT_FRONT_CM,
    WHEEL_BASE_CM,
    Arena,
    first_hit_distance,
)
from robots.record import Collision, DeviceEvent, RunRecord

PWM_MAX = 255
STEP_S = 0.01
BODY_RADIUS_CM = 8.0
BODY_OFFSET_CM = 2.0
SONAR_OFFSET_CM = ROBOT_FRONT_CM
LINE_SENSOR_OFFSET_CM = LINE_SENSORS_AHEAD_CM
LINE_SENSOR_HALF_GAP_CM = 0.7
SONAR_MIN_CM = 3.0
SONAR_MAX_CM = 400.0
SONAR_HALF_CONE_RAD = math.radians(15.0)
#: MeUltrasonicSensor returns its previous measurement when asked again within 23 ms.
SONAR_CACHE_S = 0.023
#: Size of the cells used to find the walls near the robot quickly.
GRID_CM = 10.0
#: Samples kept in memory; older ones are dropped. A little more than the longest program
#: (``--temps-max`` 3600 s) plus the boot and the settling time, so that a run's whole record
#: is still there when its challenge is judged; a simulator served for hours keeps this much.
MAX_SAMPLES = 365_000
#: Device events (sensor readings, LEDs, tones…) kept in memory, trimmed like the samples:
#: a program reading the sonar every 10 ms for an hour makes 360 000 of them.
MAX_EVENTS = 400_000
#: A robot closer than this to a surface it touched is still touching it.
CONTACT_MARGIN_CM = 1.0


@dataclass
class MotorModel:
    #: Ground speed at full PWM: about 60 rpm on the mBot's 6.4 cm wheels, under load.
    max_speed_cm_s: float = 20.0
    dead_zone_pwm: float = 100.0
    accel_cm_s2: float = 80.0
    #: Relative gain difference between M2 and M1 (0.01: M2 1 % stronger than M1).
    mismatch: float = 0.01

    def ground_speed(self, pwm: float, gain: float) -> float:
        magnitude = abs(pwm)
        if magnitude <= self.dead_zone_pwm:
            return 0.0
        span = PWM_MAX - self.dead_zone_pwm
        speed = self.max_speed_cm_s * min(1.0, (magnitude - self.dead_zone_pwm) / span) * gain
        return speed if pwm > 0 else -speed


class World:
    """The robot in its arena. ``step()`` advances by :data:`STEP_S`."""

    def __init__(
        self,
        arena: Arena,
        *,
        motors: MotorModel | None = None,
        noise_cm: float = 0.3,
        seed: int = 1,
        record: bool = True,
    ) -> None:
        self.arena = arena
        self.motors = motors or MotorModel()
        self.noise_cm = noise_cm
        self.rng = random.Random(seed)
        self.t = 0.0
        self.x = arena.start.x
        self.y = arena.start.y
        self.heading = math.radians(arena.start.heading_deg)
        self.pwm_m1 = 0
        self.pwm_m2 = 0
        self.v_left = 0.0
        self.v_right = 0.0
        self.in_contact = False
        self.recording = record
        self.record = RunRecord(arena)
        # Segments as flat tuples with a bounding box grown by the body radius, for a cheap
        # rejection test before the exact distance (the step is the benchmark's hot path).
        r = BODY_RADIUS_CM + CONTACT_MARGIN_CM
        self._segs: list[tuple[float, float, float, float, float, float, float, float, float]] = []
        for (ax, ay), (bx, by) in arena.segments():
            dx, dy = bx - ax, by - ay
            self._segs.append(
                (
                    ax,
                    ay,
                    dx,
                    dy,
                    dx * dx + dy * dy,
                    min(ax, bx) - r,
                    max(ax, bx) + r,
                    min(ay, by) - r,
                    max(ay, by) + r,
                )
            )
        self._track: list[tuple[float, float, float, float, float, float, float, float, float]]
        self._track = []
        self._track_half = 0.0
        if arena.track is not None:
            half = self._track_half = arena.track.width / 2.0
            for (ax, ay), (bx, by) in arena.track.segments():
                dx, dy = bx - ax, by - ay
                self._track.append(
                    (
                        ax,
                        ay,
                        dx,
                        dy,
                        dx * dx + dy * dy,
                        min(ax, bx) - half,
                        max(ax, bx) + half,
                        min(ay, by) - half,
                        max(ay, by) + half,
                    )
                )
        # Collision candidates per 10 cm cell: the segments whose grown box meets the cell.
        self._grid: dict[tuple[int, int], list[tuple[float, ...]]] = {}
        cols = int(arena.width // GRID_CM) + 1
        rows = int(arena.depth // GRID_CM) + 1
        for i in range(-1, cols + 1):
            for j in range(-1, rows + 1):
                gx0, gy0 = i * GRID_CM, j * GRID_CM
                gx1, gy1 = gx0 + GRID_CM, gy0 + GRID_CM
                self._grid[(i, j)] = [
                    seg
                    for seg in self._segs
                    if seg[5] <= gx1 and seg[6] >= gx0 and seg[7] <= gy1 and seg[8] >= gy0
                ]
        self._steps = 0
        self._dv = self.motors.accel_cm_s2 * STEP_S
        self._target_left = 0.0
        self._target_right = 0.0
        self._samples = self.record.samples
        self._cos_half_cone = math.cos(SONAR_HALF_CONE_RAD)
        self._sonar_last_t = -1.0
        self._sonar_last = SONAR_MAX_CM
        #: Whether the last :meth:`ultrasonic` reading was measured (False: the cached one).
        self.sonar_fresh = False
        self._sample()

    # -- actuators -----------------------------------------------------------------------
    def set_motors(self, m1: int, m2: int) -> None:
        self.pwm_m1 = max(-PWM_MAX, min(PWM_MAX, m1))
        self.pwm_m2 = max(-PWM_MAX, min(PWM_MAX, m2))
        half = self.motors.mismatch / 2.0
        self._target_left = -self.motors.ground_speed(self.pwm_m1, 1.0 - half)
        self._target_right = self.motors.ground_speed(self.pwm_m2, 1.0 + half)

    def stop(self) -> None:
        self.set_motors(0, 0)

    # -- physics -------------------------------------------------------------------------
    def advance_to(self, t_s: float) -> None:
        # Time is counted in whole steps so that long runs do not accumulate rounding errors.
        target = int((t_s + 1e-9) / STEP_S)
        while self._steps < target:
            self.step()

    def step(self) -> None:
        dv = self._dv
        vl = self.v_left
        vr = self.v_right
        tl = self._target_left
        tr = self._target_right
        if vl != tl:
            vl = min(vl + dv, tl) if vl < tl else max(vl - dv, tl)
        if vr != tr:
            vr = min(vr + dv, tr) if vr < tr else max(vr - dv, tr)
        self.v_left = vl
        self.v_right = vr
        self._steps += 1
        self.t = t = self._steps * STEP_S
        if vl == 0.0 and vr == 0.0:
            if self.recording:
                self._samples.append((t, self.x, self.y, self.heading, 0.0))
                if len(self._samples) > MAX_SAMPLES:
                    self._trim()
            return
        v = (vl + vr) * 0.5
        w = (vr - vl) / WHEEL_BASE_CM
        heading = self.heading
        mid = heading + w * STEP_S * 0.5
        nx = self.x + v * math.cos(mid) * STEP_S
        ny = self.y + v * math.sin(mid) * STEP_S
        nh = heading + w * STEP_S
        if self._hits(nx, ny, nh):
            self.v_left = self.v_right = v = 0.0
            if not self.in_contact:
                self.in_contact = True
                cx = self.x + BODY_OFFSET_CM * math.cos(heading)
                cy = self.y + BODY_OFFSET_CM * math.sin(heading)
                self.record.collisions.append(Collision(t, cx, cy))
        else:
            self.x, self.y, self.heading = nx, ny, nh
            # Still pressed against the surface (creeping forward after the stop): the same
            # contact, not a new collision.
            if self.in_contact and not self._hits(nx, ny, nh, CONTACT_MARGIN_CM):
                self.in_contact = False
        if self.recording:
            self._samples.append((t, self.x, self.y, self.heading, v))
            if len(self._samples) > MAX_SAMPLES:
                self._trim()

    def _trim(self) -> None:
        # A simulator served for hours (even standing still) keeps only the latest part of
        # its path.
        del self._samples[: MAX_SAMPLES // 2]

    def add_event(self, event: DeviceEvent) -> None:
        """Record what the robot's devices did (when recording); old ones go past the limit."""
        if not self.recording:
            return
        events = self.record.events
        events.append(event)
        if len(events) > MAX_EVENTS:
            del events[: MAX_EVENTS // 2]

    def _sample(self) -> None:
        if self.recording:
            speed = (self.v_left + self.v_right) * 0.5
            self._samples.append((self.t, self.x, self.y, self.heading, speed))

    def _hits(self, x: float, y: float, heading: float, margin: float = 0.0) -> bool:
        cx = x + BODY_OFFSET_CM * math.cos(heading)
        cy = y + BODY_OFFSET_CM * math.sin(heading)
        r2 = (BODY_RADIUS_CM + margin) ** 2
        segs = self._grid.get((int(cx // GRID_CM), int(cy // GRID_CM)), self._segs)
        for ax, ay, dx, dy, l2, x0, x1, y0, y1 in segs:
            if cx < x0 or cx > x1 or cy < y0 or cy > y1:
                continue
            t = ((cx - ax) * dx + (cy - ay) * dy) / l2 if l2 else 0.0
            if t < 0.0:
                t = 0.0
            elif t > 1.0:
                t = 1.0
            ex = ax + t * dx - cx
            ey = ay + t * dy - cy
            if ex * ex + ey * ey < r2:
                return True
        return False

    # -- sensors -------------------------------------------------------------------------
    def sonar_origin(self) -> tuple[float, float]:
        return (
            self.x + SONAR_OFFSET_CM * math.cos(self.heading),
            self.y + SONAR_OFFSET_CM * math.sin(self.heading),
        )

    def true_front_distance(self) -> float:
        """Exact distance from the front bumper to the nearest surface straight ahead."""
        ox, oy = self.sonar_origin()
        return self._ray(ox, oy, self.heading)

    def ultrasonic(self) -> float:
        """One reading as the sensor gives it (cached for 23 ms, noisy, 3–400 cm)."""
        if self._sonar_last_t >= 0 and self.t - self._sonar_last_t < SONAR_CACHE_S:
            self.sonar_fresh = False
            return self._sonar_last
        self.sonar_fresh = True
        ox, oy = self.sonar_origin()
        best = self._cone(ox, oy, self.heading)
        if best >= SONAR_MAX_CM:
            value = SONAR_MAX_CM
        else:
            value = best + self.rng.gauss(0.0, self.noise_cm + 0.005 * best)
            value = min(SONAR_MAX_CM, max(SONAR_MIN_CM, value))
        self._sonar_last_t = self.t
        self._sonar_last = value
        return value

    def _cone(self, ox: float, oy: float, heading: float) -> float:
        """Distance to the nearest surface inside the sensor's cone (inf: none).

        The distance from the sensor to the points of a segment is convex along the segment,
        so its minimum over the part inside the cone is at the segment's nearest point when
        that point is inside, otherwise at an end of that part: an end of the segment inside
        the cone, or where one of the cone's two edges crosses the segment.
        """
        hx, hy = math.cos(heading), math.sin(heading)
        cos_half = self._cos_half_cone
        edges = (
            (math.cos(heading - SONAR_HALF_CONE_RAD), math.sin(heading - SONAR_HALF_CONE_RAD)),
            (math.cos(heading + SONAR_HALF_CONE_RAD), math.sin(heading + SONAR_HALF_CONE_RAD)),
        )
        best = math.inf
        for ax, ay, dx, dy, l2, _x0, _x1, _y0, _y1 in self._segs:
            wx, wy = ax - ox, ay - oy
            fa = wx * hx + wy * hy
            fb = (wx + dx) * hx + (wy + dy) * hy
            if fa <= 0.0 and fb <= 0.0:
                continue  # behind the sensor
            if min(fa, fb) >= best:
                continue  # cannot beat what we have
            # Nearest point of the segment to the sensor.
            t = -(wx * dx + wy * dy) / l2 if l2 else 0.0
            t = 0.0 if t < 0.0 else 1.0 if t > 1.0 else t
            for px, py in ((wx + t * dx, wy + t * dy), (wx, wy), (wx + dx, wy + dy)):
                d = math.hypot(px, py)
                if d < best and px * hx + py * hy >= d * cos_half:
                    best = d
            for ux, uy in edges:
                denom = ux * dy - uy * dx
                if -1e-12 < denom < 1e-12:
                    continue
                r = (wx * dy - wy * dx) / denom
                if r < 0.0 or r >= best:
                    continue
                s = (wx * uy - wy * ux) / denom
                if 0.0 <= s <= 1.0:
                    best = r
        return best

    def _ray(self, ox: float, oy: float, angle: float) -> float:
        return first_hit_distance((ox, oy), angle, self._segs)

    def _on_track(self, px: float, py: float) -> bool:
        h2 = self._track_half * self._track_half
        for ax, ay, dx, dy, l2, x0, x1, y0, y1 in self._track:
            if px < x0 or px > x1 or py < y0 or py > y1:
                continue
            t = ((px - ax) * dx + (py - ay) * dy) / l2 if l2 else 0.0
            if t < 0.0:
                t = 0.0
            elif t > 1.0:
                t = 1.0
            ex = ax + t * dx - px
            ey = ay + t * dy - py
            if ex * ex + ey * ey <= h2:
                return True
        return False

    def line_sensors(self) -> tuple[bool, bool]:
        """(left on the line, right on the line)."""
        if not self._track:
            return (False, False)
        c, s = math.cos(self.heading), math.sin(self.heading)
        fx = self.x + LINE_SENSOR_OFFSET_CM * c
        fy = self.y + LINE_SENSOR_OFFSET_CM * s
        # Left of the heading is (-sin, cos).
        g = LINE_SENSOR_HALF_GAP_CM
        return (
            self._on_track(fx - g * s, fy + g * c),
            self._on_track(fx + g * s, fy - g * c),
        )

    def line_follower_value(self) -> int:
        on_left, on_right = self.line_sensors()
        return (0 if on_left else 2) + (0 if on_right else 1)

    def light_level(self) -> float:
        value = self.arena.light + self.rng.gauss(0.0, 4.0)
        return float(max(0, min(1023, round(value))))

    def speed(self) -> float:
        return (self.v_left + self.v_right) * 0.5
