# SPDX-License-Identifier: GPL-3.0-or-later
"""The robot a learner's program receives: French names, speeds in percent, clear errors.

Simple enough for a first Python lesson::

    robot.avancer(vitesse=80, duree=2)      # 80 %, for 2 seconds, then stop
    if robot.distance() < 20:
        robot.tourner_a_gauche(duree=0.5)
    robot.led("gauche", 255, 0, 0)
    robot.note(440, 0.5)

Speeds are percentages of full power (0–100), as in mBlock 5's blocks; on the floor a mBot
does not move below about 40 %. Without ``duree`` the motors keep running until the next
command. Everything underneath is :class:`robots.mbot.MBot` (PWM values, raw frames).
"""

from __future__ import annotations

import math

from kit.errors import KitError
from robots.mbot import MBot

#: What :meth:`Robot.distance` returns when nothing is in range of the ultrasonic sensor.
RIEN = 400.0

_LED_NAMES = {"les deux": 0, "deux": 0, "toutes": 0, "droite": 1, "gauche": 2}


#: The learner's memo, in French: (call, what it does). Shown by ``kit robot memo``.
MEMO: tuple[tuple[str, str], ...] = (
    ("robot.avancer(vitesse=100, duree=None)", "avance (vitesse en %, durée en secondes)"),
    ("robot.reculer(vitesse=100, duree=None)", "recule"),
    ("robot.tourner_a_gauche(vitesse=80, duree=None)", "tourne sur place vers la gauche"),
    ("robot.tourner_a_droite(vitesse=80, duree=None)", "tourne sur place vers la droite"),
    ("robot.moteurs(gauche, droite, duree=None)", "chaque roue de -100 à 100 %"),
    ("robot.arreter()", "arrête les moteurs"),
    ("robot.distance()", "distance devant en cm (3 à 400 ; 400 = RIEN devant)"),
    (
        "robot.ligne()",
        "suiveur de ligne : 0 deux capteurs sur la ligne, 1 gauche, 2 droit, 3 aucun",
    ),
    ("robot.ligne_gauche(), robot.ligne_droite()", "True si ce capteur voit la ligne noire"),
    ("robot.lumiere()", "lumière de 0 (noir) à 1023"),
    ("robot.bouton()", "True si le bouton du robot est appuyé"),
    ("robot.attendre_bouton(delai_max=None)", "attend un appui sur le bouton (False si trop tard)"),
    ('robot.led("gauche", rouge, vert, bleu)', 'DEL "gauche", "droite" ou "les deux" (0 à 255)'),
    ("robot.note(440, 0.5)", "joue une note (Hz) pendant une durée (s)"),
    ("robot.attendre(secondes)", "attend ; les moteurs continuent"),
    ("robot.temps()", "secondes depuis le début du programme"),
)


class ErreurRobot(KitError):
    """A learner's call the robot cannot do (a speed of 150 %, an unknown LED…)."""

    exit_code = 1


def _number(name: str, value: object) -> float:
    if isinstance(value, str):
        try:
            float(value.replace(",", "."))
        except ValueError:
            pass
        else:
            raise ErreurRobot(
                f"« {name} » doit être un nombre, pas un texte : écrivez {name}="
                f"{value.strip().replace(',', '.')} sans guillemets (reçu : {value!r})."
            )
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ErreurRobot(f"« {name} » doit être un nombre (reçu : {value!r}).")
    return float(value)


def _percent(name: str, value: object, *, signed: bool = False) -> int:
    number = _number(name, value)
    low = -100.0 if signed else 0.0
    if not low <= number <= 100.0:
        bounds = "-100 et 100" if signed else "0 et 100"
        raise ErreurRobot(f"« {name} » doit être entre {bounds} (en %), reçu : {value}.")
    return round(number * 2.55)


def _duration(value: object) -> float:
    seconds = _number("duree", value)
    if seconds < 0 or seconds > 3600:
        raise ErreurRobot(f"« duree » doit être entre 0 et 3600 secondes, reçu : {value}.")
    return seconds


def _colour(name: str, value: object) -> int:
    number = _number(name, value)
    if not 0 <= number <= 255:
        raise ErreurRobot(f"« {name} » doit être entre 0 et 255, reçu : {value}.")
    return int(number)


class Robot:
    """An mBot for learners. Every method waits until the robot has answered."""

    RIEN = RIEN

    def __init__(self, mbot: MBot) -> None:
        self.mbot = mbot
        self._start_s = mbot.clock()

    # -- moving --------------------------------------------------------------------------
    def moteurs(self, gauche: float, droite: float, duree: float | None = None) -> None:
        """Each wheel in percent, -100 (backwards) to 100 (forwards)."""
        left = _percent("gauche", gauche, signed=True)
        right = _percent("droite", droite, signed=True)
        seconds = None if duree is None else _duration(duree)
        self.mbot.drive(left, right)
        if seconds is not None:
            self.mbot.wait(seconds)
            self.mbot.stop()

    def avancer(self, vitesse: float = 100, duree: float | None = None) -> None:
        speed = _percent("vitesse", vitesse)
        self._drive(speed, speed, duree)

    def reculer(self, vitesse: float = 100, duree: float | None = None) -> None:
        speed = _percent("vitesse", vitesse)
        self._drive(-speed, -speed, duree)

    def tourner_a_gauche(self, vitesse: float = 80, duree: float | None = None) -> None:
        """Turn on the spot: left wheel backwards, right wheel forwards."""
        speed = _percent("vitesse", vitesse)
        self._drive(-speed, speed, duree)

    def tourner_a_droite(self, vitesse: float = 80, duree: float | None = None) -> None:
        speed = _percent("vitesse", vitesse)
        self._drive(speed, -speed, duree)

    def _drive(self, left: int, right: int, duree: float | None) -> None:
        seconds = None if duree is None else _duration(duree)
        self.mbot.drive(left, right)
        if seconds is not None:
            self.mbot.wait(seconds)
            self.mbot.stop()

    def arreter(self) -> None:
        """Stop both motors."""
        self.mbot.stop()

    stop = arreter

    # -- sensors -------------------------------------------------------------------------
    def distance(self) -> float:
        """Distance to the obstacle ahead, in cm (3 to 400). 400 (``RIEN``): nothing in range."""
        return round(self.mbot.ultrasonic_cm(), 1)

    def ligne(self) -> int:
        """Line follower: 0 both sensors on the line, 1 left only, 2 right only, 3 none."""
        return self.mbot.line_follower()

    def ligne_gauche(self) -> bool:
        """True when the left sensor sees the black line."""
        return self.mbot.line_follower() in (0, 1)

    def ligne_droite(self) -> bool:
        """True when the right sensor sees the black line."""
        return self.mbot.line_follower() in (0, 2)

    def lumiere(self) -> int:
        """Light level, 0 (dark) to 1023 (bright)."""
        return self.mbot.light()

    def bouton(self) -> bool:
        """True while the onboard button is pressed."""
        return self.mbot.button()

    def attendre_bouton(self, delai_max: float | None = None) -> bool:
        """Wait until the onboard button is pressed (True), or ``delai_max`` seconds (False).

        Uses the firmware's « button changed » frames, so a short press is not missed.
        """
        limit = None if delai_max is None else _duration(delai_max)
        start = self.mbot.clock()
        presses = self.mbot.button_presses
        if self.mbot.button():
            return True
        while self.mbot.button_presses == presses:
            # (a margin: a remainder below the clock's float resolution would never pass)
            if limit is not None and self.mbot.clock() - start >= limit - 1e-9:
                return False
            step = 0.05 if limit is None else min(0.05, limit - (self.mbot.clock() - start))
            self.mbot.wait(max(step, 0.0))
        return True

    # -- lights and sound ----------------------------------------------------------------
    def led(self, numero: int | str, rouge: int, vert: int, bleu: int) -> None:
        """Onboard LED: 1 or "droite", 2 or "gauche", 0 or "les deux"; colours 0–255."""
        if isinstance(numero, str):
            key = numero.strip().lower()
            if key not in _LED_NAMES:
                raise ErreurRobot(
                    f'DEL inconnue : « {numero} ». Utilisez "gauche", "droite" ou '
                    '"les deux" (ou 2, 1, 0).'
                )
            index = _LED_NAMES[key]
        elif isinstance(numero, int) and not isinstance(numero, bool) and numero in (0, 1, 2):
            index = numero
        else:
            raise ErreurRobot(f"« numero » doit être 0, 1 ou 2 (reçu : {numero!r}).")
        self.mbot.set_led(
            index, _colour("rouge", rouge), _colour("vert", vert), _colour("bleu", bleu)
        )

    def leds(self, rouge: int, vert: int, bleu: int) -> None:
        """Both onboard LEDs in the same colour."""
        self.led(0, rouge, vert, bleu)

    def eteindre_leds(self) -> None:
        self.led(0, 0, 0, 0)

    def note(self, frequence: float, duree: float = 0.5) -> None:
        """Play a note (Hz, e.g. 440 for A) for ``duree`` seconds; returns when it ends."""
        hz = _number("frequence", frequence)
        if not 31 <= hz <= 5000:
            raise ErreurRobot(f"« frequence » doit être entre 31 et 5000 Hz, reçu : {frequence}.")
        seconds = _duration(duree)
        if seconds > 10:
            raise ErreurRobot(f"Une note dure au plus 10 secondes, reçu : {duree}.")
        self.mbot.tone(round(hz), round(seconds * 1000))

    # -- time ----------------------------------------------------------------------------
    def attendre(self, secondes: float) -> None:
        """Wait (the motors keep doing what they were doing)."""
        seconds = _number("secondes", secondes)
        if seconds < 0:
            raise ErreurRobot(f"On ne peut pas attendre un temps négatif ({secondes}).")
        self.mbot.wait(seconds)

    def temps(self) -> float:
        """Seconds since the program started."""
        return self.mbot.clock() - self._start_s
