# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit robot run`` as data: connect, run the learner's script, check the challenge, draw.

On the simulator (``sim://mbot?…``) the in-process link exposes the simulated device
(``link.device``), whose recorded run (positions, collisions, events) is what the challenge
check and the picture use. On a real robot nothing is recorded: the script runs, the robot
stops at the end, and the report says that the challenge must be judged by eye.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import KitError
from robots.arenas import load_arena
from robots.challenges import (
    EXAMPLES_DIR,
    SETTLE_S,
    Challenge,
    ChallengeResult,
    Referee,
    evaluate,
    load_challenge,
)
from robots.learner import Robot
from robots.mbot import MBot, connect
from robots.record import RunRecord
from robots.runner import Ending, ScriptOutcome, load_script, run_script

#: Time allowed to a program on the simulator when no challenge sets one (virtual seconds):
#: an endless loop must not run forever at full speed.
DEFAULT_SIM_LIMIT_S = 300.0


@dataclass
class RunReport:
    port: str
    firmware: str
    outcome: ScriptOutcome
    record: RunRecord | None = None
    challenge: Challenge | None = None
    result: ChallengeResult | None = None
    picture: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.outcome.ending is Ending.ERROR or (
            self.result is not None and not self.result.passed
        )


def is_simulated_mbot(port: str) -> bool:
    parts = urllib.parse.urlsplit(port)
    kind = (parts.netloc or parts.path.strip("/")).lower()
    return parts.scheme.lower() == "sim" and kind == "mbot"


def simulator_url(port: str, arena: str | None) -> str:
    """``port`` with ``arena=…`` set; refuses two different arenas."""
    parts = urllib.parse.urlsplit(port)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    current = [v for k, v in query if k == "arena"]
    if arena is None:
        return port
    if current and current[-1] != arena:
        raise KitError(
            f"Deux arènes différentes sont demandées : « {current[-1]} » dans le port et "
            f"« {arena} » (option --arena ou défi). Gardez-en une seule."
        )
    if current:
        return port
    query.append(("arena", arena))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _device_record(mbot: MBot) -> RunRecord | None:
    device = getattr(mbot.link, "device", None)
    record = getattr(device, "record", None)
    return record if isinstance(record, RunRecord) else None


EXAMPLE_PREFIX = "exemple:"


def resolve_script(script: str | Path) -> Path:
    text = str(script)
    if not text.startswith(EXAMPLE_PREFIX):
        return Path(script)
    name = text[len(EXAMPLE_PREFIX) :].removesuffix(".py")
    path = EXAMPLES_DIR / f"{name}.py"
    if "/" in name or "\\" in name or not path.is_file():
        known = ", ".join(sorted(p.stem for p in EXAMPLES_DIR.glob("*.py")))
        raise KitError(f"Exemple inconnu : « {name} ». Exemples disponibles : {known}.")
    return path


def run_program(
    script: str | Path,
    port: str,
    *,
    arena: str | None = None,
    defi: str | None = None,
    picture: str | Path | None = None,
    time_limit_s: float | None = None,
    on_connected: Callable[[str, str], None] | None = None,
) -> RunReport:
    """Run ``script`` on the robot at ``port``; see the module docstring.

    ``script`` may be ``exemple:NAME``: a sample program shipped in ``robots/exemples/``.
    """
    code = load_script(resolve_script(script))
    challenge = load_challenge(defi) if defi else None
    if arena is not None:
        load_arena(arena)
    if picture is not None and Path(picture).suffix.lower() not in (".png", ".svg"):
        raise KitError(
            f"Format d'image non pris en charge : « {Path(picture).name} ». "
            "Utilisez un nom de fichier en .png ou .svg."
        )
    if picture is not None and not Path(picture).resolve().parent.is_dir():
        raise KitError(f"Le dossier de l'image « {picture} » n'existe pas.")
    notes: list[str] = []
    simulated = is_simulated_mbot(port)
    if challenge is not None and arena is not None and arena != challenge.arena:
        raise KitError(
            f"Le défi « {challenge.name} » se joue dans l'arène « {challenge.arena} », "
            f"pas « {arena} »."
        )
    url = port
    if simulated:
        url = simulator_url(port, challenge.arena if challenge else arena)
    elif arena is not None or challenge is not None:
        notes.append(
            "Sur un vrai robot, l'arène et le défi ne sont pas vérifiés automatiquement : "
            "jugez à l'œil (ou répétez d'abord sur le simulateur, --port sim://mbot)."
        )
    mbot = connect(url)
    try:
        if on_connected is not None:
            on_connected(url, mbot.firmware or "?")
        record = _device_record(mbot)
        if record is not None:
            record.start_s = mbot.clock()  # the program's time starts now
        limit = time_limit_s
        if limit is None and challenge is not None:
            limit = challenge.time_limit_s
        if limit is None and record is not None:
            limit = DEFAULT_SIM_LIMIT_S
        if limit is not None:
            mbot.deadline_s = mbot.clock() + limit
        referee = Referee(challenge, record) if (challenge and record is not None) else None
        if referee is not None:
            mbot.end_when = referee.decided
        outcome = run_script(code, Robot(mbot))
        if record is not None:
            # The robot coasts for a moment after the stop: record it before judging.
            mbot.deadline_s = None
            mbot.end_when = None
            mbot.wait(SETTLE_S)
    finally:
        mbot.close()
    report = RunReport(
        url, mbot.firmware or "?", outcome, record=record, challenge=challenge, notes=notes
    )
    if record is not None and challenge is not None:
        report.result = evaluate(challenge, record)
    if picture is not None:
        if record is None:
            notes.append(
                "Pas d'image : le trajet n'est enregistré que sur le simulateur (sim://mbot)."
            )
        else:
            from robots.picture import draw_run

            drawing = draw_run(record, challenge=challenge, result=report.result)
            report.picture = drawing.save(picture)
    return report
