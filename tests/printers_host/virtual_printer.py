# SPDX-License-Identifier: GPL-3.0-or-later
"""OctoPrint's VirtualPrinter served on a pty, as a peer the kit's host did not write.

VirtualPrinter (``octoprint/plugins/virtual_printer/virtual.py``, OctoPrint 1.10/1.11) is a
Marlin imitation with its own resend logic: simulated errors at fixed lines, a resend ratio,
``wait`` when idle, a 64-byte receive buffer and an optional missing ``ok`` after ``Resend:``
(``brokenResend``). This module runs it in a child process (``python -m
tests.printers_host.virtual_printer SETTINGS_JSON``) and bridges it to a pty whose path it prints
on its first stdout line; the host under test opens that path as a serial port.

VirtualPrinter expects OctoPrint's plugin settings object and plugin manager; the bridge gives it
its own defaults (``VirtualPrinterPlugin.get_settings_defaults``) overridden by the JSON, and a
plugin manager without hooks. Nothing of the kit is replaced: only OctoPrint's surroundings.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tty
from dataclasses import dataclass
from typing import Any

from tests.support.pty_process import start_pty_server


class _Settings:
    """The part of OctoPrint's PluginSettings that VirtualPrinter reads."""

    def __init__(self, values: dict[str, Any], folder: str) -> None:
        self._values = values
        self._folder = folder

    def get(self, path: list[str], merged: bool = False) -> Any:
        value: Any = self._values
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def get_int(self, path: list[str]) -> int:
        return int(self.get(path) or 0)

    def get_float(self, path: list[str]) -> float:
        return float(self.get(path) or 0.0)

    def get_boolean(self, path: list[str]) -> bool:
        return bool(self.get(path))

    def global_get_basefolder(self, name: str) -> str:
        path = os.path.join(self._folder, name)
        os.makedirs(path, exist_ok=True)
        return path


class _NoPlugins:
    def get_hooks(self, name: str) -> dict[str, Any]:
        return {}


def _serve(overrides: dict[str, Any]) -> None:  # pragma: no cover - runs in the child
    from octoprint.plugins import virtual_printer
    from octoprint.plugins.virtual_printer import virtual

    virtual.plugin_manager = lambda: _NoPlugins()  # type: ignore[attr-defined]
    settings = virtual_printer.VirtualPrinterPlugin().get_settings_defaults()
    settings.update(overrides)
    folder = tempfile.mkdtemp(prefix="atelier-vp-")
    printer = virtual.VirtualPrinter(_Settings(settings, folder), None, folder, read_timeout=0.05)
    master, slave = os.openpty()
    tty.setraw(slave)
    port = os.ttyname(slave)
    print(port, flush=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def to_printer() -> None:
        while not stop.is_set():
            try:
                data = os.read(master, 4096)
            except OSError:
                time.sleep(0.01)  # nobody has the port open yet (or it was closed)
                continue
            # VirtualPrinter takes one line per write (OctoPrint writes line by line): its
            # reader handles one line per chunk and keeps the rest for after the next chunk.
            # The bridge splits what the pty delivers, as a UART would hand it over byte by byte.
            for line in data.splitlines(keepends=True):
                printer.write(line)

    def to_host() -> None:
        while not stop.is_set():
            line = printer.readline()
            if line:
                with contextlib.suppress(OSError):
                    os.write(master, line if line.endswith(b"\n") else line + b"\n")

    for target in (to_printer, to_host):
        threading.Thread(target=target, daemon=True).start()
    stop.wait()
    report = {"lastN": printer.lastN, "current_line": printer.current_line}
    sys.stderr.write(json.dumps(report) + "\n")
    sys.stderr.flush()
    printer.close()
    os._exit(0)


@dataclass
class ServedVirtualPrinter:
    port: str
    process: subprocess.Popen[str]
    _errors: Any
    _report: dict[str, Any] | None = None

    def stop(self) -> dict[str, Any]:
        """Stop the child; return VirtualPrinter's own line counters (``lastN``)."""
        if self._report is not None:
            return self._report
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._errors.seek(0)
        text = self._errors.read()
        self._errors.close()
        for line in reversed(text.splitlines()):
            if line.startswith("{"):
                result: dict[str, Any] = json.loads(line)
                self._report = result
                return result
        raise RuntimeError(f"VirtualPrinter gave no report: {text[-2000:]}")


def serve_virtual_printer(**settings: Any) -> ServedVirtualPrinter:
    """Start VirtualPrinter with these settings (e.g. ``resend_ratio=5``) on a new pty."""
    port, process, errors = start_pty_server(
        ["tests.printers_host.virtual_printer", json.dumps(settings)], "VirtualPrinter"
    )
    return ServedVirtualPrinter(port, process, errors)


if __name__ == "__main__":  # pragma: no cover - the child process
    _serve(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {})
