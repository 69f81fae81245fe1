# SPDX-License-Identifier: GPL-3.0-or-later
"""Scripted inputs of the simulated board: buttons and sensors that change over virtual time.

An input is written ``NAME@TIME=VALUE``: ``BUTTON_A@2=1`` presses button A at 2 s,
``BUTTON_A@2.5=0`` releases it, ``LIGHT@0=12000`` sets the light sensor's raw reading,
``temperature@10=30`` makes the chip read 30 °C from 10 s on. Several inputs are separated by
spaces, commas or semicolons. For buttons, 1 means *pressed*; the board's wiring (pull-up or
pull-down) decides the level the program reads. Analog pins take 0 to 65535.

Without a scripted value, a button is released, the light sensor follows a slow, gentle
wave (a cloud passing) and the temperature stays near 22 °C, so that printed readings
change a little, deterministically.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field

from kit.errors import KitError

_ITEM = re.compile(
    r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*@\s*([0-9]*\.?[0-9]+)\s*=\s*(-?[0-9]*\.?[0-9]+)\s*$"
)

#: Name of the chip's own temperature sensor (``microcontroller.cpu.temperature``).
CPU_TEMPERATURE = "temperature"

#: Buttons wired to 3.3 V with a pull-down (pressed reads True); all other buttons of the
#: catalogue's boards pull up and read False when pressed.
ACTIVE_HIGH_BUTTONS = {
    "circuitplayground_express": frozenset({"BUTTON_A", "BUTTON_B"}),
}


class InputSpecError(KitError):
    """A scripted input could not be read."""


@dataclass
class ScriptedInputs:
    """Values of named inputs over time (step functions)."""

    steps: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def add(self, name: str, t_s: float, value: float) -> None:
        series = self.steps.setdefault(name, [])
        bisect.insort(series, (t_s, value))

    def value(self, name: str, t_s: float) -> float | None:
        """The scripted value of ``name`` at ``t_s``, or None when nothing is scripted yet."""
        series = self.steps.get(name)
        if not series:
            return None
        i = bisect.bisect_right(series, (t_s, math.inf)) - 1
        return series[i][1] if i >= 0 else None

    def names(self) -> list[str]:
        return sorted(self.steps)

    def to_spec(self) -> str:
        return " ".join(
            f"{name}@{t:g}={v:g}" for name, series in sorted(self.steps.items()) for t, v in series
        )


def parse_inputs(spec: str | list[str] | tuple[str, ...] | None) -> ScriptedInputs:
    """Read ``NAME@TIME=VALUE`` items (one string or a list of strings)."""
    inputs = ScriptedInputs()
    if not spec:
        return inputs
    texts = [spec] if isinstance(spec, str) else list(spec)
    for text in texts:
        for item in re.split(r"[\s,;]+", text.strip()):
            if not item:
                continue
            match = _ITEM.match(item)
            if match is None:
                raise InputSpecError(
                    f"Entrée simulée illisible : « {item} ». Écrivez NOM@TEMPS=VALEUR, par "
                    "exemple BUTTON_A@2=1 (bouton A appuyé à 2 s) ou LIGHT@0=20000."
                )
            name, t_text, v_text = match.groups()
            t_s = float(t_text)
            value = float(v_text)
            if t_s > 24 * 3600:
                raise InputSpecError(f"Temps trop grand dans « {item} » (24 h au plus).")
            inputs.add(name, t_s, value)
    return inputs


def default_light(t_s: float) -> int:
    """A calm room with a cloud passing every 20 s: raw readings between ~8000 and ~24000."""
    return int(16000 + 8000 * math.sin(2 * math.pi * t_s / 20.0))


def default_temperature(t_s: float) -> float:
    """22 °C with a slow ±0.5 °C drift (one period per minute)."""
    return round(22.0 + 0.5 * math.sin(2 * math.pi * t_s / 60.0), 2)


def thermistor_raw(temperature_c: float) -> int:
    """Raw 16-bit reading of the Circuit Playground's thermistor divider at a temperature.

    10 kΩ NTC (B = 3950, 10 kΩ at 25 °C) on the low side of a 10 kΩ resistor to 3.3 V, the
    values Adafruit's thermistor library uses for this board.
    """
    kelvin = temperature_c + 273.15
    resistance = 10000.0 * math.exp(3950.0 * (1.0 / kelvin - 1.0 / 298.15))
    return max(0, min(65535, int(round(65535 / (10000.0 / resistance + 1)))))
