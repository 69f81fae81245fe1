# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulated board's virtual machine: a separate CPython process running learner code.

Started by :class:`sim.circuitpython.vm.WorkerClient` as ``python -m
sim.circuitpython.worker``; it talks JSON lines on stdin/stdout and never reads the wall
clock. Virtual time advances only when the program sleeps and by a fixed cost per executed
line of board code (:data:`LINE_COST_S`, the order of magnitude of a SAMD21 running
CircuitPython), so a busy loop also makes time pass and reaches the time limit. The channel,
the per-line charge and the confinement are :mod:`kit.worker`'s, shared with the robot's
learner programs.

The parent drives it: ``run until T`` lets the program execute up to virtual time ``T``;
the worker answers with the events produced (pin, PWM and pixel changes, printed text) and
either ``pause`` (the program sleeps until ``wake``) or ``end`` (the program finished,
raised, was interrupted or hit its time limit).
"""

from __future__ import annotations

import ast
import math
import os
import sys
import traceback
import types
from pathlib import Path
from typing import Any

from firmware.boards import CORE_MODULES
from kit import python_errors as errors_fr
from kit.worker import Channel, LineCharger, confine, open_channel
from sim.circuitpython.cpmodules import FROZEN_FALLBACKS, Hardware, ReloadRequest, build_modules
from sim.circuitpython.inputs import parse_inputs
from sim.circuitpython.sandbox import (
    BoardFiles,
    Importer,
    SandboxViolation,
    check_source_tree,
    read_settings,
    safe_builtins,
)

#: ``sys.platform`` per chip (MICROPY_PY_SYS_PLATFORM in ports/*/mpconfigport.h of
#: CircuitPython 9.2.9); libraries such as adafruit_circuitplayground choose their code by it.
SYS_PLATFORM = {
    "samd21": "Atmel SAMD21", "samd51": "MicroChip SAMD51", "rp2040": "RP2040",
    "esp32s2": "Espressif", "esp32s3": "Espressif",
}
#: Virtual cost of one executed line of board code (seconds).
LINE_COST_S = 20e-6
#: Virtual cost of one write to the serial console (``print``): USB serial output on a
#: CircuitPython board takes in the order of a tenth of a millisecond per call.
OUTPUT_COST_S = 100e-6
#: Flush buffered events to the parent beyond this many (keeps replies small).
MAX_BUFFERED_EVENTS = 2000


class TimeLimit(BaseException):  # noqa: N818 - not an error of the program
    """The run reached its virtual time limit."""


class Machine:
    """One virtual machine: the board's modules, the clock, the running job."""

    def __init__(self, channel: Channel, init: dict[str, Any]) -> None:
        self.channel = channel
        self.root = Path(init["root"])
        board = init["board"]
        self.now_s = float(init.get("start", 0.0))
        self.until_s = self.now_s
        self.limit_s = math.inf
        self.interrupt = False
        self.running = False
        self.events: list[list[Any]] = []
        self.charger = LineCharger(self.tick)
        self.learner_files = self.charger.files
        self.sources: dict[str, list[str]] = {}
        self.hw = Hardware(
            board_id=board["id"],
            board_name=board["name"],
            chip=board["chip"],
            pins=board["pins"],
            buttons=board["buttons"],
            inputs=parse_inputs(init.get("inputs") or ""),
            now=lambda: self.now_s,
            sleep=self.sleep,
            emit=self.emit,
        )
        self.files = BoardFiles(self.root)
        self.firmware = build_modules(self.hw)
        self.firmware["os"] = self.files.os_module(board["id"], read_settings(self.root))
        self.firmware["sys"] = self._sys_module(board, init.get("version", "9.2.1"))
        self.importer = Importer(
            self.files, self.firmware, FROZEN_FALLBACKS, self.make_globals, self.compile_source,
            sources=init.get("sources") or {}, core_modules=CORE_MODULES,
        )
        self.builtins = safe_builtins(self.importer, self.files, self.compile_source)
        builtins_module = types.ModuleType("builtins")
        builtins_module.__dict__.update(self.builtins)
        self.firmware["builtins"] = builtins_module
        self.repl_globals = self.make_globals("__main__", None)

    # -- namespaces and code ---------------------------------------------------------------
    def make_globals(self, name: str, package: str | None) -> dict[str, Any]:
        return {"__name__": name, "__package__": package, "__builtins__": self.builtins}

    def compile_source(self, text: str, filename: str, mode: str = "exec") -> types.CodeType:
        tree = ast.parse(text, filename, mode=mode)
        check_source_tree(tree, filename)
        self.learner_files.add(filename)
        self.sources[filename] = text.splitlines()
        code: types.CodeType = compile(tree, filename, mode)  # type: ignore[call-overload]
        return code

    def _sys_module(self, board: dict[str, Any], version: str) -> types.ModuleType:
        numbers = tuple(int(p) for p in version.split(".")[:3] if p.isascii() and p.isdigit())
        implementation = types.SimpleNamespace(name="circuitpython", version=numbers,
                                               mpy=0x0106)
        module = types.ModuleType("sys")
        module.__dict__.update(
            implementation=implementation, platform=SYS_PLATFORM.get(board["chip"], board["chip"]),
            version="3.4.0",
            version_info=(3, 4, 0), byteorder="little", maxsize=2**30 - 1,
            stdout=sys.stdout, stderr=sys.stdout, path=["", "/", ".frozen", "/lib"],
            argv=[], modules={}, exit=_exit, print_exception=self._print_exception,
        )
        return module

    def _print_exception(self, exc: BaseException, *args: Any) -> None:
        sys.stdout.write(self.format_traceback(exc)["traceback"] + "\n")

    # -- virtual time ------------------------------------------------------------------------
    def emit(self, event: list[Any]) -> None:
        self.events.append(event)
        if len(self.events) >= MAX_BUFFERED_EVENTS and self.now_s < self.until_s:
            self.channel.send({"events": self.events, "state": "running", "now": self.now_s})
            self.events = []

    def _pause(self, wake_s: float) -> None:
        """Tell the parent the program waits until ``wake_s``; block until resumed."""
        self.channel.send(
            {"events": self.events, "state": "pause", "now": self.now_s, "wake": wake_s}
        )
        self.events = []
        while True:
            message = self.channel.receive()
            op = message.get("op")
            if op == "run":
                self.until_s = max(self.until_s, float(message["until"]))
                if message.get("interrupt"):
                    self.now_s = max(self.now_s, self.until_s)
                    raise KeyboardInterrupt
                return
            if op == "quit":
                raise SystemExit(0)
            # Anything else while a job runs is a parent bug: answer with the same pause.
            self.channel.send({"events": [], "state": "pause", "now": self.now_s,
                               "wake": wake_s})

    def sleep(self, seconds: float) -> None:
        wake = self.now_s + seconds
        target = min(wake, self.limit_s)
        while target > self.until_s:
            self.now_s = max(self.now_s, self.until_s)
            self._pause(target)
        self.now_s = max(self.now_s, target)
        if target < wake:
            raise TimeLimit

    def tick(self, cost_s: float = LINE_COST_S) -> None:
        self.now_s += cost_s
        if self.now_s > self.until_s:
            self._pause(self.now_s)
        if self.now_s >= self.limit_s:
            self.now_s = self.limit_s
            raise TimeLimit

    # -- jobs ------------------------------------------------------------------------------
    def run_job(self, message: dict[str, Any]) -> None:
        self.now_s = max(self.now_s, float(message.get("start", self.now_s)))
        self.until_s = max(self.now_s, float(message["until"]))
        limit = message.get("limit")
        self.limit_s = math.inf if limit is None else float(limit)
        filename = message.get("filename", "code.py")
        mode = message.get("mode", "exec")
        kind, info = "ok", {}
        self.charger.start()
        self.running = True
        try:
            if message.get("source") is None:
                path = self.root / filename
                source = path.read_text(encoding="utf-8") if path.is_file() else ""
            else:
                source = message.get("source") or ""
            code = self.compile_source(source, filename, mode)
            namespace = (
                self.repl_globals if filename == "<stdin>" else self.make_globals("__main__", None)
            )
            if mode == "single":
                self._run_single(code, namespace)
            else:
                exec(code, namespace)  # noqa: S102 - the sandboxed learner program
        except TimeLimit:
            kind = "limit"
        except KeyboardInterrupt as exc:
            kind, info = "interrupt", self.format_traceback(exc)
        except ReloadRequest:
            kind = "reload"
        except SystemExit:
            kind = "ok"
        except BaseException as exc:  # noqa: BLE001 - every learner error is reported
            kind, info = "error", self.format_traceback(exc)
        finally:
            self.charger.stop()
            self.running = False
        sys.stdout.flush()
        if message.get("release_pins"):
            self.hw.release_all()
        self.limit_s = math.inf
        self.channel.send(
            {"events": self.events, "state": "end", "now": self.now_s, "kind": kind,
             "info": info}
        )
        self.events = []

    def _run_single(self, code: types.CodeType, namespace: dict[str, Any]) -> None:
        def display(value: Any) -> None:
            if value is not None:
                namespace["_"] = value
                sys.stdout.write(repr(value) + "\n")

        previous = sys.displayhook
        sys.displayhook = display
        try:
            exec(code, namespace)  # noqa: S102
        finally:
            sys.displayhook = previous

    def format_traceback(self, exc: BaseException) -> dict[str, Any]:
        type_name = type(exc).__name__
        if isinstance(exc, SyntaxError):
            line = exc.lineno or 0
            filename = exc.filename or "code.py"
            message = errors_fr.syntax_message(exc.msg or "")
            frames = [(filename, line, "<module>")]
        else:
            message = errors_fr.french_message(type_name, str(exc))
            if isinstance(exc, SandboxViolation):
                type_name = "PermissionError"
                message = str(exc)
            frames = [
                (f.filename, f.lineno or 0, f.name)
                for f in traceback.extract_tb(exc.__traceback__)
                if f.filename in self.learner_files
            ]
        lines = [errors_fr.TRACEBACK_HEADER]
        lines += [errors_fr.format_frame(name, line, func) for name, line, func in frames]
        lines.append(f"{type_name}: {message}" if message else f"{type_name}:")
        learner = [f for f in frames if not f[0].startswith("/")]
        where = learner[-1] if learner else (frames[-1] if frames else ("code.py", 0, ""))
        source_lines = self.sources.get(where[0], [])
        source_line = (
            source_lines[where[1] - 1].strip() if 0 < where[1] <= len(source_lines) else ""
        )
        return {
            "traceback": "\n".join(lines),
            "type": type_name,
            "message": message,
            "file": where[0],
            "line": where[1],
            "source_line": source_line,
        }


def _exit(code: int = 0) -> None:
    raise SystemExit(code)


class EventWriter:
    """``sys.stdout`` of the learner: text becomes ``out`` events in virtual time."""

    def __init__(self) -> None:
        self.machine: Machine | None = None

    def write(self, text: str) -> int:
        if self.machine is not None and text:
            self.machine.emit(["out", self.machine.now_s, str(text)])
            if self.machine.running:
                self.machine.tick(OUTPUT_COST_S)
        return len(text)

    def flush(self) -> None:
        pass


def main() -> None:
    channel = open_channel()
    init = channel.receive()
    os.chdir(init["root"])
    writer = EventWriter()
    sys.stdout = writer
    machine = Machine(channel, init)
    writer.machine = machine
    confine([str(machine.root)], packages=("sim", "kit", "firmware"))
    channel.send({"events": [], "state": "idle", "now": machine.now_s})
    while True:
        message = channel.receive()
        op = message.get("op")
        if op == "exec":
            machine.run_job(message)
        elif op == "run":
            machine.now_s = max(machine.now_s, float(message.get("until", machine.now_s)))
            channel.send({"events": [], "state": "idle", "now": machine.now_s})
        elif op == "release":
            machine.hw.release_all()
            channel.send({"events": machine.events, "state": "idle", "now": machine.now_s})
            machine.events = []
        elif op == "quit":
            return


if __name__ == "__main__":
    main()
