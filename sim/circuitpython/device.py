# SPDX-License-Identifier: GPL-3.0-or-later
"""``sim://circuitpython``: a CircuitPython board's serial console, REPL and raw REPL.

The console behaves like CircuitPython 9's: at boot ``code.py`` runs and its output
streams; when it ends, « Press any key to enter the REPL »; any key gives the ``>>>``
prompt; ``Ctrl-A`` enters the raw REPL (:mod:`firmware.rawrepl`, raw-paste included),
``Ctrl-D`` soft-reboots (and, as CircuitPython does, runs ``code.py`` again, even from the
raw REPL, before coming back to it), ``Ctrl-C`` interrupts the running program. So clients
written for real boards (mpremote, Thonny, the kit's own ``kit mcu run``) work unchanged.

Programs run in a worker process (:mod:`sim.circuitpython.worker`) in virtual time; this
class only schedules it: ``advance(now)`` lets the program run up to ``now``.

Options: ``board`` (catalogue id, default ``circuitplayground_express``), ``dossier`` (the
CIRCUITPY folder; a fresh temporary one by default), ``version`` (CircuitPython version
shown, default 9.2.1), ``entrees`` (scripted inputs, see :mod:`sim.circuitpython.inputs`),
``limite`` (virtual seconds after which a running program is stopped; none by default, a
real board runs forever).
"""

from __future__ import annotations

import codeop
import shutil
import tempfile
import weakref
from collections.abc import Mapping
from pathlib import Path

from firmware import rawrepl
from firmware.boards import get_board
from kit.errors import KitError
from kit.messages import seconds_fr
from sim.circuitpython.folder import DEFAULT_VERSION, code_file, prepare_folder, version_line
from sim.circuitpython.inputs import parse_inputs
from sim.circuitpython.timeline import Timeline
from sim.circuitpython.vm import Reply, WorkerClient
from sim.device import SimOptionError, SimulatedDevice, option_float, reject_unknown_options

#: Shortest step between two looks at a busy program (virtual seconds), so that a host
#: waiting on a program that never sleeps does not advance time microsecond by microsecond.
BUSY_STEP_S = 0.005
#: How often the board looks for saved files to auto-reload (virtual seconds).
WATCH_INTERVAL_S = 0.5
#: Timeline events kept by a long-running served board before the oldest are dropped.
MAX_TIMELINE_EVENTS = 200_000

AUTO_RELOAD = (
    b"Auto-reload is on. Simply save files over USB to run them or enter REPL to disable.\r\n"
)
CODE_DONE = b"\r\nCode done running.\r\n"
PRESS_ANY_KEY = b"\r\nPress any key to enter the REPL. Use CTRL-D to reload.\r\n"
PROMPT = b">>> "
CONTINUATION = b"... "


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8", "replace")


class CircuitPythonDevice(SimulatedDevice):
    kind = "circuitpython"
    OPTIONS = frozenset({"board", "dossier", "version", "entrees", "limite"})

    def __init__(self, options: Mapping[str, str] | None = None) -> None:
        super().__init__(options)
        reject_unknown_options(self.options, set(self.OPTIONS), self.kind)
        try:
            self.board = get_board(self.options.get("board", "circuitplayground_express"))
        except KitError as exc:
            raise SimOptionError(exc.message, hint=exc.hint) from exc
        self.version = self.options.get("version", DEFAULT_VERSION)
        self.inputs_spec = self.options.get("entrees", "")
        parse_inputs(self.inputs_spec)
        limit = option_float(self.options, "limite", 0.0, minimum=0.0, maximum=86400.0)
        self.limit_s: float | None = limit or None
        folder = self.options.get("dossier")
        if folder:
            self.root = Path(folder).expanduser().resolve()
            if not self.root.parent.is_dir():
                raise SimOptionError(f"Le dossier « {self.root.parent} » n'existe pas.")
        else:
            self.root = Path(tempfile.mkdtemp(prefix="kit-circuitpy-"))
            weakref.finalize(self, shutil.rmtree, str(self.root), True)
        prepare_folder(self.root, self.board, self.version)
        self.timeline = Timeline()
        self._events_kept = 0
        self._now_s = 0.0
        self._out = bytearray()
        self._connected = False
        self._booted = False
        self._worker: WorkerClient | None = None
        self._finalizer: weakref.finalize[..., object] | None = None
        self.mode = "off"  # running, wait_key, friendly, paste, raw
        self._job: str | None = None  # code, repl, raw
        self._job_wake: float | None = None
        self._return_to_raw = False
        self._typeahead = bytearray()
        self._line = bytearray()
        self._block: list[str] = []
        self._escape = 0
        self._raw = rawrepl.RawReplDevice()
        self._signature: tuple[tuple[str, int, int], ...] = ()
        self._next_watch_s = 0.0

    # -- SimulatedDevice -----------------------------------------------------------------
    def on_open(self, now_s: float) -> None:
        self._connected = True
        self.advance(now_s)

    def on_close(self, now_s: float) -> None:
        self.advance(now_s)
        self._connected = False

    def feed(self, data: bytes, now_s: float) -> None:
        self.advance(now_s)
        self._typeahead += data
        self._process_input()

    def read_output(self) -> bytes:
        out = bytes(self._out)
        self._out.clear()
        return out

    def advance(self, now_s: float) -> None:
        self._now_s = max(self._now_s, now_s)
        if not self._booted:
            self._booted = True
            self._boot(first=True)
        while (
            self._job is not None
            and self._job_wake is not None
            and self._job_wake <= self._now_s
            and self._worker is not None
        ):
            self._handle(self._call(lambda w: w.run(self._now_s)))
        self._watch_files()
        self._process_input()

    def next_event_s(self) -> float | None:
        if self._job is None or self._job_wake is None:
            return None
        return max(self._job_wake, self._now_s + BUSY_STEP_S)

    # -- output ------------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        if self._connected:
            self._out += data

    # -- the worker ----------------------------------------------------------------------
    def _fresh_worker(self) -> WorkerClient:
        if self._worker is not None:
            self._worker.close()
        worker = WorkerClient(
            self.root, self.board, inputs_spec=self.inputs_spec, version=self.version,
            start_s=self._now_s,
        )
        if self._finalizer is not None:
            self._finalizer.detach()
        self._finalizer = weakref.finalize(self, worker.close)
        worker.start()
        self._worker = worker
        return worker

    def _call(self, action: object) -> Reply:
        """Run a worker command; a hung or dead worker ends the job with a French message."""
        assert self._worker is not None and callable(action)
        try:
            reply: Reply = action(self._worker)
            return reply
        except KitError as exc:
            self._worker.close()
            self._worker = None
            return Reply(events=[], state="end", now_s=self._now_s, kind="hung",
                         info={"traceback": exc.message})

    def _start_job(self, job: str, *, source: str | None, filename: str, mode: str) -> None:
        worker = self._worker if self._worker is not None and self._worker.alive else None
        self._job = job
        self._job_wake = None
        if worker is None:
            try:
                self._fresh_worker()
            except KitError as exc:
                self._worker = None
                self._job_ended(Reply(events=[], state="end", now_s=self._now_s, kind="hung",
                                      info={"traceback": exc.message}))
                return
        limit = None if self.limit_s is None else self._now_s + self.limit_s
        self._handle(
            self._call(
                lambda w: w.exec(
                    source=source, filename=filename, mode=mode, start_s=self._now_s,
                    until_s=self._now_s, limit_s=limit, release_pins=job == "code",
                )
            )
        )

    def _handle(self, reply: Reply) -> None:
        for event in reply.events:
            if event[0] == "out":
                self._write(_crlf(str(event[2])))
            elif self._events_kept < MAX_TIMELINE_EVENTS:
                self.timeline.add(event)
                self._events_kept += 1
        if reply.state == "pause":
            self._job_wake = reply.wake_s
        elif reply.state == "end":
            self._job_ended(reply)

    def _job_ended(self, reply: Reply) -> None:
        job, self._job, self._job_wake = self._job, None, None
        kind = reply.kind or "ok"
        error = str(reply.info.get("traceback", "")) if kind in ("error", "interrupt",
                                                                 "hung") else ""
        if kind == "limit" and self.limit_s is not None:
            error = (
                f"Arrêt : le programme tourne depuis {seconds_fr(self.limit_s)} de temps simulé "
                "(limite du simulateur ; boucle sans fin ?)."
            )
        if job == "raw":
            self._write(rawrepl.EOF + (_crlf(error + "\n") if error else b"") + rawrepl.EOF)
            self._write(rawrepl.RAW_PROMPT)
            self.mode = "raw"
            return
        if job == "repl":
            if error:
                self._write(_crlf(error + "\n"))
            self._write(PROMPT)
            self.mode = "friendly"
            return
        # code.py
        if kind == "reload":
            self._write(b"\r\nsoft reboot\r\n")
            self._boot()
            return
        if error:
            self._write(_crlf("\n" + error + "\n"))
        self._write(CODE_DONE)
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        if self._return_to_raw:
            self._return_to_raw = False
            self._enter_raw(fresh=True)
        else:
            self._write(PRESS_ANY_KEY)
            self.mode = "wait_key"

    # -- console states ----------------------------------------------------------------------
    def _boot(self, first: bool = False) -> None:
        prepare_folder(self.root, self.board, self.version)
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        self._signature = self._files_signature()
        self._next_watch_s = self._now_s + WATCH_INTERVAL_S
        self._write(AUTO_RELOAD)
        name = code_file(self.root)
        if name is None:
            self._write(b"No code.py file found.\r\n")
            self._job_ended(Reply(events=[], state="end", now_s=self._now_s, kind="ok"))
            return
        self._write(f"{name} output:\r\n".encode())
        self.mode = "running"
        self._start_job("code", source=None, filename=name, mode="exec")

    # -- auto-reload -----------------------------------------------------------------------
    def _files_signature(self) -> tuple[tuple[str, int, int], ...]:
        """Names, sizes and times of the program files: a change means « saved over USB »."""
        found: list[tuple[str, int, int]] = []
        candidates = [self.root / name for name in ("code.txt", "code.py", "main.txt", "main.py")]
        lib = self.root / "lib"
        if lib.is_dir():
            candidates += sorted(p for p in lib.rglob("*") if p.suffix in (".py", ".mpy"))
        for path in candidates:
            try:
                stat = path.stat()
            except OSError:
                continue
            found.append((str(path.relative_to(self.root)), stat.st_size, stat.st_mtime_ns))
        return tuple(found)

    def _watch_files(self) -> None:
        """CircuitPython reloads when a file is saved, except while the REPL is in use."""
        if self.mode not in ("running", "wait_key") or self._now_s < self._next_watch_s:
            return
        self._next_watch_s = self._now_s + WATCH_INTERVAL_S
        signature = self._files_signature()
        if signature == self._signature:
            return
        if self._job is not None and self._worker is not None:
            self._worker.close()
            self._worker = None
        self._job, self._job_wake = None, None
        self._write(b"\r\nCode stopped by auto-reload. Reloading soon.\r\nsoft reboot\r\n\r\n")
        self._boot()

    def _banner(self) -> bytes:
        return _crlf(f"\n{version_line(self.board, self.version)}\n")

    def _enter_friendly(self, fresh: bool) -> None:
        if fresh and self._worker is not None:
            self._worker.close()
            self._worker = None
        self.mode = "friendly"
        self._line.clear()
        self._block.clear()
        self._write(self._banner() + PROMPT)

    def _enter_raw(self, fresh: bool) -> None:
        if fresh and self._worker is not None:
            self._worker.close()
            self._worker = None
        self.mode = "raw"
        self._raw.reset()
        self._write(b"\r\n" + self._raw.banner())

    def _soft_reboot(self, to_raw: bool) -> None:
        self._return_to_raw = to_raw
        self._write(b"soft reboot\r\n" if to_raw else b"\r\nsoft reboot\r\n")
        self._boot()

    def _process_input(self) -> None:
        while self._typeahead:
            if self._job is not None:
                # A program runs: only Ctrl-C (interrupt) and, for code.py, Ctrl-D (reload)
                # are acted on at once; other bytes wait for the program to end.
                at = self._typeahead.find(rawrepl.CTRL_C)
                if at >= 0:
                    del self._typeahead[: at + 1]
                    self._interrupt()
                    continue
                if self._job == "code" and rawrepl.CTRL_D in self._typeahead:
                    at = self._typeahead.find(rawrepl.CTRL_D)
                    del self._typeahead[: at + 1]
                    self._soft_reboot(to_raw=False)
                    continue
                return
            data = bytes(self._typeahead)
            self._typeahead.clear()
            if self.mode == "raw":
                self._feed_raw(data)
            else:
                self._feed_console(data)

    def _interrupt(self) -> None:
        if self._worker is None or self._job is None:
            return
        self._handle(self._call(lambda w: w.run(self._now_s, interrupt=True)))

    def _feed_raw(self, data: bytes) -> None:
        events = self._raw.feed(data)
        for event in events:
            if isinstance(event, rawrepl.Send):
                self._write(event.data)
            elif isinstance(event, rawrepl.Reenter):
                self._write(self._raw.banner())
            elif isinstance(event, rawrepl.LeaveRaw):
                self._write(b"\r\n")
                self._enter_friendly(fresh=False)
            elif isinstance(event, rawrepl.SoftReset):
                self._soft_reboot(to_raw=True)
            elif isinstance(event, rawrepl.Execute):
                if event.interrupted:
                    self._write(rawrepl.EOF + _crlf("KeyboardInterrupt:\n") + rawrepl.EOF)
                    self._write(rawrepl.RAW_PROMPT)
                    continue
                source = event.code.decode("utf-8", "replace")
                self._start_job("raw", source=source, filename="<stdin>", mode="exec")
        self._typeahead[:0] = self._raw.take_pending()

    def _feed_console(self, data: bytes) -> None:
        for index, byte in enumerate(data):
            if self._job is not None or self.mode == "raw":
                self._typeahead[:0] = data[index:]
                return
            c = bytes((byte,))
            if self.mode in ("running", "off"):
                continue
            if self.mode == "wait_key":
                if c == rawrepl.CTRL_D:
                    self._soft_reboot(to_raw=False)
                else:
                    self._enter_friendly(fresh=True)
                continue
            if self.mode == "paste":
                self._paste_byte(c)
                continue
            self._friendly_byte(c)

    def _paste_byte(self, c: bytes) -> None:
        if c == rawrepl.CTRL_C:
            self._line.clear()
            self._write(b"\r\n" + PROMPT)
            self.mode = "friendly"
        elif c == rawrepl.CTRL_D:
            source = self._line.decode("utf-8", "replace").replace("\r\n", "\n").replace(
                "\r", "\n")
            self._line.clear()
            self._write(b"\r\n")
            self.mode = "friendly"
            self._start_job("repl", source=source, filename="<stdin>", mode="exec")
        else:
            self._line += c
            self._write(b"\r\n=== " if c == b"\r" else c)

    def _friendly_byte(self, c: bytes) -> None:
        if self._escape:
            # Arrow keys and the like (ESC [ X): history and cursor moves are not simulated.
            if self._escape == 1 and c == b"[":
                self._escape = 2
            else:
                self._escape = 0
            return
        if c == b"\x1b":
            self._escape = 1
            return
        if c == rawrepl.CTRL_A:
            self._enter_raw(fresh=False)
            return
        if c == rawrepl.CTRL_B:
            self._enter_friendly(fresh=False)
            return
        if c == rawrepl.CTRL_C:
            self._line.clear()
            self._block.clear()
            self._write(b"\r\n" + PROMPT)
            return
        if c == rawrepl.CTRL_D:
            if not self._line and not self._block:
                self._soft_reboot(to_raw=False)
            return
        if c == rawrepl.CTRL_E:
            self.mode = "paste"
            self._line.clear()
            self._write(b"\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ")
            return
        if c in (b"\x7f", b"\x08"):
            if self._line:
                # Remove a whole UTF-8 character.
                del self._line[-1]
                while self._line and (self._line[-1] & 0xC0) == 0x80:
                    del self._line[-1]
                self._write(b"\x08 \x08")
            return
        if c in (b"\r", b"\n"):
            if c == b"\n" and not self._line and not self._block:
                return
            self._write(b"\r\n")
            self._end_of_line()
            return
        if c == b"\t":
            c = b"    "
        if c >= b" " or c == b"    ":
            self._line += c
            self._write(c)

    def _end_of_line(self) -> None:
        line = self._line.decode("utf-8", "replace")
        self._line.clear()
        if not self._block and not line.strip():
            self._write(PROMPT)
            return
        if self._block and not line.strip():
            source = "\n".join(self._block) + "\n"
            self._block.clear()
            self._start_job("repl", source=source, filename="<stdin>", mode="single")
            return
        self._block.append(line)
        source = "\n".join(self._block) + "\n"
        try:
            complete = codeop.compile_command(source, "<stdin>", "single") is not None
        except (SyntaxError, ValueError, OverflowError):
            complete = True  # let the board report the error in French
        if complete and len(self._block) == 1 and not line.rstrip().endswith(":"):
            self._block.clear()
            self._start_job("repl", source=source, filename="<stdin>", mode="single")
        else:
            self._write(CONTINUATION)
