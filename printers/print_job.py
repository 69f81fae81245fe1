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
from typing import TYPE_CHECKING

from kit.errors import DeviceFault
from printers.host import MarlinHost, PrinterStopped
from printers.marlin.timeouts import command_code
from printers.print_file import CheckedFile, FileLine, iter_commands

if TYPE_CHECKING:
    from printers.analysis import Analysis

#: Commands sent when a print is cancelled: heaters off, part fan off, motors off; then an
#: M105 whose answer shows the targets the printer now holds (the proof that heaters are off).
SHUTDOWN_COMMANDS = ("M104 S0", "M140 S0", "M107", "M84")
#: Verifications of the last line tried before giving up.
MAX_VERIFICATIONS = 20
#: How long to wait for the answer to a verification (link clock seconds): the first one
#: waits VERIFY_FIRST_WAIT_S, each following one twice as long, up to VERIFY_WAIT_S. After the
#: barrier the firmware is idle and refuses the duplicate within milliseconds; a lost answer
#: (a damaged ``Resend:`` on a noisy link) is asked for again soon, and a firmware still busy
#: (the barrier's ok lost while M400 waits) only gets a few 40-byte lines meanwhile.
VERIFY_FIRST_WAIT_S = 0.5
VERIFY_WAIT_S = 5.0
#: While cancelling, M108 is repeated this often until the heating wait is over (seconds).
BREAK_HEATING_EVERY_S = 0.5
#: Longest wait for the printer to confirm heaters off after a cancel (link clock seconds):
#: with the signal handling around it, Ctrl-C or SIGTERM ends the process within 5 s.
CANCEL_CONFIRM_S = 3.5
#: A printer that does not report its temperatures by itself (no AUTOREPORT_TEMP) is asked
#: with M105 this often while printing or paused (link clock seconds), as OctoPrint does.
TEMPERATURE_POLL_S = 5.0


RemainingFn = Callable[[int, float], "float | None"]


def remaining_from_analysis(path: str, profile_name: str | None) -> RemainingFn | None:
    """Remaining time from the preflight estimate of ``path`` (``None`` when none can be made).

    Uses the analysis' byte offset → seconds map: once the printer has executed the file up
    to a byte offset, what is left is the estimate from there on. Without a profile name, the
    profile is chosen as ``kit printer print`` chooses it (:func:`analyse_for_printer`).
    """
    from kit.errors import KitError

    try:
        from printers.analysis import analyse_for_printer

        analysis, _, _ = analyse_for_printer(path, profile_name)
    except (KitError, ValueError, OSError):
        return None
    return remaining_from(analysis)


def remaining_from(analysis: Analysis) -> RemainingFn:
    """Remaining time once the printer has executed the file up to a byte offset."""

    def remaining(bytes_done: int, elapsed_s: float) -> float | None:
        return analysis.remaining_s_at(bytes_done)

    return remaining


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
class _ShutdownCheck:
    command: str = "M105"


@dataclass(frozen=True)
class _Park:
    command: str


@dataclass(frozen=True)
class _TemperaturePoll:
    command: str = "M105"


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
        remaining_at: RemainingFn | None = None,
    ) -> None:
        self.host = host
        self.checked = checked
        self.state = JobState.PRINTING
        self._lines: Iterator[FileLine] = iter_commands(checked)
        self._eof = False
        self._remaining_at = remaining_at
        self.commands_done = 0
        #: Highest line number of a file line acknowledged so far: on a noisy link a line
        #: matched to an ``ok`` by position may be replayed after a resend and acknowledged
        #: again, and it is still one line of the file.
        self._highest_acked = 0
        self.last_done: FileLine | None = None
        self.started_s = host.clock()
        self.finished_s: float | None = None
        self._verifications = 0
        self._verify_deadline: float | None = None
        #: Set when a temperature report after a cancel showed every heater's target at 0.
        self.heaters_off_confirmed = False
        self._heating_at_cancel = False
        self._cancel_deadline: float | None = None
        self._next_break_s: float | None = None
        # Positioning modes set by the lines sent so far (restored after a park move).
        self._relative_xyz = False
        self._relative_e = False
        self._park_z_mm = 0.0
        self._park_pending = False
        self.parked = False
        self.failure: PrinterStopped | None = None
        self._next_poll_s = self.started_s + TEMPERATURE_POLL_S
        #: Numbers of the temperature polls, taken when acknowledged: a line not written yet
        #: may be given another number when the flow control inserts a question.
        self._poll_numbers: set[int] = set()

    @property
    def poll_line_numbers(self) -> list[int]:
        """Line numbers of the M105 lines that are not lines of the file: the temperature
        polls, and the questions the flow control asked (:meth:`FlowControl.ask`)."""
        return sorted(self._poll_numbers.union(self.host.flow.probe_numbers))

    # -- control ---------------------------------------------------------------------------
    def pause(self, *, park_z_mm: float = 0.0) -> None:
        """Stop feeding lines; with ``park_z_mm``, lift the nozzle once the printer has
        executed what it already had (so it does not ooze onto the part)."""
        if self.state is JobState.PRINTING:
            self.state = JobState.PAUSED
            self._park_z_mm = max(0.0, park_z_mm)
            self._park_pending = self._park_z_mm > 0

    def resume(self) -> None:
        if self.state is JobState.PAUSED:
            self._park_pending = False
            if self.parked:
                self._move_z(-self._park_z_mm)
                self.parked = False
            self.state = JobState.PRINTING

    def _move_z(self, dz_mm: float) -> None:
        """A relative Z move, then the file's own positioning modes again."""
        commands = ["G91", f"G1 Z{dz_mm:.2f} F600", "G91" if self._relative_xyz else "G90"]
        # G90/G91 also set the extruder's mode in Marlin 2: restore M82/M83 explicitly.
        commands.append("M83" if self._relative_e else "M82")
        for command in commands:
            self.host.push(command, _Park(command))

    def cancel(self) -> None:
        """Stop at once: no more file lines, heating wait broken, heaters, fan, motors off.

        Whatever was in flight or being replayed is abandoned: the numbering starts over
        (``M110``) so that the shutdown commands are never queued behind a recovery. The
        printer still runs the few commands it already holds, then these. The cancel is
        confirmed only by a temperature report, after them, whose targets are all zero.
        """
        if self.state in (
            JobState.PRINTING,
            JobState.PAUSED,
            JobState.FINISHING,
            JobState.VERIFYING,
        ):
            self.state = JobState.CANCELLING
            self._next_break_s = None
            self._break_heating()
            # Keep breaking the wait until the shutdown is confirmed (an M108 can be lost).
            self._heating_at_cancel = self._next_break_s is not None
            self.host.restart_numbering()
            for command in SHUTDOWN_COMMANDS:
                self.host.push(command, _Shutdown(command))
            self.host.push("M105", _ShutdownCheck())
            self._cancel_deadline = self.host.clock() + CANCEL_CONFIRM_S
            self.host.flush_output()

    def _break_heating(self) -> None:
        """While an M109/M190 is in flight, the firmware would finish heating before it reads
        the shutdown commands: with the emergency parser, M108 ends the wait at once."""
        now = self.host.clock()
        if self._next_break_s is not None and now < self._next_break_s:
            return
        waiting_for_heat = self._heating_at_cancel or any(
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
        if self.state in (JobState.PRINTING, JobState.PAUSED):
            self._poll_temperatures()
        if self.state is JobState.PRINTING:
            self._feed()
        elif self._park_pending and self.host.flow.idle:
            self._park_pending = False
            self.parked = True
            self._move_z(self._park_z_mm)
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
                if ack.number > self._highest_acked:
                    self._highest_acked = ack.number
                    self.commands_done += 1
                self.last_done = tag
            elif isinstance(tag, _Barrier) and tag.final and self.state is JobState.FINISHING:
                self._verify()
            elif isinstance(tag, _TemperaturePoll):
                self._poll_numbers.add(ack.number)
            elif isinstance(tag, _ShutdownCheck) and self.state is JobState.CANCELLING:
                self._check_heaters_off(answered=ack.proven)
        if self.state is JobState.FINISHING and self.host.flow.idle:
            # Everything sent and nothing owed, yet the barrier was not seen acknowledged (its
            # ok lost with a recovery): the proof decides, as for any end of file.
            self._verify()
        if self.state is JobState.VERIFYING:
            self._check_verification()
        if self.state is JobState.CANCELLING:
            self._break_heating()
            if self._cancel_deadline is not None and self.host.clock() > self._cancel_deadline:
                # Not confirmed in time: stop waiting; the caller says heaters may be on.
                self.state = JobState.CANCELLED
                self.finished_s = self.host.clock()

    def _check_heaters_off(self, *, answered: bool) -> None:
        """The M105 after the shutdown commands was acknowledged: by its own ``ok T:`` (then
        the temperatures just stored are its answer), or by a plain ``ok`` matched by position
        (an older line's: then it proves nothing)."""
        targets = [h.target_c for h in self.host.temperatures.values() if h.target_c is not None]
        if answered and all(t == 0 for t in targets) and not self.host.flow.has_pending:
            self.heaters_off_confirmed = True
            self.state = JobState.CANCELLED
            self.finished_s = self.host.clock()
        else:
            # An older answer (or lines still being replayed): ask again.
            self.host.push("M105", _ShutdownCheck())

    def _poll_temperatures(self) -> None:
        """Ask for temperatures between two file lines when the printer does not report them
        (the progress display and the farm show them); its ``ok T:…`` answer updates them."""
        if self.host.reports_temperatures:
            return
        now = self.host.clock()
        if now < self._next_poll_s or self.host.flow.has_pending:
            return
        if any(isinstance(tag, _TemperaturePoll) for tag in self.host.flow.unacknowledged_tags()):
            return  # the previous one waits behind a heating wait: one is enough
        self._next_poll_s = now + TEMPERATURE_POLL_S
        self.host.push("M105", _TemperaturePoll())

    def _feed(self) -> None:
        flow = self.host.flow
        while not self._eof and not flow.has_pending:
            line = next(self._lines, None)
            if line is None:
                self._eof = True
                break
            self._track_modes(line.command)
            self.host.push(line.command, line)
            self.host.flush_output()
        if self._eof and self.state is JobState.PRINTING:
            self.state = JobState.FINISHING
            self._send_barrier()

    def _track_modes(self, command: str) -> None:
        code = command[:3].upper()
        if code == "G90" or code == "G91":
            self._relative_xyz = self._relative_e = code == "G91"
        elif code == "M82" or code == "M83":
            self._relative_e = code == "M83"

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
        wait_s = min(VERIFY_WAIT_S, VERIFY_FIRST_WAIT_S * 2 ** (self._verifications - 1))
        self._verify_deadline = self.host.clock() + wait_s

    def _check_verification(self) -> None:
        flow = self.host.flow
        if flow.verified:
            # Proven: the firmware accepted every line (some were confirmed by a resend
            # request rather than by their own ok, and never counted one by one).
            self.commands_done = self.checked.commands
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
