# SPDX-License-Identifier: GPL-3.0-or-later
"""The parent side of the worker process: start it, run it up to a virtual time, stop it.

The worker is deterministic in virtual time; the only wall-clock measure here is a guard:
a worker that does not answer within :data:`HANG_GUARD_S` real seconds (a computation in C
that never returns, say ``10 ** 10 ** 9``) is killed and reported as a hung program. The
process plumbing is :class:`kit.worker.WorkerProcess`, shared with the robot's programs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from firmware.boards import Board
from kit.worker import WorkerHung, WorkerProcess
from sim.circuitpython.libsources import board_sources

__all__ = ["HANG_GUARD_S", "Reply", "WorkerClient", "WorkerHung", "board_description"]

#: Real seconds a worker may compute without answering before it is declared hung.
HANG_GUARD_S = 15.0
#: Real seconds a new worker may take to start (a loaded machine starts Python slowly).
STARTUP_TIMEOUT_S = 60.0
#: What the user reads when the worker process died.
GONE = (
    "La machine virtuelle de la carte simulée s'est arrêtée (mémoire épuisée ou erreur "
    "interne)."
)


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
        self._process = WorkerProcess("sim.circuitpython.worker", cwd=root, gone_message=GONE)

    # -- process ---------------------------------------------------------------------------
    def start(self) -> Reply:
        self._process.start(
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
        return self._process.alive

    def close(self) -> None:
        self._process.close()

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
        self._process.send(message)

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
        return self._process.read(
            timeout_s,
            f"Le programme calcule depuis plus de {HANG_GUARD_S:g} s sans rendre la main : il "
            "a été arrêté (calcul énorme ou boucle sans fin ?).",
        )
