# SPDX-License-Identifier: GPL-3.0-or-later
"""The parent side of the worker process: start it, run it up to a virtual time, stop it.

The worker is deterministic in virtual time; the only wall-clock measure here is a guard:
a worker that does not answer within :data:`HANG_GUARD_S` real seconds (a computation in C
that never returns, say ``10 ** 10 ** 9``) is killed and reported as a hung program.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from firmware.boards import Board
from kit.errors import KitError
from sim.circuitpython.libsources import board_sources

#: Real seconds a worker may compute without answering before it is declared hung.
HANG_GUARD_S = 15.0
#: Real seconds a new worker may take to start (a loaded machine starts Python slowly).
STARTUP_TIMEOUT_S = 60.0


class WorkerHung(KitError):
    """The program computed for too long without reaching a pause (the task failed)."""

    exit_code = 1


@dataclass
class Reply:
    events: list[list[Any]]
    state: str  # "pause", "end", "idle"
    now_s: float
    wake_s: float | None = None
    kind: str | None = None  # for "end": ok, error, interrupt, limit, reload
    info: dict[str, Any] = field(default_factory=dict)


def board_description(board: Board) -> dict[str, Any]:
    return {
        "id": board.circuitpython_ids[0] if board.circuitpython_ids else board.id,
        "catalogue_id": board.id,
        "name": board.name,
        "chip": board.chip,
        "pins": sorted(board.pins),
        "buttons": list(board.buttons),
    }


class WorkerClient:
    """One worker process = one fresh virtual machine (a soft reboot starts a new one)."""

    def __init__(
        self,
        root: Path,
        board: Board,
        *,
        inputs_spec: str = "",
        version: str = "9.2.1",
        start_s: float = 0.0,
    ) -> None:
        self.root = root
        self.board = board
        self.inputs_spec = inputs_spec
        self.version = version
        self.start_s = start_s
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[bytes | None] = queue.Queue()

    # -- process ---------------------------------------------------------------------------
    def start(self) -> Reply:
        env = dict(os.environ)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        project_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [project_root,
                                                          env.get("PYTHONPATH", "")]))
        self._proc = subprocess.Popen(
            # -S: the worker needs only the standard library and this project (PYTHONPATH),
            # and skipping site-packages saves a good part of its start-up time.
            [sys.executable, "-S", "-m", "sim.circuitpython.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=str(self.root),
            env=env,
        )
        threading.Thread(
            target=_pump_lines, args=(self._proc.stdout, self._lines), daemon=True
        ).start()
        self._send(
            {
                "root": str(self.root),
                "board": board_description(self.board),
                "inputs": self.inputs_spec,
                "version": self.version,
                "start": self.start_s,
                "sources": board_sources(self.root, self.board),
            }
        )
        return self._receive(STARTUP_TIMEOUT_S)

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

    # -- commands --------------------------------------------------------------------------
    def exec(
        self,
        *,
        source: str | None,
        filename: str,
        mode: str = "exec",
        start_s: float,
        until_s: float,
        limit_s: float | None = None,
        release_pins: bool = False,
    ) -> Reply:
        self._send(
            {
                "op": "exec",
                "source": source,
                "filename": filename,
                "mode": mode,
                "start": start_s,
                "until": until_s,
                "limit": limit_s,
                "release_pins": release_pins,
            }
        )
        return self._receive()

    def run(self, until_s: float, *, interrupt: bool = False) -> Reply:
        self._send({"op": "run", "until": until_s, "interrupt": interrupt})
        return self._receive()

    # -- framing ---------------------------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None:
            raise WorkerHung("La carte simulée ne répond plus (machine virtuelle arrêtée).")
        try:
            proc.stdin.write(json.dumps(message).encode() + b"\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            self.close()
            raise WorkerHung(
                "La machine virtuelle de la carte simulée s'est arrêtée (mémoire épuisée ?)."
            ) from exc

    def _receive(self, timeout_s: float | None = None) -> Reply:
        """Read replies until a terminal one; partial ``running`` replies are merged."""
        events: list[list[Any]] = []
        while True:
            message = self._read_message(HANG_GUARD_S if timeout_s is None else timeout_s)
            events.extend(message.get("events", []))
            if message.get("state") != "running":
                return Reply(
                    events=events,
                    state=str(message.get("state")),
                    now_s=float(message.get("now", 0.0)),
                    wake_s=message.get("wake"),
                    kind=message.get("kind"),
                    info=message.get("info") or {},
                )

    def _read_message(self, timeout_s: float) -> dict[str, Any]:
        proc = self._proc
        assert proc is not None
        try:
            line = self._lines.get(timeout=timeout_s)
        except queue.Empty:
            self.close()
            raise WorkerHung(
                f"Le programme calcule depuis plus de {HANG_GUARD_S:g} s sans rendre la "
                "main : il a été arrêté (calcul énorme ou boucle sans fin ?)."
            ) from None
        if line is None:
            self.close()
            raise WorkerHung(
                "La machine virtuelle de la carte simulée s'est arrêtée (mémoire épuisée "
                "ou erreur interne)."
            )
        message: dict[str, Any] = json.loads(line)
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
