# SPDX-License-Identifier: GPL-3.0-or-later
"""Flow control for streaming numbered lines: how many may be in flight, what to resend.

Model (after grbl's "character counting" streaming, adapted to Marlin):

- Marlin answers ``ok`` once a command has been *processed* (a move: once it is in the planner).
  Until then the line occupies either a command-queue slot (``BUFSIZE``, 4 on 8-bit boards) or
  bytes of the UART receive buffer (``RX_BUFFER_SIZE``, 128 bytes by default). The receive
  buffer *drops* bytes when full, so a host must never have more unacknowledged bytes on the
  wire than it can hold. We keep the bytes of every unacknowledged line below
  ``rx_buffer_bytes`` and their count below ``max_lines`` (learnt from ADVANCED_OK's ``B``).
- Every line carries a number, so the firmware refuses anything but ``last + 1``: resending is
  always safe, and a line is never executed twice or skipped.
- ``Resend: n`` (and every Marlin line error) is followed by an ``ok`` that acknowledges
  nothing; we swallow it. Lines sent after a bad one each cause one more ``Resend: n``
  (Marlin flushes its buffer on error, so some cause none): those duplicates are ignored.
- Marlin always says ``Error:…, Last Line: k`` just before ``Resend: k+1``. On a noisy line
  either may arrive garbled; a resend request is acted on only when it agrees with the error
  line before it (or when no error line preceded it at all, for firmware that sends none), so
  that a corrupted digit never rewinds the stream to a line the firmware already executed.
- A probe (unnumbered ``M105``) answers ``ok T:…`` after everything sent before it was
  processed: that answer acknowledges all older lines, which recovers a lost ``ok``.
- At the end, a numbered ``M400`` and ``M105`` make a barrier; then the last line is sent
  *again* (:meth:`FlowControl.verify_last`). A firmware that accepted every line refuses the
  duplicate with ``Last Line: k`` and ``Resend: k+1``: an exact proof that nothing was
  skipped, which no count of ``ok`` can give on a noisy line. If it asks for an older line
  instead, the stream rewinds and the barrier is replayed.

Pure state machine: no I/O, no clock.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any, NamedTuple

from printers.marlin.events import ErrorMessage, Event, LineError, Ok, Other, Resend
from printers.marlin.framing import frame, reset_numbering

#: Marlin's default RX_BUFFER_SIZE (Configuration_adv.h) and BUFSIZE on 8-bit boards.
DEFAULT_RX_BUFFER_BYTES = 128
DEFAULT_QUEUE_SLOTS = 4
#: Lines kept for resends. Marlin asks for the line after its last accepted one, which is at
#: most a window old; 1024 lines leave a wide margin and cost ~40 KiB.
DEFAULT_HISTORY_LINES = 1024

PROBE = b"M105\n"


class HistoryExceededError(Exception):
    """The firmware asked for a line older than the kept history."""

    def __init__(self, line_number: int, oldest_kept: int | None) -> None:
        super().__init__(f"resend of line {line_number} requested, oldest kept {oldest_kept}")
        self.line_number = line_number
        self.oldest_kept = oldest_kept


@dataclass(slots=True)
class _InFlight:
    number: int | None  # None for a probe
    size: int
    temperature_reply: bool  # answered by "ok T:…" (M105 and probes)


class Acknowledged(NamedTuple):
    """A line the firmware has processed (its ``tag`` is what the host pushed with it).

    ``proven`` is True when the acknowledgement was an ``ok T:…`` answering this very line or
    a probe sent after it (as opposed to a plain ``ok`` matched by position).
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
        self.max_lines = 1 if ping_pong else max(1, max_lines)
        self.rx_buffer_bytes = rx_buffer_bytes
        self.history_lines = history_lines
        self.next_number = 1
        self._history: OrderedDict[int, tuple[bytes, Any, bool]] = OrderedDict()
        self._pending: deque[int] = deque()
        self._in_flight: deque[_InFlight] = deque()
        self._in_flight_bytes = 0
        self._swallow_oks = 0
        self._stale_resends = 0
        self._rewind_target: int | None = None
        self._learnt_slots: int | None = None
        self.resends = 0
        self.line_errors = 0
        self.duplicate_resends = 0
        self.bytes_sent = 0
        self._reset_line: bytes | None = None
        self._error_last_line: int | None = None
        self._after_garbage = False
        self.unconfirmed_resends = 0
        self._verifying: int | None = None
        self._verify_by_ok = False
        self.verified = False

    # -- feeding --------------------------------------------------------------------------
    def reset_numbering(self) -> None:
        """Start over at line 1 (after connect or a reset): send ``N0 M110 N0`` first."""
        self._history.clear()
        self._pending.clear()
        self._in_flight.clear()
        self._in_flight_bytes = 0
        self._swallow_oks = 0
        self._stale_resends = 0
        self._rewind_target = None
        self.next_number = 1
        self._reset_line = reset_numbering(0)

    def push(self, command: str, tag: Any = None) -> int:
        """Queue one command (comment-free); return its line number.

        Raises :class:`printers.marlin.framing.LineTooLongError` before anything is queued.
        """
        number = self.next_number
        data = frame(number, command)
        temperature_reply = command[:4].upper() == "M105"
        self.next_number += 1
        self._history[number] = (data, tag, temperature_reply)
        while len(self._history) > self.history_lines:
            self._history.popitem(last=False)
        self._pending.append(number)
        return number

    @property
    def has_pending(self) -> bool:
        return bool(self._pending) or self._reset_line is not None

    @property
    def in_flight_lines(self) -> int:
        return len(self._in_flight)

    @property
    def in_flight_bytes(self) -> int:
        return self._in_flight_bytes

    @property
    def idle(self) -> bool:
        """Nothing waiting to be sent and nothing unacknowledged."""
        return not self._pending and not self._in_flight and self._reset_line is None

    def _room_for(self, size: int) -> bool:
        if not self._in_flight:
            return True
        if len(self._in_flight) >= self.max_lines:
            return False
        return self._in_flight_bytes + size <= self.rx_buffer_bytes

    def take_output(self) -> bytes:
        """Bytes to write now: pending lines that fit in the window, oldest first."""
        out = bytearray()
        if self._reset_line is not None:
            if self._in_flight and self.ping_pong:
                return b""
            data = self._reset_line
            self._reset_line = None
            self._add_in_flight(_InFlight(None, len(data), False))
            # M110 is acknowledged with a plain ok: count it as an unnumbered line.
            self._in_flight[-1].number = 0
            out += data
        while self._pending:
            number = self._pending[0]
            entry = self._history.get(number)
            if entry is None:
                raise HistoryExceededError(number, self.oldest_kept)
            data, _tag, temperature_reply = entry
            if not self._room_for(len(data)):
                break
            self._pending.popleft()
            self._add_in_flight(_InFlight(number, len(data), temperature_reply))
            out += data
        self.bytes_sent += len(out)
        return bytes(out)

    def take_probe(self) -> bytes:
        """An unnumbered ``M105``: its ``ok T:`` proves older lines were processed.

        At most one probe is kept in flight: when a new one is needed, the printer has been
        silent again since the previous probe, whose answer (if any) was then matched to an
        older item, so the old probe is forgotten.
        """
        kept = deque(item for item in self._in_flight if item.number is not None)
        self._in_flight = kept
        self._in_flight_bytes = sum(item.size for item in kept)
        self._add_in_flight(_InFlight(None, len(PROBE), True))
        self.bytes_sent += len(PROBE)
        return PROBE

    def verify_last(self, *, firmware_checks_numbers: bool = True) -> bytes:
        """The last pushed line again, to make the firmware state its last accepted line.

        Sets :attr:`verified` when the answer proves the firmware accepted every line. A
        firmware that ignores line numbers (Klipper) just executes it: an ``ok`` with
        temperatures after which nothing is in flight is then the answer.
        """
        number = self.next_number - 1
        entry = self._history.get(number)
        if entry is None:
            raise HistoryExceededError(number, self.oldest_kept)
        self._verifying = number
        self._verify_by_ok = not firmware_checks_numbers
        self.verified = False
        self.bytes_sent += len(entry[0])
        return entry[0]

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

    @property
    def oldest_kept(self) -> int | None:
        return next(iter(self._history), None)

    @property
    def probes_in_flight(self) -> int:
        return sum(1 for item in self._in_flight if item.number is None)

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
        """Forget lines not sent yet (cancel): numbers stay consumed, so later lines must be
        pushed after :meth:`reset_numbering` or simply follow on (the firmware expects the
        next number after the last line it accepted)."""
        if self._pending:
            first = self._pending[0]
            for number in list(self._history):
                if number >= first:
                    del self._history[number]
            self.next_number = first
            self._pending.clear()

    # -- receiving ------------------------------------------------------------------------
    def handle(self, event: Event) -> list[Acknowledged]:
        """Update the window for one printer event; return the lines it acknowledges."""
        if isinstance(event, Ok):
            self._after_garbage = False
            return self._on_ok(event)
        if isinstance(event, Resend):
            confirmed = (
                event.line_number == self._error_last_line + 1
                if self._error_last_line is not None
                else not self._after_garbage
            )
            self._error_last_line = None
            self._after_garbage = False
            if confirmed:
                self._on_resend(event.line_number)
            else:
                # Still followed by its "ok", which acknowledges nothing.
                self.unconfirmed_resends += 1
                self._swallow_oks += 1
        elif isinstance(event, LineError):
            self.line_errors += 1
            self._error_last_line = event.last_line
            # An error line whose line number was garbled cannot confirm anything.
            self._after_garbage = event.last_line is None
        else:
            self._after_garbage = isinstance(event, (Other, ErrorMessage))
        return []

    def _learn(self, ok: Ok) -> None:
        if ok.queue_free is None or self.ping_pong:
            return
        # ADVANCED_OK's B counts free slots while the acknowledged command still holds one.
        slots = ok.queue_free + 1
        if self._learnt_slots is None or slots > self._learnt_slots:
            self._learnt_slots = slots
            self.max_lines = max(self.max_lines, slots)

    def _on_ok(self, ok: Ok) -> list[Acknowledged]:
        self._learn(ok)
        if (
            self._verifying is not None
            and self._verify_by_ok
            and ok.temperatures is not None
            and not self._in_flight
        ):
            self._verifying = None
            self.verified = True
            return []
        if self._swallow_oks:
            self._swallow_oks -= 1
            return []
        acked: list[Acknowledged] = []
        if ok.temperatures is not None and any(i.temperature_reply for i in self._in_flight):
            # Everything up to the first M105/probe has been processed.
            while self._in_flight:
                item = self._pop_in_flight()
                self._ack(item, acked, proven=True)
                if item.temperature_reply:
                    break
            return acked
        if self._in_flight:
            self._ack(self._pop_in_flight(), acked)
        return acked

    def _ack(self, item: _InFlight, acked: list[Acknowledged], *, proven: bool = False) -> None:
        if item.number:
            entry = self._history.get(item.number)
            acked.append(Acknowledged(item.number, entry[1] if entry else None, proven))

    def _on_resend(self, number: int) -> None:
        # Marlin follows every resend request with an "ok" that acknowledges no line.
        self._swallow_oks += 1
        if number == self._rewind_target and self._stale_resends > 0:
            self._stale_resends -= 1
            self.duplicate_resends += 1
            return
        if self._verifying is not None and number == self._verifying + 1:
            self._verifying = None
            self.verified = number == self.next_number
            return
        if number >= self.next_number:
            if any(item.number == 0 for item in self._in_flight):
                # The M110 that resets the numbering was refused (damaged on the way): again.
                self._in_flight = deque(i for i in self._in_flight if i.number != 0)
                self._in_flight_bytes = sum(i.size for i in self._in_flight)
                self._reset_line = reset_numbering(0)
            # Otherwise the firmware already has every line we sent: nothing to do.
            return
        if number not in self._history:
            raise HistoryExceededError(number, self.oldest_kept)
        self.resends += 1
        kept: deque[_InFlight] = deque()
        dropped_after = 0
        for item in self._in_flight:
            if item.number is not None and item.number >= number:
                if item.number > number:
                    dropped_after += 1
                continue
            kept.append(item)
        self._in_flight = kept
        self._in_flight_bytes = sum(i.size for i in kept)
        self._stale_resends = dropped_after
        self._rewind_target = number
        self._pending = deque(range(number, self.next_number))

    def on_reset(self) -> None:
        """The firmware rebooted: everything in flight is lost."""
        self._in_flight.clear()
        self._in_flight_bytes = 0
        self._swallow_oks = 0
        self._stale_resends = 0
