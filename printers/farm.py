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
from printers.atelier_config import BackendKind, PrinterEntry
from printers.backend import STATE_LABELS_FR, PrinterBackend, PrinterState, PrinterStatus

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
                return slot.backend.status()
            except Exception:
                self._drop(slot)
                raise

    @staticmethod
    def _drop(slot: _Slot) -> None:
        backend, slot.backend = slot.backend, None
        if backend is not None:
            try:
                backend.close()
            except Exception:  # closing a vanished port may fail; it is gone either way
                log.debug("closing %s failed", slot.entry.name, exc_info=True)

    def poll(self) -> list[FarmRow]:
        """Every printer's status, in configuration order, within one deadline."""
        for slot in self._slots:
            if slot.pending is None or slot.pending.done():
                slot.pending = self._pool.submit(self._poll_one, slot)
        deadline = time.monotonic() + self.timeout_s + DEADLINE_MARGIN_S
        rows = []
        for slot in self._slots:
            future = slot.pending
            assert future is not None
            try:
                status = future.result(timeout=max(0.0, deadline - time.monotonic()))
                rows.append(FarmRow(slot.entry, status, True, time.time()))
            except concurrent.futures.TimeoutError:
                message = f"Ne répond pas depuis plus de {self.timeout_s:g} s."
                rows.append(FarmRow(slot.entry, unreachable_status(message), False, time.time()))
            except KitError as exc:
                rows.append(
                    FarmRow(slot.entry, unreachable_status(exc.message), False, time.time())
                )
            except Exception as exc:  # a backend bug must not hide the other printers
                log.exception("polling %s failed", slot.entry.name)
                message = f"Erreur inattendue : {type(exc).__name__}."
                rows.append(FarmRow(slot.entry, unreachable_status(message), False, time.time()))
        return rows

    def close(self) -> None:
        """Close every backend; a poll still stuck on a dead printer is abandoned."""
        for slot in self._slots:
            if slot.pending is not None and not slot.pending.done():
                continue  # its thread holds the lock; closing would wait for it
            with slot.lock:
                self._drop(slot)
        self._pool.shutdown(wait=False, cancel_futures=True)
