# SPDX-License-Identifier: GPL-3.0-or-later
"""What happened on the simulated board's pins, in virtual time.

Events come from the worker as small lists: ``["pin", t, name, value]`` (``value`` None
when the pin stops driving), ``["pwm", t, name, duty, frequency]`` (``duty`` None when the
PWM output is released), ``["px", t, name, [[r, g, b], …]]``, ``["ain", t, name, value]`` (what
the program read on an analog input, when it changed: 0 to 65535) and ``["out", t, text]``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

Colour = tuple[int, int, int]


@dataclass
class Timeline:
    digital: dict[str, list[tuple[float, bool | None]]] = field(default_factory=dict)
    pwm: dict[str, list[tuple[float, int | None, int]]] = field(default_factory=dict)
    pixels: dict[str, list[tuple[float, tuple[Colour, ...]]]] = field(default_factory=dict)
    analog: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    output: list[tuple[float, str]] = field(default_factory=list)
    end_s: float = 0.0

    def add(self, event: list[Any]) -> None:
        kind, t = event[0], float(event[1])
        self.end_s = max(self.end_s, t)
        if kind == "pin":
            self.digital.setdefault(event[2], []).append((t, event[3]))
        elif kind == "pwm":
            duty = None if event[3] is None else int(event[3])
            self.pwm.setdefault(event[2], []).append((t, duty, int(event[4])))
        elif kind == "px":
            colours = tuple((int(c[0]), int(c[1]), int(c[2])) for c in event[3])
            self.pixels.setdefault(event[2], []).append((t, colours))
        elif kind == "ain":
            self.analog.setdefault(event[2], []).append((t, int(event[3])))
        elif kind == "out":
            self.output.append((t, str(event[2])))

    def extend(self, events: list[list[Any]]) -> None:
        for event in events:
            self.add(event)

    # -- queries ---------------------------------------------------------------------------
    @staticmethod
    def _at(series: list[Any], t_s: float) -> Any:
        times = [item[0] for item in series]
        i = bisect.bisect_right(times, t_s + 1e-12) - 1
        return series[i] if i >= 0 else None

    def digital_at(self, pin: str, t_s: float) -> bool | None:
        item = self._at(self.digital.get(pin, []), t_s)
        return None if item is None else item[1]

    def pixels_at(self, pin: str, t_s: float) -> tuple[Colour, ...] | None:
        item = self._at(self.pixels.get(pin, []), t_s)
        return None if item is None else item[1]

    def pwm_at(self, pin: str, t_s: float) -> tuple[int | None, int] | None:
        item = self._at(self.pwm.get(pin, []), t_s)
        return None if item is None else (item[1], item[2])

    def analog_at(self, pin: str, t_s: float) -> int | None:
        item = self._at(self.analog.get(pin, []), t_s)
        return None if item is None else item[1]

    def text(self) -> str:
        return "".join(text for _, text in self.output)

    def pins(self) -> list[str]:
        return sorted({*self.digital, *self.pwm, *self.pixels, *self.analog})
