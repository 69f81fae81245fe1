# SPDX-License-Identifier: GPL-3.0-or-later
"""The serial host: one Marlin-like printer on an open link (USB serial or ``sim://marlin``).

The protocol itself lives in :mod:`printers.marlin` (framing, response parser, flow control);
this module does the I/O around it: it writes what the flow control releases, reads what the
printer says, keeps the temperatures, probes a silent printer and turns firmware faults into
:class:`kit.errors.DeviceFault` with a French message. Timeouts use :func:`kit.links.link_clock`,
so on a simulated link a 30 s silence costs no wall-clock time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import serial

from kit.errors import DeviceFault, KitError, LinkError
from kit.links import link_clock
from kit.messages import format_duration_fr
from printers.marlin.events import (
    Busy,
    Capability,
    Echo,
    ErrorMessage,
    Event,
    Fault,
    FaultKind,
    FirmwareInfo,
    HeaterReading,
    LineError,
    Ok,
    Other,
    Resend,
    SdStatus,
    Start,
    TemperatureReport,
    UnknownCommand,
    Wait,
)
from printers.marlin.flow import (
    DEFAULT_QUEUE_SLOTS,
    DEFAULT_RX_BUFFER_BYTES,
    PROBE,
    Acknowledged,
    FlowControl,
    HistoryExceededError,
    ResendLoopError,
    firmware_checks_numbers,
)
from printers.marlin.framing import MAX_FRAMED_LINE_BYTES, LineTooLongError
from printers.marlin.responses import ResponseParser
from printers.marlin.timeouts import (
    MAX_UNANSWERED_PROBES,
    PROBE_AFTER_S,
    command_code,
    probe_after_s,
)

log = logging.getLogger(__name__)

#: How long to wait for the ``start`` banner of a board that resets when the port opens.
START_WAIT_S = 3.0
#: Quiet time that ends the banner.
BANNER_QUIET_S = 0.3
#: Answers awaited from a board that did not say ``start`` before declaring it mute.
CONNECT_ATTEMPTS = 3
CONNECT_ANSWER_S = 3.0
#: Temperature autoreport interval asked with M155 (seconds).
AUTOREPORT_S = 2
#: Silence after which a recovery's round (the lines replayed and the numbered question
#: behind them) is sent again, when no long command is in flight: the question's answer
#: (``ok T:…``) may have been damaged.
RECOVERY_RETRY_S = 1.0
#: The same, sooner, once the firmware has certainly read the round (it refused more lines
#: since than the lines written before could account for: ``FlowControl.round_read``): it
#: reads at once, so nothing of the round is left in its receive buffer. Without that proof
#: the round may wait there, unread, behind a replayed move waiting for room in the
#: planner; sent again on top, it would overflow the buffer.
RECOVERY_FAST_RETRY_S = 0.3
#: Silence after which a printer with only ordinary commands in flight (no homing, heating,
#: dwell, M400…) is asked for its temperatures with an ``M105`` behind the lines in flight,
#: when the receive budget has room for it: numbered right after the last line written
#: (:meth:`FlowControl.ask`), unnumbered only for Klipper and RepRapFirmware, which ignore
#: numbers (a damaged unnumbered line runs as whatever it became: Marlin checks the
#: checksum of numbered lines only). The most common silence on a
#: noisy link is a lost ``ok``: the firmware, idle, answers the probe at once and its ``ok
#: T:`` acknowledges everything sent before it. A firmware that is merely busy (a long move
#: with the planner full) answers it in turn, later, and nothing is sent twice, so no error
#: is provoked on a clean link. Should a line, not its ``ok``, have been lost, the next line
#: is refused and its ``Resend:`` says where the firmware stands: numbering keeps it exactly
#: once. Marlin with HOST_KEEPALIVE_FEATURE says ``busy: processing`` only after 2 s of one
#: command (``GcodeSuite::host_keepalive``, Marlin 2.1.2.1), too late to be waited for here.
OK_LOST_PROBE_S = 0.5
#: Probes sent that way in one silence before the stall recovery proper takes over (one at a
#: time: a second only once the first is answered).
MAX_OK_LOST_PROBES = 3
#: Longest wait for one read (seconds of the link's clock).
READ_SLICE_S = 0.1
#: How long a write may wait for room in the kernel's output queue before the link is lost.
WRITE_LIMIT_S = 5.0

#: What Marlin and Prusa firmware say when PREVENT_COLD_EXTRUSION drops a move's extrusion.
COLD_EXTRUSION_TEXT = "cold extrusion prevented"
#: RepRapFirmware's words for the same (``Tool::DisplayColdExtrusionWarnings``, 3.5.3), in a
#: ``Warning:`` line.
RRF_COLD_EXTRUSION_TEXT = "was not driven because its heater temperatures were not high enough"


class PrinterStopped(DeviceFault):
    """The printer stopped itself, reset, went silent or vanished (exit code 1)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


_FAULT_TEXT = {
    FaultKind.THERMAL_RUNAWAY: (
        "L'imprimante a détecté un emballement thermique (thermal runaway) et a coupé ses "
        "chauffes. Vérifiez la thermistance et la cartouche chauffante avant de relancer."
    ),
    FaultKind.MINTEMP: (
        "L'imprimante signale une température trop basse (MINTEMP) : thermistance débranchée "
        "ou coupée ? Elle a coupé ses chauffes."
    ),
    FaultKind.MAXTEMP: (
        "L'imprimante signale une température trop haute (MAXTEMP) et a coupé ses chauffes."
    ),
    FaultKind.HEATING_FAILED: (
        "La chauffe a échoué (la température ne monte pas) : l'imprimante a coupé ses chauffes."
    ),
    FaultKind.KILLED: "L'imprimante s'est arrêtée d'elle-même (arrêt d'urgence ou kill)",
    FaultKind.EMERGENCY: "L'imprimante signale une erreur fatale",
    FaultKind.STOPPED: "L'imprimante s'est mise à l'arrêt après une erreur",
}


@dataclass
class FirmwareIdentity:
    """What M115 said: the ``FIRMWARE_NAME`` fields and the ``Cap:`` lines."""

    fields: dict[str, str] = field(default_factory=dict)
    capabilities: dict[str, bool] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.fields.get("FIRMWARE_NAME", "inconnu")

    def has(self, capability: str) -> bool:
        return self.capabilities.get(capability, False)


class MarlinHost:
    """A connected Marlin-like printer: send commands, stream lines, watch temperatures."""

    def __init__(
        self,
        link: serial.SerialBase,
        *,
        port_name: str = "",
        ping_pong: bool = False,
        rx_buffer_bytes: int = DEFAULT_RX_BUFFER_BYTES,
        queue_slots: int = DEFAULT_QUEUE_SLOTS,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.link = link
        self.port_name = port_name or str(getattr(link, "port", "") or "")
        self.clock = clock or link_clock(link)
        self.parser = ResponseParser()
        self.flow = FlowControl(
            ping_pong=ping_pong, max_lines=queue_slots, rx_buffer_bytes=rx_buffer_bytes
        )
        log.info("au plus %d octets envoyés d'avance (tampon de réception)", rx_buffer_bytes)
        self.identity = FirmwareIdentity()
        self.temperatures: dict[str, HeaterReading] = {}
        self.recent: deque[str] = deque(maxlen=200)
        self.connected = False
        self.listeners: list[Callable[[Event], None]] = []
        self.bytes_written = 0
        self.last_message: str | None = None
        #: Moves the firmware ran without their extrusion (« cold extrusion prevented »): the
        #: print goes on, but no filament comes out — the user must hear about it.
        self.cold_extrusions = 0
        self._last_progress_s = self.clock()
        self._alive_s = self._last_progress_s
        self._stall_recoveries = 0
        self._stall_started_s = self._last_progress_s
        self._ok_lost_probes = 0
        #: A line came back as junk during a recovery (``Unknown command``): perhaps the
        #: round's, so the round goes again without waiting.
        self._round_damaged = False
        self._autoreport = False
        self._banner_seen = False
        self._fd = _posix_fd(link)

    # -- low level I/O ---------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        if not data:
            return
        try:
            if self._fd is not None:
                self._write_fd(self._fd, data)
            else:
                self.link.write(data)
        except (serial.SerialException, OSError) as exc:
            raise self._vanished(exc) from exc
        self.bytes_written += len(data)

    def _write_fd(self, fd: int, data: bytes) -> None:
        """Fast path for a POSIX serial port: ``os.write`` until everything is queued.

        pyserial's ``write`` follows every ``os.write`` with a ``select`` for writability and
        an abort pipe; the flow control never sends more than the printer's buffer holds, so
        the kernel's output queue always has room and the first write takes it all.
        """
        view = memoryview(data)
        deadline = self.clock() + WRITE_LIMIT_S
        while view:
            try:
                written = os.write(fd, view)
            except BlockingIOError:
                written = 0
            view = view[written:]
            if view:
                if self.clock() > deadline:
                    raise PrinterStopped(
                        "L'imprimante ne lit plus rien sur la liaison USB depuis "
                        f"{format_duration_fr(WRITE_LIMIT_S)} : impression arrêtée. "
                        "Vérifiez qu'elle est allumée, puis débranchez et rebranchez le câble USB.",
                        reason="stalled",
                    )
                select.select([], [fd], [], READ_SLICE_S)

    def _read_some(self) -> bytes:
        if self._fd is not None:
            return self._read_fd(self._fd)
        try:
            waiting = self.link.in_waiting
            if waiting:
                return bytes(self.link.read(waiting))
            first = bytes(self.link.read(1))
            if not first:
                return b""
            more = self.link.in_waiting
            return first + (bytes(self.link.read(more)) if more else b"")
        except (serial.SerialException, OSError) as exc:
            raise self._vanished(exc) from exc

    def _read_fd(self, fd: int) -> bytes:
        """Fast path for a POSIX serial port: one ``select`` and one ``read`` per round.

        pyserial's ``read`` does the same system calls plus its own bookkeeping, and a round
        through ``in_waiting``/``read(1)``/``read(n)`` costs about three times as many calls;
        on a streaming host that is most of the CPU per line. pyserial keeps no buffer of its
        own on POSIX, so reading the descriptor directly loses nothing.
        """
        try:
            ready, _, _ = select.select([fd], [], [], READ_SLICE_S)
            if not ready:
                return b""
            data = os.read(fd, 4096)
        except OSError as exc:
            raise self._vanished(exc) from exc
        if not data:
            # Readable but empty: the device is gone (same diagnosis as pyserial).
            raise self._vanished(OSError("device reports readiness to read but returned no data"))
        return data

    def _vanished(self, exc: BaseException) -> PrinterStopped:
        log.info("liaison perdue : %s", exc)
        self.connected = False
        return PrinterStopped(
            "La liaison USB avec l'imprimante a été perdue (câble débranché, imprimante "
            "éteinte ou carte qui a redémarré).",
            reason="vanished",
        )

    def verify_last(self) -> None:
        """Send the last line again as proof (see :meth:`FlowControl.verify_last`)."""
        try:
            data = self.flow.verify_last(firmware_checks_numbers=self.flow.checks_numbers)
        except HistoryExceededError as exc:
            raise PrinterStopped("Historique des lignes perdu.", reason="history") from exc
        self._write(data)

    def flush_output(self) -> None:
        """Write every line the flow-control window lets go now."""
        self._write(self._take_output())

    def _take_output(self) -> bytes:
        try:
            return self.flow.take_output()
        except HistoryExceededError as exc:
            raise self._history_lost(exc) from exc

    # -- events ----------------------------------------------------------------------------
    def pump(self) -> list[Acknowledged]:
        """One round: send what the window allows, read, handle, watch the silence."""
        self._write(self._take_output())
        data = self._read_some()
        now = self.clock()
        acked: list[Acknowledged] = []
        if data:
            for line, event in self.parser.feed_lines(data):
                acked.extend(self._handle(event, now, line))
        self._watch_silence(now)
        # An ok may have opened the window (or allowed the next line of a recovery).
        self._write(self._take_output())
        return acked

    def _handle(self, event: Event, now: float, line: str = "") -> list[Acknowledged]:
        for listener in self.listeners:
            listener(event)
        if isinstance(event, Ok):
            if event.temperatures is not None:
                # "ok T:… B:…" is Marlin's answer to M105: part of the command's reply.
                self._store_temperatures(event.temperatures)
                self.recent.append(line)
            acked = self._flow_handle(event, now)
            if acked or not self.flow.recovering:
                self._progress(now)
            return acked
        if isinstance(event, TemperatureReport):
            self._store_temperatures(event)
            # Marlin prints temperatures while M109/M190 wait: the printer is busy heating.
            # (Autoreported temperatures come whatever the printer does: they prove nothing.)
            # Unasked for, without M155, they are RepRapFirmware's report every 2 s while any
            # command runs (GCodes::CheckReportDue, 3.5.3): busy too.
            if self._heating_in_flight() or not self._autoreport:
                self._alive_s = now
            return []
        if isinstance(event, (Resend, LineError)):
            log.info("imprimante : %s", event)
            if isinstance(event, Resend):
                # The firmware said exactly where it stands: that is an acknowledgement.
                self._progress(now)
            return self._flow_handle(event, now)
        if isinstance(event, Busy):
            self._alive_s = now
        if isinstance(event, Wait) and self.connected:
            # "wait": the firmware is idle. Lines still unacknowledged were lost on the way.
            self._watch_silence(now, idle_said=True)
        if isinstance(event, Fault):
            raise self._fault(event)
        if isinstance(event, Start):
            if self.connected:
                self.connected = False
                raise PrinterStopped(
                    "L'imprimante a redémarré toute seule (coupure d'alimentation, carte qui a "
                    "planté ou port rouvert par un autre programme). Elle a tout oublié : "
                    "chauffes coupées, impression perdue.",
                    reason="reset",
                )
            self._banner_seen = True
            return []
        if isinstance(event, FirmwareInfo):
            self.identity.fields = dict(event.fields)
            self.recent.append(line)
        elif isinstance(event, Capability):
            self.identity.capabilities[event.name] = event.enabled
            self.recent.append(line)
        elif isinstance(event, (Echo, Other, SdStatus, ErrorMessage, UnknownCommand, Busy)):
            # A refusal whose "Resend:" came damaged is taken from the error line before it.
            acked = self._flow_handle(event, now)
            self.recent.append(line or str(getattr(event, "text", "")))
            if (isinstance(event, Echo) and COLD_EXTRUSION_TEXT in event.text.lower()) or (
                isinstance(event, Other) and RRF_COLD_EXTRUSION_TEXT in event.text
            ):
                self.cold_extrusions += 1
            if isinstance(event, ErrorMessage):
                self.last_message = event.text
            if isinstance(event, UnknownCommand) and self.flow.recovering:
                # No unnumbered line is sent during a recovery: a line whose N was damaged
                # reached the firmware as junk (« Unknown command: "n12 G1…" »), perhaps the
                # round's, whose answer would then never come. The firmware has read
                # everything sent before it: the round goes again at once rather than after
                # RECOVERY_RETRY_S (a duplicate round is refused, saying where it stands).
                self._round_damaged = True
            if acked:
                self._progress(now)
            return acked
        return []

    def _progress(self, now: float) -> None:
        self._last_progress_s = now
        self._stall_recoveries = 0
        self._ok_lost_probes = 0

    def _flow_handle(self, event: Event, now: float | None = None) -> list[Acknowledged]:
        try:
            return self.flow.handle(event)
        except HistoryExceededError as exc:
            raise self._history_lost(exc) from exc
        except ResendLoopError as exc:
            self.connected = False
            raise PrinterStopped(
                f"L'imprimante redemande sans cesse la ligne {exc.line_number} "
                f"({exc.times} fois de suite) : la liaison USB est trop perturbée. Essayez un "
                "autre câble, un port USB sans rallonge, ou une vitesse plus basse.",
                reason="resend_loop",
            ) from exc

    def _history_lost(self, exc: HistoryExceededError) -> PrinterStopped:
        return PrinterStopped(
            f"L'imprimante redemande la ligne {exc.line_number}, plus ancienne que les "
            "lignes gardées en mémoire : impossible de reprendre sans risque.",
            reason="history",
        )

    def _store_temperatures(self, report: TemperatureReport) -> None:
        self.temperatures.update(report.heaters)

    def _fault(self, event: Fault) -> PrinterStopped:
        self.connected = False
        text = _FAULT_TEXT.get(event.kind, "L'imprimante s'est arrêtée sur une erreur.")
        if event.kind in (FaultKind.EMERGENCY, FaultKind.KILLED, FaultKind.STOPPED):
            text = f"{text} : « {event.text} »." if event.text else f"{text}."
        return PrinterStopped(text, reason=event.kind.value)

    def _watch_silence(self, now: float, *, idle_said: bool = False) -> None:
        """Recover a stall: nothing acknowledged for longer than the lines in flight allow.

        Only acknowledgements (an ``ok`` that frees a line, a ``Resend:``) count as progress.
        ``busy:`` and the temperatures printed during M109/M190 say a long command is running:
        they keep its allowance open, but never prove that a line was received. ``wait`` says
        the firmware is idle: with lines unacknowledged, they were lost (``idle_said``).

        Before that, a silence of :data:`OK_LOST_PROBE_S` over ordinary lines is asked about
        with a numbered ``M105`` behind them (a lost ``ok`` is then found within a second,
        nothing sent twice). On a stall the same question is asked
        (:meth:`FlowControl.recover_stall`), or, during a recovery, its round goes again.
        The retries back off (5 s, 10 s, 20 s…). During a recovery, whose round is answered
        within milliseconds, the retry comes after :data:`RECOVERY_FAST_RETRY_S` when that
        cannot overflow the receive buffer, at once when a line came back as junk
        (``Unknown command``), else after :data:`RECOVERY_RETRY_S` (the flow control itself
        sends the round again at once when the firmware's answers show it was refused).
        After :data:`MAX_UNANSWERED_PROBES` retries without any acknowledgement, and once the
        longest command in flight had its allowance, the printer is declared lost.
        """
        if self.flow.idle:
            self._progress(now)
            return
        silent_for = now - self._last_progress_s
        if self.flow.recovering:
            # A round the firmware has certainly read (it refused some of it) goes again
            # soon: the firmware reads, nothing of the round is left waiting. Without that
            # proof the round may still wait in its receive buffer behind a replayed move
            # that waits for room in the planner, and sending it again would overflow it.
            retry_after = RECOVERY_RETRY_S
            if self.flow.round_read:
                retry_after = RECOVERY_FAST_RETRY_S
        else:
            retry_after = PROBE_AFTER_S * (2 ** min(self._stall_recoveries, 6))
            if (
                silent_for >= OK_LOST_PROBE_S * (self._ok_lost_probes + 1)
                and self._ok_lost_probes < MAX_OK_LOST_PROBES
                and not idle_said
                and self._probe_for_lost_ok(silent_for)
            ):
                return
        round_damaged, self._round_damaged = self._round_damaged, False
        if round_damaged and self.flow.recovering:
            silent_for = retry_after = RECOVERY_RETRY_S
        if silent_for < retry_after and not (idle_said and silent_for >= RECOVERY_RETRY_S):
            return  # the common case, decided without looking at what is in flight
        commands = [getattr(tag, "command", "") for tag in self.flow.unacknowledged_tags()]
        allowed = probe_after_s(commands)
        if allowed > PROBE_AFTER_S and now - self._alive_s < PROBE_AFTER_S and not idle_said:
            return  # a long command is running and the printer keeps saying so
        if self._stall_recoveries == 0:
            self._stall_started_s = self._last_progress_s
        total = now - self._stall_started_s
        if self._stall_recoveries >= MAX_UNANSWERED_PROBES and total >= max(
            allowed, PROBE_AFTER_S * (MAX_UNANSWERED_PROBES + 1)
        ):
            self.connected = False
            raise PrinterStopped(
                "L'imprimante ne répond plus : aucune ligne confirmée depuis "
                f"{format_duration_fr(total)}, même après {self._stall_recoveries} relances. "
                "Elle est peut-être bloquée ou éteinte.",
                reason="silent",
            )
        log.info("rien de confirmé depuis %.1f s : l'imprimante est interrogée", silent_for)
        self._stall_recoveries += 1
        self._ok_lost_probes = 0
        self._last_progress_s = now
        try:
            self._write(self.flow.recover_stall())
        except HistoryExceededError as exc:
            raise self._history_lost(exc) from exc
        self._write(self._take_output())

    def _probe_for_lost_ok(self, silent: float) -> bool:
        """Ask where the printer is, behind the ordinary lines in flight (see
        :data:`OK_LOST_PROBE_S`); False when a long command is in flight or the receive
        budget has no room for the question.

        For firmware that checks line numbers the question is a numbered ``M105``
        (:meth:`FlowControl.ask`, about 15 bytes), never an unnumbered line.
        """
        flow = self.flow
        if flow.resetting:
            return False
        commands = [getattr(tag, "command", "") for tag in flow.unacknowledged_tags()]
        if probe_after_s(commands) > PROBE_AFTER_S:
            return False  # homing, heating, dwell…: silence is expected
        if flow.checks_numbers:
            if flow.in_flight_bytes + flow.question_size() > flow.rx_buffer_bytes:
                return False
            if flow.questions_in_flight:
                # One question at a time: answers cannot be told apart, so with two in flight
                # a lost answer would have each later one taken for the one before it.
                return False
            self._ok_lost_probes += 1
            log.info("rien de confirmé depuis %.1f s : M105 numéroté derrière les lignes", silent)
            try:
                self._write(flow.ask())
            except HistoryExceededError as exc:
                raise self._history_lost(exc) from exc
            return True
        if flow.in_flight_bytes + len(PROBE) > flow.rx_buffer_bytes:
            return False
        self._ok_lost_probes += 1
        log.info("rien de confirmé depuis %.1f s : M105 demandé derrière les lignes", silent)
        self._write(flow.take_probe())
        return True

    def _heating_in_flight(self) -> bool:
        return any(
            command_code(getattr(tag, "command", "")) in ("M109", "M190")
            for tag in self.flow.unacknowledged_tags()
        )

    # -- connection ------------------------------------------------------------------------
    def connect(self) -> FirmwareIdentity:
        """Wait for the boot banner (or probe), reset line numbers, identify the firmware."""
        self._banner_seen = False
        self.connected = False
        deadline = self.clock() + START_WAIT_S
        while self.clock() < deadline and not self._banner_seen:
            self._absorb()
        if self._banner_seen:
            quiet_since = self.clock()
            while self.clock() - quiet_since < BANNER_QUIET_S:
                if self._absorb():
                    quiet_since = self.clock()
        self.flow.reset_numbering()
        answered = False
        for _attempt in range(CONNECT_ATTEMPTS):
            if self._wait_idle(CONNECT_ANSWER_S):
                answered = True
                break
            # No answer to M110: maybe the board was still booting. Ask again.
            self.flow.reset_numbering()
        if not answered:
            raise LinkError(
                f"L'imprimante ne répond pas sur « {self.port_name} ». Vérifiez qu'elle est "
                "allumée et que la vitesse est la bonne (115200 ou 250000 bauds)."
            )
        self.connected = True
        self.command("M115")
        # Klipper and RepRapFirmware leave line numbers unchecked: a line sent twice would run
        # twice.
        self.flow.checks_numbers = firmware_checks_numbers(self.identity.name)
        if self.identity.has("AUTOREPORT_TEMP"):
            self.command(f"M155 S{AUTOREPORT_S}")
            self._autoreport = True
        self.poll_temperatures()
        return self.identity

    def _absorb(self) -> bool:
        """Read and handle whatever comes during connection; True if anything came."""
        data = self._read_some()
        if data:
            for line, event in self.parser.feed_lines(data):
                self._handle(event, self.clock(), line)
        return bool(data)

    def _wait_idle(self, limit_s: float) -> bool:
        deadline = self.clock() + limit_s
        while not self.flow.idle:
            if self.clock() >= deadline:
                return False
            self.pump()
        return True

    # -- commands --------------------------------------------------------------------------
    def push(self, command: str, tag: Any = None) -> int:
        """Queue one command for sending; raises :class:`KitError` if it is too long."""
        try:
            return self.flow.push(command, tag)
        except LineTooLongError as exc:
            raise KitError(
                f"Commande trop longue pour l'imprimante ({exc.length} octets une fois "
                f"numérotée, {MAX_FRAMED_LINE_BYTES} au plus) : « {command[:40]}… »."
            ) from exc

    def command(self, command: str, *, timeout_s: float | None = None) -> list[str]:
        """Send one command and wait until it is acknowledged; return what the printer said."""
        self.recent.clear()
        tag = _CommandTag(command)
        self.push(command, tag)
        limit = timeout_s if timeout_s is not None else probe_after_s([command]) * 4
        deadline = self.clock() + limit
        while not self.flow.idle:
            if self.clock() >= deadline:
                raise PrinterStopped(
                    f"Pas de réponse de l'imprimante à « {command} » après "
                    f"{format_duration_fr(limit)}.",
                    reason="silent",
                )
            if any(acked.tag is tag for acked in self.pump()):
                # Done, even if an older M105 still seems to be in flight: once an "ok T:"
                # is lost, each later one is taken for the one before it (they cannot be
                # told apart), so the flow may never look idle; the next plain ok frees it.
                break
        return list(self.recent)

    @property
    def reports_temperatures(self) -> bool:
        """True once the printer sends its temperatures by itself (M155 autoreport)."""
        return self._autoreport

    def poll_temperatures(self) -> dict[str, HeaterReading]:
        """Current temperatures (asks with M105 unless the printer reports by itself)."""
        if self._autoreport and self.temperatures:
            self._absorb_pending()
        else:
            self.command("M105")
        return dict(self.temperatures)

    def _absorb_pending(self) -> None:
        try:
            waiting = self.link.in_waiting
        except (serial.SerialException, OSError) as exc:
            raise self._vanished(exc) from exc
        if waiting:
            self._absorb()

    def restart_numbering(self) -> None:
        """Abandon every line in flight, being replayed or waiting (cancel): ``M110 N0``
        goes next and the following command is line 1 again."""
        self.flow.reset_numbering()

    def break_heating_wait(self) -> bool:
        """Interrupt a running M109/M190 with M108 (needs the emergency parser); True if sent."""
        if not self.identity.has("EMERGENCY_PARSER"):
            return False
        self._write(self.flow.take_unnumbered(b"M108\n"))
        return True

    def emergency_stop(self) -> None:
        """M112, written at once (the emergency parser acts on it even with a full queue)."""
        self._write(b"M112\n")

    def close(self) -> None:
        with contextlib.suppress(serial.SerialException, OSError):
            self.link.close()


def _posix_fd(link: serial.SerialBase) -> int | None:
    """The file descriptor of a real POSIX serial port (None for URLs and other platforms)."""
    try:
        from serial.serialposix import Serial as PosixSerial
    except ImportError:  # Windows
        return None
    if type(link) is not PosixSerial:
        return None
    fd = getattr(link, "fd", None)
    return fd if isinstance(fd, int) else None


@dataclass(frozen=True)
class _CommandTag:
    command: str
