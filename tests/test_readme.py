# SPDX-License-Identifier: GPL-3.0-or-later
"""The README is a contract: every ``kit …`` line of its code blocks, and every command a lesson
fiche prints, runs as written against the simulators in a folder where ``kit exemples`` copied
the sample files.

A line that needs real hardware ends with the comment marker ``[matériel]``: it is parsed by
click (command, options, values, files that must exist) but not run. A command that runs until
Ctrl-C (serving a simulator, a REPL, a rehearsal at the keyboard) is started, given a few
seconds and an Enter, then interrupted as its user would: it must end with 0 or 130 and no error.

The lessons' steps are run by the lesson check itself (``lessons.steps.run_step``, tested in
tests/lessons/test_steps.py for every step of every lesson), which runs each one as the fiche
prints it in a folder prepared as ``kit exemples`` does; here they are parsed and their files
looked up, so that no step runs twice in the suite.
"""

from __future__ import annotations

import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from kit.cli import cli
from lessons.catalog import load_all
from lessons.steps import as_typed, display, expand, needs_board
from tests.conftest import REPO_ROOT, kit_env

HARDWARE_MARKER = "[matériel]"
#: Commands that run until their user stops them (first words of the command line).
UNTIL_INTERRUPTED = (("sim", "serve"), ("mcu", "repl"), ("robot", "drive"), ("rehearse",))
#: How long such a command runs before the test presses Ctrl-C.
RUN_BEFORE_INTERRUPT_S = 3.0
TIMEOUT_S = 90.0


@dataclass(frozen=True)
class Line:
    origin: str  # "README.md:123" or "lesson ID"
    text: str  # as the user reads it
    argv: tuple[str, ...]  # without the leading "kit"
    hardware: bool
    expected_code: int = 0
    block: int = 0  # which README code block: its lines run in order, one after the other

    def __str__(self) -> str:
        return f"{self.origin}: {self.text}"


def readme_lines(readme: Path = REPO_ROOT / "README.md") -> list[Line]:
    lines = []
    in_block = False
    block = 0
    for number, raw in enumerate(readme.read_text(encoding="utf-8").splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("```"):
            in_block = not in_block
            block += in_block
            continue
        if in_block and stripped.startswith("kit "):
            words = shlex.split(stripped, comments=True)
            comment = stripped.partition(" #")[2]
            lines.append(
                Line(
                    f"README.md:{number}", stripped, tuple(words[1:]),
                    HARDWARE_MARKER in comment, block=block,
                )  # fmt: skip
            )
    return lines


def lesson_lines() -> list[Line]:
    """Each step as the fiche prints it; a step that writes to a board's drive runs on a
    simulated drive (the fiche leaves ``--drive`` out: the kit finds a plugged-in board)."""
    lines = []
    for lesson in load_all():
        for command in lesson.commands():
            if command.pending:
                continue
            lines.append(
                Line(
                    f"leçon {lesson.ident}",
                    display(command),
                    tuple(as_typed(command.argv)),
                    hardware=False,
                    expected_code=command.expected_code,
                )
            )
    return lines


def parse_only(argv: Sequence[str]) -> None:
    """Parse ``kit ARGV`` with click down to the last subcommand, running nothing."""
    command: click.Command = cli
    ctx = cli.make_context("kit", list(argv))
    while isinstance(command, click.Group):
        protected = getattr(ctx, "_protected_args", None)
        if protected is None:  # click < 8.2
            protected = ctx.protected_args
        name, sub, rest = command.resolve_command(ctx, [*protected, *ctx.args])
        assert sub is not None and name is not None
        ctx = sub.make_context(name, rest, parent=ctx)
        command = sub


def _run(line: Line, folder: Path) -> str | None:
    """Run one line in ``folder``; None when it behaved, else what went wrong."""
    argv = expand(line.argv, folder) if needs_board(line.argv) else list(line.argv)
    interactive = any(tuple(argv[: len(words)]) == words for words in UNTIL_INTERRUPTED)
    process = subprocess.Popen(
        [sys.executable, "-m", "kit", *argv],
        stdin=subprocess.PIPE if interactive else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=kit_env(COLUMNS="100"),
        cwd=folder,
    )
    expected = {line.expected_code}
    if interactive:
        assert process.stdin is not None
        process.stdin.write("\n")  # « Entrée pour commencer », and the keyboard stays open
        process.stdin.flush()
        try:
            process.wait(RUN_BEFORE_INTERRUPT_S)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)
            expected = {0, 130}
    try:
        out, err = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return f"{line}\n  n'a pas fini en {TIMEOUT_S:.0f} s"
    if process.returncode not in expected or "Traceback" in err or "Erreur interne" in err:
        return f"{line}\n  code {process.returncode}\n{out[-1500:]}\n{err[-1500:]}"
    return None


@pytest.fixture(scope="module")
def samples_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("atelier")
    result = subprocess.run(
        [sys.executable, "-m", "kit", "exemples"],
        capture_output=True, text=True, env=kit_env(), cwd=folder, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    yield folder


def test_the_readme_lists_runnable_and_hardware_lines() -> None:
    lines = readme_lines()
    assert len(lines) > 30
    assert any(line.argv == ("exemples",) for line in lines)
    assert 5 < sum(line.hardware for line in lines) < len(lines) / 2


def test_every_hardware_line_of_the_readme_parses(
    samples_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(samples_folder)
    for line in readme_lines():
        if line.hardware:
            try:
                parse_only(line.argv)
            except click.ClickException as exc:  # pragma: no cover - the failure message
                pytest.fail(f"{line}\n  {exc.format_message()}")


def test_every_lesson_step_parses_as_the_fiche_prints_it(
    samples_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(samples_folder)
    lines = lesson_lines()
    assert len(lines) > 10
    for line in lines:
        try:
            parse_only(expand(line.argv, samples_folder) if needs_board(line.argv) else line.argv)
        except click.ClickException as exc:  # pragma: no cover - the failure message
            pytest.fail(f"{line}\n  {exc.format_message()}")


def test_every_readme_line_runs_on_the_simulators(
    samples_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The lines share one folder, as an animateur's session does; config lines write to the
    # test's own config folder. The lines of one code block run in order (a badge is verified
    # after it was delivered, an atelier closed after it was opened); two blocks at a time:
    # most of a line's time is Python starting.
    monkeypatch.chdir(samples_folder)
    runnable: dict[tuple[str, ...], Line] = {}
    for line in readme_lines():
        if not line.hardware:
            runnable.setdefault(line.argv, line)
    blocks: dict[int, list[Line]] = {}
    for line in runnable.values():
        blocks.setdefault(line.block, []).append(line)

    def run_block(lines: list[Line]) -> list[str]:
        return [problem for line in lines if (problem := _run(line, samples_folder))]

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        problems = [problem for found in pool.map(run_block, blocks.values()) for problem in found]
    assert not problems, "\n\n".join(problems)
    print(f"{len(runnable)} lignes en {time.perf_counter() - started:.1f} s")


def test_no_line_names_a_file_that_kit_exemples_does_not_copy(samples_folder: Path) -> None:
    # Every word that looks like a file to read (a known suffix, not an output option's value)
    # exists after « kit exemples »; outputs (--picture, -o, --sortie) are written by the line.
    outputs = {"--picture", "-o", "--output", "--sortie"}
    for line in [*readme_lines(), *lesson_lines()]:
        for position, word in enumerate(line.argv):
            if position and line.argv[position - 1] in outputs:
                continue
            if re.fullmatch(r"[\w.-]+\.(gcode|py|bin|uf2)", word) and word != "circuitpython.uf2":
                assert (samples_folder / word).is_file(), f"{line}: {word}"
