# SPDX-License-Identifier: GPL-3.0-or-later
"""Runnable steps: the ``kit …`` commands a déroulé uses, run against the simulators.

A step is run as the animateur would type it, ``python -m kit ARGV`` in a subprocess, so the
lesson check exercises the real command line (argument parsing, exit codes, messages) and a
crashing command cannot take the checker down with it. Whether a command exists at all is asked
of the CLI through a resolver given by the caller (the domain never imports the CLI).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lessons.catalog import EXAMPLES_DIR, KIT_ROOT
from lessons.model import KitCommand
from lessons.samples import copy_samples

#: ``resolver(argv)`` says whether ``kit ARGV`` names an existing command.
CommandResolver = Callable[[Sequence[str]], bool]

DEFAULT_TIMEOUT_S = 120.0
NOT_YET_AVAILABLE = "commande pas encore disponible dans cette version du kit"


#: ``{circuitpy_BOARD}``: the CIRCUITPY drive of a simulated board of that model.
_CIRCUITPY_PLACEHOLDER = re.compile(r"\{circuitpy_([a-z0-9_]+)\}")


def simulated_drive(output_dir: Path, board_id: str) -> Path:
    """A simulated board's CIRCUITPY drive (boot_out.txt, code.py, lib/) in ``output_dir``.

    Deploy steps copy onto it exactly as onto a real board's drive; it is the same folder the
    simulated CircuitPython board runs from.
    """
    from firmware.boards import get_board
    from sim.circuitpython.folder import prepare_folder

    board = get_board(board_id)
    return prepare_folder(output_dir / f"CIRCUITPY-{board.id}", board)


def expand(argv: Sequence[str], output_dir: Path) -> list[str]:
    """Replace the placeholders ``{kit}``, ``{exemples}``, ``{sortie}`` and
    ``{circuitpy_BOARD}`` (a simulated board's drive, created on demand) by real paths."""
    values = {"kit": str(KIT_ROOT), "exemples": str(EXAMPLES_DIR), "sortie": str(output_dir)}
    for arg in argv:
        for board_id in _CIRCUITPY_PLACEHOLDER.findall(arg):
            values[f"circuitpy_{board_id}"] = str(simulated_drive(output_dir, board_id))
    return [arg.format(**values) if "{" in arg else arg for arg in argv]


def is_available(command: KitCommand, resolver: CommandResolver) -> bool:
    """Whether the step can run: its command exists and the lesson does not mark it pending."""
    return not command.pending and resolver(command.argv)


#: Where the sample files live in the kit, as the steps write them; ``kit exemples`` copies
#: them all into one folder, so the fiche names them by file name only.
_SAMPLE_PREFIXES = ("{exemples}/", "{kit}/robots/exemples/", "{kit}/firmware/scripts/", "{sortie}/")


def as_typed(argv: Sequence[str]) -> list[str]:
    """The step's arguments as the animateur types them in the folder where ``kit exemples``
    copied the samples (pictures land in that folder too); ``{circuitpy_BOARD}`` is kept."""
    typed = []
    for arg in argv:
        for prefix in _SAMPLE_PREFIXES:
            arg = arg.replace(prefix, "")
        typed.append(arg)
    return typed


def needs_board(argv: Sequence[str]) -> bool:
    """Whether the step writes to a board's CIRCUITPY drive (a plugged-in board, for a user)."""
    return any(_CIRCUITPY_PLACEHOLDER.search(arg) for arg in argv)


def display(command: KitCommand) -> str:
    """The command as the animateur types it, in the folder where ``kit exemples`` copied the
    sample files."""
    shown = []
    typed = as_typed(command.argv)
    for position, arg in enumerate(typed):
        following = typed[position + 1] if position + 1 < len(typed) else ""
        if _CIRCUITPY_PLACEHOLDER.fullmatch(arg) or (
            arg == "--drive" and _CIRCUITPY_PLACEHOLDER.fullmatch(following)
        ):
            continue  # with the board plugged in, the kit finds its CIRCUITPY drive by itself
        shown.append(shlex.quote(arg))
    return "kit " + " ".join(shown)


def picture_path(command: KitCommand, output_dir: Path) -> Path | None:
    if command.picture is None:
        return None
    return Path(expand([command.picture], output_dir)[0])


@dataclass
class StepResult:
    command: KitCommand
    available: bool
    exit_code: int | None = None
    output: str = ""
    seconds: float = 0.0
    picture: Path | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.available and not self.problems


def kit_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(KIT_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    env.setdefault("COLUMNS", "100")
    env["KIT_JOURNAL"] = "off"  # checking a lesson is no atelier: nothing goes to the journal
    return env


def run_step(
    command: KitCommand,
    output_dir: Path,
    resolver: CommandResolver,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> StepResult:
    """Run one step and compare its outcome with what the lesson expects."""
    result = StepResult(command=command, available=is_available(command, resolver))
    if command.pending:
        reason = f"{NOT_YET_AVAILABLE} ({command.pending})"
        if resolver(command.argv):
            reason += " — la commande existe maintenant : retirez « en_attente » de la leçon"
        result.problems.append(reason)
        return result
    if not result.available:
        result.problems.append(NOT_YET_AVAILABLE)
        return result
    output_dir.mkdir(parents=True, exist_ok=True)
    # Run the command as the fiche prints it, in a folder where « kit exemples » copied the
    # sample files: what the check proves is what the animateur will type.
    copy_samples(output_dir)
    argv = expand(as_typed(command.argv), output_dir)
    started = time.perf_counter()
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "kit", *argv],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout_s,
            env=kit_env(),
            cwd=str(output_dir),
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        result.seconds = time.perf_counter() - started
        result.problems.append(f"la commande n'a pas fini en {timeout_s:.0f} s")
        return result
    result.seconds = time.perf_counter() - started
    result.exit_code = completed.returncode
    result.output = completed.stdout + completed.stderr
    if completed.returncode != command.expected_code:
        result.problems.append(
            f"code de sortie {completed.returncode} au lieu de {command.expected_code}"
        )
    folded = result.output.casefold()
    for fragment in command.expected_fragments:
        if fragment.casefold() not in folded:
            result.problems.append(f"le texte « {fragment} » n'apparaît pas dans la sortie")
    picture = picture_path(command, output_dir)
    if picture is not None:
        if picture.is_file() and picture.stat().st_size > 0:
            result.picture = picture
        else:
            result.problems.append(f"l'image « {picture.name} » n'a pas été écrite")
    return result
