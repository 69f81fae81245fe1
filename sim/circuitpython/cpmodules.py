# SPDX-License-Identifier: GPL-3.0-or-later
"""The CircuitPython core modules as the simulated board offers them to ``code.py``.

``board``, ``digitalio``, ``analogio``, ``pwmio``, ``touchio``, ``neopixel_write``,
``neopixel``, ``rainbowio``, ``microcontroller``, ``supervisor``, ``time``, ``gc`` and
``micropython`` follow the CircuitPython API (the subset beginners' lessons use). Every
output change is reported to :class:`Hardware` as a timeline event; every input reads the
scripted inputs at the current virtual time. Time only moves through ``time.sleep`` and the
cost of executed lines (see :mod:`sim.circuitpython.worker`).

Runs inside the worker process only.
"""

from __future__ import annotations

import time as _host_time
import types
from collections.abc import Callable
from typing import Any

from sim.circuitpython.inputs import (
    ACTIVE_HIGH_BUTTONS,
    CPU_TEMPERATURE,
    ScriptedInputs,
    default_light,
    default_temperature,
    thermistor_raw,
)

#: 2000-01-01T00:00:00Z, the epoch CircuitPython's clock starts from without an RTC.
EPOCH_2000_S = 946684800


class ReloadRequest(BaseException):  # noqa: N818 - mirrors supervisor.reload()
    """``supervisor.reload()`` or ``microcontroller.reset()``: restart code.py."""


class Hardware:
    """What the simulated modules share: the board, the clock, inputs and the event sink."""

    def __init__(
        self,
        *,
        board_id: str,
        board_name: str,
        chip: str,
        pins: list[str],
        buttons: list[str],
        inputs: ScriptedInputs,
        now: Callable[[], float],
        sleep: Callable[[float], None],
        emit: Callable[[list[Any]], None],
    ) -> None:
        self.board_id = board_id
        self.board_name = board_name
        self.chip = chip
        self.pin_names = list(pins)
        self.buttons = set(buttons)
        self.inputs = inputs
        self.now = now
        self.sleep = sleep
        self.emit = emit
        self.claimed: dict[str, object] = {}
        self.pins: dict[str, Pin] = {name: Pin(name) for name in pins}

    # -- pins ------------------------------------------------------------------------------
    def claim(self, pin: object, owner: object) -> str:
        if not isinstance(pin, Pin):
            raise TypeError(f"une broche (board.…) est attendue, pas « {type(pin).__name__} »")
        if pin.name in self.claimed:
            raise ValueError(f"{pin.name} in use")
        self.claimed[pin.name] = owner
        return pin.name

    def release(self, name: str) -> None:
        self.claimed.pop(name, None)

    def release_all(self) -> None:
        for name, owner in list(self.claimed.items()):
            deinit = getattr(owner, "deinit", None)
            if callable(deinit):
                try:
                    deinit()
                except Exception:  # noqa: BLE001 - a broken object must not stop the reset
                    self.release(name)
        self.claimed.clear()

    # -- inputs ----------------------------------------------------------------------------
    def read_digital(self, name: str, pull: object) -> bool:
        t = self.now()
        scripted = self.inputs.value(name, t)
        if name in self.buttons:
            active_high = name in ACTIVE_HIGH_BUTTONS.get(self.board_id, frozenset())
            pressed = bool(scripted) if scripted is not None else False
            return pressed if active_high else not pressed
        if scripted is not None:
            return bool(scripted)
        if name == "SLIDE_SWITCH":
            return True
        return pull is Pull.UP

    def read_analog(self, name: str) -> int:
        t = self.now()
        scripted = self.inputs.value(name, t)
        if scripted is not None:
            return max(0, min(65535, int(scripted)))
        if name == "LIGHT":
            return default_light(t)
        if name == "TEMPERATURE":
            return thermistor_raw(self.cpu_temperature())
        return 0

    def cpu_temperature(self) -> float:
        t = self.now()
        scripted = self.inputs.value(CPU_TEMPERATURE, t)
        return float(scripted) if scripted is not None else default_temperature(t)


class Pin:
    """A pin of the board (``board.LED``); compared by identity like on the board."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"board.{self.name}"


class _Enum:
    def __init__(self, owner: str, name: str) -> None:
        self._text = f"{owner}.{name}"

    def __repr__(self) -> str:
        return self._text


class Direction:
    INPUT = _Enum("digitalio.Direction", "INPUT")
    OUTPUT = _Enum("digitalio.Direction", "OUTPUT")


class Pull:
    UP = _Enum("digitalio.Pull", "UP")
    DOWN = _Enum("digitalio.Pull", "DOWN")


class DriveMode:
    PUSH_PULL = _Enum("digitalio.DriveMode", "PUSH_PULL")
    OPEN_DRAIN = _Enum("digitalio.DriveMode", "OPEN_DRAIN")


def build_modules(hw: Hardware) -> dict[str, types.ModuleType]:
    """Fresh module objects for one run of the virtual machine."""

    def deinit_check(obj: Any) -> None:
        if obj._pin is None:
            raise ValueError("Object has been deinitialized and can no longer be used. "
                             "Create a new object.")

    # -- digitalio -------------------------------------------------------------------------
    class DigitalInOut:
        def __init__(self, pin: Pin) -> None:
            self._pin: str | None = hw.claim(pin, self)
            self._direction = Direction.INPUT
            self._pull: Any = None
            self._value = False
            self._drive_mode = DriveMode.PUSH_PULL

        def deinit(self) -> None:
            if self._pin is not None:
                if self._direction is Direction.OUTPUT:
                    hw.emit(["pin", hw.now(), self._pin, None])
                hw.release(self._pin)
                self._pin = None

        def __enter__(self) -> DigitalInOut:
            return self

        def __exit__(self, *exc: object) -> None:
            self.deinit()

        @property
        def direction(self) -> Any:
            deinit_check(self)
            return self._direction

        @direction.setter
        def direction(self, value: Any) -> None:
            deinit_check(self)
            if value is Direction.OUTPUT:
                self.switch_to_output(False)
            elif value is Direction.INPUT:
                self.switch_to_input(None)
            else:
                raise ValueError("direction doit être digitalio.Direction.INPUT ou OUTPUT")

        def switch_to_output(self, value: bool = False, drive_mode: Any = None) -> None:
            deinit_check(self)
            was_output = self._direction is Direction.OUTPUT
            self._direction = Direction.OUTPUT
            self._drive_mode = drive_mode or DriveMode.PUSH_PULL
            if not was_output or bool(value) != self._value:
                self._value = bool(value)
                hw.emit(["pin", hw.now(), self._pin, self._value])

        def switch_to_input(self, pull: Any = None) -> None:
            deinit_check(self)
            if self._direction is Direction.OUTPUT:
                hw.emit(["pin", hw.now(), self._pin, None])
            self._direction = Direction.INPUT
            self._pull = pull

        @property
        def value(self) -> bool:
            deinit_check(self)
            if self._direction is Direction.OUTPUT:
                return self._value
            assert self._pin is not None
            return hw.read_digital(self._pin, self._pull)

        @value.setter
        def value(self, value: Any) -> None:
            deinit_check(self)
            if self._direction is not Direction.OUTPUT:
                raise AttributeError("Cannot set value when direction is input.")
            new = bool(value)
            if new != self._value:
                self._value = new
                hw.emit(["pin", hw.now(), self._pin, new])

        @property
        def pull(self) -> Any:
            deinit_check(self)
            return self._pull

        @pull.setter
        def pull(self, value: Any) -> None:
            deinit_check(self)
            if self._direction is Direction.OUTPUT:
                raise AttributeError("Pull not used when direction is output.")
            self._pull = value

        @property
        def drive_mode(self) -> Any:
            return self._drive_mode

        @drive_mode.setter
        def drive_mode(self, value: Any) -> None:
            self._drive_mode = value

    digitalio = _module("digitalio", DigitalInOut=DigitalInOut, Direction=Direction, Pull=Pull,
                        DriveMode=DriveMode)

    # -- analogio --------------------------------------------------------------------------
    class AnalogIn:
        def __init__(self, pin: Pin) -> None:
            self._pin: str | None = hw.claim(pin, self)
            self._last_reading: int | None = None

        @property
        def value(self) -> int:
            deinit_check(self)
            assert self._pin is not None
            reading = hw.read_analog(self._pin)
            if reading != self._last_reading:  # the timeline keeps changes, not every read
                self._last_reading = reading
                hw.emit(["ain", hw.now(), self._pin, reading])
            return reading

        @property
        def reference_voltage(self) -> float:
            return 3.3

        def deinit(self) -> None:
            if self._pin is not None:
                hw.release(self._pin)
                self._pin = None

        def __enter__(self) -> AnalogIn:
            return self

        def __exit__(self, *exc: object) -> None:
            self.deinit()

    class AnalogOut:
        def __init__(self, pin: Pin) -> None:
            self._pin: str | None = hw.claim(pin, self)
            self._value = 0

        @property
        def value(self) -> int:
            return self._value

        @value.setter
        def value(self, value: int) -> None:
            deinit_check(self)
            if not 0 <= int(value) <= 65535:
                raise ValueError("value must be 0-65535")
            self._value = int(value)
            hw.emit(["pwm", hw.now(), self._pin, self._value, 0])

        def deinit(self) -> None:
            if self._pin is not None:
                hw.emit(["pwm", hw.now(), self._pin, None, 0])
                hw.release(self._pin)
                self._pin = None

        def __enter__(self) -> AnalogOut:
            return self

        def __exit__(self, *exc: object) -> None:
            self.deinit()

    analogio = _module("analogio", AnalogIn=AnalogIn, AnalogOut=AnalogOut)

    # -- pwmio -----------------------------------------------------------------------------
    class PWMOut:
        def __init__(
            self,
            pin: Pin,
            *,
            duty_cycle: int = 0,
            frequency: int = 500,
            variable_frequency: bool = False,
        ) -> None:
            if not 0 <= int(duty_cycle) <= 65535:
                raise ValueError("duty_cycle must be 0-65535")
            if not 1 <= int(frequency) <= 50_000_000:
                raise ValueError("Invalid PWM frequency")
            self._pin: str | None = hw.claim(pin, self)
            self._duty = int(duty_cycle)
            self._frequency = int(frequency)
            self._variable = bool(variable_frequency)
            self._report()

        def _report(self) -> None:
            hw.emit(["pwm", hw.now(), self._pin, self._duty, self._frequency])

        @property
        def duty_cycle(self) -> int:
            deinit_check(self)
            return self._duty

        @duty_cycle.setter
        def duty_cycle(self, value: int) -> None:
            deinit_check(self)
            value = int(value)
            if not 0 <= value <= 65535:
                raise ValueError("duty_cycle must be 0-65535")
            if value != self._duty:
                self._duty = value
                self._report()

        @property
        def frequency(self) -> int:
            deinit_check(self)
            return self._frequency

        @frequency.setter
        def frequency(self, value: int) -> None:
            deinit_check(self)
            if not self._variable:
                raise AttributeError(
                    "Cannot change frequency: create PWMOut with variable_frequency=True"
                )
            self._frequency = int(value)
            self._report()

        def deinit(self) -> None:
            if self._pin is not None:
                hw.emit(["pwm", hw.now(), self._pin, None, self._frequency])
                hw.release(self._pin)
                self._pin = None

        def __enter__(self) -> PWMOut:
            return self

        def __exit__(self, *exc: object) -> None:
            self.deinit()

    pwmio = _module("pwmio", PWMOut=PWMOut)

    # -- touchio ---------------------------------------------------------------------------
    class TouchIn:
        def __init__(self, pin: Pin) -> None:
            self._pin: str | None = hw.claim(pin, self)
            self.threshold = 1000

        @property
        def raw_value(self) -> int:
            deinit_check(self)
            touched = hw.inputs.value(self._pin or "", hw.now())
            return 3000 if touched else 500

        @property
        def value(self) -> bool:
            return self.raw_value > self.threshold

        def deinit(self) -> None:
            if self._pin is not None:
                hw.release(self._pin)
                self._pin = None

        def __enter__(self) -> TouchIn:
            return self

        def __exit__(self, *exc: object) -> None:
            self.deinit()

    touchio = _module("touchio", TouchIn=TouchIn)

    # -- neopixel_write and neopixel -------------------------------------------------------
    def neopixel_write(digitalinout: Any, buf: Any) -> None:
        if not isinstance(digitalinout, DigitalInOut):
            raise TypeError("neopixel_write attend un digitalio.DigitalInOut")
        deinit_check(digitalinout)
        data = bytes(buf)
        colours = [
            [data[i + 1], data[i], data[i + 2]]  # wire order G, R, B
            for i in range(0, len(data) - 2, 3)
        ]
        hw.emit(["px", hw.now(), digitalinout._pin, colours])

    neopixel_write_mod = _module("neopixel_write", neopixel_write=neopixel_write)

    class NeoPixel:
        """The core of Adafruit's NeoPixel API (used when lib/neopixel.py is absent)."""

        def __init__(
            self,
            pin: Pin,
            n: int,
            *,
            bpp: int = 3,
            brightness: float = 1.0,
            auto_write: bool = True,
            pixel_order: Any = None,
        ) -> None:
            self._out = DigitalInOut(pin)
            self._out.direction = Direction.OUTPUT
            self.n = int(n)
            self._pixels: list[tuple[int, int, int]] = [(0, 0, 0)] * self.n
            self._brightness = min(max(float(brightness), 0.0), 1.0)
            self.auto_write = auto_write
            self.pixel_order = pixel_order or "GRB"
            self.bpp = bpp

        @staticmethod
        def _colour(value: Any) -> tuple[int, int, int]:
            if isinstance(value, int):
                return ((value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF)
            items = tuple(int(v) for v in value)
            if len(items) not in (3, 4):
                raise ValueError("Expected tuple of length 3 or 4")
            if not all(0 <= v <= 255 for v in items[:3]):
                raise ValueError("color components must be 0-255")
            return (items[0], items[1], items[2])

        def __len__(self) -> int:
            return self.n

        def __setitem__(self, index: Any, value: Any) -> None:
            if isinstance(index, slice):
                for i, v in zip(range(*index.indices(self.n)), value, strict=False):
                    self._pixels[i] = self._colour(v)
            else:
                self._pixels[index] = self._colour(value)
            if self.auto_write:
                self.show()

        def __getitem__(self, index: Any) -> Any:
            return self._pixels[index]

        def fill(self, value: Any) -> None:
            self._pixels = [self._colour(value)] * self.n
            if self.auto_write:
                self.show()

        @property
        def brightness(self) -> float:
            return self._brightness

        @brightness.setter
        def brightness(self, value: float) -> None:
            self._brightness = min(max(float(value), 0.0), 1.0)
            if self.auto_write:
                self.show()

        def show(self) -> None:
            wire = bytearray()
            level = self._brightness
            for r, g, b in self._pixels:
                wire += bytes((int(g * level), int(r * level), int(b * level)))
            neopixel_write(self._out, wire)

        def deinit(self) -> None:
            self.fill((0, 0, 0))
            self.show()
            self._out.deinit()

        def __enter__(self) -> NeoPixel:
            return self

        def __exit__(self, *exc: object) -> None:
            self.deinit()

    neopixel = _module(
        "neopixel", NeoPixel=NeoPixel, RGB="RGB", GRB="GRB", RGBW="RGBW", GRBW="GRBW"
    )

    # -- rainbowio -------------------------------------------------------------------------
    def colorwheel(position: float) -> int:
        pos = int(position) & 0xFF
        if pos < 85:
            return ((255 - pos * 3) << 16) | ((pos * 3) << 8)
        if pos < 170:
            pos -= 85
            return ((pos * 3) << 8) | (255 - pos * 3)
        pos -= 170
        return ((pos * 3) << 16) | (255 - pos * 3)

    rainbowio = _module("rainbowio", colorwheel=colorwheel)

    # -- board -----------------------------------------------------------------------------
    def no_bus(*_args: object, **_kwargs: object) -> None:
        raise NotImplementedError("les bus I2C/SPI/UART ne sont pas simulés")

    board = _BoardModule(hw)
    board.__dict__.update({name: pin for name, pin in hw.pins.items()})
    board.__dict__.update(board_id=hw.board_id, I2C=no_bus, SPI=no_bus, UART=no_bus,
                          STEMMA_I2C=no_bus)

    # -- microcontroller -------------------------------------------------------------------
    class Processor:
        @property
        def temperature(self) -> float:
            return hw.cpu_temperature()

        frequency = {"samd21": 48_000_000, "samd51": 120_000_000}.get(hw.chip, 125_000_000)
        voltage = 3.3
        uid = bytes(range(8))
        reset_reason = _Enum("microcontroller.ResetReason", "POWER_ON")

    def reset() -> None:
        raise ReloadRequest("microcontroller.reset()")

    def delay_us(delay: int) -> None:
        hw.sleep(int(delay) / 1_000_000)

    microcontroller = _module(
        "microcontroller", cpu=Processor(), Pin=Pin, reset=reset, delay_us=delay_us,
        Processor=Processor, nvm=None,
        pin=_module("microcontroller.pin", **hw.pins),
    )

    # -- supervisor ------------------------------------------------------------------------
    class Runtime:
        serial_connected = True
        usb_connected = True
        serial_bytes_available = 0

    def reload() -> None:
        raise ReloadRequest("supervisor.reload()")

    def ticks_ms() -> int:
        return int(hw.now() * 1000) & ((1 << 29) - 1)

    supervisor = _module(
        "supervisor", runtime=Runtime(), reload=reload, ticks_ms=ticks_ms,
        set_next_code_file=lambda *a, **k: None, disable_autoreload=lambda: None,
        enable_autoreload=lambda: None,
    )

    # -- time ------------------------------------------------------------------------------
    def sleep(seconds: float) -> None:
        seconds = float(seconds)
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        hw.sleep(seconds)

    def monotonic() -> float:
        return hw.now()

    def monotonic_ns() -> int:
        return int(hw.now() * 1e9)

    def now_epoch() -> int:
        return EPOCH_2000_S + int(hw.now())

    def localtime(secs: float | None = None) -> Any:
        return _host_time.gmtime(now_epoch() if secs is None else secs)

    time_mod = _module(
        "time", sleep=sleep, monotonic=monotonic, monotonic_ns=monotonic_ns, time=now_epoch,
        localtime=localtime, struct_time=_host_time.struct_time, mktime=_host_time.mktime,
    )

    # -- gc and micropython ----------------------------------------------------------------
    gc = _module("gc", collect=lambda: None, mem_free=lambda: 120_000, mem_alloc=lambda: 8_000,
                 enable=lambda: None, disable=lambda: None, isenabled=lambda: True)

    def passthrough(value: Any) -> Any:
        return value

    micropython = _module(
        "micropython", const=passthrough, native=passthrough, viper=passthrough,
        asm_thumb=passthrough, opt_level=lambda *a: 0, mem_info=lambda *a: None,
        schedule=lambda f, arg: f(arg),
    )

    return {
        "board": board,
        "digitalio": digitalio,
        "analogio": analogio,
        "pwmio": pwmio,
        "touchio": touchio,
        "neopixel_write": neopixel_write_mod,
        "neopixel": neopixel,
        "rainbowio": rainbowio,
        "microcontroller": microcontroller,
        "supervisor": supervisor,
        "time": time_mod,
        "gc": gc,
        "micropython": micropython,
    }


#: Modules of the simulated firmware that a library in lib/ may replace (frozen modules).
FROZEN_FALLBACKS = frozenset({"neopixel"})


class _BoardModule(types.ModuleType):
    def __init__(self, hw: Hardware) -> None:
        super().__init__("board")
        self.__dict__["_board_name"] = hw.board_name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"module 'board' has no attribute '{name}'")


def _module(name: str, **attrs: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module
