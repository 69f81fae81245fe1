# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit robot run`` as data: connect, run the learner's script, check the challenge, draw.

On the simulator (``sim://mbot?…``) the program runs in a confined worker process
(:mod:`robots.worker`) that opens the simulated robot itself, on one virtual clock, and sends
back its recorded run (positions, collisions, events): that is what the challenge check and the
picture use. On a real robot the program runs here, nothing is recorded: the robot stops at the
end, and the report says that the challenge must be judged by eye.
"""

from __future__ import annotations

import builtins
import sys
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import serial

from kit.errors import KitError
from kit.files import read_text_input
from kit.worker import WorkerHung, WorkerProcess
from robots.arenas import DEFAULT_ARENA, load_arena
from robots.challenges import (
    EXAMPLES_DIR,
    SETTLE_S,
    Challenge,
    ChallengeResult,
    Referee,
    error_verdict,
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
#: Real seconds the worker may stay silent (it sends a heartbeat every virtual second of a
#: busy loop): beyond, the program is stuck in a computation that never returns.
HANG_GUARD_S = 20.0
#: Real seconds a worker may take to start and connect (a loaded machine is slow).
STARTUP_TIMEOUT_S = 60.0


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


def with_presses(url: str, presses: str | None, *, from_option: bool) -> str:
    """``url`` with ``appui=…`` (when the simulator presses the robot's button).

    ``--appui`` (``from_option``) may not contradict an ``appui`` already in the port; a
    challenge's own presses only apply when neither says anything.
    """
    if not presses:
        return url
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    current = [v for k, v in query if k == "appui"]
    if current:
        if from_option and current[-1] != presses:
            raise KitError(
                f"Deux appuis différents sont demandés : « {current[-1]} » dans le port et "
                f"« {presses} » (option --appui). Gardez-en un seul."
            )
        return url
    query.append(("appui", presses))
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
    presses: str | None = None,
    on_connected: Callable[[str, str], None] | None = None,
    on_output: Callable[[str], None] | None = None,
    on_input: Callable[[str], str] | None = None,
) -> RunReport:
    """Run ``script`` on the robot at ``port``; see the module docstring.

    ``script`` may be ``exemple:NAME``: a sample program shipped in ``robots/exemples/``.
    ``presses`` (``--appui``): when the simulator presses the onboard button, times in s or
    zone names separated by commas; a challenge may set its own.
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
        if presses:
            url = with_presses(url, presses, from_option=True)
        elif challenge is not None:
            url = with_presses(url, challenge.presses, from_option=False)
    elif presses:
        raise KitError(
            "--appui ne sert que sur le simulateur (sim://mbot) : sur un vrai robot, "
            "appuyez vous-même sur le bouton."
        )
    elif arena is not None or challenge is not None:
        notes.append(
            "Sur un vrai robot, l'arène et le défi ne sont pas vérifiés automatiquement : "
            "jugez à l'œil (ou répétez d'abord sur le simulateur, --port sim://mbot)."
        )
    if simulated:
        # Already read and compiled by load_script: this cannot fail on a bad file any more.
        source_path, text = read_text_input(
            resolve_script(script), what="programme", not_text="n'est pas un programme."
        )
        limit = time_limit_s
        if limit is None:
            limit = challenge.time_limit_s if challenge is not None else DEFAULT_SIM_LIMIT_S
        outcome, sim_record, firmware = _run_in_worker(
            source_path, text, url, challenge, limit, on_connected, on_output, on_input
        )
        report = RunReport(url, firmware, outcome, record=sim_record, challenge=challenge,
                           notes=notes)
        return _judge_and_draw(report, picture)
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
    return _judge_and_draw(report, picture)


def _judge_and_draw(report: RunReport, picture: str | Path | None) -> RunReport:
    record, challenge = report.record, report.challenge
    if record is not None and challenge is not None:
        report.result = evaluate(challenge, record)
        if report.outcome.ending is Ending.ERROR:
            # A program that stopped on an error never passes, wherever the robot stopped.
            report.result = error_verdict(report.result, report.outcome.line)
    if picture is not None:
        if record is None:
            report.notes.append(
                "Pas d'image : le trajet n'est enregistré que sur le simulateur (sim://mbot)."
            )
        else:
            from robots.picture import draw_run

            drawing = draw_run(
                record,
                challenge=challenge,
                result=report.result,
                duration_s=report.outcome.duration_s,
                error=report.outcome.message if report.outcome.ending is Ending.ERROR else None,
            )
            report.picture = drawing.save(picture)
    return report


def _arena_of(url: str) -> str:
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    return query.get("arena") or DEFAULT_ARENA


def _run_in_worker(
    script: Path,
    source: str,
    url: str,
    challenge: Challenge | None,
    limit_s: float,
    on_connected: Callable[[str, str], None] | None,
    on_output: Callable[[str], None] | None,
    on_input: Callable[[str], str] | None,
) -> tuple[ScriptOutcome, RunRecord, str]:
    """Run ``script`` on ``url`` in a :mod:`robots.worker` process; see the module doc."""
    arena = load_arena(_arena_of(url))
    process = WorkerProcess(
        "robots.worker",
        cwd=script.resolve().parent,
        gone_message="Le programme s'est arrêté brutalement (mémoire épuisée ou erreur "
        "interne du simulateur) : le robot simulé est arrêté.",
        # The link needs pyserial (the worker starts without site-packages).
        extra_paths=[str(Path(serial.__file__).resolve().parents[1])],
    )
    hung = (
        f"Le programme ne rend plus la main depuis {HANG_GUARD_S:g} s (un calcul énorme, "
        "bloqué hors du temps simulé) : il a été arrêté, le robot simulé aussi."
    )
    firmware = "?"
    try:
        process.start(
            {
                "script": str(script.resolve()),
                "source": source,
                "url": url,
                "limit": limit_s,
                "challenge": challenge.name if challenge is not None else None,
            }
        )
        timeout = STARTUP_TIMEOUT_S
        while True:
            message = process.read(timeout, hung)
            timeout = HANG_GUARD_S
            state = message.get("state")
            if state == "connected":
                firmware = str(message.get("firmware") or "?")
                if on_connected is not None:
                    on_connected(url, firmware)
            elif state == "out":
                (on_output or sys.stdout.write)(str(message.get("text", "")))
            elif state == "input":
                process.send(_answer(on_input, str(message.get("prompt", ""))))
            elif state == "fault":
                code = message.get("exit_code")
                raise KitError(
                    str(message.get("message", "")),
                    hint=message.get("hint"),
                    exit_code=code if isinstance(code, int) else None,
                )
            elif state == "end":
                return _ending(message, arena) + (firmware,)
    finally:
        process.close()


def _answer(on_input: Callable[[str], str] | None, prompt: str) -> dict[str, Any]:
    try:
        return {"line": (on_input or builtins.input)(prompt)}
    except EOFError:
        return {"eof": True}


def _ending(message: dict[str, Any], arena: Any) -> tuple[ScriptOutcome, RunRecord]:
    try:
        line = message.get("line")
        outcome = ScriptOutcome(
            Ending(message["ending"]),
            float(message["duration"]),
            str(message.get("message") or ""),
            int(line) if isinstance(line, int) else None,
        )
        record = RunRecord.from_json(arena, message["record"])
    except (KeyError, TypeError, ValueError) as exc:
        raise WorkerHung(
            "Le simulateur a renvoyé un résultat illisible : le programme a-t-il écrit sur "
            "la liaison du simulateur ?"
        ) from exc
    return outcome, record
