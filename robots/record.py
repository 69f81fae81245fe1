# SPDX-License-Identifier: GPL-3.0-or-later
"""What a simulated run leaves behind: the path, the collisions and the device events.

Filled by the simulator (:mod:`sim.mbot`), read by the challenge checks and the pictures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from robots.arenas import Arena

#: One physics sample: (time s, x cm, y cm, heading rad, forward speed cm/s).
Sample = tuple[float, float, float, float, float]


@dataclass(frozen=True)
class Collision:
    t_s: float
    x: float
    y: float


@dataclass(frozen=True)
class DeviceEvent:
    """Something the robot did or measured: ``kind`` is led, tone, ultrasonic, button, link…

    ``value``: the distance (ultrasonic), the frequency (tone) or the colour as 0xRRGGBB (led).
    """

    t_s: float
    kind: str
    detail: str
    x: float = 0.0
    y: float = 0.0
    value: float = 0.0


@dataclass
class RunRecord:
    arena: Arena
    samples: list[Sample] = field(default_factory=list)
    collisions: list[Collision] = field(default_factory=list)
    events: list[DeviceEvent] = field(default_factory=list)
    #: Virtual time at which the host's program started (after the connection).
    start_s: float = 0.0

    @property
    def end_s(self) -> float:
        return self.samples[-1][0] if self.samples else self.start_s

    def path_length(self) -> float:
        total = 0.0
        for a, b in zip(self.samples, self.samples[1:], strict=False):
            total += math.hypot(b[1] - a[1], b[2] - a[2])
        return total

    def max_speed(self) -> float:
        return max((abs(s[4]) for s in self.samples), default=0.0)

    def since_start(self) -> list[Sample]:
        return [s for s in self.samples if s[0] >= self.start_s]

    # -- transport (the learner's program runs in a worker process: robots.worker) --------
    def to_json(self) -> dict[str, object]:
        """Plain data for JSON (the arena is not included: both sides load it by name)."""
        return {
            "start": self.start_s,
            "samples": [list(s) for s in self.samples],
            "collisions": [[c.t_s, c.x, c.y] for c in self.collisions],
            "events": [[e.t_s, e.kind, e.detail, e.x, e.y, e.value] for e in self.events],
        }

    @classmethod
    def from_json(cls, arena: Arena, data: dict[str, object]) -> RunRecord:
        """The record sent by :meth:`to_json`; malformed data raises ValueError/TypeError."""
        samples = data.get("samples", [])
        collisions = data.get("collisions", [])
        events = data.get("events", [])
        if not isinstance(samples, list) or not isinstance(collisions, list):
            raise TypeError("record")
        if not isinstance(events, list):
            raise TypeError("record")
        return cls(
            arena=arena,
            samples=[(float(t), float(x), float(y), float(h), float(v))
                     for t, x, y, h, v in samples],
            collisions=[Collision(float(t), float(x), float(y)) for t, x, y in collisions],
            events=[DeviceEvent(float(t), str(k), str(d), float(x), float(y), float(v))
                    for t, k, d, x, y, v in events],
            start_s=float(data.get("start", 0.0)),  # type: ignore[arg-type]
        )
