# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit robot test``: a half-minute check of every sensor and actuator, before the atelier.

Sensors are read and their values explained. LEDs, buzzer and motors are switched on one after
the other. The mCore has no wheel encoders and cannot hear its buzzer, so on a real robot only
the animateur can say whether they worked: each is confirmed by a question (``confirm``), and a
check nobody confirmed is reported « non vérifié », never passed. On the simulator the kit
measures instead: the LED colours the simulated board holds, the notes it played, how far and
which way the robot moved. The robot is stopped whatever happens.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kit.errors import KitError
from kit.messages import decimal_fr
from robots.mbot import MBot

#: Speed of the motor checks (PWM): above the floor's dead zone, slow enough for a table.
MOTOR_TEST_PWM = 160
#: What a working motor does in the 0.8 s of its check at :data:`MOTOR_TEST_PWM` (the
#: simulator's default motors cover about 8 cm and 60° there): well above noise, well below.
MIN_MOVE_CM = 2.0
MIN_TURN_DEG = 15.0
#: The notes of the buzzer check (do, mi, sol, do), in Hz.
NOTES_HZ = (262, 330, 392, 523)

#: ``confirm(question)``: True (oui), False (non), or None when nobody can answer.
Confirm = Callable[[str], "bool | None"]


@dataclass(frozen=True)
class StepResult:
    name: str
    ok: bool
    detail: str
    #: False when the check needed a person who did not confirm it: neither passed nor failed.
    verified: bool = True


def _fmt(value: float, unit: str) -> str:
    return f"{decimal_fr(round(value, 1) + 0.0, 1)} {unit}"  # + 0.0: never « -0,0 »


def _line_meaning(value: int) -> str:
    return {
        0: "les deux capteurs voient du noir",
        1: "seul le capteur gauche voit du noir",
        2: "seul le capteur droit voit du noir",
        3: "les deux capteurs voient du blanc (ou rien)",
    }[value & 3]


class _Simulated:
    """The simulated board behind the link, when there is one (None on a real robot)."""

    def __init__(self, mbot: MBot) -> None:
        self.device: Any = getattr(mbot.link, "device", None)
        self.world: Any = getattr(self.device, "world", None)
        self._start: tuple[float, float, float] = (0.0, 0.0, 0.0)
        self._events = 0

    @property
    def present(self) -> bool:
        return self.world is not None

    def begin(self) -> None:
        self._start = (self.world.x, self.world.y, self.world.heading)
        self._events = len(self.world.record.events)

    def movement(self) -> tuple[float, float]:
        """(cm moved along the starting heading, degrees turned counter-clockwise)."""
        x0, y0, h0 = self._start
        dx, dy = self.world.x - x0, self.world.y - y0
        forward = dx * math.cos(h0) + dy * math.sin(h0)
        return forward, math.degrees(self.world.heading - h0)

    def notes_played(self) -> list[float] | None:
        if not self.world.recording:
            return None
        events = self.world.record.events[self._events :]
        return [event.value for event in events if event.kind == "tone" and event.value > 0]


def run_self_test(
    mbot: MBot,
    *,
    on_step: Callable[[StepResult], None] | None = None,
    confirm: Confirm | None = None,
) -> list[StepResult]:
    """Run every check; a robot that stops answering ends the test with a failed step.

    ``confirm`` asks the animateur about what only a person can see or hear on a real robot;
    without it (no terminal), those checks are « non vérifié ».
    """
    results: list[StepResult] = []
    sim = _Simulated(mbot)

    def done(result: StepResult) -> None:
        results.append(result)
        if on_step is not None:
            on_step(result)

    def asked(name: str, question: str, what: str) -> None:
        answer = confirm(question) if confirm is not None else None
        if answer is None:
            done(StepResult(name, False, f"{what} — non vérifié (personne n'a confirmé)", False))
        elif answer:
            done(StepResult(name, True, f"{what} — confirmé par l'animateur"))
        else:
            done(StepResult(name, False, f"{what} — ne fonctionne pas, d'après l'animateur"))

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

    def leds(index: int, side: str) -> None:
        shown = []
        for rgb in ((60, 0, 0), (0, 60, 0), (0, 0, 60)):
            mbot.set_led(index, *rgb)
            mbot.wait(0.6)
            if sim.present:
                shown.append(tuple(sim.device.leds[index]) == rgb)
        mbot.set_led(index, 0, 0, 0)
        name, what = f"DEL {side}", "rouge, vert puis bleu"
        if sim.present:
            ok = all(shown)
            done(StepResult(name, ok, f"simulateur : {what} {'reçus' if ok else 'non reçus'}"))
        else:
            asked(name, f"La DEL {side} s'est-elle allumée en rouge, vert puis bleu ?", what)

    def buzzer() -> None:
        if sim.present:
            sim.begin()
        for hz in NOTES_HZ:
            mbot.tone(hz, 250)
        what = "do, mi, sol, do"
        notes = sim.notes_played() if sim.present else None
        if sim.present and notes is not None:
            ok = [round(n) for n in notes] == list(NOTES_HZ)
            detail = f"simulateur : {len(notes)} note(s) jouée(s) sur {len(NOTES_HZ)}"
            done(StepResult("Buzzer", ok, detail))
        elif sim.present:
            done(StepResult("Buzzer", False, f"{what} — non vérifié (enregistrer=0)", False))
        else:
            asked("Buzzer", "Avez-vous entendu quatre notes (do, mi, sol, do) ?", what)

    def motors(name: str, left: int, right: int, check: Callable[[float, float], bool]) -> bool:
        if sim.present:
            sim.begin()
        mbot.drive(left, right)
        mbot.wait(0.8)
        mbot.stop()
        mbot.wait(0.4)
        if not sim.present:
            return False
        forward, turned = sim.movement()
        ok = check(forward, turned)
        detail = (
            f"simulateur : {_fmt(forward, 'cm')} en avant, {round(turned) + 0:+d}° de rotation"
        )
        done(StepResult(name, ok, detail if ok else detail + " (pas le mouvement attendu)"))
        return ok

    def one_motor(name: str, side: str, left: int, right: int, turn_sign: int) -> None:
        # One wheel forward: the robot pivots on the other, towards the stopped wheel.
        motors(name, left, right, lambda fwd, turn: turn * turn_sign >= MIN_TURN_DEG)
        if not sim.present:
            asked(
                name,
                f"La roue {side} a-t-elle tourné (le robot a pivoté) ?",
                f"roue {side} en avant",
            )

    try:
        done(StepResult("Micrologiciel", True, f"mBlock {mbot.firmware or '?'}"))
        sensor("Capteur à ultrasons", ultrasonic)
        sensor(
            "Suiveur de ligne",
            lambda: (lambda v: f"{v} : {_line_meaning(v)}")(mbot.line_follower()),
        )
        sensor("Capteur de lumière", lambda: f"{mbot.light()} (0 = noir, 1023 = plein jour)")
        sensor("Bouton", lambda: "appuyé" if mbot.button() else "relâché")
        leds(2, "gauche")
        leds(1, "droite")
        buzzer()
        one_motor("Moteur gauche (M1)", "gauche", MOTOR_TEST_PWM, 0, -1)
        one_motor("Moteur droit (M2)", "droite", 0, MOTOR_TEST_PWM, +1)
        pwm = MOTOR_TEST_PWM
        motors("Marche avant", pwm, pwm, lambda fwd, turn: fwd >= MIN_MOVE_CM)
        motors("Marche arrière", -pwm, -pwm, lambda fwd, turn: fwd <= -MIN_MOVE_CM)
        motors("Rotation à gauche", -pwm, pwm, lambda fwd, turn: turn >= MIN_TURN_DEG)
        motors("Rotation à droite", pwm, -pwm, lambda fwd, turn: turn <= -MIN_TURN_DEG)
        if not sim.present:
            asked(
                "Déplacements",
                "Le robot a-t-il avancé, reculé, puis tourné à gauche et à droite ?",
                "avant, arrière, rotations",
            )
    except KitError as exc:
        done(StepResult("Liaison", False, exc.message))
    finally:
        with contextlib.suppress(KitError, OSError):
            mbot.stop_all()
    return results
