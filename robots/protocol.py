# SPDX-License-Identifier: GPL-3.0-or-later
"""The mBot (mCore) « mBlock » firmware protocol, version 06.01.x, as a pure codec.

No I/O and no clock here: the driver (:mod:`robots.mbot`) and the simulator (:mod:`sim.mbot`)
are two users of the same frames.

Wire format, as read in Makeblock's published ``Firmware_For_mBlock`` sources:

* host → robot: ``ff 55 LEN IDX ACTION DEVICE PORT [SLOT] DATA…`` where ``LEN`` counts the
  bytes after itself. Actions: GET=1, RUN=2, RESET=4, START=5. Makeblock's own Python client
  appends an extra ``0a`` byte and counts it in ``LEN``; the firmware simply treats it as one
  more data byte, so both the firmware and our simulator accept it.
* robot → host, GET: ``ff 55 IDX TYPE VALUE 0d 0a`` with TYPE 1 byte, 2 float (little-endian),
  3 short, 4 string (length byte then text), 5 double. A GET on a device the firmware does not
  know gets ``ff 55 IDX 0d 0a`` (no value).
* robot → host, RUN/RESET/START: ``ff 55 0d 0a`` (no index: replies come back in order).
* unsolicited: ``ff 55 80 01 <0|1> 0d 0a`` when the onboard button changes, and the text
  line ``Version: 06.01.xxx`` when the board boots.

The firmware's ``sendShort`` writes four bytes after the type byte (two of them past the end
of a two-byte union), so the decoder accepts a short followed by either 2 or 4 bytes.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

HEADER = b"\xff\x55"
END = b"\r\n"
#: Index the firmware uses for its unsolicited onboard-button frame; never used for requests.
BUTTON_EVENT_INDEX = 0x80
#: The firmware's receive buffer is 52 bytes; a longer frame is dropped.
MAX_REQUEST_LEN = 52
VERSION_PREFIX = b"Version: "
#: Longest text the firmware sends (its IR receive buffer).
MAX_STRING_LEN = 64

# mCore ports (MeMCore.h): the RJ25 sockets 1-4, the onboard light sensor on 6, the onboard
# button and RGB LEDs on 7, and the two motor outputs M1/M2.
PORT_ULTRASONIC = 3
PORT_LINE_FOLLOWER = 2
PORT_LIGHT = 6
PORT_ONBOARD = 7
SLOT_ONBOARD_LEDS = 2
M1 = 0x09
M2 = 0x0A


class Action(enum.IntEnum):
    GET = 1
    RUN = 2
    RESET = 4
    START = 5


class Device(enum.IntEnum):
    """Device ids of the mBlock firmware (``#define``s of ``mbot_firmware.ino``)."""

    VERSION = 0
    ULTRASONIC = 1
    TEMPERATURE = 2
    LIGHT_SENSOR = 3
    POTENTIOMETER = 4
    JOYSTICK = 5  # RUN: both motors (left short, right short); GET: an add-on joystick axis
    GYRO = 6
    SOUND_SENSOR = 7
    RGBLED = 8
    SEVSEG = 9
    MOTOR = 10
    SERVO = 11
    ENCODER = 12
    IR = 13
    IRREMOTE = 14
    PIRMOTION = 15
    INFRARED = 16
    LINE_FOLLOWER = 17
    IRREMOTECODE = 18
    SHUTTER = 20
    LIMITSWITCH = 21
    BUTTON = 22  # the add-on 4-button module
    HUMITURE = 23
    FLAMESENSOR = 24
    GASSENSOR = 25
    COMPASS = 26
    DIGITAL = 30
    ANALOG = 31
    PWM = 32
    SERVO_PIN = 33
    TONE = 34
    BUTTON_INNER = 35  # the onboard button
    LEDMATRIX = 41
    TIMER = 50
    TOUCH_SENSOR = 51


class ValueType(enum.IntEnum):
    BYTE = 1
    FLOAT = 2
    SHORT = 3
    STRING = 4
    DOUBLE = 5


# -- host → robot ------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """One request, without its index: what to ask, and of which device."""

    action: Action
    device: int
    payload: bytes = b""

    def encode(self, idx: int) -> bytes:
        if not 0 <= idx <= 0xFF:
            raise ValueError(f"index out of range: {idx}")
        body = bytes((idx, int(self.action), self.device)) + self.payload
        if len(body) > 0xFF:
            raise ValueError("payload too long")
        return HEADER + bytes((len(body),)) + body


def _short(value: int) -> bytes:
    return struct.pack("<h", max(-32768, min(32767, int(value))))


def _u8(value: int) -> int:
    return max(0, min(255, int(value)))


def get_version() -> Command:
    return Command(Action.GET, Device.VERSION, bytes((0,)))


def get_ultrasonic(port: int = PORT_ULTRASONIC) -> Command:
    return Command(Action.GET, Device.ULTRASONIC, bytes((port,)))


def get_line_follower(port: int = PORT_LINE_FOLLOWER) -> Command:
    return Command(Action.GET, Device.LINE_FOLLOWER, bytes((port,)))


def get_light(port: int = PORT_LIGHT) -> Command:
    return Command(Action.GET, Device.LIGHT_SENSOR, bytes((port,)))


def get_sensor(device: Device, port: int, slot: int | None = None) -> Command:
    """GET for any port-addressed sensor (sound, potentiometer, PIR, temperature…)."""
    payload = bytes((port,)) if slot is None else bytes((port, slot))
    return Command(Action.GET, device, payload)


def get_onboard_button(port: int = PORT_ONBOARD, pressed_value: int = 0) -> Command:
    """The firmware answers ``pressed_value XOR pressed``: with 0, the byte is 1 when pressed."""
    return Command(Action.GET, Device.BUTTON_INNER, bytes((port, pressed_value & 0xFF)))


def get_timer() -> Command:
    return Command(Action.GET, Device.TIMER, bytes((0,)))


def reset_timer() -> Command:
    return Command(Action.RUN, Device.TIMER, bytes((0,)))


def get_digital(pin: int) -> Command:
    return Command(Action.GET, Device.DIGITAL, bytes((pin,)))


def get_analog(pin: int) -> Command:
    return Command(Action.GET, Device.ANALOG, bytes((pin,)))


def set_digital(pin: int, level: bool) -> Command:
    return Command(Action.RUN, Device.DIGITAL, bytes((pin, 1 if level else 0)))


def set_pwm(pin: int, duty: int) -> Command:
    return Command(Action.RUN, Device.PWM, bytes((pin, _u8(duty))))


def run_motors(left: int, right: int) -> Command:
    """Both motors at once (device JOYSTICK, RUN): M1 gets ``left``, M2 gets ``right``.

    Speeds are PWM values -255…255. mBlock drives forward with M1 negative and M2 positive.
    """
    return Command(Action.RUN, Device.JOYSTICK, _short(left) + _short(right))


def run_motor(port: int, speed: int) -> Command:
    return Command(Action.RUN, Device.MOTOR, bytes((port,)) + _short(speed))


def set_rgb_led(
    index: int,
    red: int,
    green: int,
    blue: int,
    port: int = PORT_ONBOARD,
    slot: int = SLOT_ONBOARD_LEDS,
) -> Command:
    """Onboard LEDs: index 1 is the right one, 2 the left one, 0 both."""
    return Command(
        Action.RUN, Device.RGBLED, bytes((port, slot, _u8(index), _u8(red), _u8(green), _u8(blue)))
    )


def play_tone(frequency_hz: int, duration_ms: int) -> Command:
    """A note on the buzzer; frequency 0 silences it. (The mCore firmware has no port byte.)"""
    return Command(
        Action.RUN, Device.TONE, _short(max(0, frequency_hz)) + _short(max(0, duration_ms))
    )


def set_servo(port: int, slot: int, angle: int) -> Command:
    return Command(Action.RUN, Device.SERVO, bytes((port, slot, max(0, min(180, int(angle))))))


def set_seven_segment(port: int, value: float) -> Command:
    return Command(Action.RUN, Device.SEVSEG, bytes((port,)) + struct.pack("<f", value))


def show_matrix_text(port: int, text: str, x: int = 0, y: int = 7) -> Command:
    raw = text.encode("ascii", "replace")[:20]
    return Command(
        Action.RUN, Device.LEDMATRIX, bytes((port, 1, x & 0xFF, y & 0xFF, len(raw))) + raw
    )


def reset() -> Command:
    """RESET: firmware 06.01.1xx stops both motors and the buzzer, then acknowledges."""
    return Command(Action.RESET, 0)


# -- robot → host: events ----------------------------------------------------------------

Value = int | float | str | None


@dataclass(frozen=True)
class Reply:
    """Answer to a GET: the request's index and the decoded value (``None``: no value)."""

    idx: int
    value: Value
    value_type: ValueType | None


@dataclass(frozen=True)
class Ack:
    """Acknowledgement of a RUN, RESET or START (carries no index)."""


@dataclass(frozen=True)
class ButtonEvent:
    """Unsolicited: the onboard button was pressed (True) or released (False)."""

    pressed: bool


@dataclass(frozen=True)
class VersionLine:
    """The ``Version: …`` line the firmware prints at boot."""

    version: str


@dataclass(frozen=True)
class NeedData:
    """Sentinel: feed more bytes before asking for the next event."""


NEED_DATA = NeedData()

Event = Reply | Ack | ButtonEvent | VersionLine


class _Incomplete(Exception):
    pass


class _Invalid(Exception):
    pass


_VALUE_SIZES = {
    ValueType.BYTE: 1,
    ValueType.FLOAT: 4,
    ValueType.SHORT: 2,
    ValueType.DOUBLE: 8,
}


def _need(buf: bytearray, end: int) -> None:
    if len(buf) < end:
        raise _Incomplete


def _expect_end(buf: bytearray, at: int) -> int:
    _need(buf, at + 2)
    if buf[at : at + 2] != END:
        raise _Invalid
    return at + 2


class ReplyDecoder:
    """Host side: bytes from the robot in, :data:`Event`s out (h11 style).

    ``receive_data(bytes)`` then ``next_event()`` until it returns :data:`NEED_DATA`. Garbage
    never raises: the decoder drops one byte and looks for the next ``ff 55`` header, so it
    resynchronises after noise, a half frame or a board reset.
    """

    #: Longest run of non-frame bytes kept while waiting for a possible ``Version:`` line.
    MAX_TEXT = 128

    def __init__(self) -> None:
        self._buf = bytearray()
        self.discarded = 0

    def receive_data(self, data: bytes) -> None:
        self._buf += data

    def next_event(self) -> Event | NeedData:
        buf = self._buf
        while buf:
            start = buf.find(HEADER)
            text_end = start if start >= 0 else len(buf)
            newline = buf.find(b"\n", 0, text_end)
            if newline >= 0:
                line = bytes(buf[: newline + 1])
                del buf[: newline + 1]
                event = self._text_line(line)
                if event is not None:
                    return event
                continue
            if start < 0:
                # Keep a possible beginning of a text line or a lone 0xff (header split).
                keep = len(buf) if len(buf) <= self.MAX_TEXT else 0
                if buf.endswith(b"\xff"):
                    keep = max(keep, 1)
                drop = len(buf) - keep
                if drop:
                    self.discarded += drop
                    del buf[:drop]
                return NEED_DATA
            if start > 0:
                # Bytes before a header that do not end a line: not part of any frame.
                self.discarded += start
                del buf[:start]
            try:
                event, used = self._frame(buf)
            except _Incomplete:
                return NEED_DATA
            except _Invalid:
                self.discarded += 1
                del buf[:1]
                continue
            del buf[:used]
            return event
        return NEED_DATA

    def events(self) -> list[Event]:
        out: list[Event] = []
        while True:
            event = self.next_event()
            if isinstance(event, NeedData):
                return out
            out.append(event)

    def _text_line(self, line: bytes) -> Event | None:
        at = line.find(VERSION_PREFIX)
        if at >= 0:
            version = line[at + len(VERSION_PREFIX) :].strip().decode("ascii", "replace")
            return VersionLine(version)
        self.discarded += len(line)
        return None

    @staticmethod
    def _frame(buf: bytearray) -> tuple[Event, int]:
        _need(buf, 4)
        first, second = buf[2], buf[3]
        if first == 0x0D and second == 0x0A:
            return Ack(), 4
        idx = first
        if second == 0x0D:
            return Reply(idx, None, None), _expect_end(buf, 3)
        try:
            vtype = ValueType(second)
        except ValueError:
            raise _Invalid from None
        at = 4
        value: Value
        if vtype is ValueType.STRING:
            _need(buf, at + 1)
            length = buf[at]
            # The firmware only sends short text (its version, the IR buffer of at most 64
            # characters): anything else is noise, rejected now rather than after waiting for
            # up to 255 bytes that would hold back the real replies behind it.
            if length > MAX_STRING_LEN:
                raise _Invalid
            text = buf[at + 1 : at + 1 + length]
            if any(c < 0x20 or c > 0x7E for c in text):
                raise _Invalid
            _need(buf, at + 1 + length)
            value = bytes(buf[at + 1 : at + 1 + length]).decode("latin-1")
            end = _expect_end(buf, at + 1 + length)
        elif vtype is ValueType.SHORT:
            _need(buf, at + 4)
            value = struct.unpack_from("<h", buf, at)[0]
            end = at + 4 if buf[at + 2 : at + 4] == END else _expect_end(buf, at + 4)
        else:
            size = _VALUE_SIZES[vtype]
            _need(buf, at + size)
            if vtype is ValueType.BYTE:
                value = buf[at]
            elif vtype is ValueType.FLOAT:
                value = struct.unpack_from("<f", buf, at)[0]
            else:
                value = struct.unpack_from("<d", buf, at)[0]
            end = _expect_end(buf, at + size)
        if idx == BUTTON_EVENT_INDEX and vtype is ValueType.BYTE:
            return ButtonEvent(bool(value)), end
        return Reply(idx, value, vtype), end


# -- robot side: requests in, replies out ------------------------------------------------


@dataclass(frozen=True)
class Request:
    """A request as the firmware sees it: ``data`` is everything after the device byte."""

    idx: int
    action: int
    device: int
    data: bytes

    def byte(self, offset: int, default: int = 0) -> int:
        return self.data[offset] if offset < len(self.data) else default

    def short(self, offset: int) -> int:
        raw = self.data[offset : offset + 2].ljust(2, b"\x00")
        return int(struct.unpack("<h", raw)[0])

    def float(self, offset: int) -> float:
        raw = self.data[offset : offset + 4].ljust(4, b"\x00")
        return float(struct.unpack("<f", raw)[0])


class RequestParser:
    """Robot side: the firmware's byte-by-byte receive loop, as tolerant as the firmware.

    A frame starts at ``ff 55`` (outside a frame only), its length byte counts what follows,
    and it is parsed once that many bytes arrived. Frames longer than the firmware's buffer
    are dropped. Extra trailing bytes counted in the length (Makeblock's client adds ``0a``)
    end up at the end of ``data`` and are ignored by the device handlers.
    """

    def __init__(self) -> None:
        self._prev = 0
        self._in_frame = False
        self._frame = bytearray()
        self._remaining = 0
        self.dropped = 0

    def feed(self, data: bytes) -> list[Request]:
        out: list[Request] = []
        for c in data:
            if not self._in_frame:
                if c == 0x55 and self._prev == 0xFF:
                    self._in_frame = True
                    self._frame.clear()
                    self._remaining = -1
                else:
                    self._prev = c
                continue
            self._prev = c
            if self._remaining < 0:
                if c < 3 or c > MAX_REQUEST_LEN - 3:
                    self._in_frame = False
                    self.dropped += 1
                    continue
                self._remaining = c
                continue
            self._frame.append(c)
            self._remaining -= 1
            if self._remaining == 0:
                self._in_frame = False
                frame = bytes(self._frame)
                out.append(Request(frame[0], frame[1], frame[2], frame[3:]))
        return out


def encode_value(value: Value, vtype: ValueType | None) -> bytes:
    if vtype is None or value is None:
        return b""
    if vtype is ValueType.BYTE:
        assert isinstance(value, int)
        return bytes((1, value & 0xFF))
    if vtype is ValueType.FLOAT:
        assert not isinstance(value, str)
        return b"\x02" + struct.pack("<f", float(value))
    if vtype is ValueType.SHORT:
        assert isinstance(value, int)
        # As the firmware does: the short, then two more bytes (see the module docstring).
        return b"\x03" + struct.pack("<h", value) + b"\x00\x00"
    if vtype is ValueType.DOUBLE:
        assert not isinstance(value, str)
        return b"\x05" + struct.pack("<d", float(value))
    assert isinstance(value, str)
    raw = value.encode("ascii", "replace")[:MAX_STRING_LEN]
    return bytes((4, len(raw))) + raw


def encode_reply(idx: int, value: Value, vtype: ValueType | None) -> bytes:
    return HEADER + bytes((idx & 0xFF,)) + encode_value(value, vtype) + END


def encode_ack() -> bytes:
    return HEADER + END


def encode_button_event(pressed: bool) -> bytes:
    return encode_reply(BUTTON_EVENT_INDEX, 1 if pressed else 0, ValueType.BYTE)


def encode_version_line(version: str) -> bytes:
    return VERSION_PREFIX + version.encode("ascii") + END
