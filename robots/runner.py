# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a learner's script with a connected robot, and always stop the robot afterwards.

The script is ordinary Python; it finds the robot in the global ``robot`` (a
:class:`robots.learner.Robot`) and the constant ``RIEN`` (400, « nothing in range »). However
the script ends (normally, by an error, by the time limit or by Ctrl-C), the motors and the
buzzer are switched off before anything else happens.
"""

from __future__ import annotations

import contextlib
import enum
import re
import sys
import time
import traceback
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import CodeType
from typing import SupportsIndex

from kit.errors import InputFileError, KitError
from kit.files import read_text_input
from kit.python_errors import french_message, python_suggestion, syntax_message
from kit.worker import LineCharger
from robots.learner import RIEN, ErreurRobot, Robot
from robots.mbot import GoalReached, TimeLimitReached


class Ending(enum.Enum):
    FINISHED = "fini"
    ERROR = "erreur"
    TIME_LIMIT = "temps"
    GOAL = "but"


@dataclass(frozen=True)
class ScriptOutcome:
    ending: Ending
    duration_s: float
    #: French explanation of an error, with the line of the script when known.
    message: str = ""
    line: int | None = None


def load_script(path: str | Path) -> CodeType:
    """Read and compile a learner's script; a syntax error becomes a French message."""
    source_path, text = read_text_input(
        path,
        what="programme",
        not_text="n'est pas un programme Python (fichier binaire).",
        hint="Enregistrez le programme en UTF-8.",
    )
    try:
        return compile(text, str(source_path), "exec")
    except SyntaxError as exc:
        line = exc.lineno or 0
        shown = (exc.text or "").rstrip("\n")
        detail = f"\n    {shown.strip()}" if shown.strip() else ""
        raise InputFileError(
            f"Faute de syntaxe dans « {source_path.name} », ligne {line} : "
            f"{syntax_message(exc.msg or '')}.{detail}",
            hint="Vérifiez les parenthèses, les deux-points « : » en fin de ligne et "
            "l'indentation.",
        ) from None


def _script_line(exc: BaseException, filename: str) -> int | None:
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    return line


#: Where a learner finds every robot instruction.
MEMO_POINTER = "toutes les instructions du robot : kit robot memo"


def _robot_methods() -> list[str]:
    return sorted(name for name in dir(Robot) if not name.startswith("_"))


def _robot_attribute_help(exc: AttributeError) -> str:
    """« vouliez-vous dire `tourner_a_gauche` ? » for a misspelt robot method."""
    import difflib

    name = getattr(exc, "name", None)
    if not isinstance(getattr(exc, "obj", None), Robot) or not isinstance(name, str):
        return ""
    methods = _robot_methods()
    close = [m for m in methods if m.startswith(name.lower())] or difflib.get_close_matches(
        name.lower(), methods, n=2, cutoff=0.6
    )
    if close:
        choices = " ou ".join(f"`{m}`" for m in close[:2])
        return f"vouliez-vous dire {choices} ? ({MEMO_POINTER})"
    return f"le robot ne connaît pas « {name} » ({MEMO_POINTER})"


_METHOD_WITHOUT_CALL = re.compile(r"robot\.([a-z_]+)(?!\s*\()")


def _classic_mistake(exc: BaseException, source_line: str) -> str:
    """The explanation of a beginner's classic mistake behind ``exc``, or ""."""
    text = str(exc)
    if isinstance(exc, TypeError) and "'method'" in text:
        bare = _METHOD_WITHOUT_CALL.search(source_line)
        call = f"robot.{bare.group(1)}()" if bare else "robot.distance()"
        return (
            f"une instruction du robot s'écrit avec des parenthèses : {call} "
            "(sans elles, c'est l'instruction elle-même, pas sa valeur)"
        )
    return ""


def describe_error(exc: BaseException, filename: str) -> tuple[str, int | None]:
    line = _script_line(exc, filename)
    where = f"ligne {line}" if line else "dans le programme"
    source_line = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            source_line = frame.line or ""
    if isinstance(exc, KitError):
        text = exc.message
    elif isinstance(exc, ModuleNotFoundError) and exc.name:
        text = f"{type(exc).__name__} : aucun module nommé « {exc.name} » sur cet ordinateur"
    else:
        # Python's English message in French for the errors beginners meet most (the
        # exception's name stays as Python spells it: it is what the learner searches for).
        french = french_message(type(exc).__name__, str(exc))
        text = f"{type(exc).__name__} : {french}" if french else type(exc).__name__
        extra = (
            (_robot_attribute_help(exc) if isinstance(exc, AttributeError) else "")
            or _classic_mistake(exc, source_line)
            or python_suggestion(exc)
        )
        if extra:
            text = f"{text} — {extra}"
    return f"Erreur {where} : {text}", line


@contextlib.contextmanager
def _time_on_the_robots_clock(robot: Robot) -> Iterator[None]:
    """On the simulator, the script's ``time`` module reads and waits on the robot's clock.

    One clock for the learner's program: ``time.time``, ``time.monotonic``,
    ``time.perf_counter`` (and their ``_ns`` forms) read the simulator's virtual clock, like
    ``robot.temps()``, and ``time.sleep`` is ``robot.attendre``. Behind ``sim://`` virtual time
    only passes while the program talks to the robot or runs its own lines (see
    :mod:`robots.worker`), so a program that drives « for 3 seconds » with ``time.time()``
    moves as far as on the floor. While the script runs, ``import time`` gives it a copy of the
    module with those functions; modules already loaded (the link itself, which sleeps when the
    simulator follows the wall clock) keep the real one. On a real robot nothing changes.
    """
    if robot.mbot.clock is time.monotonic:
        yield
        return
    clock = robot.mbot.clock
    origin_s = clock()
    epoch_s = time.time()

    def sleep(seconds: float | SupportsIndex) -> None:
        value = float(seconds)
        if value < 0:
            raise ValueError("sleep length must be non-negative")
        robot.mbot.wait(value)

    def wall() -> float:
        return epoch_s + (clock() - origin_s)

    proxy = types.ModuleType("time", time.__doc__)
    proxy.__dict__.update({k: v for k, v in vars(time).items() if not k.startswith("__")})
    proxy.__dict__.update(
        sleep=sleep,
        time=wall,
        time_ns=lambda: round(wall() * 1e9),
        monotonic=clock,
        monotonic_ns=lambda: round(clock() * 1e9),
        perf_counter=clock,
        perf_counter_ns=lambda: round(clock() * 1e9),
        process_time=lambda: clock() - origin_s,
        process_time_ns=lambda: round((clock() - origin_s) * 1e9),
    )
    saved = sys.modules["time"]
    sys.modules["time"] = proxy
    try:
        yield
    finally:
        sys.modules["time"] = saved


def run_script(
    code: CodeType, robot: Robot, *, charge_line: Callable[[], None] | None = None
) -> ScriptOutcome:
    """Execute ``code`` with ``robot``; stop the robot however it ends.

    ``KeyboardInterrupt`` and the kit's own errors (a robot that stops answering, a lost link)
    propagate after the robot has been told to stop; errors of the script become an outcome.
    ``charge_line`` is called for every executed line of the script (the simulator's virtual
    cost of running it, :mod:`robots.worker`); it may raise :class:`TimeLimitReached`.
    """
    namespace: dict[str, object] = {
        "__name__": "__main__",
        "__file__": code.co_filename,
        "__builtins__": __builtins__,
        "robot": robot,
        "RIEN": RIEN,
    }
    start = robot.mbot.clock()
    charger = None if charge_line is None else LineCharger(charge_line)
    if charger is not None:
        charger.files.add(code.co_filename)
        # The robot's link and the simulator behind it run untraced (instance attributes).
        robot.mbot.exchange = charger.untraced(robot.mbot.exchange)  # type: ignore[method-assign]
        robot.mbot.wait = charger.untraced(robot.mbot.wait)  # type: ignore[method-assign]
    try:
        with _time_on_the_robots_clock(robot):
            if charger is not None:
                charger.start()
            try:
                exec(code, namespace)
            finally:
                if charger is not None:
                    charger.stop()
        outcome = ScriptOutcome(Ending.FINISHED, robot.mbot.clock() - start)
    except GoalReached:
        outcome = ScriptOutcome(Ending.GOAL, robot.mbot.clock() - start)
    except TimeLimitReached:
        outcome = ScriptOutcome(Ending.TIME_LIMIT, robot.mbot.clock() - start)
    except SystemExit:
        outcome = ScriptOutcome(Ending.FINISHED, robot.mbot.clock() - start)
    except ErreurRobot as exc:
        message, line = describe_error(exc, code.co_filename)
        outcome = ScriptOutcome(Ending.ERROR, robot.mbot.clock() - start, message, line)
    except KitError:
        raise  # the robot stopped answering or the link broke: not the learner's fault
    except Exception as exc:
        message, line = describe_error(exc, code.co_filename)
        outcome = ScriptOutcome(Ending.ERROR, robot.mbot.clock() - start, message, line)
    finally:
        stop_quietly(robot)
    return outcome


def stop_quietly(robot: Robot) -> None:
    """Motors and buzzer off; a robot that no longer answers is not an error here."""
    with contextlib.suppress(KitError, OSError):
        robot.mbot.stop_all()
