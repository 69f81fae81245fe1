# SPDX-License-Identifier: GPL-3.0-or-later
"""Expose a simulator to other programs, on a pseudo-terminal or a loopback TCP socket.

Virtual time follows the wall clock here (times ``speed``), because the program on the other
side measures time with its own clock. The loop sleeps in ``poll()`` until the host writes or
the device's next event is due, so an idle simulator costs no CPU.

Pty details (Linux and macOS): the server keeps only the master side open. While no program
has the slave open, ``poll()`` on the master reports ``POLLHUP``; the server uses the
transition to detect that a host opened or closed the port and calls the device's
``on_open``/``on_close`` (a printer prints its ``start`` banner when the host connects, as an
Arduino board that resets on open does).
"""

from __future__ import annotations

import ipaddress
import os
import select
import socket
import threading
import time
from collections.abc import Callable

from kit.errors import KitError
from sim.device import SimulatedDevice

#: Longest sleep between two looks at the device when nothing is scheduled (seconds).
IDLE_POLL_S = 0.05
#: How often to look for a host when none is connected to the pty (seconds).
NO_HOST_POLL_S = 0.02
#: Wall-clock pause between accepting a TCP client and "powering" the device. pyserial's
#: ``socket://`` handler discards everything received during ``open()`` (it calls
#: ``reset_input_buffer()`` right after connecting), so a banner sent at once would race with
#: it and be lost. Real boards take longer than this to boot after the port opens anyway.
SOCKET_OPEN_GRACE_S = 0.1


class RealTimeClock:
    """Virtual seconds since start, running ``speed`` times faster than the wall clock."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._origin = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._origin) * self.speed

    def wall_delay_until(self, t_s: float) -> float:
        return max(0.0, (t_s - self.now()) / self.speed)


def _wait_s(device: SimulatedDevice, clock: RealTimeClock) -> float:
    wake = device.next_event_s()
    if wake is None:
        return IDLE_POLL_S
    return min(IDLE_POLL_S, clock.wall_delay_until(wake))


def _pump_output(
    device: SimulatedDevice, clock: RealTimeClock, write: Callable[[bytes], None]
) -> None:
    device.advance(clock.now())
    out = device.read_output()
    if out:
        write(out)


def open_pty() -> tuple[int, str]:
    """Create a raw pseudo-terminal; return (master fd, slave path)."""
    import pty
    import tty

    master, slave = pty.openpty()
    path = os.ttyname(slave)
    tty.setraw(slave)
    os.close(slave)
    os.set_blocking(master, False)
    return master, path


def serve_pty(
    device: SimulatedDevice,
    master_fd: int,
    stop: threading.Event,
    *,
    speed: float = 1.0,
) -> None:
    """Serve ``device`` on an already created pty master until ``stop`` is set."""
    clock = RealTimeClock(speed)
    poller = select.poll()
    poller.register(master_fd, select.POLLIN)
    connected = False

    def write(data: bytes) -> None:
        view = memoryview(data)
        while view and not stop.is_set():
            try:
                n = os.write(master_fd, view)
                view = view[n:]
            except BlockingIOError:
                select.select([], [master_fd], [], IDLE_POLL_S)
            except OSError:
                return

    while not stop.is_set():
        timeout_s = _wait_s(device, clock) if connected else NO_HOST_POLL_S
        events = poller.poll(timeout_s * 1000)
        hangup = any(ev & select.POLLHUP for _, ev in events)
        if hangup:
            if connected:
                connected = False
                device.on_close(clock.now())
            stop.wait(NO_HOST_POLL_S)
            continue
        if not connected:
            connected = True
            device.on_open(clock.now())
        if any(ev & select.POLLIN for _, ev in events):
            try:
                data = os.read(master_fd, 65536)
            except (BlockingIOError, InterruptedError):
                data = b""
            except OSError:  # EIO: the host closed between poll and read
                continue
            if data:
                device.advance(clock.now())
                device.feed(data, clock.now())
        _pump_output(device, clock, write)


def _addresses(host: str) -> list[str]:
    """Every IP address ``host`` names (``OSError`` when the name is unknown)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    return [str(info[4][0]).split("%")[0] for info in socket.getaddrinfo(host, None)]


def is_loopback(host: str) -> bool:
    """Whether every address ``host`` names is a loopback one (127.0.0.0/8, ::1)."""
    try:
        addresses = _addresses(host)
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a).is_loopback for a in addresses)


def open_socket(host: str, port: int, *, allow_network: bool = False) -> socket.socket:
    """Listen on ``host:port`` (port 0 picks a free one).

    A simulator has no authentication: anyone who reaches the port drives it. Only loopback
    addresses are accepted unless ``allow_network`` (``kit sim serve --reseau``).
    """
    if not allow_network and not all(
        ipaddress.ip_address(a).is_loopback for a in _addresses(host)  # OSError: unknown name
    ):
        raise KitError(
            f"« {host} » n'est pas une adresse locale : le simulateur serait ouvert à tout le "
            "réseau, sans mot de passe. Rien n'a été ouvert.",
            hint="Utilisez 127.0.0.1, ou ajoutez --reseau si c'est voulu (réseau de confiance).",
        )
    server = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(1)
    server.settimeout(NO_HOST_POLL_S * 5)
    return server


def serve_socket(
    device: SimulatedDevice,
    server: socket.socket,
    stop: threading.Event,
    *,
    speed: float = 1.0,
) -> None:
    """Serve ``device`` to one TCP client at a time until ``stop`` is set."""
    clock = RealTimeClock(speed)
    while not stop.is_set():
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.settimeout(None)
            stop.wait(SOCKET_OPEN_GRACE_S)
            device.on_open(clock.now())
            _serve_connection(device, conn, clock, stop)
            device.on_close(clock.now())


def _serve_connection(
    device: SimulatedDevice, conn: socket.socket, clock: RealTimeClock, stop: threading.Event
) -> None:
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    while not stop.is_set():
        events = poller.poll(_wait_s(device, clock) * 1000)
        if events:
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data:
                return
            device.advance(clock.now())
            device.feed(data, clock.now())
        try:
            _pump_output(device, clock, conn.sendall)
        except OSError:
            return
