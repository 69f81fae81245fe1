# SPDX-License-Identifier: GPL-3.0-or-later
"""``hid://VID:PID``: a serial link carried in USB HID reports (the mBot's 2.4G dongle).

Makeblock's 2.4G dongle (``0416:ffff``) is not a serial port but a HID device. Each report
carries a chunk of the serial stream: written reports are ``[report id 0, length, bytes…]``
padded to 64 bytes, read reports are 64 bytes whose byte 0 is the number of useful bytes that
follow. This handler hides that behind pyserial's API so that the driver cannot tell it from
a USB cable: ``open_link("hid://0416:ffff")``.

The ``hid`` package (a ctypes binding) needs the system's libhidapi; it is imported only when
such a link is opened, so the rest of the kit works without it.
"""

from __future__ import annotations

import time
import urllib.parse
from typing import Any, Protocol

from serial.serialutil import PortNotOpenError, SerialBase, SerialException

from kit.errors import LinkError

REPORT_SIZE = 64
#: Useful bytes per report: the first byte of a report is the length.
CHUNK = REPORT_SIZE - 1
DONGLE_VID_PID = (0x0416, 0xFFFF)


class HidDevice(Protocol):
    def write(self, data: bytes) -> int: ...

    def read(self, size: int, timeout: int | None = None) -> bytes: ...

    def close(self) -> None: ...


def reports_for(data: bytes) -> list[bytes]:
    """The output reports (with hidapi's leading report id 0) that carry ``data``."""
    out = []
    for start in range(0, len(data), CHUNK):
        chunk = data[start : start + CHUNK]
        out.append(bytes((0, len(chunk))) + chunk.ljust(CHUNK, b"\x00"))
    return out


def payload_of(report: bytes) -> bytes:
    """The serial bytes carried by one input report."""
    if not report:
        return b""
    length = min(report[0], len(report) - 1, CHUNK)
    return bytes(report[1 : 1 + length])


def parse_hid_url(url: str) -> tuple[int, int]:
    parts = urllib.parse.urlsplit(url)
    target = parts.netloc or parts.path.strip("/")
    if not target:
        return DONGLE_VID_PID
    try:
        vid_text, pid_text = target.split(":")
        return int(vid_text, 16), int(pid_text, 16)
    except ValueError:
        raise LinkError(
            f"Adresse HID invalide : « {url} ». Exemple : hid://0416:ffff (clé 2.4G du mBot)."
        ) from None


def _open_hid(vid: int, pid: int) -> HidDevice:
    try:
        import hid
    except ImportError as exc:
        raise LinkError(
            "La clé 2.4G a besoin de la bibliothèque système hidapi, absente de cet ordinateur.",
            hint="Debian/Ubuntu : sudo apt install libhidapi-hidraw0 ; macOS : brew install "
            "hidapi ; Windows : hidapi.dll à côté de Python.",
        ) from exc
    try:
        device: HidDevice = hid.Device(vid, pid)
    except Exception as exc:  # hid.HIDException: no device, or no permission
        raise LinkError(
            f"Impossible d'ouvrir la clé 2.4G ({vid:04x}:{pid:04x}) : {exc}",
            hint="Est-elle branchée ? Sous Linux, il faut une règle udev pour y accéder sans "
            "être administrateur : lancez « kit doctor » pour la marche à suivre.",
        ) from exc
    return device


class Serial(SerialBase):  # type: ignore[misc]
    """pyserial-compatible port over a HID device's reports."""

    def __init__(self, *args: Any, hid_device: HidDevice | None = None, **kwargs: Any) -> None:
        self._hid: HidDevice | None = hid_device
        self._given = hid_device is not None
        self._pending = bytearray()
        super().__init__(*args, **kwargs)

    def open(self) -> None:
        if self.is_open:  # type: ignore[has-type]
            raise SerialException("Port is already open.")
        if self._port is None:
            raise SerialException("Port must be configured before it can be used.")
        if not self._given:
            vid, pid = parse_hid_url(self.port)
            self._hid = _open_hid(vid, pid)
        self.is_open = True
        self._pending.clear()

    def close(self) -> None:
        if self.is_open and self._hid is not None:
            try:
                self._hid.close()
            finally:
                self.is_open = False

    def _reconfigure_port(self, *args: Any, **kwargs: Any) -> None:
        pass  # no line settings on HID

    def _update_dtr_state(self) -> None:
        pass

    def _update_rts_state(self) -> None:
        pass

    def _update_break_state(self) -> None:
        pass

    def _poll(self, timeout_ms: int) -> None:
        assert self._hid is not None
        try:
            report = self._hid.read(REPORT_SIZE, timeout_ms)
        except Exception as exc:
            raise SerialException(f"lecture impossible sur la clé 2.4G ({exc})") from exc
        self._pending += payload_of(report)

    @property
    def in_waiting(self) -> int:
        if not self.is_open:
            raise PortNotOpenError()
        self._poll(0)
        return len(self._pending)

    def read(self, size: int = 1) -> bytes:
        if not self.is_open:
            raise PortNotOpenError()
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        while len(self._pending) < size:
            if deadline is None:
                self._poll(-1)
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._poll(max(1, round(remaining * 1000)))
        data = bytes(self._pending[:size])
        del self._pending[:size]
        return data

    def write(self, data: bytes) -> int:
        if not self.is_open or self._hid is None:
            raise PortNotOpenError()
        payload = bytes(data)
        for report in reports_for(payload):
            try:
                self._hid.write(report)
            except Exception as exc:
                raise SerialException(f"envoi impossible vers la clé 2.4G ({exc})") from exc
        return len(payload)

    def reset_input_buffer(self) -> None:
        self._pending.clear()

    def reset_output_buffer(self) -> None:
        pass

    @property
    def out_waiting(self) -> int:
        return 0
