# SPDX-License-Identifier: GPL-3.0-or-later
"""First-order heater model: exponential approach to full-power temperature or to ambient.

A hotend cartridge at full power would settle near ``full_power_c``; the heater block loses
heat in proportion to its excess over ambient, so with the heater on the temperature follows
``T(t) = Tmax + (T0 - Tmax)·exp(-t/τ)`` and with it off ``T(t) = Ta + (T0 - Ta)·exp(-t/τ)``.
Regulation (PID in Marlin) is idealised: once the target is reached it is held exactly.
With τ = 40 s and Tmax = 290 °C a hotend goes from 20 to 210 °C in about 49 s, a bed
(τ = 120 s, Tmax = 130 °C) from 20 to 60 °C in about 54 s, as typical small printers do.
"""

from __future__ import annotations

import math

AMBIENT_C = 20.0


class Heater:
    def __init__(self, full_power_c: float, tau_s: float, *, scale: float = 1.0) -> None:
        self.full_power_c = full_power_c
        self.tau_s = tau_s / scale
        self.target_c = 0.0
        self._t0 = 0.0
        self._temp0 = AMBIENT_C

    def temperature(self, now_s: float) -> float:
        goal = self._goal()
        raw = goal + (self._temp0 - goal) * math.exp(-(now_s - self._t0) / self.tau_s)
        if self._heating() and raw >= self.target_c:
            return self.target_c
        if not self._heating() and self.target_c > AMBIENT_C and raw <= self.target_c:
            return self.target_c
        return raw

    def _heating(self) -> bool:
        return self.target_c > self._temp0

    def _goal(self) -> float:
        return self.full_power_c if self._heating() else AMBIENT_C

    def set_target(self, target_c: float, now_s: float) -> None:
        current = self.temperature(now_s)
        self._t0 = now_s
        self._temp0 = current
        self.target_c = max(0.0, min(target_c, self.full_power_c - 1.0))

    def power(self, now_s: float) -> int:
        """Heater duty as Marlin reports it after ``@:`` (0–127)."""
        if self.target_c <= 0:
            return 0
        return 127 if self.temperature(now_s) < self.target_c - 0.5 else 40

    def time_to_reach_s(self, now_s: float, window_c: float = 1.0) -> float:
        """Virtual time at which ``|T - target| <= window_c`` (now if already there)."""
        current = self.temperature(now_s)
        if abs(current - self.target_c) <= window_c:
            return now_s
        goal = self._goal()
        inside = window_c * 0.999  # aim just inside the window: no endless tiny steps
        aim = self.target_c - inside if self._heating() else self.target_c + inside
        if self.target_c <= AMBIENT_C and not self._heating():
            aim = max(aim, AMBIENT_C + 0.5)
        ratio = (aim - goal) / (self._temp0 - goal)
        if ratio <= 0:
            return now_s
        return self._t0 - self.tau_s * math.log(ratio)
