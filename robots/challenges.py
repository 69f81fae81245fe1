# SPDX-License-Identifier: GPL-3.0-or-later
"""Challenges (« défis »): an arena, a goal, a time limit and an automatic check, as data.

A challenge is a TOML file in ``robots/defis/``::

    titre = "S'arrêter devant le mur"
    arene = "mur"
    objectif = "Avancer vers le mur et s'arrêter à moins de 10 cm, sans le toucher."
    temps_max = 30           # seconds of (simulated) time for the program
    exemple = "arret_mur.py" # a solution in robots/exemples/
    appui = [3]              # optional: the simulator presses the onboard button at 3 s
                             # (times in s, or zone names: pressed when the robot enters)

    [verification]
    type = "arret_devant_mur"   # or "zone", "tour_de_piste"
    distance_max = 10
    attendre_bouton = true      # optional: the robot must not move before the first press

Checks run on the simulator's recorded run (:class:`robots.record.RunRecord`) and return
the verdict in French with the measured figures.
"""

from __future__ import annotations

import math
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.errors import InputFileError, KitError
from kit.messages import decimal_fr
from robots.arenas import LINE_SENSORS_AHEAD_CM, ROBOT_FRONT_CM, load_arena
from robots.record import RunRecord, Sample

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CHALLENGES_DIR = Path(__file__).resolve().parent / "defis"
EXAMPLES_DIR = Path(__file__).resolve().parent / "exemples"
CHECK_TYPES = ("arret_devant_mur", "zone", "tour_de_piste")
#: Below this speed (cm/s) the robot counts as stopped.
STOPPED_CM_S = 0.5
#: After the program ends the robot still coasts: the run is judged this much later.
SETTLE_S = 1.0
_CHALLENGE_KEYS = {
    "titre", "arene", "objectif", "temps_max", "exemple", "verification", "appui"
}


@dataclass(frozen=True)
class Challenge:
    name: str
    title: str
    arena: str
    goal: str
    time_limit_s: float
    check: str
    params: dict[str, Any] = field(default_factory=dict)
    example: str | None = None
    #: When the simulator presses the onboard button (``sim://mbot``'s ``appui`` option).
    presses: str | None = None

    def example_path(self) -> Path | None:
        return EXAMPLES_DIR / self.example if self.example else None


@dataclass(frozen=True)
class ChallengeResult:
    passed: bool
    #: One French sentence: why it passed or failed.
    reason: str
    #: (label, value) pairs of what was measured, in French.
    figures: tuple[tuple[str, str], ...] = ()


def available_challenges() -> list[str]:
    return sorted(p.stem for p in CHALLENGES_DIR.glob("*.toml"))


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def load_challenge(name: str) -> Challenge:
    """A challenge by name; accents and capitals are optional (« arrêt-mur »)."""
    for known in available_challenges():
        if _folded(known) == _folded(name):
            name = known
    path = CHALLENGES_DIR / f"{name}.toml"
    if "/" in name or "\\" in name or not path.is_file():
        known = ", ".join(available_challenges())
        raise KitError(f"Défi inconnu : « {name} ». Défis disponibles : {known}.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        unknown = sorted(set(data) - _CHALLENGE_KEYS)
        if unknown:
            raise ValueError(f"clés inconnues : {', '.join(unknown)}")
        check = dict(data["verification"])
        kind = str(check.pop("type"))
        if kind not in CHECK_TYPES:
            raise ValueError(f"type de vérification inconnu : {kind}")
        limit = float(data["temps_max"])
        if not 0 < limit <= 3600:
            raise ValueError("temps_max doit être entre 0 et 3600 s")
        challenge = Challenge(
            name=name,
            title=str(data["titre"]),
            arena=str(data["arene"]),
            goal=str(data["objectif"]),
            time_limit_s=limit,
            check=kind,
            params=check,
            example=data.get("exemple"),
            presses=_presses(data.get("appui")),
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InputFileError(f"Le défi « {path} » est mal formé : {exc}") from exc
    load_arena(challenge.arena)  # an unknown arena is a broken challenge file: say so now
    return challenge


def _presses(raw: object) -> str | None:
    """``appui = 3``, ``appui = [2, 8]`` or ``appui = ["arrivée"]`` as the option's text."""
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else [raw]
    text = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, float, str)):
            raise ValueError("appui : des instants en secondes ou des noms de zones")
        if isinstance(item, (int, float)) and not 0 <= item <= 3600:
            raise ValueError("appui : des instants entre 0 et 3600 s")
        text.append(str(item).strip())
    return ",".join(text)


def _fmt_cm(value: float) -> str:
    return f"{decimal_fr(value, 1)} cm"


def _fmt_s(value: float) -> str:
    return f"{decimal_fr(value, 1)} s"


def _window(challenge: Challenge, record: RunRecord) -> list[Sample]:
    end = record.start_s + challenge.time_limit_s + SETTLE_S
    return [s for s in record.samples if record.start_s <= s[0] <= end + 1e-9]


def evaluate(challenge: Challenge, record: RunRecord) -> ChallengeResult:
    """Check ``record`` against ``challenge`` (only its time window counts)."""
    samples = _window(challenge, record)
    if not samples:
        return ChallengeResult(False, "Le robot n'a rien enregistré : le programme n'a pas tourné.")
    end = samples[-1][0]
    collisions = [c for c in record.collisions if record.start_s <= c.t_s <= end]
    if challenge.params.get("attendre_bouton"):
        early = _moved_before_the_button(record, samples)
        if early is not None:
            return early
    if challenge.check == "zone":
        return _check_zone(challenge, record, samples, collisions)
    if challenge.check == "tour_de_piste":
        return _check_lap(challenge, record, samples, collisions)
    return _check_stop(challenge, record, samples, collisions)


def _moved_before_the_button(record: RunRecord, samples: list[Sample]) -> ChallengeResult | None:
    """A failed verdict when the robot moved before the first press (or was never pressed)."""
    presses = [e.t_s for e in record.events if e.kind == "button" and e.detail.endswith("appuyé")
               and e.t_s >= record.start_s]
    if not presses:
        return ChallengeResult(
            False,
            "Le bouton du robot n'a pas été appuyé (option --appui du simulateur ou clé "
            "« appui » du défi).",
        )
    first = presses[0]
    for t, _x, _y, _h, speed in samples:
        if t >= first:
            break
        if abs(speed) > STOPPED_CM_S:
            return ChallengeResult(
                False,
                f"Le robot est parti à {_fmt_s(t - record.start_s)}, avant l'appui sur le "
                f"bouton ({_fmt_s(first - record.start_s)}) : il doit attendre le bouton.",
                (("appui sur le bouton", _fmt_s(first - record.start_s)),),
            )
    return None


def _collision_reason(t_s: float, start_s: float) -> str:
    return f"Le robot a heurté un obstacle à {_fmt_s(t_s - start_s)}."


def _check_stop(
    challenge: Challenge, record: RunRecord, samples: list[Sample], collisions: list[Any]
) -> ChallengeResult:
    limit_cm = float(challenge.params.get("distance_max", 10.0))
    t, x, y, heading, speed = samples[-1]
    front = (x + ROBOT_FRONT_CM * math.cos(heading), y + ROBOT_FRONT_CM * math.sin(heading))
    distance = record.arena.ray_distance(front, heading)
    rest_t = t
    for sample in reversed(samples):
        if abs(sample[4]) > STOPPED_CM_S:
            break
        rest_t = sample[0]
    figures = [
        ("distance finale au mur", _fmt_cm(distance) if math.isfinite(distance) else "aucun mur"),
        ("collisions", str(len(collisions))),
        ("robot immobile après", _fmt_s(rest_t - record.start_s)),
    ]
    if collisions:
        return ChallengeResult(
            False, _collision_reason(collisions[0].t_s, record.start_s), tuple(figures)
        )
    if abs(speed) > STOPPED_CM_S:
        return ChallengeResult(
            False, "Le robot roule encore à la fin : il doit s'arrêter.", tuple(figures)
        )
    if not distance <= limit_cm:
        return ChallengeResult(
            False,
            f"Le robot s'est arrêté trop loin du mur ({_fmt_cm(distance)} ; il faut moins de "
            f"{_fmt_cm(limit_cm)}).",
            tuple(figures),
        )
    return ChallengeResult(
        True,
        f"Arrêté à {_fmt_cm(distance)} du mur sans le toucher.",
        tuple(figures),
    )


def _check_zone(
    challenge: Challenge, record: RunRecord, samples: list[Sample], collisions: list[Any]
) -> ChallengeResult:
    zone = record.arena.zone(str(challenge.params.get("zone", "arrivée")))
    reached: float | None = None
    closest = math.inf
    for t, x, y, _h, _v in samples:
        if zone.contains((x, y)):
            reached = t
            break
        dx = max(zone.x - x, 0.0, x - (zone.x + zone.width))
        dy = max(zone.y - y, 0.0, y - (zone.y + zone.depth))
        closest = min(closest, math.hypot(dx, dy))
    before = [c for c in collisions if reached is None or c.t_s <= reached]
    figures: list[tuple[str, str]] = [("collisions", str(len(before)))]
    if reached is not None:
        figures.insert(0, ("temps pour atteindre la zone", _fmt_s(reached - record.start_s)))
    else:
        figures.insert(0, ("plus courte distance à la zone", _fmt_cm(closest)))
    if before:
        return ChallengeResult(
            False, _collision_reason(before[0].t_s, record.start_s), tuple(figures)
        )
    if reached is None:
        return ChallengeResult(
            False,
            f"La zone « {zone.name} » n'a pas été atteinte en {_fmt_s(challenge.time_limit_s)}.",
            tuple(figures),
        )
    return ChallengeResult(
        True,
        f"Zone « {zone.name} » atteinte en {_fmt_s(reached - record.start_s)} sans collision.",
        tuple(figures),
    )


def _check_lap(
    challenge: Challenge, record: RunRecord, samples: list[Sample], collisions: list[Any]
) -> ChallengeResult:
    track = record.arena.track
    if track is None or not track.closed:
        raise KitError(f"Le défi « {challenge.name} » demande une piste fermée dans l'arène.")
    max_gap = float(challenge.params.get("ecart_max", 6.0))
    length = track.length
    progress = 0.0
    worst = 0.0
    previous: float | None = None
    lap_at: float | None = None
    left_at: tuple[float, float] | None = None
    # The sensors, not the axle, follow the line: measure where they are.
    for t, x, y, heading, _v in samples[::2]:
        sx = x + LINE_SENSORS_AHEAD_CM * math.cos(heading)
        sy = y + LINE_SENSORS_AHEAD_CM * math.sin(heading)
        gap, s = track.project((sx, sy))
        worst = max(worst, gap)
        if gap > max_gap and left_at is None:
            left_at = (t, gap)
            break
        if previous is not None:
            ds = s - previous
            if ds > length / 2:
                ds -= length
            elif ds < -length / 2:
                ds += length
            progress += ds
        previous = s
        if abs(progress) >= length - 1.0:
            lap_at = t
            break
    end = lap_at if lap_at is not None else (left_at[0] if left_at else samples[-1][0])
    hits = [c for c in collisions if c.t_s <= end]
    done = min(1.0, abs(progress) / length) if length else 0.0
    figures: list[tuple[str, str]] = [
        ("part du tour parcourue", f"{round(done * 100)} %"),
        ("plus grand écart à la ligne", _fmt_cm(worst)),
        ("collisions", str(len(hits))),
    ]
    if lap_at is not None:
        figures.insert(0, ("temps du tour", _fmt_s(lap_at - record.start_s)))
    if hits:
        return ChallengeResult(
            False, _collision_reason(hits[0].t_s, record.start_s), tuple(figures)
        )
    if left_at is not None:
        return ChallengeResult(
            False,
            f"Le robot a quitté la ligne à {_fmt_s(left_at[0] - record.start_s)} "
            f"(à {_fmt_cm(left_at[1])} de la ligne, {_fmt_cm(max_gap)} au plus).",
            tuple(figures),
        )
    if lap_at is None:
        return ChallengeResult(
            False,
            f"Le tour n'est pas fini en {_fmt_s(challenge.time_limit_s)} "
            f"({round(done * 100)} % du tour).",
            tuple(figures),
        )
    return ChallengeResult(
        True,
        f"Tour complet en {_fmt_s(lap_at - record.start_s)} en suivant la ligne.",
        tuple(figures),
    )


def error_verdict(result: ChallengeResult, line: int | None) -> ChallengeResult:
    """The verdict of a run whose program stopped on an error: never a success.

    The robot may well have stopped near the wall because the program crashed; the measured
    figures stay, the reason says where the program stopped.
    """
    where = f"à la ligne {line}" if line else "avant la fin"
    return ChallengeResult(
        False,
        f"Le programme s'est arrêté sur une erreur {where} : corrigez-la, le défi n'est "
        "réussi que par un programme qui s'exécute sans erreur.",
        result.figures,
    )


class Referee:
    """Watches a run while it happens and says when the challenge is already won.

    The zone challenge ends when the robot enters the zone, the lap challenge when the lap
    is complete, so that the program (often an endless loop) stops at the right moment. The
    verdict itself is always :func:`evaluate`'s.
    """

    def __init__(self, challenge: Challenge, record: RunRecord) -> None:
        self.challenge = challenge
        self.record = record
        self._seen = 0
        self._progress = 0.0
        self._previous: float | None = None
        self.won = False
        arena = record.arena
        self._zone = (
            arena.zone(str(challenge.params.get("zone", "arrivée")))
            if challenge.check == "zone"
            else None
        )
        self._track = arena.track if challenge.check == "tour_de_piste" else None

    def decided(self) -> bool:
        if self.won:
            return True
        samples = self.record.samples
        new = samples[self._seen :]
        self._seen = len(samples)
        if self._zone is not None:
            self.won = any(
                s[0] >= self.record.start_s and self._zone.contains((s[1], s[2])) for s in new
            )
        elif self._track is not None and self._track.closed:
            length = self._track.length
            for t, x, y, heading, _v in new[::2]:
                if t < self.record.start_s:
                    continue
                sx = x + LINE_SENSORS_AHEAD_CM * math.cos(heading)
                sy = y + LINE_SENSORS_AHEAD_CM * math.sin(heading)
                _gap, s = self._track.project((sx, sy))
                if self._previous is not None:
                    ds = s - self._previous
                    if ds > length / 2:
                        ds -= length
                    elif ds < -length / 2:
                        ds += length
                    self._progress += ds
                self._previous = s
                if abs(self._progress) >= length - 1.0:
                    self.won = True
                    break
        return self.won
