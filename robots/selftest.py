# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit robot test``: a half-minute check of every sensor and actuator, before the atelier.

Sensors are read and their values explained; LEDs, buzzer and motors are switched on one after
the other for the animateur to watch (the mCore has no wheel encoders: only the simulator can
say how far the robot moved). The robot is stopped whatever happens.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass

from kit.errors import KitError
from kit.messages import decimal_fr
from robots.mbot import MBot

#: Speed of the motor checks (PWM): above the floor's dead zone, slow enough for a table.
MOTOR_TEST_PWM = 160
LOOK = "regardez le robot"


@dataclass(frozen=True)
class StepResult:
    name: str
    ok: bool
    detail: str
    #: What a person must do to confirm the check (« regardez le robot »), or "".
    confirm: str = ""


def _fmt(value: float, unit: str) -> str:
    return f"{decimal_fr(value, 1)} {unit}"


def _line_meaning(value: int) -> str:
    return {
        0: "les deux capteurs voient du noir",
        1: "seul le capteur gauche voit du noir",
        2: "seul le capteur droit voit du noir",
        3: "les deux capteurs voient du blanc (ou rien)",
    }[value & 3]


class _Movement:
    """On the simulator, how far the robot moved during a step."""

    def __init__(self, mbot: MBot) -> None:
        self.world = getattr(getattr(mbot.link, "device", None), "world", None)
        self._start: tuple[float, float, float] | None = None

    def begin(self) -> None:
        if self.world is not None:
            self._start = (self.world.x, self.world.y, self.world.heading)

    def describe(self) -> str:
        if self.world is None or self._start is None:
            return "à vérifier à l'œil"
        x0, y0, h0 = self._start
        moved = math.hypot(self.world.x - x0, self.world.y - y0)
        turned = math.degrees(self.world.heading - h0)
        return f"simulateur : {_fmt(moved, 'cm')} parcourus, {turned:+.0f}° de rotation"


def run_self_test(
    mbot: MBot, *, on_step: Callable[[StepResult], None] | None = None
) -> list[StepResult]:
    """Run every check; a robot that stops answering ends the test with a failed step."""
    results: list[StepResult] = []
    movement = _Movement(mbot)

    def done(result: StepResult) -> None:
        results.append(result)
        if on_step is not None:
            on_step(result)

    def sensor(name: str, read: Callable[[], str]) -> None:
        done(StepResult(name, True, read()))

    def ultrasonic() -> str:
        values = []
        for _ in range(3):
            values.append(mbot.ultrasonic_cm())
            mbot.wait(0.1)
        if min(values) >= 400:
            return "400 cm : rien à portée (placez la main devant pour vérifier)"
        return ", ".join(_fmt(v, "cm") for v in values)

    def motors(name: str, left: int, right: int) -> None:
        movement.begin()
        mbot.drive(left, right)
        mbot.wait(0.8)
        mbot.stop()
        mbot.wait(0.4)
        done(StepResult(name, True, movement.describe(), confirm=LOOK))

    try:
        done(StepResult("Micrologiciel", True, f"mBlock {mbot.firmware or '?'}"))
        sensor("Capteur à ultrasons", ultrasonic)
        sensor(
            "Suiveur de ligne",
            lambda: (lambda v: f"{v} : {_line_meaning(v)}")(mbot.line_follower()),
        )
        sensor("Capteur de lumière", lambda: f"{mbot.light()} (0 = noir, 1023 = plein jour)")
        sensor("Bouton", lambda: "appuyé" if mbot.button() else "relâché")
        for index, side in ((2, "gauche"), (1, "droite")):
            for rgb in ((60, 0, 0), (0, 60, 0), (0, 0, 60)):
                mbot.set_led(index, *rgb)
                mbot.wait(0.6)
            mbot.set_led(index, 0, 0, 0)
            done(StepResult(f"DEL {side}", True, "rouge, vert puis bleu", confirm=LOOK))
        for hz in (262, 330, 392, 523):
            mbot.tone(hz, 250)
        done(StepResult("Buzzer", True, "do, mi, sol, do", confirm="écoutez le robot"))
        motors("Moteur gauche (M1)", MOTOR_TEST_PWM, 0)
        motors("Moteur droit (M2)", 0, MOTOR_TEST_PWM)
        motors("Marche avant", MOTOR_TEST_PWM, MOTOR_TEST_PWM)
        motors("Marche arrière", -MOTOR_TEST_PWM, -MOTOR_TEST_PWM)
        motors("Rotation à gauche", -MOTOR_TEST_PWM, MOTOR_TEST_PWM)
        motors("Rotation à droite", MOTOR_TEST_PWM, -MOTOR_TEST_PWM)
    except KitError as exc:
        done(StepResult("Liaison", False, exc.message))
    finally:
        with contextlib.suppress(KitError, OSError):
            mbot.stop_all()
    return results
