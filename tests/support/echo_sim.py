# SPDX-License-Identifier: GPL-3.0-or-later
"""A tiny simulator used only by the foundation's tests: answers each byte after a delay.

``delay`` (seconds, default 0.01) is how long the echo takes; ``upper=1`` upper-cases it.
On open it says ``hello\\n`` so tests can check that ``on_open`` is delivered.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from sim.device import SimulatedDevice, option_bool, option_float, reject_unknown_options


class EchoDevice(SimulatedDevice):
    kind = "echo"

    def __init__(self, options: Mapping[str, str] | None = None) -> None:
        super().__init__(options)
        reject_unknown_options(self.options, {"delay", "upper"}, self.kind)
        self.delay_s = option_float(self.options, "delay", 0.01, minimum=0.0, maximum=60.0)
        self.upper = option_bool(self.options, "upper", False)
        self._queue: deque[tuple[float, bytes]] = deque()
        self._now_s = 0.0
        self._out = bytearray()
        self.opened = 0

    def on_open(self, now_s: float) -> None:
        self.opened += 1
        self._queue.append((now_s, b"hello\n"))

    def feed(self, data: bytes, now_s: float) -> None:
        self._queue.append((now_s + self.delay_s, data.upper() if self.upper else data))

    def advance(self, now_s: float) -> None:
        self._now_s = now_s
        while self._queue and self._queue[0][0] <= now_s:
            self._out += self._queue.popleft()[1]

    def read_output(self) -> bytes:
        out = bytes(self._out)
        self._out.clear()
        return out

    def next_event_s(self) -> float | None:
        return self._queue[0][0] if self._queue else None
