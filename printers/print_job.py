# SPDX-License-Identifier: GPL-3.0-or-later
"""Streaming one checked G-code file to a :class:`printers.host.MarlinHost`.

The caller drives the job with :meth:`PrintJob.step` (one round of I/O each), so that the CLI
can redraw its progress bar and react to Ctrl-C between two steps, and the serial backend can
run it in a thread. Pause stops feeding lines; cancel drops what is not sent, lets the printer
finish what it already took, then turns heaters, fan and motors off.

A print is complete only when the firmware has proved it accepted every line: after the file,
a numbered ``M400`` (wait for the moves to end) and ``M105`` barrier, then that last line is
sent once more; Marlin refuses the duplicate and names its last accepted line, which must be
the barrier (see :meth:`printers.marlin.flow.FlowControl.verify_last`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kit.errors import DeviceFault
from printers.host import MarlinHost, PrinterStopped
from printers.marlin.timeouts import command_code
from printers.print_file import CheckedFile, FileLine, iter_commands

#: Commands sent when a print is cancelled: heaters off, part fan off, motors off.
SHUTDOWN_COMMANDS = ("M104 S0", "M140 S0", "M107", "M84")
#: Verifications of the last line tried before giving up.
MAX_VERIFICATIONS = 20
#: How long to wait for the answer to a verification (link clock seconds).
VERIFY_WAIT_S = 5.0
#: While cancelling, M108 is repeated this often until the heating wait is over (seconds).
BREAK_HEATING_EVERY_S = 1.0
#: Longest wait for the printer to finish what it took, after a cancel (link clock seconds).
CANCEL_DRAIN_S = 120.0


class JobState(enum.Enum):
    PRINTING = "printing"
    PAUSED = "paused"
    FINISHING = "finishing"  # every line sent, waiting for the barrier
    VERIFYING = "verifying"  # barrier acknowledged, last line re-sent as proof
    CANCELLING = "cancelling"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class _Barrier:
    command: str
    final: bool


@dataclass(frozen=True)
class _Shutdown:
    command: str


@dataclass(frozen=True)
class JobSnapshot:
    """Progress as shown to the user."""

    state: JobState
    commands_done: int
    commands_total: int
    bytes_done: int
    bytes_total: int
    layer: int
    layers_total: int
    elapsed_s: float
    remaining_s: float | None

    @property
    def fraction(self) -> float:
        if self.state is JobState.DONE:
            return 1.0
        return min(1.0, self.bytes_done / self.bytes_total) if self.bytes_total else 0.0


class PrintJob:
    """One file being printed on one host."""

    def __init__(
        self,
        host: MarlinHost,
        checked: CheckedFile,
        *,
        remaining_at: Callable[[int, float], float | None] | None = None,
    ) -> None:
        self.host = host
        self.checked = checked
        self.state = JobState.PRINTING
        self._lines: Iterator[FileLine] = iter_commands(checked)
        self._eof = False
        self._remaining_at = remaining_at
        self.commands_done = 0
        self.last_done: FileLine | None = None
        self.started_s = host.clock()
        self.finished_s: float | None = None
        self._verifications = 0
        self._verify_deadline: float | None = None
        self._shutdown_pending = 0
        self._cancel_deadline: float | None = None
        self._next_break_s: float | None = None
        self.failure: PrinterStopped | None = None

    # -- control ---------------------------------------------------------------------------
    def pause(self) -> None:
        if self.state is JobState.PRINTING:
            self.state = JobState.PAUSED

    def resume(self) -> None:
        if self.state is JobState.PAUSED:
            self.state = JobState.PRINTING

    def cancel(self) -> None:
        if self.state in (
            JobState.PRINTING,
            JobState.PAUSED,
            JobState.FINISHING,
            JobState.VERIFYING,
        ):
            self.state = JobState.CANCELLING
            self.host.flow.drop_pending()
            self._break_heating()
            for command in SHUTDOWN_COMMANDS:
                self.host.push(command, _Shutdown(command))
            self._shutdown_pending = len(SHUTDOWN_COMMANDS)
            self._cancel_deadline = self.host.clock() + CANCEL_DRAIN_S

    def _break_heating(self) -> None:
        """While an M109/M190 is in flight, the firmware would finish heating before it reads
        the shutdown commands: with the emergency parser, M108 ends the wait at once."""
        now = self.host.clock()
        if self._next_break_s is not None and now < self._next_break_s:
            return
        waiting_for_heat = any(
            command_code(getattr(tag, "command", "")) in ("M109", "M190")
            for tag in self.host.flow.unacknowledged_tags()
        )
        if waiting_for_heat and self.host.break_heating_wait():
            self._next_break_s = now + BREAK_HEATING_EVERY_S

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.CANCELLED, JobState.FAILED)

    # -- running ---------------------------------------------------------------------------
    def step(self) -> None:
        """One round of I/O; raises :class:`DeviceFault` when the printer stops the print."""
        if self.finished:
            return
        if self.state is JobState.PRINTING:
            self._feed()
        try:
            acked = self.host.pump()
        except PrinterStopped as exc:
            self.state = JobState.FAILED
            self.finished_s = self.host.clock()
            self.failure = exc
            raise DeviceFault(f"{exc.message}\n{self.last_line_sentence()}") from exc
        for ack in acked:
            tag = ack.tag
            if isinstance(tag, FileLine):
                self.commands_done += 1
                self.last_done = tag
            elif isinstance(tag, _Barrier) and tag.final and self.state is JobState.FINISHING:
                self._verify()
            elif isinstance(tag, _Shutdown):
                self._shutdown_pending -= 1
        if self.state is JobState.VERIFYING:
            self._check_verification()
        if self.state is JobState.CANCELLING:
            self._break_heating()
            if self._shutdown_pending <= 0 and self.host.flow.idle:
                self.state = JobState.CANCELLED
                self.finished_s = self.host.clock()
            elif self._cancel_deadline is not None and self.host.clock() > self._cancel_deadline:
                self.state = JobState.FAILED
                raise DeviceFault(
                    "L'imprimante n'a pas confirmé l'arrêt des chauffes après l'annulation : "
                    "coupez-la à l'interrupteur."
                )

    def _feed(self) -> None:
        flow = self.host.flow
        while not self._eof and not flow.has_pending:
            line = next(self._lines, None)
            if line is None:
                self._eof = True
                break
            self.host.push(line.command, line)
            self.host.flush_output()
        if self._eof and self.state is JobState.PRINTING:
            self.state = JobState.FINISHING
            self._send_barrier()

    def _send_barrier(self) -> None:
        self.host.push("M400", _Barrier("M400", final=False))
        self.host.push("M105", _Barrier("M105", final=True))

    def _verify(self) -> None:
        if self._verifications >= MAX_VERIFICATIONS:
            self.state = JobState.FAILED
            self.finished_s = self.host.clock()
            raise DeviceFault(
                "L'imprimante n'a pas confirmé avoir reçu la fin du fichier (liaison trop "
                "bruitée ?). Vérifiez la pièce avant de la considérer comme terminée.\n"
                + self.last_line_sentence()
            )
        self._verifications += 1
        self.state = JobState.VERIFYING
        self.host.verify_last()
        self._verify_deadline = self.host.clock() + VERIFY_WAIT_S

    def _check_verification(self) -> None:
        flow = self.host.flow
        if flow.verified:
            self.state = JobState.DONE
            self.finished_s = self.host.clock()
        elif flow.has_pending:
            # The firmware asked for older lines: they and the barrier are being replayed.
            self.state = JobState.FINISHING
        elif self._verify_deadline is not None and self.host.clock() > self._verify_deadline:
            self._verify()

    def run(self, on_step: Callable[[PrintJob], None] | None = None) -> None:
        """Step until finished (non-interactive use: tests, the serial backend's thread)."""
        while not self.finished:
            self.step()
            if on_step is not None:
                on_step(self)

    # -- reporting -------------------------------------------------------------------------
    def last_line_sentence(self) -> str:
        line = self.last_done
        if line is None:
            return "Aucune ligne du fichier n'avait encore été exécutée."
        return (
            f"Dernière ligne exécutée : ligne {line.file_line} du fichier "
            f"(« {line.command[:60]} »)."
        )

    def snapshot(self) -> JobSnapshot:
        now = self.finished_s if self.finished_s is not None else self.host.clock()
        elapsed = now - self.started_s
        done_bytes = self.last_done.end_offset if self.last_done else 0
        if self.state is JobState.DONE:
            done_bytes = self.checked.size_bytes
        remaining = None
        if self._remaining_at is not None and self.state is not JobState.DONE:
            remaining = self._remaining_at(done_bytes, elapsed)
        elif self.state is JobState.DONE:
            remaining = 0.0
        return JobSnapshot(
            state=self.state,
            commands_done=self.commands_done,
            commands_total=self.checked.commands,
            bytes_done=done_bytes,
            bytes_total=self.checked.size_bytes,
            layer=self.last_done.layer if self.last_done else 0,
            layers_total=self.checked.layers,
            elapsed_s=elapsed,
            remaining_s=remaining,
        )
