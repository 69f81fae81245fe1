# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulated firmware: Marlin 2.x's main loop, in virtual time.

Marlin's ``loop()`` does two things over and over: ``get_available_commands()`` moves complete
lines from the UART buffer into the command queue (``BUFSIZE`` slots, checking line numbers
and checksums on the way), and ``advance()`` processes the command at the head of the queue.
Processing may block: a move waits for room in the planner, ``M109`` for the hotend, ``G28``
and ``M400`` for the planner to drain. While it blocks, nothing is read from the UART: bytes
pile up in the receive buffer, and past its size they are lost. ``ok`` is sent when the
command has been processed, before its slot is freed.

Everything happens at explicit virtual times; see :class:`sim.device.SimulatedDevice`.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TextIO

from kit.errors import EXIT_FAILURE, KitError
from printers.arcs import arc_waypoints
from printers.marlin.framing import parse_received_line
from sim.device import SimulatedDevice
from sim.marlin.config import MarlinConfig
from sim.marlin.dialects import DIALECTS, temperature_text
from sim.marlin.faults import corrupt_output, flip_bit
from sim.marlin.link import HostToPrinterWire, PrinterToHostWire, ReceiveBuffer
from sim.marlin.motion import PlannerQueue
from sim.marlin.thermal import Heater

#: Marlin's DEFAULT_KEEPALIVE_INTERVAL (HOST_KEEPALIVE_FEATURE), seconds.
KEEPALIVE_S = 2.0
#: How often M109/M190 print the temperatures while waiting (Marlin: once a second).
HEAT_REPORT_S = 1.0
#: Homing and probing durations of the simulated machine.
HOMING_S = 4.0
PROBING_S = 25.0
#: Commands whose wait is not "the planner is being fed" (they end a starvation candidate).
_WAITING_CODES = {"G4", "G28", "G29", "M400", "M109", "M190", "M0", "M1", "M600", "M84", "M18"}
#: Executed commands remembered (about 100 MB at most).
MAX_RECORDED = 1_000_000
#: Characters of a line Marlin keeps (MAX_CMD_SIZE 96, minus the terminating NUL).
MAX_CMD_CHARS = 95
#: Emergency parser commands (Marlin's ``EMERGENCY_PARSER``): acted on as they arrive.
_EMERGENCY_CODES = ("M112", "M108", "M410")


_VANISHED_FR = "Simulateur : la liaison USB de l'imprimante a été coupée (panne simulée)."


class PortVanishedError(KitError, OSError):
    """The simulated USB device disappeared (cable pulled, board browned out).

    An ``OSError`` like the one pyserial raises when a real adapter vanishes, so hosts handle
    it the same way; a :class:`KitError` so that ``kit sim serve`` ends with a French message.
    """

    exit_code = EXIT_FAILURE


@dataclass(frozen=True)
class ExecutedCommand:
    """One command the firmware processed: when, with which line number, and what."""

    time_s: float
    line_number: int | None
    command: str


@dataclass
class _Queued:
    line_number: int | None
    command: str


@dataclass
class _Wait:
    kind: str  # "planner_slot", "sync", "sleep", "heat"
    then: str = ""  # after "sync": "sleep" (dwell/homing) or ""
    until_s: float | None = None
    sleep_s: float = 0.0
    heater: Heater | None = None
    cooling_too: bool = False
    #: Moves still to queue, when the planner was full (one for G0/G1, an arc's chords for G2/G3).
    deltas: tuple[tuple[float, float, float, float], ...] = ()
    feed_mm_s: float = 0.0
    reached_s: float | None = None


class MarlinPrinter(SimulatedDevice):
    """``sim://marlin``: Marlin 2.x on an 8-bit board unless told otherwise."""

    kind = "marlin"

    def __init__(self, options: Mapping[str, str] | None = None) -> None:
        super().__init__(options)
        self.config = MarlinConfig.from_options(self.options)
        self.dialect = DIALECTS[self.config.dialect]
        baud = self.config.baud or 115200
        self._host_baud = baud
        self._in = HostToPrinterWire(baud, self.config.latency_s)
        self._out = PrinterToHostWire(baud, self.config.latency_s)
        self._rx = ReceiveBuffer(self.config.rx_buffer)
        self._rng = random.Random(self.config.seed)
        self._now = 0.0
        #: Every command processed, oldest first (the oldest are forgotten past
        #: :data:`MAX_RECORDED`, so that a printer served for hours keeps a bounded memory).
        self.executed: deque[ExecutedCommand] = deque(maxlen=MAX_RECORDED)
        self.starvation_count = 0
        self.starved_s = 0.0
        self.resets = 0
        self.oks_sent = 0
        self.line_errors = 0
        self.fault: str | None = None
        self.fault_time_s: float | None = None
        self._runaway_done = False
        self._line_faults_done: set[str] = set()
        self._vanished = False
        self._ever_opened = False
        self._journal: TextIO | None = None
        if self.config.journal:
            try:
                self._journal = open(self.config.journal, "a", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                raise KitError(
                    f"Simulateur : impossible d'écrire le journal « {self.config.journal} » "
                    f"({exc.strerror})."
                ) from exc
        self._power_on(0.0)
        self.halted = False
        self._boot_done_s: float | None = None

    # -- state -----------------------------------------------------------------------------
    def _power_on(self, now_s: float) -> None:
        self.last_n = 0
        self._queue: deque[_Queued] = deque()
        self._line = bytearray()
        self._line_corrupted = False
        self._rx.clear()
        self._busy_until: float | None = None
        self._wait: _Wait | None = None
        self._keepalive_s: float | None = None
        self._heat_report_s: float | None = None
        self.planner = PlannerQueue(self.config.planner_blocks)
        self.hotend = Heater(290.0, 40.0, scale=self.config.heat_scale)
        self.bed = Heater(130.0, 120.0, scale=self.config.heat_scale)
        self.fan = 0
        self.motors_on = False
        self.position = [0.0, 0.0, 0.0, 0.0]
        self.absolute = True
        self.absolute_e = True
        self.feedrate_mm_s = 25.0
        self.autoreport_s = 0.0
        self._next_report_s: float | None = None
        self._starve_from_s: float | None = None
        self._last_was_move = False
        self.hung = False
        self.extrude_min_c = self.config.extrude_min_c
        self.allow_cold_extrude = False
        self.cold_extrusions = 0
        #: RRF reports temperatures unasked while a command runs, once asked with M105.
        self.status_requested = False

    @property
    def heaters_off(self) -> bool:
        return self.hotend.target_c == 0 and self.bed.target_c == 0

    # -- SimulatedDevice -------------------------------------------------------------------
    def on_open(self, now_s: float) -> None:
        self._run(now_s)
        # An 8-bit board resets when the port opens (DTR drives its reset line through a
        # capacitor); a 32-bit board with native USB keeps running and says nothing.
        if self.config.reset_on_open:
            self._reset(now_s)

    def on_close(self, now_s: float) -> None:
        self._run(now_s)
        self._in.clear()

    def set_baudrate(self, baudrate: int, now_s: float) -> None:
        self._host_baud = baudrate
        if self.config.baud is None:
            self._in.set_baud(baudrate)
            self._out.set_baud(baudrate)

    def set_control_lines(self, dtr: bool, rts: bool, now_s: float) -> None:
        return None

    def feed(self, data: bytes, now_s: float) -> None:
        if self._vanished:
            raise PortVanishedError(_VANISHED_FR)
        self._run(now_s)
        if self.config.baud is not None and self._host_baud != self.config.baud:
            # Wrong speed: every byte arrives as framing garbage the firmware discards.
            return
        self._in.write(data, now_s)

    def advance(self, now_s: float) -> None:
        self._run(now_s)
        if self._vanished:
            raise PortVanishedError(_VANISHED_FR)

    def read_output(self) -> bytes:
        data = self._out.take_due(self._now)
        if data and self.config.baud is not None and self._host_baud != self.config.baud:
            return bytes(0xF0 | (b & 0x0F) for b in data)
        return data

    def next_event_s(self) -> float | None:
        if self._vanished:
            return None
        # Bytes arriving change nothing the host can see until a line is complete.
        times = [self._next_internal_s(), self._in.next_line_end_s(), self._out.next_delivery_s()]
        present = [t for t in times if t is not None]
        return min(present) if present else None

    # -- statistics ------------------------------------------------------------------------
    @property
    def bytes_received(self) -> int:
        return self._in.bytes_carried

    @property
    def bytes_sent(self) -> int:
        return self._out.bytes_carried

    @property
    def rx_dropped(self) -> int:
        return self._rx.dropped

    @property
    def now_s(self) -> float:
        return self._now

    # -- the event loop --------------------------------------------------------------------
    def _next_internal_s(self) -> float | None:
        if self.hung:
            return None
        candidates = [
            self._boot_done_s,
            self._busy_until,
            self.planner.next_end_s(),
            self._wait_event_s(),
            self._next_report_s if self.autoreport_s > 0 else None,
            self._keepalive_s,
            self._heat_report_s,
        ]
        if self.config.runaway_at_s is not None and not self._runaway_done:
            candidates.append(self.config.runaway_at_s)
        present = [t for t in candidates if t is not None]
        return min(present) if present else None

    def _run(self, now_s: float) -> None:
        guard = 0
        while not self._vanished:
            guard += 1
            if guard > 10_000_000:  # pragma: no cover - a model bug, not a user error
                raise RuntimeError("simulator made no progress")
            t_other = self._next_internal_s()
            t_wire = self._in.next_arrival_s()
            limit = now_s if t_other is None else min(now_s, t_other)
            if t_wire is not None and t_wire <= limit:
                self._receive(limit)
                continue
            if t_other is not None and t_other <= now_s:
                self._now = max(self._now, t_other)
                self._handle_internal(t_other)
                continue
            break
        self._now = max(self._now, now_s)

    def _handle_internal(self, t: float) -> None:
        if self._boot_done_s is not None and self._boot_done_s <= t:
            self._boot_done_s = None
            for line in self.dialect.banner:
                self._send(line, t)
            return
        if (
            self.config.runaway_at_s is not None
            and not self._runaway_done
            and self.config.runaway_at_s <= t
        ):
            self._runaway_done = True
            if not self.halted:
                self._kill("Thermal Runaway, system stopped! Heater_ID: 0", t, "thermal_runaway")
            return
        planner_end = self.planner.next_end_s()
        if planner_end is not None and planner_end <= t:
            self.planner.advance(t)
            if self._last_was_move and self._starve_from_s is None:
                if not self.planner.moving:
                    self._starve_from_s = self.planner.ran_dry_at_s
                elif self.planner.alone_since_s is not None:
                    self._starve_from_s = self.planner.alone_since_s
            self._check_wait(t)
            return
        if self._busy_until is not None and self._busy_until <= t:
            self._busy_until = None
            self._execute_current(t)
            return
        wait_s = self._wait_event_s()
        if self._wait is not None and wait_s is not None and wait_s <= t:
            self._check_wait(t)
            return
        if self._heat_report_s is not None and self._heat_report_s <= t:
            self._send(self._temperature_line(t) + " W:?", t)
            self._heat_report_s = t + HEAT_REPORT_S
            return
        if self._keepalive_s is not None and self._keepalive_s <= t:
            if self.dialect.keepalive == "temperatures":
                if self.status_requested:
                    self._send(self._temperature_line(t), t)
            else:
                self._send("echo:busy: processing", t)
            self._keepalive_s = t + KEEPALIVE_S
            return
        if self.autoreport_s > 0 and self._next_report_s is not None and self._next_report_s <= t:
            self._send(self._temperature_line(t), t)
            self._next_report_s = t + self.autoreport_s
            return

    # -- receiving -------------------------------------------------------------------------
    def _receive(self, limit_s: float) -> None:
        """Take bytes off the wire up to ``limit_s``; stop early when the loop state changes."""
        while True:
            chunk, first_t, bt = self._in.arrived(limit_s)
            if not chunk:
                return
            for index, byte in enumerate(chunk):
                if self._take_byte(byte, first_t + index * bt):
                    self._in.consume(index + 1)
                    return
            self._in.consume(len(chunk))

    def _take_byte(self, byte: int, t: float) -> bool:
        """One byte reaches the UART at ``t``; True when the main loop's state changed."""
        if t > self._now:
            self._now = t
        if self._boot_done_s is not None or self.halted or self.hung:
            return False  # the bootloader or a dead board swallows it
        if (
            self.config.corrupt_in > 0
            and byte not in (10, 13)
            and not self._line_corrupted
            and self._rng.random() < self.config.corrupt_in
        ):
            byte = flip_bit(byte, self._rng)
            self._line_corrupted = True
        acted = self.config.emergency_parser and byte in (10, 13) and self._emergency_check(t)
        if self.halted:
            return True
        # An emergency command still goes through the queue (as a no-op) and gets its ok.
        if self._current_idle():
            self._append_to_line(byte)
            if byte in (10, 13):
                self._complete_line(t)
                if not self._current_idle() or self.halted or self._vanished:
                    return True
        else:
            self._rx.put(byte)
        return bool(acted)

    def _emergency_check(self, t: float) -> bool:
        """Marlin's emergency parser sees M112/M108/M410 as the bytes arrive."""
        pending = bytes(self._line) + bytes(self._rx.data)
        last = pending.split(b"\n")[-1].split(b"\r")[-1]
        parsed = parse_received_line(last)
        code = parsed.command.split(" ")[0].upper() if parsed.command else ""
        if code == "M112":
            self._kill("Printer halted. kill() called!", t, "emergency_stop", kill_line=False)
            return True
        if code == "M108" and self._wait is not None and self._wait.kind == "heat":
            self._wait = None
            self._heat_report_s = None
            self._finish_command(t)
            return True
        if code == "M410":
            self.planner.clear()
        return False

    def _append_to_line(self, byte: int) -> None:
        # Marlin keeps MAX_CMD_SIZE - 1 characters of a line and drops the rest.
        if byte in (10, 13) or len(self._line) < MAX_CMD_CHARS:
            self._line.append(byte)

    def _current_idle(self) -> bool:
        """True when the main loop would read a byte at once (nothing queued or running)."""
        return not self._queue and self._busy_until is None and self._wait is None

    def _drain_rx(self, t: float) -> None:
        """``get_available_commands()``: move buffered bytes into free queue slots."""
        while self._rx.data and len(self._queue) < self.config.bufsize:
            byte = self._rx.data.popleft()
            self._append_to_line(byte)
            if byte in (10, 13):
                self._complete_line(t)
                if self.halted or self._vanished or self.hung:
                    return

    def _complete_line(self, t: float) -> None:
        raw = bytes(self._line[:-1])
        self._line.clear()
        self._line_corrupted = False
        comment = raw.find(b";")
        if comment >= 0:
            raw = raw[:comment]
        if not raw.strip():
            return
        parsed = parse_received_line(raw)
        if self.dialect.checks_line_numbers:
            if parsed.line_number is not None:
                is_m110 = parsed.command.upper().startswith("M110")
                if parsed.line_number != self.last_n + 1 and not is_m110:
                    self._line_error("Line Number is not Last Line Number+1, Last Line: ", t)
                    return
                if not parsed.has_checksum:
                    self._line_error("No Checksum with line number, Last Line: ", t)
                    return
                if not parsed.checksum_ok:
                    self._line_error("checksum mismatch, Last Line: ", t)
                    return
                self.last_n = parsed.line_number
            elif raw.lstrip(b" ")[:1] == b"N":
                # Marlin treats any line that starts with N as numbered (GCodeQueue::
                # get_serial_commands, 2.1: npos = *command == 'N', then strtol): "N;5 M105*17",
                # whose digit became a comment, is "N" with number 0, refused.
                self._line_error("Line Number is not Last Line Number+1, Last Line: ", t)
                return
            elif parsed.has_checksum:
                self._line_error("No Line Number with checksum, Last Line: ", t)
                return
        elif self.dialect.drops_bad_checksum and parsed.has_checksum and not parsed.checksum_ok:
            # RepRapFirmware's StringParser::LineFinished(): discarded, nothing said.
            self.line_errors += 1
            return
        number = parsed.line_number
        if number is not None and self._line_fault(number, t):
            return
        command = parsed.command.strip()
        if not command:
            return
        self._queue.append(_Queued(number, command))
        if self._busy_until is None and self._wait is None and len(self._queue) == 1:
            self._busy_until = t + self.config.cmd_s

    def _line_fault(self, number: int, t: float) -> bool:
        cfg = self.config
        if cfg.reset_at_line == number and "reset" not in self._line_faults_done:
            self._line_faults_done.add("reset")
            self._record_fault("reset", t)
            self._reset(t)
            return True
        if cfg.disconnect_at_line == number and "disconnect" not in self._line_faults_done:
            self._line_faults_done.add("disconnect")
            self._record_fault("disconnect", t)
            self._vanished = True
            self._power_on(t)
            return True
        if cfg.hang_at_line == number and "hang" not in self._line_faults_done:
            self._line_faults_done.add("hang")
            self._record_fault("hang", t)
            self.hung = True
            return True
        return False

    def _line_error(self, message: str, t: float) -> None:
        self.line_errors += 1
        self._send(f"Error:{message}{self.last_n}", t)
        # Marlin's gcode_line_error(): drop what is buffered, then ask for the next line.
        self._rx.clear()
        self._line.clear()
        resend_ok = self.config.resend_ok or self.dialect.resend_ok
        ok = "ok"
        if self.dialect.resend_line_n and self.config.advanced_ok:
            # ok_to_send() of Marlin < 2.1 describes the command at the queue's read index.
            head = self._queue[0].line_number if self._queue else self.last_n
            free_slots = self.config.bufsize - len(self._queue)
            ok = f"ok N{head} P{self.planner.free} B{free_slots}"
        if resend_ok == "before":
            self._send(ok, t)
        self._send(f"Resend: {self.last_n + 1}", t)
        if resend_ok in ("after", "twice"):
            self._send(ok, t)
        if resend_ok == "twice":
            self._send(ok, t)

    # -- processing ------------------------------------------------------------------------
    def _execute_current(self, t: float) -> None:
        if not self._queue:
            return
        item = self._queue[0]
        self.executed.append(ExecutedCommand(t, item.line_number, item.command))
        if self._journal is not None:
            number = "-" if item.line_number is None else str(item.line_number)
            self._journal.write(f"{number} {item.command}\n")
            self._journal.flush()
        reply = self._dispatch(item.command, t)
        if reply is not None:
            self._finish_command(t, reply)

    def _finish_command(self, t: float, ok_text: str = "ok") -> None:
        self._wait = None
        self._keepalive_s = None
        self._heat_report_s = None
        if ok_text:
            self.oks_sent += 1
            if self.oks_sent not in self.config.drop_ok:
                if self.config.advanced_ok and ok_text == "ok":
                    free_slots = self.config.bufsize - len(self._queue)
                    ok_text = f"ok N{self.last_n} P{self.planner.free} B{free_slots}"
                self._send(ok_text, t)
                if self.oks_sent in self.config.dup_ok:
                    self._send(ok_text, t)
        if self._queue:
            self._queue.popleft()
        self._drain_rx(t)
        if self._queue and not self.halted and not self.hung and not self._vanished:
            self._busy_until = t + self.config.cmd_s

    def _wait_event_s(self) -> float | None:
        wait = self._wait
        if wait is None:
            return None
        if wait.kind == "sleep":
            return wait.until_s
        if wait.kind == "heat" and wait.heater is not None:
            if wait.reached_s is None:
                return wait.heater.time_to_reach_s(self._now)
            return wait.reached_s + self.config.residency_s
        return None  # planner waits are woken by the planner's own events

    def _check_wait(self, t: float) -> None:
        wait = self._wait
        if wait is None:
            return
        if wait.kind == "planner_slot" and not self.planner.full:
            left = self._queue_moves(wait.deltas, wait.feed_mm_s, t)
            if left:
                wait.deltas = left
            else:
                self._finish_command(t)
        elif wait.kind == "sync" and not self.planner.moving:
            if wait.sleep_s > 0:
                self._wait = _Wait("sleep", then=wait.then, until_s=t + wait.sleep_s)
            else:
                self._finish_command(t)
        elif wait.kind == "sleep" and wait.until_s is not None and wait.until_s <= t:
            if wait.then == "home":
                self.position[:3] = [0.0, 0.0, 0.0]
            self._finish_command(t)
        elif wait.kind == "heat" and wait.heater is not None:
            if wait.reached_s is None:
                if wait.heater.time_to_reach_s(t) <= t:
                    wait.reached_s = t
                    if self.config.residency_s <= 0:
                        self._finish_command(t)
            elif wait.reached_s + self.config.residency_s <= t:
                self._finish_command(t)

    def _block(self, wait: _Wait, t: float, *, keepalive: bool = True) -> None:
        self._wait = wait
        self._keepalive_s = t + KEEPALIVE_S if keepalive else None
        self._check_wait(t)

    def _add_move(self, delta: tuple[float, float, float, float], feed: float, t: float) -> None:
        if self.planner.add(delta, feed, t):
            self.motors_on = True
            if self._starve_from_s is not None:
                self.starvation_count += 1
                self.starved_s += max(0.0, t - self._starve_from_s)
                self._starve_from_s = None

    def _dispatch(self, command: str, t: float) -> str | None:  # noqa: C901 - a G-code table
        words = command.split()
        code = words[0].upper() if words else ""
        number = code[1:].replace(".", "")
        glued = not (number.isascii() and number.isdigit())
        if code[:1] in ("G", "M") and len(code) > 1 and glued:
            # "G1X10": Marlin accepts parameters glued to the code.
            i = 1
            while i < len(code) and ("0" <= code[i] <= "9" or code[i] == "."):
                i += 1
            words = [code[:i], code[i:], *words[1:]]
            code = code[:i]
        params = _params(words[1:])
        code = _normalise(code)
        is_move = code in ("G0", "G1", "G2", "G3")
        if code in _WAITING_CODES:
            self._starve_from_s = None
        self._last_was_move = is_move or (self._last_was_move and code in ("M105", "M114"))
        if code in ("G2", "G3"):
            return self._arc(params, t, clockwise=code == "G2")
        if is_move:
            return self._move(params, t)
        handler = _HANDLERS.get(code)
        if handler is not None:
            return handler(self, params, command, t)
        if code.startswith("T") and code[1:].isascii() and code[1:].isdigit():
            if code != "T0":
                self._send(f"echo:T{code[1:]} Invalid extruder", t)
            return "ok"
        self._send(self._unknown_text(code, command), t)
        return "ok"

    def _unknown_text(self, code: str, command: str) -> str:
        if self.dialect.unknown_format is not None:
            return self.dialect.unknown_format.format(code=code, command=command)
        return f'{self.dialect.unknown_prefix}Unknown command: "{command}"'

    def _move(self, params: dict[str, float], t: float) -> str | None:
        if "F" in params and params["F"] > 0:
            self.feedrate_mm_s = params["F"] / 60.0
        target = list(self.position)
        for i, axis in enumerate("XYZE"):
            if axis in params:
                absolute = self.absolute_e if axis == "E" else self.absolute
                target[i] = params[axis] if absolute else self.position[i] + params[axis]
        delta = (
            target[0] - self.position[0],
            target[1] - self.position[1],
            target[2] - self.position[2],
            target[3] - self.position[3] if self._may_extrude(target[3], t) else 0.0,
        )
        self.position = target
        return self._queue_or_wait((delta,), t)

    def _may_extrude(self, target_e: float, t: float) -> bool:
        """PREVENT_COLD_EXTRUSION: an E move with the hotend below its minimum is dropped.

        As Marlin does, the position still takes the new E (the filament is *as if* pushed),
        so the next moves do not try to catch up; the printer says so on each such move.
        """
        if target_e == self.position[3] or self.allow_cold_extrude or self.extrude_min_c <= 0:
            return True
        if self.dialect.name == "klipper" or self.hotend.temperature(t) >= self.extrude_min_c:
            return True
        self.cold_extrusions += 1
        self._send(self.dialect.cold_extrusion_text, t)
        return False

    def _arc(self, params: dict[str, float], t: float, *, clockwise: bool) -> str | None:
        """G2/G3: the arc's chords, cut as Marlin's plan_arc does, each a planner block."""
        if "F" in params and params["F"] > 0:
            self.feedrate_mm_s = params["F"] / 60.0
        start = list(self.position)
        target = list(start)
        for i, axis in enumerate("XYZE"):
            if axis in params:
                absolute = self.absolute_e if axis == "E" else self.absolute
                target[i] = params[axis] if absolute else start[i] + params[axis]
        waypoints = arc_waypoints(
            (start[0], start[1]),
            (target[0], target[1]),
            clockwise=clockwise,
            offset=(params.get("I", 0.0), params.get("J", 0.0)),
            radius=params.get("R"),
        ) or [(target[0], target[1], 1.0)]
        extrude = self._may_extrude(target[3], t)
        deltas = []
        previous = start
        for x, y, fraction in waypoints:
            point = [
                x,
                y,
                start[2] + (target[2] - start[2]) * fraction,
                start[3] + (target[3] - start[3]) * fraction,
            ]
            if fraction == 1.0:
                point = target
            deltas.append(
                (
                    point[0] - previous[0],
                    point[1] - previous[1],
                    point[2] - previous[2],
                    point[3] - previous[3] if extrude else 0.0,
                )
            )
            previous = point
        self.position = target
        return self._queue_or_wait(tuple(deltas), t)

    def _queue_or_wait(
        self, deltas: tuple[tuple[float, float, float, float], ...], t: float
    ) -> str | None:
        """Queue the moves; when the planner fills up, the command waits with the rest."""
        left = self._queue_moves(deltas, self.feedrate_mm_s, t)
        if left:
            self._block(_Wait("planner_slot", deltas=left, feed_mm_s=self.feedrate_mm_s), t)
            return None
        return "ok"

    def _queue_moves(
        self, deltas: tuple[tuple[float, float, float, float], ...], feed: float, t: float
    ) -> tuple[tuple[float, float, float, float], ...]:
        """Add moves while the planner has room; return those that did not fit."""
        for index, delta in enumerate(deltas):
            if self.planner.full:
                return deltas[index:]
            self._add_move(delta, feed, t)
        return ()

    # -- replies ---------------------------------------------------------------------------
    def _temperature_line(self, t: float) -> str:
        return temperature_text(
            self.dialect.temperature_style,
            (self.hotend.temperature(t), self.hotend.target_c),
            (self.bed.temperature(t), self.bed.target_c),
            (self.hotend.power(t), self.bed.power(t)),
        )

    def _send(self, text: str, t: float) -> None:
        data = (text + "\n").encode("utf-8")
        if self.config.corrupt_out > 0:
            data = corrupt_output(data, self.config.corrupt_out, self._rng)
        self._out.send(data, t)

    # -- faults and resets -----------------------------------------------------------------
    def _record_fault(self, name: str, t: float) -> None:
        if self.fault is None:
            self.fault = name
            self.fault_time_s = t

    def _kill(self, message: str, t: float, fault: str, *, kill_line: bool = True) -> None:
        self._record_fault(fault, t)
        if self.dialect.name == "klipper":
            self._send(f"!! {message}", t)
        elif fault == "emergency_stop" and self.dialect.emergency_text is not None:
            self._send(self.dialect.emergency_text, t)
        elif fault == "thermal_runaway" and self.dialect.runaway_text is not None:
            target, actual = self.hotend.target_c, self.hotend.temperature(t)
            self._send(self.dialect.runaway_text.format(target=target, actual=actual), t)
        else:
            self._send(f"Error:{message}", t)
            if kill_line:
                for line in self.dialect.kill_lines:
                    self._send(line, t)
        self.halted = True
        self.hotend.set_target(0.0, t)
        self.bed.set_target(0.0, t)
        self.fan = 0
        self.planner.clear()
        self._queue.clear()
        self._rx.clear()
        self._busy_until = None
        self._wait = None
        self._keepalive_s = None
        self._heat_report_s = None
        self.autoreport_s = 0.0

    def _reset(self, now_s: float) -> None:
        self.resets += 1
        self._out.clear()
        self._in.clear()
        self._power_on(now_s)
        self.halted = False
        self._boot_done_s = now_s + self.config.boot_s


def _params(words: list[str]) -> dict[str, float]:
    params: dict[str, float] = {}
    for word in words:
        if not word:
            continue
        letter = word[0].upper()
        if not letter.isalpha():
            continue
        try:
            params[letter] = float(word[1:]) if len(word) > 1 else 0.0
        except ValueError:
            continue
    return params


def _normalise(code: str) -> str:
    """``G01`` → ``G1``, ``m104`` → ``M104`` (Marlin reads the number, not the text)."""
    if len(code) > 1 and code[0] in "GMT":
        number = code[1:]
        if number.isascii() and number.isdigit():
            return code[0] + str(int(number))
    return code


# -- handlers: (printer, params, full command, time) -> ok text, or None when blocking -------

Handler = Callable[[MarlinPrinter, dict[str, float], str, float], "str | None"]


def _set_hotend(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str | None:
    if "S" in params:
        p.hotend.set_target(params["S"], t)
    return "ok"


def _set_bed(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str | None:
    if "S" in params:
        p.bed.set_target(params["S"], t)
    return "ok"


def _wait_heater(heater_name: str) -> Handler:
    def handler(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str | None:
        heater = p.hotend if heater_name == "hotend" else p.bed
        cooling_too = "R" in params
        value = params.get("S", params.get("R"))
        if value is not None:
            heater.set_target(value, t)
        current = heater.temperature(t)
        if heater.target_c <= 0 or (not cooling_too and current >= heater.target_c - 1.0):
            return "ok"
        p._wait = _Wait("heat", heater=heater, cooling_too=cooling_too)
        if p.dialect.keepalive == "temperatures":
            p._keepalive_s = t + KEEPALIVE_S  # RRF: its usual report every 2 s, nothing else
        else:
            p._heat_report_s = t + HEAT_REPORT_S
            p._keepalive_s = None
        p._check_wait(t)
        return None

    return handler


def _report_temperatures(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
    p.status_requested = True
    return "ok " + p._temperature_line(t)


def _autoreport(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
    if not p.config.autoreport or not p.dialect.autoreport:
        p._send(p._unknown_text("M155", cmd), t)
        return "ok"
    p.autoreport_s = max(0.0, params.get("S", 0.0))
    p._next_report_s = t + p.autoreport_s if p.autoreport_s > 0 else None
    return "ok"


def _firmware_info(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
    p._send(p.dialect.firmware_line, t)
    caps = {
        "SERIAL_XON_XOFF": False,
        "BINARY_FILE_TRANSFER": False,
        "EEPROM": True,
        "VOLUMETRIC": True,
        "AUTOREPORT_POS": False,
        "AUTOREPORT_TEMP": p.config.autoreport,
        "PROGRESS": False,
        "PRINT_JOB": True,
        "AUTOLEVEL": False,
        "RUNOUT": False,
        "Z_PROBE": False,
        "LEVELING_DATA": False,
        "BUILD_PERCENT": False,
        "SOFTWARE_POWER": False,
        "TOGGLE_LIGHTS": False,
        "CASE_LIGHT_BRIGHTNESS": False,
        "EMERGENCY_PARSER": p.config.emergency_parser,
        "HOST_ACTION_COMMANDS": False,
        "PROMPT_SUPPORT": False,
        "SDCARD": True,
        "REPEAT": False,
        "SD_WRITE": True,
        "AUTOREPORT_SD_STATUS": False,
        "LONG_FILENAME": True,
        "THERMAL_PROTECTION": True,
        "MOTION_MODES": False,
        "ARCS": True,
        "BABYSTEPPING": False,
        "CHAMBER_TEMPERATURE": False,
        "COOLER_TEMPERATURE": False,
        "MEATPACK": False,
        "CONFIG_EXPORT": False,
    }
    if p.dialect.name != "klipper" and p.dialect.capabilities:
        for name, enabled in caps.items():
            p._send(f"Cap:{name}:{1 if enabled else 0}", t)
    return "ok"


def _set_line_number(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
    if "N" in params:
        p.last_n = int(params["N"])
    return "ok"


def _emergency_stop(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str | None:
    if p.config.emergency_parser:
        return "ok"  # already handled by the emergency parser when it arrived
    p._kill("Printer halted. kill() called!", t, "emergency_stop", kill_line=False)
    return None


def _sync(sleep: str) -> Handler:
    def handler(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str | None:
        seconds = 0.0
        then = ""
        if sleep == "dwell":
            seconds = params.get("P", 0.0) / 1000.0 + params.get("S", 0.0)
        elif sleep == "home":
            seconds, then = HOMING_S, "home"
        elif sleep == "probe":
            seconds = PROBING_S
        p._block(_Wait("sync", then=then, sleep_s=seconds), t)
        return None

    return handler


def _motors_off(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str | None:
    if params:
        p.motors_on = False
        return "ok"
    p.motors_on = False
    p._block(_Wait("sync"), t)
    return None


def _fan(value: int) -> Handler:
    def handler(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
        p.fan = int(params.get("S", 255)) if value else 0
        return "ok"

    return handler


def _mode(absolute: bool | None, absolute_e: bool | None) -> Handler:
    def handler(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
        if absolute is not None:
            p.absolute = absolute
            p.absolute_e = absolute
        if absolute_e is not None:
            p.absolute_e = absolute_e
        return "ok"

    return handler


def _set_position(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
    if not params:
        p.position = [0.0, 0.0, 0.0, 0.0]
    for i, axis in enumerate("XYZE"):
        if axis in params:
            p.position[i] = params[axis]
    return "ok"


def _position(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
    x, y, z, e = p.position
    p._send(f"X:{x:.2f} Y:{y:.2f} Z:{z:.2f} E:{e:.2f} Count X:0 Y:0 Z:0", t)
    return "ok"


def _limits(code: str) -> Handler:
    def handler(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
        p.planner.limits = p.planner.limits.updated(code, params)
        return "ok"

    return handler


def _sd_init(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
    p._send("echo:SD card ok", t)
    return "ok"


def _sd_list(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
    p._send("Begin file list", t)
    p._send("End file list", t)
    return "ok"


def _sd_status(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
    if "S" not in params:
        p._send("Not SD printing", t)
    return "ok"


def _endstops(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
    p._send("Reporting endstop status", t)
    for axis in ("x_min", "y_min", "z_min"):
        p._send(f"{axis}: open", t)
    return "ok"


def _settings(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
    lim = p.planner.limits
    ax, ay, az, ae = lim.max_acceleration_mm_s2
    fx, fy, fz, fe = lim.max_feedrate_mm_s
    p._send("echo:; Maximum feedrates (units/s):", t)
    p._send(f"echo:  M203 X{fx:.2f} Y{fy:.2f} Z{fz:.2f} E{fe:.2f}", t)
    p._send("echo:; Maximum Acceleration (units/s2):", t)
    p._send(f"echo:  M201 X{ax:.2f} Y{ay:.2f} Z{az:.2f} E{ae:.2f}", t)
    return "ok"


def _plain_ok(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
    return "ok"


def _cold_extrude(p: MarlinPrinter, params: dict[str, float], cmd: str, t: float) -> str:
    """M302: P1 allows cold extrusion, P0 forbids it, S sets the minimum; bare, it reports."""
    if "S" in params:
        p.extrude_min_c = max(0.0, params["S"])
    if "P" in params:
        p.allow_cold_extrude = params["P"] != 0
    if not params:
        state = "en" if p.allow_cold_extrude or p.extrude_min_c <= 0 else "dis"
        p._send(f"echo:Cold extrudes are {state}abled (min temp {p.extrude_min_c:.0f}C)", t)
    return "ok"


_HANDLERS: dict[str, Handler] = {
    "M104": _set_hotend,
    "M140": _set_bed,
    "M109": _wait_heater("hotend"),
    "M190": _wait_heater("bed"),
    "M105": _report_temperatures,
    "M155": _autoreport,
    "M115": _firmware_info,
    "M110": _set_line_number,
    "M112": _emergency_stop,
    "M108": _plain_ok,
    "M410": _plain_ok,
    "G4": _sync("dwell"),
    "G28": _sync("home"),
    "G29": _sync("probe"),
    "M400": _sync(""),
    "M84": _motors_off,
    "M18": _motors_off,
    "M17": _plain_ok,
    "M106": _fan(1),
    "M107": _fan(0),
    "G90": _mode(True, None),
    "G91": _mode(False, None),
    "M82": _mode(None, True),
    "M83": _mode(None, False),
    "G92": _set_position,
    "G21": _plain_ok,
    "M114": _position,
    "M201": _limits("M201"),
    "M203": _limits("M203"),
    "M204": _limits("M204"),
    "M205": _limits("M205"),
    "M20": _sd_list,
    "M21": _sd_init,
    "M27": _sd_status,
    "M119": _endstops,
    "M503": _settings,
    "M117": _plain_ok,
    "M118": _plain_ok,
    "M73": _plain_ok,
    "M220": _plain_ok,
    "M221": _plain_ok,
    "M500": _plain_ok,
    "M501": _plain_ok,
    "M502": _plain_ok,
    "M300": _plain_ok,
    "M80": _plain_ok,
    "M81": _plain_ok,
    "M75": _plain_ok,
    "M76": _plain_ok,
    "M77": _plain_ok,
    "M31": _plain_ok,
    "M92": _plain_ok,
    "M851": _plain_ok,
    "M420": _plain_ok,
    "M0": _plain_ok,
    "M1": _plain_ok,
    "M600": _plain_ok,
    "M999": _plain_ok,
    "M302": _cold_extrude,
}
