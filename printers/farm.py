# SPDX-License-Identifier: GPL-3.0-or-later
"""Several printers at once: poll every printer of the atelier in parallel.

Each printer is asked for its status in its own worker thread, with a deadline. A printer
that does not answer in time (cable pulled, server down, printer frozen) is shown as
unreachable, and the others keep updating: a poll never waits for the slowest printer past
the deadline. A backend that failed is closed and reopened on a later poll, so a printer that
comes back is picked up again.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kit.errors import KitError
from kit.messages import seconds_fr
from printers.atelier_config import BackendKind, PrinterEntry
from printers.backend import (
    STATE_LABELS_FR,
    PrinterBackend,
    PrinterState,
    PrinterStatus,
)

log = logging.getLogger(__name__)

#: Extra wall time granted past a backend's own timeout before a poll gives up on it.
DEADLINE_MARGIN_S = 1.0

BackendFactory = Callable[[PrinterEntry], PrinterBackend]


@dataclass(frozen=True)
class FarmRow:
    """One printer's line in the farm view."""

    entry: PrinterEntry
    status: PrinterStatus
    reachable: bool
    checked_at_s: float  # time.time() of the answer (or of the give-up)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.entry.name,
            "backend": self.entry.backend.value,
            "address": self.entry.address,
            "profile": self.entry.profile,
            "reachable": self.reachable,
            **status_to_json(self.status),
            "checked_at": round(self.checked_at_s, 3),
        }


def status_to_json(status: PrinterStatus) -> dict[str, Any]:
    """A printer status as plain JSON data (the shape ``--json`` outputs use)."""
    job = status.job
    return {
        "state": status.state.value,
        "state_fr": STATE_LABELS_FR[status.state],
        "temperatures": {
            heater: {"actual_c": t.actual_c, "target_c": t.target_c}
            for heater, t in sorted(status.temperatures.items())
        },
        "job": None
        if job is None
        else {
            "file_name": job.file_name,
            "progress_percent": round(job.fraction_done * 100.0, 1),
            "elapsed_s": round(job.elapsed_s, 1),
            "remaining_s": None if job.remaining_s is None else round(job.remaining_s, 1),
            "layer": job.layer,
        },
        "message": status.message_fr,
    }


def unreachable_status(message_fr: str) -> PrinterStatus:
    return PrinterStatus(state=PrinterState.UNREACHABLE, message_fr=message_fr)


def open_backend(entry: PrinterEntry, *, timeout_s: float) -> PrinterBackend:
    """The backend object for ``entry`` (not connected yet)."""
    if entry.backend is BackendKind.OCTOPRINT:
        from printers.octoprint_backend import OctoPrintBackend

        return OctoPrintBackend(entry.address, entry.api_key, name=entry.name, timeout_s=timeout_s)
    from printers.serial_backend import SerialBackend

    return SerialBackend(entry.address, name=entry.name, profile=entry.profile)


class _Slot:
    """One printer's backend and the poll currently running for it, if any."""

    def __init__(self, entry: PrinterEntry) -> None:
        self.entry = entry
        self.backend: PrinterBackend | None = None
        self.pending: concurrent.futures.Future[PrinterStatus] | None = None
        self.pending_since_s = 0.0  # time.monotonic() when the pending poll was submitted
        self.last_row: FarmRow | None = None
        self.reported: concurrent.futures.Future[PrinterStatus] | None = None
        self.lock = threading.Lock()


class Farm:
    """The atelier's printers, polled together. Use as a context manager (closes them all)."""

    def __init__(
        self,
        entries: Sequence[PrinterEntry],
        *,
        timeout_s: float = 10.0,
        factory: BackendFactory | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self._factory: BackendFactory = factory or (
            lambda entry: open_backend(entry, timeout_s=timeout_s)
        )
        self._slots = [_Slot(entry) for entry in entries]
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=max(1, len(self._slots)), thread_name_prefix="farm"
        )

    def __enter__(self) -> Farm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def entries(self) -> list[PrinterEntry]:
        return [slot.entry for slot in self._slots]

    def _poll_one(self, slot: _Slot) -> PrinterStatus:
        with slot.lock:
            try:
                if slot.backend is None:
                    backend = self._factory(slot.entry)
                    slot.backend = backend
                    backend.connect()
                status = slot.backend.status()
            except Exception:
                self._drop(slot)
                raise
            if status.state is PrinterState.ERROR and slot.entry.backend is BackendKind.SERIAL:
                # A serial link in error (port gone, printer halted) is reopened on the next
                # poll: a printer plugged back in is found again, a vanished one is reported
                # unreachable instead of showing stale readings.
                self._drop(slot)
            return status

    @staticmethod
    def _drop(slot: _Slot) -> None:
        backend, slot.backend = slot.backend, None
        if backend is not None:
            try:
                backend.close()
            except Exception:  # closing a vanished port may fail; it is gone either way
                log.debug("fermeture de %s en échec", slot.entry.name, exc_info=True)

    def poll(self, wait_s: float | None = None) -> list[FarmRow]:
        """Every printer's status, in configuration order.

        Waits at most ``wait_s`` (default: the backend timeout plus a margin, so every
        printer gets its full chance). A printer still answering when the wait ends keeps its
        last known row ("connexion…" before its first answer) until its own timeout has
        passed, then shows as unreachable; the next poll does not ask it again while its
        request is still running.
        """
        now = time.monotonic()
        for slot in self._slots:
            if slot.pending is None or slot.pending.done():
                if slot.pending is not None:
                    self._row(slot)  # an answer that came after the last poll: keep it
                slot.pending = self._pool.submit(self._poll_one, slot)
                slot.pending_since_s = now
        limit_s = self.timeout_s + DEADLINE_MARGIN_S
        deadline = now + (limit_s if wait_s is None else min(wait_s, limit_s))
        concurrent.futures.wait(
            [slot.pending for slot in self._slots if slot.pending is not None],
            timeout=max(0.0, deadline - time.monotonic()),
        )
        rows = [self._row(slot) for slot in self._slots]
        return rows

    def _row(self, slot: _Slot) -> FarmRow:
        future = slot.pending
        assert future is not None
        entry = slot.entry
        if not future.done():
            waited_s = time.monotonic() - slot.pending_since_s
            if waited_s > self.timeout_s:
                message = f"Ne répond pas depuis plus de {seconds_fr(self.timeout_s)}."
                row = FarmRow(entry, unreachable_status(message), False, time.time())
                slot.last_row = row
                return row
            if slot.last_row is not None:
                return slot.last_row
            waiting = PrinterStatus(state=PrinterState.CONNECTING)
            return FarmRow(entry, waiting, True, time.time())
        if slot.reported is future and slot.last_row is not None:
            return slot.last_row
        slot.reported = future
        exc = future.exception()
        if exc is None:
            row = FarmRow(entry, future.result(), True, time.time())
        elif isinstance(exc, KitError):
            row = FarmRow(entry, unreachable_status(exc.message), False, time.time())
        else:  # a backend bug must not hide the other printers
            log.error("interrogation de %s en échec", entry.name, exc_info=exc)
            message = f"Erreur inattendue : {type(exc).__name__}."
            row = FarmRow(entry, unreachable_status(message), False, time.time())
        slot.last_row = row
        return row

    def close(self) -> None:
        """Close every backend; a poll still stuck on a dead printer is abandoned."""
        for slot in self._slots:
            if slot.pending is not None and not slot.pending.done():
                continue  # its thread holds the lock; closing would wait for it
            with slot.lock:
                self._drop(slot)
        self._pool.shutdown(wait=False, cancel_futures=True)
