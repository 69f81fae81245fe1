# SPDX-License-Identifier: GPL-3.0-or-later
"""A USB-serial Marlin printer as a :class:`printers.backend.PrinterBackend`.

The farm view and the lessons drive every printer through that interface. A print needs the
link pumped continuously, so :meth:`SerialBackend.start_print` runs the job in a worker thread
(started by the call, never on import); every other method takes the same lock, so status
reads and commands interleave with the job between two rounds of I/O.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from kit.errors import DeviceFault, KitError
from kit.links import open_link
from printers.backend import JobProgress, PrinterState, PrinterStatus, Temperature
from printers.host import MarlinHost
from printers.print_file import check_print_file
from printers.print_job import JobState, PrintJob, remaining_from_analysis

DEFAULT_BAUD = 115200
#: Read slice of the link: how long one round of I/O may block (seconds).
LINK_TIMEOUT_S = 0.1

_STATE_OF_JOB = {
    JobState.PRINTING: PrinterState.PRINTING,
    JobState.FINISHING: PrinterState.PRINTING,
    JobState.VERIFYING: PrinterState.PRINTING,
    JobState.PAUSED: PrinterState.PAUSED,
    JobState.CANCELLING: PrinterState.CANCELLING,
}


class SerialBackend:
    """One printer on a serial port or ``sim://marlin`` URL."""

    def __init__(
        self,
        port: str,
        *,
        name: str = "",
        profile: str | None = None,
        baudrate: int | None = None,
        ping_pong: bool = False,
    ) -> None:
        self.port = port
        self.name = name or port
        self.profile_name = profile
        self.baudrate = baudrate
        self.ping_pong = ping_pong
        self.host: MarlinHost | None = None
        self.job: PrintJob | None = None
        self._lock = threading.RLock()
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()
        self._message: str | None = None

    # -- connection ------------------------------------------------------------------------
    def _baud(self) -> int:
        if self.baudrate:
            return self.baudrate
        if self.profile_name:
            from printers.profile import load_profile

            return load_profile(self.profile_name).baud
        return DEFAULT_BAUD

    def connect(self) -> None:
        with self._lock:
            if self.host is not None and self.host.connected:
                return
            link = open_link(self.port, baudrate=self._baud(), timeout_s=LINK_TIMEOUT_S)
            host = MarlinHost(link, port_name=self.port, ping_pong=self.ping_pong)
            try:
                host.connect()
            except BaseException:
                host.close()
                raise
            self.host = host

    def close(self) -> None:
        self._stop.set()
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout=5)
        with self._lock:
            if self.host is not None:
                self.host.close()
                self.host = None

    def _connected_host(self) -> MarlinHost:
        if self.host is None or not self.host.connected:
            self.connect()
        assert self.host is not None
        return self.host

    # -- status ----------------------------------------------------------------------------
    def status(self) -> PrinterStatus:
        with self._lock:
            host = self.host
            job = self.job
            if host is None:
                return PrinterStatus(PrinterState.OFFLINE, message_fr=self._message)
            if job is not None and not job.finished:
                state = _STATE_OF_JOB.get(job.state, PrinterState.PRINTING)
            elif job is not None and job.state is JobState.FAILED:
                state = PrinterState.ERROR
            else:
                state = PrinterState.IDLE
                if host.connected:
                    try:
                        host.poll_temperatures()
                    except KitError as exc:
                        self._message = exc.message
                        state = PrinterState.ERROR
                if state is PrinterState.IDLE and any(
                    (r.target_c or 0) > 0 and r.actual_c < (r.target_c or 0) - 2
                    for r in host.temperatures.values()
                ):
                    state = PrinterState.HEATING
            temperatures = {
                name: Temperature(r.actual_c, r.target_c or 0.0)
                for name, r in host.temperatures.items()
            }
            progress = None
            if job is not None:
                snap = job.snapshot()
                progress = JobProgress(
                    file_name=job.checked.path.name,
                    fraction_done=snap.fraction,
                    elapsed_s=snap.elapsed_s,
                    remaining_s=snap.remaining_s,
                    layer=snap.layer or None,
                )
            return PrinterStatus(state, temperatures, progress, self._message)

    # -- printing --------------------------------------------------------------------------
    def start_print(self, gcode_file: Path) -> None:
        checked = check_print_file(gcode_file)
        remaining_at = remaining_from_analysis(str(checked.path), self.profile_name)
        with self._lock:
            if self.job is not None and not self.job.finished:
                raise KitError(f"« {self.name} » imprime déjà : annulez d'abord l'impression.")
            host = self._connected_host()
            self.job = PrintJob(host, checked, remaining_at=remaining_at)
            self._message = None
            self._stop.clear()
            self._worker = threading.Thread(
                target=self._run_job, name=f"print-{self.name}", daemon=True
            )
            self._worker.start()

    def _run_job(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                job = self.job
                if job is None or job.finished:
                    return
                try:
                    job.step()
                except KitError as exc:
                    self._message = exc.message
                    return
            time.sleep(0)  # let status() and commands from other threads take the lock
    def wait(self, timeout_s: float | None = None) -> None:
        """Block until the worker thread ends (the print finished, failed or was cancelled)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout_s)

    def pause(self) -> None:
        with self._lock:
            if self.job is None or self.job.finished:
                raise KitError(f"« {self.name} » n'imprime pas : rien à mettre en pause.")
            self.job.pause()

    def resume(self) -> None:
        with self._lock:
            if self.job is None or self.job.state is not JobState.PAUSED:
                raise KitError(f"« {self.name} » n'est pas en pause.")
            self.job.resume()

    def cancel(self) -> None:
        with self._lock:
            if self.job is None or self.job.finished:
                raise KitError(f"« {self.name} » n'imprime pas : rien à annuler.")
            self.job.cancel()

    def set_temperatures(
        self, *, hotend_c: float | None = None, bed_c: float | None = None
    ) -> None:
        commands = []
        if hotend_c is not None:
            commands.append(f"M104 S{hotend_c:g}")
        if bed_c is not None:
            commands.append(f"M140 S{bed_c:g}")
        with self._lock:
            host = self._connected_host()
            if self.job is not None and not self.job.finished:
                for command in commands:
                    host.push(command)
                return
            for command in commands:
                host.command(command)

    def send_command(self, command: str) -> list[str]:
        with self._lock:
            if self.job is not None and not self.job.finished:
                raise KitError(
                    f"« {self.name} » imprime : les commandes manuelles attendent la fin de "
                    "l'impression."
                )
            host = self._connected_host()
            try:
                return host.command(command.strip())
            except DeviceFault:
                self.host = None
                raise


#: The name used in the issue's wording.
SerialPrinter = SerialBackend
