# SPDX-License-Identifier: GPL-3.0-or-later
"""``sim://KIND?option=value&...``: a simulator behind the pyserial API, in-process.

Time model. By default the link runs *as fast as possible*: virtual time only moves when
the host blocks in :meth:`Serial.read`, and then it jumps straight to the device's next
event (or to the read's deadline, measured in virtual seconds). A host that waits for a
reply therefore costs no wall-clock time, while the device still sees realistic timings.
With ``?speed=N`` virtual time follows the wall clock, ``N`` times faster (``speed=1`` is
real time), for demos and for hosts that measure time with their own clock.

The host's clock for timeouts should be :meth:`Serial.now_s` (see
:func:`kit.links.link_clock`), so that a simulated silence of 30 s is detected instantly.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from typing import Any

from serial.serialutil import PortNotOpenError, SerialBase, SerialException

from sim.device import SimulatedDevice, VirtualClock, option_float
from sim.registry import LINK_OPTIONS, create_device

#: Smallest step the link takes when a device asks to be woken "now" again, so that a
#: device reporting a stale next event cannot stall the host in an endless loop.
_MIN_STEP_S = 1e-6


class Serial(SerialBase):  # type: ignore[misc]
    """pyserial-compatible port backed by a :class:`SimulatedDevice`."""

    BAUDRATES = (
        300,
        1200,
        2400,
        4800,
        9600,
        19200,
        38400,
        57600,
        74880,
        115200,
        230400,
        250000,
        460800,
        500000,
        921600,
        1000000,
        1500000,
        2000000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.device: SimulatedDevice | None = None
        self.clock = VirtualClock()
        self._speed: float | None = None
        self._wall_origin = 0.0
        self._virtual_origin = 0.0
        self._pending = bytearray()
        self._lock = threading.RLock()
        super().__init__(*args, **kwargs)

    # -- pyserial plumbing ---------------------------------------------------------------
    def open(self) -> None:
        if self.is_open:  # type: ignore[has-type]
            raise SerialException("Port is already open.")
        if self._port is None:
            raise SerialException("Port must be configured before it can be used.")
        kind, options = self.parse_url(self.port)
        speed = option_float(options, "speed", 0.0, minimum=0.0, maximum=1e6)
        self._speed = speed or None
        device_options = {k: v for k, v in options.items() if k not in LINK_OPTIONS}
        self.device = create_device(kind, device_options)
        self._wall_origin = time.monotonic()
        self._virtual_origin = self.clock.now()
        self.is_open = True
        self._pending.clear()
        self.device.on_open(self.now_s())
        self._reconfigure_port()
        self._update_dtr_state()
        self._update_rts_state()

    @staticmethod
    def parse_url(url: str) -> tuple[str, dict[str, str]]:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme.lower() != "sim":
            raise SerialException(f"expected a sim:// URL, got {url!r}")
        kind = (parts.netloc or parts.path.strip("/")).lower()
        options = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        return kind, options

    def close(self) -> None:
        with self._lock:
            if self.is_open and self.device is not None:
                self.device.on_close(self.now_s())
            self.is_open = False

    def _reconfigure_port(self, *args: Any, **kwargs: Any) -> None:
        if self.is_open and self.device is not None:
            self.device.set_baudrate(int(self._baudrate), self.now_s())

    def _update_dtr_state(self) -> None:
        if self.is_open and self.device is not None:
            self.device.set_control_lines(
                bool(self._dtr_state), bool(self._rts_state), self.now_s()
            )

    def _update_rts_state(self) -> None:
        self._update_dtr_state()

    def _update_break_state(self) -> None:
        pass

    # -- time ----------------------------------------------------------------------------
    def now_s(self) -> float:
        """Current virtual time of this link, in seconds."""
        if self._speed:
            wall = time.monotonic() - self._wall_origin
            self.clock.advance_to(self._virtual_origin + wall * self._speed)
        return self.clock.now()

    def _advance(self, target_s: float) -> None:
        assert self.device is not None
        if self._speed:
            delay = (target_s - self.now_s()) / self._speed
            if delay > 0:
                time.sleep(delay)
        self.clock.advance_to(target_s)
        self.device.advance(self.clock.now())
        self._pending += self.device.read_output()

    def _collect(self) -> None:
        assert self.device is not None
        self.device.advance(self.now_s())
        self._pending += self.device.read_output()

    # -- data ----------------------------------------------------------------------------
    @property
    def in_waiting(self) -> int:
        if not self.is_open:
            raise PortNotOpenError()
        with self._lock:
            self._collect()
            return len(self._pending)

    def read(self, size: int = 1) -> bytes:
        if not self.is_open:
            raise PortNotOpenError()
        with self._lock:
            assert self.device is not None
            self._collect()
            timeout = self._timeout
            deadline = None if timeout is None else self.now_s() + timeout
            while len(self._pending) < size:
                if deadline is not None and self.now_s() >= deadline:
                    break
                wake = self.device.next_event_s()
                if wake is None:
                    if deadline is None:
                        # Nothing will ever arrive: a real port would block forever. Return
                        # what we have instead of hanging the host (timeouts are advised).
                        break
                    target = deadline
                else:
                    target = max(wake, self.now_s() + _MIN_STEP_S)
                    if deadline is not None:
                        target = min(target, deadline)
                self._advance(target)
            data = bytes(self._pending[:size])
            del self._pending[:size]
            return data

    def write(self, data: bytes) -> int:
        if not self.is_open:
            raise PortNotOpenError()
        payload = bytes(data)
        with self._lock:
            assert self.device is not None
            self._collect()
            self.device.feed(payload, self.now_s())
        return len(payload)

    def flush(self) -> None:
        if not self.is_open:
            raise PortNotOpenError()

    def reset_input_buffer(self) -> None:
        if not self.is_open:
            raise PortNotOpenError()
        with self._lock:
            self._collect()
            self._pending.clear()

    def reset_output_buffer(self) -> None:
        if not self.is_open:
            raise PortNotOpenError()

    @property
    def out_waiting(self) -> int:
        return 0

    # pyserial's modem-status lines: a simulator has its host side always "present".
    @property
    def cts(self) -> bool:
        return True

    @property
    def dsr(self) -> bool:
        return True

    @property
    def ri(self) -> bool:
        return False

    @property
    def cd(self) -> bool:
        return True
