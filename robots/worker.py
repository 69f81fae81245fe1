# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit robot run`` on ``sim://mbot``: the learner's program in a confined worker process.

Started by :func:`robots.session.run_program` as ``python -m robots.worker`` through
:class:`kit.worker.WorkerProcess` (the mechanism the simulated CircuitPython board uses too).
The worker opens the simulated robot in its own process, gives up writing files and running
programs (:func:`kit.worker.confine`), and runs the program on ONE virtual clock:

* the robot's link: every request costs what it costs on a real robot (``sim://mbot``'s
  ``liaison`` option);
* ``time.time``/``monotonic``/``perf_counter``/``sleep`` and ``robot.temps()`` read that clock
  (:func:`robots.runner.run_script`);
* every executed line of the program costs :data:`LINE_COST_S`, so a busy loop
  (``while True: pass``, a wait on ``time.time()``) also makes time pass and meets the
  time limit (the challenge's or ``--temps-max``), which always ends the program.

Messages to the parent (JSON lines): ``connected`` (firmware), ``out`` (the program printed),
``input`` (the program asks for a line), ``running`` (a heartbeat, at least every virtual
second of busy loop), then ``end`` (the outcome and the simulator's record) or ``fault`` (the
kit's own error, a French message).
"""

from __future__ import annotations

import builtins
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import serial

from kit.errors import KitError
from kit.worker import Channel, confine, open_channel
from robots.challenges import SETTLE_S, Referee, load_challenge
from robots.learner import Robot
from robots.mbot import MBot, connect
from robots.record import RunRecord
from robots.runner import Ending, ScriptOutcome, run_script, stop_quietly

#: Virtual cost of one executed line of the learner's program (seconds). A laptop runs a line
#: of CPython in about 0.05-0.1 µs; charging that, a 30 s busy loop would trace 300 million
#: lines (minutes of host time). 10 µs keeps a busy loop of the longest challenge to about
#: 3 million traced lines, and stays invisible next to the robot's link: one request costs
#: 3-50 ms, i.e. 300 to 5 000 lines. (On a real laptop too, a busy loop ends when the clock
#: says so: the cost only sets how many turns it makes meanwhile.)
LINE_COST_S = 10e-6
#: How often (virtual seconds) a busy loop lets the robot's model catch up, the referee look
#: at the run, and the parent hear a heartbeat.
CHECK_EVERY_S = 0.01
HEARTBEAT_S = 1.0


class _Output:
    """``sys.stdout`` of the learner: text goes to the parent as ``out`` messages."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def write(self, text: str) -> int:
        if text:
            self.channel.send({"state": "out", "text": str(text)})
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class _LineClock:
    """Charges the learner's lines on the link's virtual clock; ends busy loops on time.

    At the time limit (or once the challenge is won) it does not raise into the program: a
    learner's bare ``except:`` could swallow that, and CPython switches tracing off after a
    trace function raised, leaving an untraced endless loop. It calls ``finish`` instead, which
    stops the robot, reports and ends the worker from right there.
    """

    def __init__(
        self,
        channel: Channel,
        mbot: MBot,
        referee: Referee | None,
        finish: Callable[[Ending], None],
        *,
        follows_wall: bool = False,
    ) -> None:
        self.channel = channel
        #: ``sim://mbot?speed=N``: the clock follows the wall clock, lines cost nothing more
        #: (they take real time) but the limit is still checked, every 1000 lines.
        self.follows_wall = follows_wall
        self.lines = 0
        self.mbot = mbot
        self.referee = referee
        self.finish = finish
        self.clock = mbot.link.clock  # sim.device.VirtualClock of the in-process link
        self.next_check = -math.inf
        self.next_beat = -math.inf

    def tick(self) -> None:
        clock = self.clock
        if self.follows_wall:
            self.lines += 1
            if self.lines % 1000:
                return
            now = self.mbot.clock()
        else:
            now = clock.now() + LINE_COST_S
            clock.advance_to(now)
        deadline = self.mbot.deadline_s
        if deadline is not None and now >= deadline:
            clock.advance_to(deadline)
            self.finish(Ending.TIME_LIMIT)
        if now >= self.next_check:
            self.next_check = now + CHECK_EVERY_S
            _ = self.mbot.link.in_waiting  # the robot's model catches up (path, button)
            if now >= self.next_beat:
                self.next_beat = now + HEARTBEAT_S
                self.channel.send({"state": "running", "now": now})
            if self.referee is not None and self.referee.decided():
                self.finish(Ending.GOAL)


def _input(channel: Channel) -> Any:
    def learner_input(prompt: object = "") -> str:
        channel.send({"state": "input", "prompt": str(prompt)})
        answer = channel.receive()
        if answer.get("eof"):
            raise EOFError
        return str(answer.get("line", ""))

    return learner_input


def _readable_folders(script: Path) -> list[str]:
    """What the program may still read: its own folder and the link's library (pyserial)."""
    return [str(script.parent), str(Path(serial.__file__).resolve().parent)]


def run(channel: Channel, init: dict[str, Any]) -> dict[str, Any]:
    script = Path(init["script"])
    code = compile(init["source"], str(script), "exec")
    challenge = load_challenge(init["challenge"]) if init.get("challenge") else None
    mbot = connect(init["url"])
    try:
        channel.send({"state": "connected", "firmware": mbot.firmware or "?"})
        device = getattr(mbot.link, "device", None)
        record = getattr(device, "record", None)
        if not isinstance(record, RunRecord):
            raise KitError("Le robot simulé n'enregistre pas son trajet (option enregistrer=0).")
        record.start_s = mbot.clock()  # the program's time starts now
        limit = init.get("limit")
        if limit is not None:
            mbot.deadline_s = mbot.clock() + float(limit)
        referee = Referee(challenge, record) if challenge is not None else None
        if referee is not None:
            mbot.end_when = referee.decided
        sys.stdout = sys.stderr = _Output(channel)
        builtins.input = _input(channel)
        sys.path.insert(0, str(script.parent))
        confined = confine(_readable_folders(script), packages=("kit", "sim", "robots"))
        follows_wall = bool(getattr(mbot.link, "_speed", None))
        robot = Robot(mbot)
        start_s = mbot.clock()

        def finish(ending: Ending) -> None:
            """End the run from inside the program (see :class:`_LineClock`)."""
            sys.settrace(None)
            outcome = ScriptOutcome(ending, mbot.clock() - start_s)
            stop_quietly(robot)
            channel.send(_settle_and_report(mbot, record, outcome, confined))
            os._exit(0)

        charge = _LineClock(channel, mbot, referee, finish, follows_wall=follows_wall).tick
        outcome = run_script(code, robot, charge_line=charge)
        return _settle_and_report(mbot, record, outcome, confined)
    finally:
        mbot.close()


def _settle_and_report(
    mbot: MBot, record: RunRecord, outcome: ScriptOutcome, confined: bool
) -> dict[str, Any]:
    # The robot coasts for a moment after the stop: record it before judging.
    mbot.deadline_s = None
    mbot.end_when = None
    mbot.wait(SETTLE_S)
    mbot.close()
    return {
        "state": "end",
        "ending": outcome.ending.value,
        "duration": outcome.duration_s,
        "message": outcome.message,
        "line": outcome.line,
        "record": record.to_json(),
        "confined": confined,
    }


def main() -> None:
    channel = open_channel()
    init = channel.receive()
    os.chdir(Path(init["script"]).parent)
    try:
        reply = run(channel, init)
    except KitError as exc:
        reply = {"state": "fault", "message": exc.message, "hint": exc.hint,
                 "exit_code": exc.exit_code}
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    channel.send(reply)


if __name__ == "__main__":
    main()
