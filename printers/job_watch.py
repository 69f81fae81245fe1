# SPDX-License-Identifier: GPL-3.0-or-later
"""Follow a print that runs elsewhere (on an OctoPrint server) until it ends.

The server streams the file; the kit only polls the backend's status. The watch ends when the
printer is back to idle (done if the job reached 100 %, cancelled otherwise) or in error.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass

from kit.errors import DeviceFault, KitError
from printers.backend import PrinterBackend, PrinterState, PrinterStatus

#: States in which a job is under way.
ACTIVE_STATES = frozenset(
    {PrinterState.PRINTING, PrinterState.HEATING, PrinterState.PAUSED, PrinterState.CANCELLING}
)
#: How long a job may take to show up as started after the start command (seconds).
START_GRACE_S = 30.0
#: Consecutive failed status requests tolerated before giving up (a flaky Wi-Fi).
MAX_STATUS_FAILURES = 3


class JobOutcome(enum.Enum):
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class JobResult:
    outcome: JobOutcome
    last_status: PrinterStatus


def wait_for_job(
    backend: PrinterBackend,
    file_name: str,
    *,
    on_status: Callable[[PrinterStatus], None] | None = None,
    poll_s: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> JobResult:
    """Poll ``backend`` until the job printing ``file_name`` ends.

    Raises :class:`DeviceFault` (exit 1) when the printer reports an error or disconnects
    during the job, :class:`KitError` when the backend stops answering.
    """
    started = False
    start_deadline = clock() + START_GRACE_S
    failures = 0
    while True:
        try:
            status = backend.status()
            failures = 0
        except KitError:
            failures += 1
            if failures >= MAX_STATUS_FAILURES:
                raise
            sleep(poll_s)
            continue
        if on_status is not None:
            on_status(status)
        job = status.job
        ours = job is not None and job.file_name == file_name
        if status.state in ACTIVE_STATES:
            started = True
        elif status.state is PrinterState.IDLE:
            if ours and job is not None and job.fraction_done >= 0.999:
                return JobResult(JobOutcome.DONE, status)
            if started:
                return JobResult(JobOutcome.CANCELLED, status)
            if clock() > start_deadline:
                raise DeviceFault(
                    f"L'impression de « {file_name} » n'a pas démarré "
                    f"(imprimante « {backend.name} » toujours prête)."
                )
        elif status.state is PrinterState.ERROR:
            raise DeviceFault(
                f"L'imprimante « {backend.name} » s'est mise en erreur pendant l'impression"
                f"{' : ' + status.message_fr if status.message_fr else '.'}"
            )
        elif status.state in (PrinterState.OFFLINE, PrinterState.UNREACHABLE):
            raise DeviceFault(
                f"L'imprimante « {backend.name} » a été déconnectée pendant l'impression"
                f"{' : ' + status.message_fr if status.message_fr else '.'}"
            )
        sleep(poll_s)
