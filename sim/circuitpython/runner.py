# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a board folder's ``code.py`` for a given virtual duration and collect its timeline.

This is what ``kit mcu sim`` and the tests use: no serial console, the program simply runs
from virtual time 0 to ``duration_s`` (or until it ends), as fast as the host computes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from firmware.boards import Board
from sim.circuitpython.folder import DEFAULT_VERSION, code_file
from sim.circuitpython.timeline import Timeline
from sim.circuitpython.vm import WorkerClient

#: Longest virtual run ``kit mcu sim`` accepts (seconds).
MAX_DURATION_S = 3600.0


@dataclass
class ProgramRun:
    timeline: Timeline
    #: "ok" (the program ended), "limit" (still running at the end of the duration),
    #: "error", "interrupt" or "reload".
    end: str
    end_s: float
    duration_s: float
    error: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.end == "error"


def run_program(
    root: Path,
    board: Board,
    *,
    duration_s: float,
    inputs_spec: str = "",
    version: str = DEFAULT_VERSION,
) -> ProgramRun:
    """Run the folder's code file from t = 0 up to ``duration_s`` virtual seconds."""
    timeline = Timeline()
    name = code_file(root) or "code.py"
    client = WorkerClient(root, board, inputs_spec=inputs_spec, version=version)
    try:
        client.start()
        reply = client.exec(
            source=None if (root / name).is_file() else "",
            filename=name,
            start_s=0.0,
            until_s=duration_s,
            limit_s=duration_s,
        )
        # The worker only pauses past ``until``; with until = limit it always ends here.
        while reply.state == "pause":
            timeline.extend(reply.events)
            reply = client.run(duration_s)
        timeline.extend(reply.events)
    finally:
        client.close()
    timeline.end_s = max(timeline.end_s, reply.now_s)
    return ProgramRun(
        timeline=timeline,
        end=reply.kind or "ok",
        end_s=reply.now_s,
        duration_s=duration_s,
        error=reply.info if reply.kind in ("error", "interrupt") else {},
    )
