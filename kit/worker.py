# SPDX-License-Identifier: GPL-3.0-or-later
"""A learner's program in a confined worker process, on a virtual clock.

One mechanism, two users: the simulated CircuitPython board (:mod:`sim.circuitpython.worker`,
``kit mcu sim``) and a learner's robot program on ``sim://mbot`` (:mod:`robots.worker`,
``kit robot run``). Each runs the learner's code in a separate CPython process that:

* talks to its parent in JSON lines over its own stdin/stdout (:class:`Channel`; the real
  file descriptor 1 is sent to ``/dev/null`` so that a stray write cannot corrupt the link);
* gives up writing files, running programs and reading outside a few folders
  (:func:`confine`: Landlock through :mod:`kit.landlock`, plus resource limits);
* charges virtual time for every executed line of the learner's files (:class:`LineCharger`,
  with :func:`sys.settrace`), so a busy loop makes the virtual clock move and meets the
  program's time limit like any other program.

The parent (:class:`WorkerProcess`) keeps one wall-clock measure only, a guard: a worker that
sends nothing for a while (a computation in C that never returns, say ``10 ** 10 ** 9``) is
killed and reported as a hung program.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

from kit.errors import KitError
from kit.landlock import restrict_filesystem

#: Address space a worker may use (a runaway list comprehension fails with MemoryError).
MEMORY_LIMIT_BYTES = 2 * 1024**3
#: The folder holding the project's packages (``kit``, ``sim``, ``robots``…).
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class WorkerHung(KitError):
    """The worker stopped answering, or died (the task failed)."""

    exit_code = 1


# -- worker side ----------------------------------------------------------------------------
class Channel:
    """JSON lines between a worker and its parent."""

    def __init__(self, incoming: BinaryIO, outgoing: BinaryIO) -> None:
        self.incoming = incoming
        self.outgoing = outgoing

    def receive(self) -> dict[str, Any]:
        line = self.incoming.readline()
        if not line:
            raise SystemExit(0)
        message: dict[str, Any] = json.loads(line)
        return message

    def send(self, message: dict[str, Any]) -> None:
        self.outgoing.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")
        self.outgoing.flush()


def open_channel() -> Channel:
    """The worker's end of the link; file descriptor 1 then goes to ``/dev/null``."""
    sys.dont_write_bytecode = True
    outgoing = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    return Channel(sys.stdin.buffer, outgoing)


def limit_resources(memory_bytes: int = MEMORY_LIMIT_BYTES) -> None:
    """No file may grow (``RLIMIT_FSIZE`` 0) and memory is bounded."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    for limit, value in ((resource.RLIMIT_FSIZE, 0), (resource.RLIMIT_AS, memory_bytes)):
        try:
            soft, hard = resource.getrlimit(limit)
            if hard == resource.RLIM_INFINITY or value <= hard:
                resource.setrlimit(limit, (value, hard))
        except (ValueError, OSError):
            continue


def confine(readable: Iterable[str], packages: Iterable[str] = ("kit", "sim")) -> bool:
    """Limit resources, then keep only read access to ``readable``, the standard library and
    the project's ``packages``; True when the kernel applied the file-system confinement."""
    limit_resources()
    stdlib = Path(os.__file__).resolve().parent
    folders = [*readable, str(stdlib), *(str(PROJECT_ROOT / name) for name in packages)]
    return restrict_filesystem(folders)


class LineCharger:
    """Calls ``tick`` for every executed line of the files in :attr:`files`.

    Only the learner's code is charged: the simulator's and the standard library's lines run
    untraced (the tracer returns ``None`` for their frames, which costs nothing per line).
    """

    def __init__(self, tick: Callable[[], None]) -> None:
        self.tick = tick
        self.files: set[str] = set()

    def _calls(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename in self.files:
            return self._lines
        return None

    def _lines(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.tick()
        return self._lines

    def start(self) -> None:
        sys.settrace(self._calls)

    def stop(self) -> None:
        sys.settrace(None)

    def untraced(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` run with tracing off: a simulator called by the learner's code (the robot's
        link, the physics) would otherwise pay a trace call on each of its own function calls
        (5× slower). The learner's frames keep their line tracer and resume on return."""

        def call(*args: Any, **kwargs: Any) -> Any:
            previous = sys.gettrace()
            sys.settrace(None)
            try:
                return func(*args, **kwargs)
            finally:
                sys.settrace(previous)

        return call


# -- parent side ----------------------------------------------------------------------------
class WorkerProcess:
    """Start ``python -m MODULE`` as a worker and exchange JSON lines with it.

    ``gone_message`` is what the user reads when the worker dies (out of memory, killed).
    The worker starts without ``site`` (``python -S``: noticeably faster); ``extra_paths`` are
    the folders of the third-party packages it needs, put on its ``PYTHONPATH``.
    """

    def __init__(
        self,
        module: str,
        *,
        cwd: Path,
        gone_message: str,
        extra_paths: Iterable[str] = (),
    ) -> None:
        self.module = module
        self.cwd = cwd
        self.gone_message = gone_message
        self.extra_paths = list(extra_paths)
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[bytes | None] = queue.Queue()

    def start(self, init: dict[str, Any]) -> None:
        env = dict(os.environ)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(PROJECT_ROOT), *self.extra_paths, env.get("PYTHONPATH", "")])
        )
        # -S: the worker needs only the standard library, this project and the extra paths
        # (PYTHONPATH); skipping site-packages saves a good part of its start-up time.
        self._proc = subprocess.Popen(
            [sys.executable, "-S", "-m", self.module],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=str(self.cwd),
            env=env,
        )
        threading.Thread(
            target=_pump_lines, args=(self._proc.stdout, self._lines), daemon=True
        ).start()
        self.send(init)

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def close(self) -> None:
        proc = self._proc
        self._proc = None
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                assert proc.stdin is not None
                proc.stdin.write(b'{"op":"quit"}\n')
                proc.stdin.flush()
            try:
                proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def send(self, message: dict[str, Any]) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None:
            raise WorkerHung(self.gone_message)
        try:
            proc.stdin.write(json.dumps(message).encode() + b"\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            self.close()
            raise WorkerHung(self.gone_message) from exc

    def read(self, timeout_s: float, hung_message: str) -> dict[str, Any]:
        """The next message; :class:`WorkerHung` after ``timeout_s`` real seconds of silence."""
        if self._proc is None:
            raise WorkerHung(self.gone_message)
        try:
            line = self._lines.get(timeout=timeout_s)
        except queue.Empty:
            self.close()
            raise WorkerHung(hung_message) from None
        if line is None:
            self.close()
            raise WorkerHung(self.gone_message)
        try:
            message: dict[str, Any] = json.loads(line)
        except ValueError:
            self.close()
            raise WorkerHung(self.gone_message) from None
        if not isinstance(message, dict):
            self.close()
            raise WorkerHung(self.gone_message)
        return message


def _pump_lines(stream: Any, lines: queue.Queue[bytes | None]) -> None:
    """Reader thread: one queue item per line of the worker, None at end of stream.

    A thread rather than ``select`` so that the hang guard also works with Windows pipes.
    """
    try:
        for line in iter(stream.readline, b""):
            lines.put(line)
    except (OSError, ValueError):
        pass
    lines.put(None)
