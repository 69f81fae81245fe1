# SPDX-License-Identifier: GPL-3.0-or-later
"""Flow control for streaming numbered lines: how many may be in flight, what to resend.

Correct by construction for any firmware that checks line numbers (Marlin 1.x/2.x,
Prusa-Firmware, Repetier, OctoPrint's VirtualPrinter), after OctoPrint's proven model
(``octoprint/util/comm.py``: ``_handle_resend_request``, ``_resendNextCommand``,
``_maxConsecutiveResends``), with one step less to go wrong: OctoPrint waits for the ``ok``
after a resend request (and assumes it after ``resendOk`` seconds); here nothing waits for it.

- **Exactly once comes from the firmware, not from us.** A firmware that checks numbers
  executes line ``n`` only when its last accepted line is ``n - 1``; anything else is refused
  with ``Resend: last + 1``. So replaying lines is always harmless, and the host only has to
  make sure every line is eventually sent again when asked for. The one dangerous operation
  is ``M110`` (it moves the firmware's counter): it is sent only at connect, on cancel, and
  when the firmware twice says it is *ahead* of every line we sent.
- **An ``ok`` is permission to send, never proof that a given line ran.** In the steady
  state each line yields one ``ok`` once processed, in order, so ``ok`` frees the oldest
  line of the window (grbl's "character counting"). The window holds at most
  ``rx_buffer_bytes`` (63 unless evidence says more: a profile, ``--rx-buffer``) and
  ``max_lines`` (widened by ADVANCED_OK's ``B``).
- **Any ``Resend: N`` / ``rs N`` means the firmware dropped everything from N on**, whatever
  the error text before it (Marlin's ``Last Line:``, VirtualPrinter's ``expected line 6 got
  8``, none at all). The stream rewinds to N and enters *recovery*:

  * a *round* goes out at once: line N again (and the lines after it that were refused, as
    many as the window holds), then a numbered ``M105``, the *question*, numbered right
    after the last line written (only lines never written are renumbered to make room, so
    a number never stands for two lines the firmware may have seen). Nothing more is sent
    until the round is answered. The firmware answers the question with ``ok T:…`` only
    once it has accepted every line before it, so that answer closes the episode; a
    ``Resend: k`` for a later line (the question refused: a line after the round's is
    still missing) starts the next round from ``k``. Whether an ``ok`` follows the resend
    request (Marlin 2.1), comes first, twice or never (older Marlin, VirtualPrinter's
    ``brokenResend``; see ``sim/marlin/dialects.py``) changes nothing: plain ``ok`` are
    not counted in recovery;
  * until then, the same ``Resend: N`` again is the refusal of a line sent after the bad one
    or of the round itself. Every line written is refused at most once (or flushed
    unanswered with the receive buffer), so the refusals the lines written before the round
    may still bring are counted (*owed*, carried from round to round). More refusals than
    that prove the firmware has read the round (:attr:`FlowControl.round_read`): as many as
    the round's lines too, and the whole round was refused: it goes again at once; so it
    does when the error before the request says the line numbered N arrived damaged (a
    checksum error: Marlin compares the number first). Otherwise the host's silence timer
    sends it again (:meth:`FlowControl.recover_stall`), sooner when the round was read;
  * a request for a later line means the firmware moved on: a new round from there; one for
    the line after every line written means it has them all: the recovery is over.
- A request for a line older than the kept history fails (:class:`HistoryExceededError`),
  unless the firmware already said it accepted a later line (:attr:`FlowControl.proven`): then
  it is a damaged digit (a flipped bit turns a digit into another) and is ignored;
  the same line asked for :data:`MAX_SAME_RESENDS` times in a row is a fault
  (:class:`ResendLoopError`); a request beyond every line sent is checked once by sending the
  last line again, and only a second identical answer resynchronises with ``M110``.
- A silence over lines in flight (a lost ``ok``) and a stall (nothing acknowledged for too
  long; the host's clock decides) are asked about with a numbered ``M105``
  (:meth:`FlowControl.ask`, :meth:`FlowControl.recover_stall`) numbered right after the last
  line written: lines pushed but never written move one number up (the firmware never saw
  them). A firmware that has every line runs it in turn and its ``ok T:`` acknowledges them
  all (nothing sent twice, no error on a clean link); one that lost a line refuses it and
  its ``Resend:`` says exactly where it stands. Never an unnumbered line there: Marlin checks
  the checksum of numbered lines only (``GCodeQueue::get_serial_commands``, 2.1: the ``*``
  test sits inside ``if (npos)``), so a damaged unnumbered line runs as whatever it became
  (``M1``, ``M125``, ``M107`` were seen on a noisy link), which is why the recovery's
  question is numbered too.
- At the end, a numbered ``M400`` and ``M105`` make a barrier; then the last line is sent
  *again* (:meth:`FlowControl.verify_last`). A firmware that accepted every line refuses the
  duplicate with ``Resend: k+1``, whatever its error text: an exact proof that nothing was
  skipped, which no count of ``ok`` can give on a noisy line.

Klipper and RepRapFirmware ignore line numbers (:attr:`FlowControl.checks_numbers` is False,
see :func:`firmware_checks_numbers`): nothing is ever sent to them twice; a stall there is
recovered by an unnumbered ``M105`` probe alone.

Pure state machine: no I/O, no clock (the host decides when a silence is a stall).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any, NamedTuple

from printers.marlin.events import Event, LineError, LineErrorKind, Ok, Resend
from printers.marlin.framing import frame, reset_numbering

#: Bytes allowed in flight without evidence of a bigger receive buffer: one less than the
#: smallest common RX_BUFFER_SIZE (64: Marlin's minimum for 32-bit boards, OctoPrint's
#: VirtualPrinter default); Marlin 2.x on 8-bit boards has 128 (Configuration_adv.h).
DEFAULT_RX_BUFFER_BYTES = 63
#: Marlin's BUFSIZE on 8-bit boards.
DEFAULT_QUEUE_SLOTS = 4
#: Lines kept for resends. Marlin asks for the line after its last accepted one, which is at
#: most a window old; 1024 lines leave a wide margin and cost ~40 KiB.
DEFAULT_HISTORY_LINES = 1024
#: The same line requested this many times in a row means the link is broken (OctoPrint:
#: ``_maxConsecutiveResends`` = 10).
MAX_SAME_RESENDS = 10

PROBE = b"M105\n"
_DAMAGED_LINE_ERRORS = (LineErrorKind.CHECKSUM_MISMATCH, LineErrorKind.NO_CHECKSUM)
PROBE_COMMAND = "M105"

#: Firmware that runs every line it reads whatever its number (M115's FIRMWARE_NAME, lower
#: case): Klipper drops the ``N`` word unchecked (``klippy/gcode.py``); RepRapFirmware only
#: remembers it and silently discards a line with a wrong checksum, never asking for it again
#: (``src/GCodes/GCodeBuffer/StringParser.cpp``, 3.5.3; see ``sim/marlin/dialects.py``).
NUMBER_BLIND_FIRMWARE = ("klipper", "reprapfirmware")


def firmware_checks_numbers(firmware_name: str) -> bool:
    """False for firmware that would run a line sent twice (see :data:`NUMBER_BLIND_FIRMWARE`)."""
    name = firmware_name.lower()
    return not any(blind in name for blind in NUMBER_BLIND_FIRMWARE)


class HistoryExceededError(Exception):
    """The firmware asked for a line older than the kept history."""

    def __init__(self, line_number: int, oldest_kept: int | None) -> None:
        super().__init__(f"resend of line {line_number} requested, oldest kept {oldest_kept}")
        self.line_number = line_number
        self.oldest_kept = oldest_kept


class ResendLoopError(Exception):
    """The firmware keeps asking for the same line: the link is too noisy or broken."""

    def __init__(self, line_number: int, times: int) -> None:
        super().__init__(f"line {line_number} requested {times} times in a row")
        self.line_number = line_number
        self.times = times


@dataclass(slots=True)
class _InFlight:
    number: int | None  # None for a probe or an unnumbered command; 0 for the M110 reset
    size: int
    temperature_reply: bool  # answered by "ok T:…" (M105 and probes)
    #: Sent in a recovery's round: the firmware may have refused it as a duplicate, so no
    #: answer can be counted on.
    in_round: bool = False


@dataclass(frozen=True)
class Probe:
    """Tag of the numbered ``M105`` questions the flow inserts (:meth:`FlowControl.ask`)."""

    command: str = PROBE_COMMAND


class Acknowledged(NamedTuple):
    """A line the firmware has processed (its ``tag`` is what the host pushed with it).

    ``proven`` is True when an ``ok T:…`` answering this line or a probe sent after it
    (or ADVANCED_OK's line number) acknowledged it, rather than a plain ``ok`` by position.
    """

    number: int
    tag: Any
    proven: bool = False


class FlowControl:
    """Window of unacknowledged lines bounded by queue slots and receive-buffer bytes."""

    def __init__(
        self,
        *,
        ping_pong: bool = False,
        max_lines: int = DEFAULT_QUEUE_SLOTS,
        rx_buffer_bytes: int = DEFAULT_RX_BUFFER_BYTES,
        history_lines: int = DEFAULT_HISTORY_LINES,
    ) -> None:
        self.ping_pong = ping_pong
        #: False for firmware that ignores line numbers (Klipper, RepRapFirmware): nothing is
        #: ever sent twice.
        self.checks_numbers = True
        self.max_lines = 1 if ping_pong else max(1, max_lines)
        self.rx_buffer_bytes = rx_buffer_bytes
        self.history_lines = history_lines
        self.next_number = 1
        #: number -> (framed bytes, tag, answered by "ok T:", command)
        self._history: OrderedDict[int, tuple[bytes, Any, bool, str]] = OrderedDict()
        #: Highest line number written since the numbering last started over: lines above it
        #: never reached the wire, so they may be given other numbers (see :meth:`ask`).
        self._sent_max = 0
        #: Numbers of the ``M105`` questions this flow inserted (not lines of the caller's).
        self.probe_numbers: list[int] = []
        self._send_from = 1
        self._in_flight: deque[_InFlight] = deque()
        self._in_flight_bytes = 0
        self._reset_line: bytes | None = None
        self._learnt_slots: int | None = None
        #: Highest line the firmware is known to have accepted (``Resend: N`` says N - 1,
        #: ADVANCED_OK says it outright, an acknowledged line says itself).
        self.confirmed = 0
        #: Highest line the firmware itself said it accepted (``Resend: N`` says N - 1,
        #: ADVANCED_OK's ``N``), never an ``ok`` counted by position nor a probe's answer (a
        #: lost line is "processed" too). Its counter only goes back through M110 or a reset.
        self.proven = 0
        # Recovery after a resend request or a stall.
        self.recovering = False
        self._target: int | None = None
        #: The numbered M105 whose ``ok T:`` ends the recovery (see :meth:`_enter_recovery`).
        self._question: int | None = None
        #: The round (the target line again, then the question) is still to be written.
        self._round_due = False
        #: ``Resend: target`` received since the round was written: the firmware answered,
        #: just not with progress (see :meth:`recover_stall`).
        self._round_refused = False
        #: Refusals (``Resend: target``) that lines written before the round may still bring
        #: (each is refused at most once, or flushed unanswered); the round was read for sure
        #: once more refusals came since it was written (:attr:`round_read`).
        self._owed_before_round = 0
        self._round_refusals = 0
        self._round_lines = 0
        self._round_numbers: list[int] = []
        #: The error line just before a ``Resend:`` (None: none, or not read).
        self._last_error: LineError | None = None
        self._same_target: int | None = None
        self._same_count = 0
        #: Klipper and RepRapFirmware only: an unnumbered M105 is to be written.
        self._probe_due = False
        self._beyond: int | None = None
        # Statistics and the end-of-print proof.
        self.resends = 0
        self.line_errors = 0
        self.duplicate_resends = 0
        #: Resend requests whose error line gave another number (one of them damaged).
        self.damaged_requests = 0
        self.stall_recoveries = 0
        self.resyncs = 0
        self.bytes_sent = 0
        self._verifying: int | None = None
        self._verify_by_ok = False
        self.verified = False

    # -- feeding --------------------------------------------------------------------------
    def reset_numbering(self) -> None:
        """Start over at line 1 (connect, cancel): forget every line, send ``N0 M110 N0``."""
        self._history.clear()
        self._in_flight.clear()
        self._in_flight_bytes = 0
        self.next_number = 1
        self._send_from = 1
        self._sent_max = 0
        self.confirmed = 0
        self.proven = 0
        self._leave_recovery()
        self._same_target = None
        self._same_count = 0
        self._beyond = None
        self._verifying = None
        self._reset_line = reset_numbering(0)

    def push(self, command: str, tag: Any = None) -> int:
        """Queue one command (comment-free); return its line number.

        Raises :class:`printers.marlin.framing.LineTooLongError` before anything is queued.
        """
        number = self.next_number
        data = frame(number, command)
        temperature_reply = command[:4].upper() == "M105"
        self.next_number += 1
        self._history[number] = (data, tag, temperature_reply, command)
        while len(self._history) > self.history_lines:
            self._history.popitem(last=False)
        return number

    @property
    def has_pending(self) -> bool:
        """Lines pushed (or to be replayed) that are not on the wire yet."""
        return self._send_from < self.next_number or self._reset_line is not None

    @property
    def in_flight_lines(self) -> int:
        return len(self._in_flight)

    @property
    def in_flight_bytes(self) -> int:
        return self._in_flight_bytes

    @property
    def idle(self) -> bool:
        """Nothing waiting to be sent, nothing unacknowledged, no recovery under way."""
        return not self.has_pending and not self._in_flight and not self.recovering

    @property
    def oldest_kept(self) -> int | None:
        return next(iter(self._history), None)

    @property
    def resetting(self) -> bool:
        """``M110`` (line 0) is in flight: the firmware runs it once its queue is drained."""
        return any(item.number == 0 for item in self._in_flight)

    @property
    def questions_in_flight(self) -> int:
        """The flow's own numbered questions (:meth:`ask`) not answered yet."""
        asked = set(self.probe_numbers[-8:])
        return sum(1 for item in self._in_flight if item.number in asked)

    @property
    def probes_in_flight(self) -> int:
        return sum(1 for item in self._in_flight if item.number is None)

    def _room_for(self, size: int) -> bool:
        if not self._in_flight:
            return True
        if len(self._in_flight) >= self.max_lines:
            return False
        return self._in_flight_bytes + size <= self.rx_buffer_bytes

    def _line(self, number: int) -> tuple[bytes, Any, bool, str]:
        entry = self._history.get(number)
        if entry is None:
            raise HistoryExceededError(number, self.oldest_kept)
        return entry

    def take_output(self) -> bytes:
        """Bytes to write now: what the window (or the recovery) lets go, oldest first."""
        out = bytearray()
        if self._reset_line is not None:
            if self._in_flight and self.ping_pong:
                return b""
            data = self._reset_line
            self._reset_line = None
            # M110 is acknowledged with a plain ok: counted as line 0.
            self._add_in_flight(_InFlight(0, len(data), False))
            out += data
        if self.recovering:
            out += self._take_recovery()
        elif any(item.number == 0 for item in self._in_flight):
            # Marlin's M110 sets its counter when it *runs* (GcodeSuite::M110), after any line
            # read meanwhile: a line sent before its ok would be refused, then run twice.
            pass
        else:
            if self._probe_due:
                self._probe_due = False
                self._add_in_flight(_InFlight(None, len(PROBE), True))
                out += PROBE
            while self._send_from < self.next_number:
                data = self._line(self._send_from)[0]
                if not self._room_for(len(data)):
                    break
                out += self._send_line(self._send_from)
        self.bytes_sent += len(out)
        return bytes(out)

    def _send_line(self, number: int) -> bytes:
        """Line ``number`` onto the wire (in flight); the next to send is the one after it."""
        data, _tag, temperature_reply, _command = self._line(number)
        self._add_in_flight(_InFlight(number, len(data), temperature_reply))
        self._send_from = number + 1
        self._sent_max = max(self._sent_max, number)
        return data

    def _take_recovery(self) -> bytes:
        """The round of a recovery, once: the target line again, then the question."""
        target, question = self._target, self._question
        if not self._round_due or target is None or question is None:
            return b""
        self._round_due = False
        self._round_refused = False
        self._round_refusals = 0
        out = bytearray(self._send_line(target))
        if question != target:
            # More lines of those refused, as many as the window leaves room for beside the
            # question: fewer rounds when several lines were in flight.
            question_size = len(self._line(question)[0])
            while self._send_from < question and len(self._in_flight) + 1 < self.max_lines:
                size = len(self._line(self._send_from)[0])
                if self._in_flight_bytes + size + question_size > self.rx_buffer_bytes:
                    break
                out += self._send_line(self._send_from)
            out += self._send_line(question)
        self._round_lines = out.count(b"\n")
        self._round_numbers = []
        for item in list(self._in_flight)[-self._round_lines :]:
            item.in_round = True
            self._round_numbers.append(item.number or 0)
        return bytes(out)

    @property
    def round_read(self) -> bool:
        """The firmware has read (part of) the recovery's round: it refused more lines since
        the round was written than the lines written before it could account for. It is
        reading, so the rest of the round is consumed at once, and sending the round again
        cannot overflow its receive buffer. Without that proof the round may still wait
        there, unread, behind a replayed move that waits for room in the planner."""
        return self.recovering and not self._round_due and (
            self._round_refusals > self._owed_before_round
        )

    def take_probe(self) -> bytes:
        """An unnumbered ``M105`` on its own, for firmware that ignores line numbers only
        (Klipper, RepRapFirmware); see :meth:`ask` for the others."""
        self._add_in_flight(_InFlight(None, len(PROBE), True))
        self.bytes_sent += len(PROBE)
        return PROBE

    def _insert_question(self) -> int:
        """A numbered ``M105`` right after the last line written; return its number.

        Lines pushed but never written are given the following numbers: the firmware never
        saw them, so nothing can have run under their old numbers. When the first of them is
        already an M105 (a temperature poll, the barrier's), it is the question itself.
        """
        first = self._sent_max + 1
        entry = self._history.get(first)
        if entry is not None and entry[2]:
            return first
        waiting = [
            self._history.pop(n) for n in range(first, self.next_number) if n in self._history
        ]
        self.next_number = first
        number = self.push(PROBE_COMMAND, Probe())
        self.probe_numbers.append(number)
        for _data, tag, _temperature, command in waiting:
            self.push(command, tag)
        self._send_from = min(self._send_from, number)
        return number

    def ask(self) -> bytes:
        """A numbered question behind the lines in flight: where is the firmware?

        The question is an ``M105`` numbered right after the last line written
        (:meth:`_insert_question`), written at once whatever the window says. A firmware that
        has every line runs it in turn, and its ``ok T:`` acknowledges them all; one that lost
        a line refuses it, and its ``Resend:`` says where it stands (a recovery follows).
        Nothing is sent twice this way, so a busy firmware on a clean link sees no error;
        asking again asks a new question (a copy of the first would be refused as a
        duplicate). Never an unnumbered line: Marlin checks the checksum of numbered lines
        only (``GCodeQueue::get_serial_commands``, 2.1), and a damaged unnumbered line runs as
        whatever it became (``M1``, ``M125``, ``M107``… were seen on a noisy link).
        """
        number = self._insert_question()
        data = self._send_line(number)
        self.bytes_sent += len(data)
        return data

    def question_size(self) -> int:
        """Bytes :meth:`ask` would write now (about 15)."""
        return len(frame(max(self._sent_max + 1, 1), PROBE_COMMAND))

    def recover_stall(self) -> bytes:
        """Nothing was acknowledged for too long: ask where the firmware is; return the bytes
        to write at once (more may follow from :meth:`take_output`).

        Outside a recovery the question is :meth:`ask`'s numbered M105, behind whatever is in
        flight; answers still owed by M105 lines are then taken as lost. During one, its
        round goes again (see :meth:`_enter_recovery`: what was in flight is then
        forgotten). Firmware that ignores numbers gets one more unnumbered probe, earlier
        ones kept in flight.
        """
        self.stall_recoveries += 1
        if not self.checks_numbers:
            # Klipper and RepRapFirmware execute whatever they get: never a line twice. A probe
            # after the lines in flight. Earlier probes stay in flight: such a firmware answers
            # every line it received, in order, so a slow one (long moves, a full planner)
            # still owes their "ok T:"; forgotten, their late answers would acknowledge lines
            # it has not reached, and the end-of-file proof would pass early. Kept, a probe
            # really lost only delays acknowledgements until the next probe's answer.
            self._probe_due = True
            return b""
        if self._reset_line is None and any(i.number == 0 for i in self._in_flight):
            # The M110 itself got no answer: send it again.
            self._drop_in_flight(lambda item: True)
            self._reset_line = reset_numbering(0)
            return b""
        if self.recovering and self._target is not None:
            if self._round_refused:
                # The firmware answered the round, only with refusals: it was damaged on the
                # way (or flushed with the receive buffer), which counts as asking again.
                self._count_request(self._target)
            # The round or its answer was lost: again; whatever was in flight is presumed lost,
            # though the previous round may still be refused line by line.
            # Only the previous round's lines not refused yet may still be answered: lines
            # written before it had that whole silence to be.
            owed = 0
            if not self._round_due:
                answered = max(0, self._round_refusals - self._owed_before_round)
                owed = max(0, self._round_lines - answered)
            self._enter_recovery(self._target, forget_in_flight=True, owed_before=owed)
            return b""
        for item in self._in_flight:
            # After a silence of a whole allowance, an "ok T:" still owed by an M105 was lost.
            # Expected, every later answer would be taken for the one before it, for ever
            # (found by hypothesis: three questions whose answers were lost, then each new
            # question answered in turn and none seen as answered). The question's answer
            # proves those lines anyway.
            item.temperature_reply = False
        return self.ask()

    def verify_last(self, *, firmware_checks_numbers: bool = True) -> bytes:
        """The last pushed line again, to make the firmware state its last accepted line.

        Sets :attr:`verified` when the answer proves the firmware accepted every line: a
        ``Resend: k+1`` whatever the error text before it. A firmware that ignores line
        numbers (Klipper) just executes it: an ``ok`` with temperatures after which nothing
        is in flight is then the answer.
        """
        number = self.next_number - 1
        data = self._line(number)[0]
        self._verifying = number
        self._verify_by_ok = not firmware_checks_numbers
        self.verified = False
        self.bytes_sent += len(data)
        return data

    def take_unnumbered(self, data: bytes) -> bytes:
        """An unnumbered line answered by a plain ``ok`` (``M108`` for the emergency parser)."""
        self._add_in_flight(_InFlight(None, len(data), False))
        self.bytes_sent += len(data)
        return data

    def _add_in_flight(self, item: _InFlight) -> None:
        self._in_flight.append(item)
        self._in_flight_bytes += item.size

    def _pop_in_flight(self) -> _InFlight:
        item = self._in_flight.popleft()
        self._in_flight_bytes -= item.size
        return item

    def _drop_in_flight(self, drop: Any) -> int:
        """Remove the items for which ``drop(item)`` is true; return how many numbered."""
        kept: deque[_InFlight] = deque()
        dropped = 0
        for item in self._in_flight:
            if drop(item):
                dropped += 1 if item.number else 0
            else:
                kept.append(item)
        self._in_flight = kept
        self._in_flight_bytes = sum(i.size for i in kept)
        return dropped

    def unacknowledged_numbers(self) -> list[int]:
        return [i.number for i in self._in_flight if i.number]

    def unacknowledged_tags(self) -> list[Any]:
        """Tags of the numbered lines in flight, oldest first."""
        tags = []
        for item in self._in_flight:
            entry = self._history.get(item.number) if item.number else None
            if entry is not None:
                tags.append(entry[1])
        return tags

    def drop_pending(self) -> None:
        """Forget lines not sent yet: their numbers are given again to the next pushes."""
        if self._send_from < self.next_number:
            for number in list(self._history):
                if number >= self._send_from:
                    del self._history[number]
            self.next_number = self._send_from

    # -- receiving ------------------------------------------------------------------------
    def handle(self, event: Event) -> list[Acknowledged]:
        """Update the window for one printer event; return the lines it acknowledges."""
        acked: list[Acknowledged] = []
        if self._last_error is not None and not isinstance(event, (Ok, Resend)):
            # An error line whose "Resend:" did not come (damaged into another line: « Resend:
            # q875 », « ResgNd: 2537 »): a refusal all the same, of the line after the one
            # the error says was accepted. (An ok may come between the two: older Marlin.)
            acked += self._on_request_without_resend()
        if isinstance(event, Ok):
            acked += self._on_ok(event)
        elif isinstance(event, Resend):
            error, self._last_error = self._last_error, None
            number = event.line_number
            last_line = error.last_line if error is not None else None
            damaged = error is not None and error.kind in _DAMAGED_LINE_ERRORS
            if last_line is not None and last_line + 1 != number:
                # "Last Line: 10" then "Resend: 51": one of the two had a digit damaged on the
                # way. Acting on the larger could skip lines (twice the same: a
                # resynchronisation past them); the smaller is safe: replaying from an older
                # line only makes the firmware refuse what it has, saying where it stands.
                # A number the firmware cannot mean (below a line it said it accepted, past
                # every line written) is left out.
                self.damaged_requests += 1
                plausible = [n for n in (number, last_line + 1) if self._plausible(n)]
                if not plausible:
                    return acked + self._on_unreadable_request(damaged)
                number = min(plausible)
            acked += self._on_resend(number, damaged_line=damaged)
        elif isinstance(event, LineError):
            self.line_errors += 1
            self._last_error = event
        return acked

    def _on_request_without_resend(self) -> list[Acknowledged]:
        error, self._last_error = self._last_error, None
        assert error is not None
        self.damaged_requests += 1
        damaged = error.kind in _DAMAGED_LINE_ERRORS
        if error.last_line is None or not self._plausible(error.last_line + 1):
            return self._on_unreadable_request(damaged)
        return self._on_resend(error.last_line + 1, damaged_line=damaged)

    def _learn(self, ok: Ok) -> None:
        if ok.queue_free is None or self.ping_pong:
            return
        # ADVANCED_OK's B counts free slots while the acknowledged command still holds one.
        slots = ok.queue_free + 1
        if self._learnt_slots is None or slots > self._learnt_slots:
            self._learnt_slots = slots
            self.max_lines = max(self.max_lines, slots)

    def _on_ok(self, ok: Ok) -> list[Acknowledged]:
        acked: list[Acknowledged] = []
        if (
            self._verifying is not None
            and self._verify_by_ok
            and ok.temperatures is not None
            and not self._in_flight
        ):
            self._verifying = None
            self.verified = True
            return acked
        if self.recovering:
            # Which line it answers is unknown: only the probe's answer ends the recovery.
            if ok.temperatures is not None:
                self._ack_through_temperature(acked)
            return acked
        self._learn(ok)
        if ok.temperatures is not None and any(i.temperature_reply for i in self._in_flight):
            self._ack_through_temperature(acked)
            return acked
        if ok.line_number is not None and self._in_flight:
            # ADVANCED_OK names the line: older lines in flight ran too (their ok was lost).
            numbered = [i.number for i in self._in_flight if i.number]
            if numbered and numbered[0] <= ok.line_number <= numbered[-1]:
                self.proven = max(self.proven, ok.line_number)
                while self._in_flight:
                    item = self._pop_in_flight()
                    self._ack(item, acked, proven=True)
                    if item.number == ok.line_number:
                        return acked
        if self._in_flight:
            self._ack(self._pop_in_flight(), acked)
        return acked

    def _ack_through_temperature(self, acked: list[Acknowledged]) -> None:
        """An ``ok T:`` answers the oldest M105 in flight: everything before it ran too.

        During a recovery, the question's answer means the firmware accepted every line up
        to it, whatever was refused or replayed meanwhile: the recovery is over.
        """
        while self._in_flight:
            item = self._pop_in_flight()
            if not item.temperature_reply:
                self._ack(item, acked, proven=True)
                continue
            if self.recovering and item.number:
                # A numbered M105 of the round answered: accepted, and every line before it.
                self._accept_through(item.number, acked)
                if item.number == self._question:
                    self._leave_recovery()
                    self._drop_in_flight(lambda i: True)
                return
            self._ack(item, acked, proven=True)
            return

    def _accept_through(self, number: int, acked: list[Acknowledged]) -> None:
        """The firmware accepted every line up to ``number``: acknowledged now, once."""
        for accepted in range(self.confirmed + 1, number + 1):
            entry = self._history.get(accepted)
            if entry is not None:
                acked.append(Acknowledged(accepted, entry[1], True))
        self.confirmed = max(self.confirmed, number)

    def _ack(self, item: _InFlight, acked: list[Acknowledged], *, proven: bool = False) -> None:
        if item.number:
            entry = self._history.get(item.number)
            acked.append(Acknowledged(item.number, entry[1] if entry else None, proven))
            self.confirmed = max(self.confirmed, item.number)

    def _leave_recovery(self) -> None:
        self.recovering = False
        self._target = None
        self._question = None
        self._round_due = False
        self._round_refused = False
        self._probe_due = False

    def _enter_recovery(
        self, target: int, *, forget_in_flight: bool = False, owed_before: int = 0
    ) -> None:
        """Rewind to ``target``: a *round* goes out, once: line ``target`` again, then a
        numbered ``M105``, the *question* (never an unnumbered line: see :meth:`ask`).

        The question is the highest line written when that is an M105 at or after
        ``target`` (the previous round's question, a temperature poll), else a new one
        right after the last line written (:meth:`_insert_question`: only lines never
        written are renumbered, so a number never stands for two different lines the
        firmware might have seen). Lines before ``target`` were accepted (a ``Resend:``
        says so); lines from it on were refused, flushed, or will be refused when read.

        - The firmware answers the question with ``ok T:`` only once it has accepted every
          line before it: that answer ends the recovery (:meth:`_ack_through_temperature`).
        - It accepts ``target`` but still lacks a later line: the question is refused with
          ``Resend: k`` for a later ``k``, a new round from there. A recovery thus walks
          the lines that were in flight one round trip each, like a ping-pong.
        - The round itself is refused (damaged on the way, or flushed with the receive
          buffer): ``Resend: target`` again, which cannot be told from the refusal of a line
          sent before the round but by counting: ``owed_before`` is how many refusals the
          lines written before the round may still bring (each line is refused at most
          once). Once as many refusals came as those and the round's lines, or on a checksum
          error (only a line numbered ``target`` can fail on its checksum, see
          :meth:`_on_resend`), the round goes again at once: the firmware has read it, so
          nothing of it is left to overflow its receive buffer. Otherwise the host's silence
          timer sends it again (:meth:`recover_stall`): after 0.3 s once the firmware has
          certainly read some of it (:attr:`round_read`), else after 1 s (it may be running
          the replayed move, the round unread behind it).

        Plain ``ok`` are not counted during a recovery (whether one follows a ``Resend:``,
        two or none depends on the firmware). The ``ok T:`` still owed by M105 lines before
        ``target`` keep their place in flight, acknowledging nothing, so that the
        question's answer is recognised by its place (answers come in order), unless
        ``forget_in_flight`` (after a silence, they are presumed lost) or the line was
        sent in a round (a duplicate the firmware refused owes no answer).
        """
        kept: deque[_InFlight] = deque()
        for item in () if forget_in_flight else self._in_flight:
            if item.in_round:
                continue  # perhaps refused as a duplicate: no "ok T:" to wait for
            if item.temperature_reply and (item.number is None or 0 < item.number < target):
                kept.append(_InFlight(None, item.size, True))
        self._in_flight = kept
        self._in_flight_bytes = sum(i.size for i in kept)
        highest = self._history.get(self._sent_max)
        if self._question is not None and self._question == self._sent_max >= target:
            question = self._question  # still the last line written: asked again
        elif highest is not None and highest[2] and self._sent_max >= target:
            question = self._sent_max  # an M105 already written: its answer is the question
        else:
            question = self._insert_question()
        self.recovering = True
        self._target = target
        self._question = question
        self._send_from = target
        self._round_due = True
        self._round_refused = False
        self._owed_before_round = owed_before

    def _count_request(self, number: int) -> None:
        """One more request for line ``number``; :data:`MAX_SAME_RESENDS` in a row: a fault."""
        if number == self._same_target:
            self._same_count += 1
            if self._same_count >= MAX_SAME_RESENDS:
                raise ResendLoopError(number, self._same_count)
        else:
            self._same_target = number
            self._same_count = 1
        self.resends += 1

    def _plausible(self, number: int) -> bool:
        """Whether the firmware can mean ``number``: its counter never goes back below a line
        it said it accepted (:attr:`proven`), and never past the lines written."""
        return self.proven < number <= self._sent_max + 1 or self.resetting

    def _on_unreadable_request(self, damaged_line: bool) -> list[Acknowledged]:
        """A resend request whose number could not be read: a refusal all the same. During a
        recovery it counts as one more refusal of the round's line; otherwise the next
        refusal or the silence will tell."""
        if self.recovering and self._target is not None:
            return self._on_resend(self._target, damaged_line=damaged_line)
        return []

    def _on_resend(self, number: int, *, damaged_line: bool = False) -> list[Acknowledged]:
        acked: list[Acknowledged] = []
        if self._verifying is not None and number == self._verifying + 1:
            self._verifying = None
            self.verified = number == self.next_number
            return acked
        if self.recovering and number == self._target:
            # A line written before the round refused, or the round itself: see
            # _enter_recovery. Only a silence sends the round again.
            self.duplicate_resends += 1
            self._round_refused = not self._round_due
            if self._round_due:
                self._owed_before_round = max(0, self._owed_before_round - 1)
            else:
                self._round_refusals += 1
            answered = self._round_refusals - self._owed_before_round
            every_line = self._round_refused and answered >= self._round_lines > 0
            if (damaged_line and self._round_refused) or every_line:
                # A checksum error: Marlin and Prusa-Firmware compare the line number first
                # (GCodeQueue::get_serial_commands, 2.1; cmdqueue.cpp), so only a line
                # numbered N can fail on its checksum: the round's first line arrived
                # damaged, and the rest of the round will be refused. Again at once.
                self._count_request(number)
                # The rest of the previous round and what was owed before it may still be
                # refused: owed before the new one.
                owed = self._owed_before_round + self._round_lines - self._round_refusals
                self._enter_recovery(number, owed_before=max(0, owed))
            return acked
        if number > self._sent_max + 1:
            # Past every line written: a damaged digit, or a counter really ahead.
            self._on_resend_beyond(number)
            return acked
        self._beyond = None
        if number not in self._history and number <= self._sent_max:
            if number < 1 or self.oldest_kept in (None, 1) or number <= self.proven:
                # No line was ever forgotten, or the firmware has proved it accepted line N
                # already (its counter never goes back without M110 or a reset): a damaged
                # digit ("Resend: 2110" read as 110; a flipped bit can turn a digit into
                # another). The firmware will say it again, or the silence will be recovered.
                return acked
            raise HistoryExceededError(number, self.oldest_kept)
        if any(i.number == 0 for i in self._in_flight) and number == 1:
            # The M110 reset may have been refused (damaged on the way): send it again.
            self._count_request(number)
            self._drop_in_flight(lambda item: item.number == 0)
            self._reset_line = reset_numbering(0)
            self._leave_recovery()
            self._send_from = 1
            return acked
        if number == self._sent_max + 1:
            # The firmware has every line written (the refusal of a line sent twice: a round
            # whose question's answer was lost, a duplicate): all acknowledged, nothing to send
            # again.
            self._accept_through(number - 1, acked)
            self.proven = max(self.proven, number - 1)
            self._leave_recovery()
            self._drop_in_flight(lambda item: not item.temperature_reply or item.number)
            self._send_from = max(self._send_from, number)
            return acked
        self._count_request(number)
        # Every line before N was accepted, including lines whose place in flight an earlier
        # recovery gave up (the firmware had them): acknowledged now, once.
        self._accept_through(number - 1, acked)
        self.proven = max(self.proven, number - 1)
        # Every line written from N on may still be refused, once (this request answers one).
        # Counted from the numbers, not from what is in flight: an ok that comes before its
        # Resend (older Marlin) or twice has already freed a place there. During a recovery,
        # the lines of earlier rounds not answered yet may be refused too, whatever their
        # number (a firmware that fell behind answers rounds long sent): counted as well, or
        # their refusals would pass for this round's and send it again and again.
        owed = self._sent_max - number
        if self.recovering:
            # Lines of the round before N were accepted (the firmware asks for N): no refusal
            # will come for them.
            earlier = self._owed_before_round - 1
            if not self._round_due:
                still = sum(1 for n in self._round_numbers if n >= number)
                earlier += still - self._round_refusals
            owed = earlier
        self._enter_recovery(number, owed_before=max(0, owed))
        return acked

    def _on_resend_beyond(self, number: int) -> None:
        """The firmware says it is past every line we sent: a damaged digit, or a counter
        that really is ahead. Ask once more with the last line; twice the same: ``M110``."""
        last = self._sent_max
        if self._beyond == number or last < 1:
            self._beyond = None
            self.resyncs += 1
            self._drop_in_flight(lambda item: True)
            self._reset_line = frame(last, f"M110 N{last}") if last >= 1 else reset_numbering(0)
            self._send_from = last + 1  # lines never written are still to go
            self.confirmed = max(self.confirmed, last)
            self._leave_recovery()
            return
        self._beyond = number
        if last in self._history:
            self._enter_recovery(last)

    def on_reset(self) -> None:
        """The firmware rebooted: everything in flight is lost."""
        self._in_flight.clear()
        self._in_flight_bytes = 0
        self._leave_recovery()
