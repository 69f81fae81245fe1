# SPDX-License-Identifier: GPL-3.0-or-later
"""Run code on a CircuitPython board over its serial console, through the raw REPL.

The transport is any port :func:`kit.links.open_link` opens (a real board's ``/dev/ttyACM0``,
``sim://circuitpython``, a served pty); the protocol is :class:`firmware.rawrepl.RawReplHost`.
Timeouts are measured with :func:`kit.links.link_clock`, so they are virtual on simulated
links. Nothing here prints: output is handed to a callback as it arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import serial

from firmware import rawrepl
from kit.errors import DeviceFault, KitError, LinkError
from kit.links import link_clock
from kit.messages import seconds_fr

#: How long a board may take to show the raw REPL banner (seconds).
ENTER_TIMEOUT_S = 5.0
#: Pause after the interrupt, to let a running program print its traceback (seconds).
SETTLE_S = 0.2
#: Size of one read while waiting (the port's own timeout bounds each read).
READ_CHUNK = 4096


@dataclass(frozen=True)
class RunResult:
    error: str  # the board's traceback text, "" when the program ended normally
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return not self.error and not self.timed_out


class RawReplClient:
    """The raw REPL over an open pyserial port."""

    def __init__(self, port: serial.SerialBase, *, port_name: str = "") -> None:
        self.port = port
        self.port_name = port_name or str(getattr(port, "port", "")) or "la carte"
        self.codec = rawrepl.RawReplHost()
        self.clock = link_clock(port)
        if port.timeout is None or port.timeout > 0.1:
            port.timeout = 0.05

    # -- low level -------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        try:
            self.port.write(data)
            self.port.flush()
        except (serial.SerialException, OSError) as exc:
            raise LinkError(
                f"La liaison avec {self.port_name} est coupée (carte débranchée ?)."
            ) from exc

    def _read(self) -> bytes:
        try:
            waiting = self.port.in_waiting
            data: bytes = self.port.read(max(1, min(waiting, READ_CHUNK)))
            return data
        except (serial.SerialException, OSError) as exc:
            raise LinkError(
                f"La liaison avec {self.port_name} est coupée (carte débranchée ?)."
            ) from exc

    def _drain(self, duration_s: float) -> bytes:
        end = self.clock() + duration_s
        seen = bytearray()
        while self.clock() < end:
            seen += self._read()
        return bytes(seen)

    # -- protocol --------------------------------------------------------------------------
    def enter_raw(self, timeout_s: float = ENTER_TIMEOUT_S) -> None:
        """Interrupt whatever runs and wait for the raw REPL prompt."""
        self._write(self.codec.interrupt())
        self._drain(SETTLE_S)
        self._write(self.codec.enter_raw())
        deadline = self.clock() + timeout_s
        heard = bytearray()
        while self.clock() < deadline:
            data = self._read()
            heard += data
            self.codec.receive_data(data)
            event = self.codec.next_event()
            if isinstance(event, rawrepl.RawReady):
                return
        if heard:
            raise DeviceFault(
                f"{self.port_name} répond, mais pas comme une carte CircuitPython ou "
                "MicroPython : pas d'invite « raw REPL ».",
                hint="Vérifiez que CircuitPython est installé (« kit mcu flash ») et que ce "
                "n'est pas une imprimante ou un robot.",
                exit_code=2,
            )
        raise DeviceFault(
            f"{self.port_name} n'a rien répondu en {seconds_fr(timeout_s)}.",
            hint="La carte est-elle branchée avec un câble de données, CircuitPython est-il "
            "installé ? Appuyez sur RESET puis réessayez.",
            exit_code=2,
        )

    def execute(
        self,
        code: str,
        on_output: Callable[[bytes], None],
        *,
        timeout_s: float | None = None,
    ) -> RunResult:
        """Run ``code``; printed bytes go to ``on_output`` as they arrive."""
        if self.codec.state is rawrepl.HostState.WAIT_PROMPT:
            self._await_prompt()
        for chunk in self.codec.exec_(code.encode("utf-8")):
            self._write(chunk)
        deadline = None if timeout_s is None else self.clock() + timeout_s
        accepted = False
        while True:
            if deadline is not None and self.clock() >= deadline:
                if not accepted:
                    raise DeviceFault(
                        f"{self.port_name} n'a pas accepté le programme (pas de « OK »).",
                        exit_code=2,
                    )
                self._write(rawrepl.CTRL_C)
                error = self._finish_after_interrupt(on_output)
                return RunResult(error=error, timed_out=True)
            data = self._read()
            self.codec.receive_data(data)
            while True:
                event = self.codec.next_event()
                if event is rawrepl.NEED_DATA:
                    break
                if isinstance(event, rawrepl.ExecAccepted):
                    accepted = True
                elif isinstance(event, rawrepl.Output):
                    on_output(event.data)
                elif isinstance(event, rawrepl.ExecDone):
                    return RunResult(error=event.error.decode("utf-8", "replace"))
                elif isinstance(event, rawrepl.ProtocolError):
                    raise DeviceFault(
                        f"Réponse inattendue de {self.port_name} : {event.message} "
                        f"({event.data[:40]!r}).",
                        exit_code=2,
                    )

    def _await_prompt(self, timeout_s: float = ENTER_TIMEOUT_S) -> None:
        """After a program: wait for the ``>`` that says the board takes the next one."""
        deadline = self.clock() + timeout_s
        while self.clock() < deadline:
            event = self.codec.next_event()
            if isinstance(event, rawrepl.RawReady):
                return
            if isinstance(event, rawrepl.ProtocolError):
                break
            if event is rawrepl.NEED_DATA:
                self.codec.receive_data(self._read())
        raise DeviceFault(
            f"{self.port_name} n'a pas rendu l'invite « > » après le programme.", exit_code=2
        )

    def _finish_after_interrupt(self, on_output: Callable[[bytes], None]) -> str:
        end = self.clock() + ENTER_TIMEOUT_S
        while self.clock() < end:
            self.codec.receive_data(self._read())
            while True:
                event = self.codec.next_event()
                if event is rawrepl.NEED_DATA:
                    break
                if isinstance(event, rawrepl.Output):
                    on_output(event.data)
                elif isinstance(event, rawrepl.ExecDone):
                    return event.error.decode("utf-8", "replace")
        return ""

    def leave_raw(self) -> None:
        self._write(self.codec.leave_raw())

    def soft_reset(self, timeout_s: float = ENTER_TIMEOUT_S) -> bytes:
        """Interrupt, then Ctrl-D at the prompt: the board reboots and reruns code.py."""
        self._write(self.codec.interrupt())
        self._drain(SETTLE_S)
        self._write(rawrepl.CTRL_D)
        deadline = self.clock() + timeout_s
        seen = bytearray()
        while self.clock() < deadline:
            seen += self._read()
            if rawrepl.SOFT_REBOOT in seen:
                return bytes(seen)
        raise DeviceFault(
            f"{self.port_name} n'a pas redémarré (pas de « soft reboot » en "
            f"{seconds_fr(timeout_s)}).",
            hint="Appuyez sur le bouton RESET de la carte.",
            exit_code=2,
        )


def check_code_size(code: str, limit_bytes: int = 200_000) -> None:
    if len(code.encode("utf-8")) > limit_bytes:
        raise KitError(
            f"Programme trop gros pour être envoyé par la console ({limit_bytes // 1000} ko "
            "au plus) : copiez-le plutôt avec « kit mcu deploy »."
        )
