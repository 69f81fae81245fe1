# SPDX-License-Identifier: GPL-3.0-or-later
"""``sim://mbot``: an mBot (mCore) running the mBlock firmware 06.01.x, in a 2D arena.

The firmware side of :mod:`robots.protocol` over the physics of :mod:`sim.mbot.physics`.

Options (``sim://mbot?arena=ovale&ecart=0.05`` or ``kit sim serve mbot --arena ovale``):

* ``arena``: arena name (``robots/arenas/*.toml``) or path to a ``.toml`` file (default: mur);
* ``ecart``: gain mismatch between M1 and M2, 0–0.3 (default 0.01);
* ``bruit``: ultrasonic noise, standard deviation in cm, 0–20 (default 0.3);
* ``zone_morte``: motor dead zone in PWM, 0–250 (default 100);
* ``graine``: random seed (default 1), so a run can be replayed exactly;
* ``appui``: when the onboard button is pressed for 0.3 s: times in s after the firmware has
  started (so, on ``kit robot run``, about the program's own time), or names of the arena's
  zones (pressed when the robot's axle enters the zone), ``appui=2,5.5`` or ``appui=arrivée``;
* ``liaison``: how the computer reaches the robot, ``usb`` (default), ``bluetooth`` or ``2.4g``
  (see :data:`LINKS`): it sets the time every request and reply spends between the two;
* ``demarrage``: boot time after the port opens, in s (default 1.4 over USB, the USB reset of
  the mCore: bootloader then the firmware's start-up tune; 0 for Bluetooth or the 2.4G dongle).

Timing: a request reaches the firmware after the link's latency; the firmware takes its bytes
one per pass of its main loop (:data:`FIRMWARE_BYTE_S`), handles it, writes the reply at
115200 baud, and the reply reaches the computer after the link's latency again. An ultrasonic
measurement takes the echo's round trip (58 µs per cm, up to the 23 ms time-out; a reading
cached from less than 23 ms before comes back at once), and a note blocks the firmware for its
duration (``MeBuzzer::tone`` waits), so its acknowledgement comes when the note ends.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping
from dataclasses import dataclass

from robots import protocol as p
from robots.arenas import DEFAULT_ARENA, load_arena
from robots.record import DeviceEvent, RunRecord
from sim.device import (
    SimOptionError,
    SimulatedDevice,
    option_bool,
    option_float,
    option_int,
    reject_unknown_options,
)
from sim.mbot.physics import SONAR_MAX_CM, MotorModel, World

FIRMWARE_VERSION = "06.01.106"
#: One byte at 115200 baud, 8N1: the mCore's UART, whatever carries it to the computer (the
#: CH340 USB bridge, the Bluetooth module and the 2.4G module all talk to it at 115200).
BYTE_S = 10 / 115200
#: Time the firmware needs to handle a request that does not wait for hardware.
PROCESS_S = 0.0003
#: Firmware time per received byte. Makeblock's mCore firmware (``mbot_factory_firmware.ino``
#: V06.01.009 and ``mbot_firmware.ino`` of Firmware_For_mBlock) reads ONE byte per pass of
#: ``loop()`` (``serialHandle`` → ``readSerial``), and every pass also reads the onboard
#: button with ``analogRead(7)``: 13 ADC clock cycles at 16 MHz / 128 = 125 kHz (ATmega328P
#: datasheet, « ADC conversion time »; prescaler 128 set by Arduino's ``wiring.c``), i.e.
#: 104 µs, plus the IR receiver's and the parser's work: about 0.12 ms per byte, a little
#: slower than the bytes arrive at 115200 baud (87 µs).
FIRMWARE_BYTE_S = 0.00012


@dataclass(frozen=True)
class LinkPace:
    """Time a request and its reply spend between the computer and the mCore's UART."""

    name: str
    #: Latency from the host's ``write`` to the first byte at the mCore (seconds).
    to_robot_s: float
    #: Latency from the reply's last byte at the mCore to the host's ``read`` (seconds).
    to_host_s: float
    #: Default boot time after the port opens (``demarrage``).
    boot_s: float
    #: Where the figures come from (shown in docs/mbot.md and the benchmark).
    source: str


#: The three ways a computer talks to an mBot (option ``liaison``).
LINKS: dict[str, LinkPace] = {
    # USB full speed schedules bulk transfers in 1 ms frames (USB 2.0 specification, 5.8 and
    # 8.4.3.1): the request leaves in the next frame, and the CH340's reply is collected by
    # the host controller's next poll, one frame later.
    "usb": LinkPace("usb", 0.001, 0.001, 1.4, "USB 2.0 full speed: 1 ms frames each way"),
    # Bluetooth (the mBot's Bluetooth module, a UART bridge): data only moves at connection
    # events; BlueZ, the Linux Bluetooth stack, asks for intervals of 30-50 ms
    # (``le_conn_min_interval`` 0x0018 × 1.25 ms in the kernel's ``hci_core.c``). A request
    # waits on average half an interval for its event, and the reply, ready a few ms later,
    # leaves at the next one: ~15 ms + ~30 ms. Estimate, not a measurement on a robot.
    "bluetooth": LinkPace(
        "bluetooth", 0.015, 0.030, 0.0, "Bluetooth: connection events every 30 ms (BlueZ)"
    ),
    # 2.4G dongle: a USB HID device (``0416:ffff``, see kit/urlhandler/protocol_hid.py) polled
    # on its interrupt endpoint (USB HID 1.11: every bInterval ms; 10 ms is usual for such
    # dongles), plus the radio hop to the robot's 2.4G module. Estimate, not a measurement.
    "2.4g": LinkPace("2.4g", 0.010, 0.010, 0.0, "2.4G HID: reports every 10 ms each way"),
}
LINK_NAMES = {"usb": "usb", "bluetooth": "bluetooth", "bt": "bluetooth", "2.4g": "2.4g",
              "2,4g": "2.4g", "24g": "2.4g", "hid": "2.4g"}
BUTTON_PRESS_S = 0.3
KNOWN_OPTIONS = {
    "arena",
    "ecart",
    "bruit",
    "zone_morte",
    "graine",
    "appui",
    "demarrage",
    "enregistrer",
    "liaison",
}


def link_pace(raw: str | None) -> LinkPace:
    """The ``liaison`` option: usb (default), bluetooth or 2.4g."""
    if raw is None or not raw.strip():
        return LINKS["usb"]
    name = LINK_NAMES.get(raw.strip().lower())
    if name is None:
        raise SimOptionError(
            f"L'option « liaison » attend usb, bluetooth ou 2.4g, pas « {raw} »."
        )
    return LINKS[name]


def _button_presses(raw: str | None) -> tuple[list[float], list[str]]:
    """The ``appui`` option: times (s) and zone names, separated by commas."""
    if not raw:
        return [], []
    times: list[float] = []
    zones: list[str] = []
    for item in raw.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            t = float(item)
        except ValueError:
            zones.append(item)
            continue
        if not math.isfinite(t) or t < 0:
            raise SimOptionError(f"Instant d'appui invalide : « {item} ».")
        times.append(t)
    return sorted(times), zones


class MBotDevice(SimulatedDevice):
    kind = "mbot"

    def __init__(self, options: Mapping[str, str] | None = None) -> None:
        super().__init__(options)
        reject_unknown_options(self.options, KNOWN_OPTIONS, self.kind)
        self.arena = load_arena(self.options.get("arena") or DEFAULT_ARENA)
        motors = MotorModel(
            mismatch=option_float(self.options, "ecart", 0.01, minimum=0.0, maximum=0.3),
            dead_zone_pwm=option_float(self.options, "zone_morte", 100, minimum=0, maximum=250),
        )
        self.world = World(
            self.arena,
            motors=motors,
            noise_cm=option_float(self.options, "bruit", 0.3, minimum=0.0, maximum=20.0),
            seed=option_int(self.options, "graine", 1, minimum=0, maximum=2**31),
            record=option_bool(self.options, "enregistrer", True),
        )
        self.pace = link_pace(self.options.get("liaison"))
        self.boot_s = option_float(
            self.options, "demarrage", self.pace.boot_s, minimum=0.0, maximum=5.0
        )
        presses, zones = _button_presses(self.options.get("appui"))
        known = {zone.name for zone in self.arena.zones}
        for name in zones:
            if name not in known:
                raise SimOptionError(
                    f"L'option « appui » attend des instants en secondes ou des zones de "
                    f"l'arène « {self.arena.name} » ({', '.join(sorted(known)) or 'aucune'}), "
                    f"pas « {name} »."
                )
        self._zone_presses = [self.arena.zone(name) for name in zones]
        self._presses_after_boot = sorted(
            [(t, True) for t in presses] + [(t + BUTTON_PRESS_S, False) for t in presses]
        )
        self._button_changes = list(self._presses_after_boot)
        self.parser = p.RequestParser()
        self._out: list[tuple[float, int, bytes]] = []
        self._seq = 0
        self._ready = bytearray()
        self._busy_until = 0.0
        self._boot_done = 0.0
        self._timer_origin = 0.0
        self.button_pressed = False
        self.leds: dict[int, tuple[int, int, int]] = {1: (0, 0, 0), 2: (0, 0, 0)}
        self.buzzer_hz = 0
        self._buzzer_until = 0.0

    # -- recorded state ------------------------------------------------------------------
    @property
    def record(self) -> RunRecord:
        return self.world.record

    @property
    def motors(self) -> tuple[int, int]:
        return (self.world.pwm_m1, self.world.pwm_m2)

    def buzzer_on(self, now_s: float | None = None) -> bool:
        t = self.world.t if now_s is None else now_s
        return self.buzzer_hz > 0 and t < self._buzzer_until

    def _event(self, kind: str, detail: str, value: float = 0.0) -> None:
        if self.world.recording:
            world = self.world
            world.add_event(DeviceEvent(world.t, kind, detail, world.x, world.y, value))

    # -- line events ---------------------------------------------------------------------
    def on_open(self, now_s: float) -> None:
        self.advance(now_s)
        self._event("link", "ouverture du port")
        self._out.clear()
        if self.boot_s > 0:
            # USB open resets the board: it stops, runs the bootloader, then the firmware.
            self.world.stop()
            self.buzzer_hz = 0
            self._boot_done = now_s + self.boot_s
            self._busy_until = self._boot_done
            self._timer_origin = self._boot_done
            self._push(self._boot_done + self.pace.to_host_s,
                       p.encode_version_line(FIRMWARE_VERSION))
            self.parser = p.RequestParser()
        else:
            self._boot_done = now_s
        self.world.record.start_s = self._boot_done
        # Presses are counted from the firmware's start, as the learner's program sees time.
        self._button_changes = sorted(
            (t + self._boot_done, pressed) for t, pressed in self._presses_after_boot
        )

    def on_close(self, now_s: float) -> None:
        self.advance(now_s)
        self._event("link", "fermeture du port")

    # -- host side -----------------------------------------------------------------------
    def _push(self, t: float, data: bytes) -> None:
        self._seq += 1
        heapq.heappush(self._out, (t, self._seq, data))

    def press_button(self, now_s: float) -> None:
        """Someone presses the onboard button now, for :data:`BUTTON_PRESS_S`."""
        self._button_changes = sorted(
            [*self._button_changes, (now_s, True), (now_s + BUTTON_PRESS_S, False)]
        )

    def _zone_reached(self, now_s: float) -> None:
        world = self.world
        for zone in list(self._zone_presses):
            if zone.contains((world.x, world.y)):
                self._zone_presses.remove(zone)
                self.press_button(max(now_s, world.t))

    def advance(self, now_s: float) -> None:
        if self._zone_presses:
            self.world.advance_to(now_s)
            self._zone_reached(now_s)
        while self._button_changes and self._button_changes[0][0] <= now_s:
            t, pressed = self._button_changes.pop(0)
            self.world.advance_to(t)
            self.button_pressed = pressed
            self._event("button", "bouton appuyé" if pressed else "bouton relâché")
            if t >= self._boot_done:
                frame = p.encode_button_event(pressed)
                sent = max(t, self._busy_until) + len(frame) * BYTE_S
                self._push(sent + self.pace.to_host_s, frame)
        self.world.advance_to(now_s)
        out = self._out
        while out and out[0][0] <= now_s:
            self._ready += heapq.heappop(out)[2]

    def read_output(self) -> bytes:
        if not self._ready:
            return b""
        data = bytes(self._ready)
        self._ready.clear()
        return data

    def next_event_s(self) -> float | None:
        if not self._button_changes:
            return self._out[0][0] if self._out else None
        button = self._button_changes[0][0]
        return min(self._out[0][0], button) if self._out else button

    def feed(self, data: bytes, now_s: float) -> None:
        arrival = now_s + self.pace.to_robot_s
        if arrival < self._boot_done:
            return  # the bootloader does not pass bytes to the firmware
        # The bytes arrive at 115200 baud and the firmware takes one per loop pass.
        arrival += len(data) * max(BYTE_S, FIRMWARE_BYTE_S)
        for request in self.parser.feed(data):
            self._handle(request, arrival)

    # -- the firmware ----------------------------------------------------------------------
    def _handle(self, req: p.Request, now_s: float) -> None:
        start = max(now_s, self._busy_until)
        if req.action == p.Action.GET:
            value, vtype, duration = self._get(req, start)
            reply = p.encode_reply(req.idx, value, vtype)
        elif req.action == p.Action.RUN:
            duration = self._run(req, start)
            reply = p.encode_ack()
        elif req.action == p.Action.RESET:
            self.world.stop()
            self.buzzer_hz = 0
            self._event("reset", "arrêt des moteurs et du buzzer")
            duration, reply = PROCESS_S, p.encode_ack()
        elif req.action == p.Action.START:
            duration, reply = PROCESS_S, p.encode_ack()
        else:
            return
        done = start + duration + len(reply) * BYTE_S
        self._busy_until = done
        self._push(done + self.pace.to_host_s, reply)

    def _get(self, req: p.Request, now_s: float) -> tuple[p.Value, p.ValueType | None, float]:
        d = req.device
        F = p.ValueType.FLOAT
        world = self.world
        if d == p.Device.ULTRASONIC:
            distance = world.ultrasonic()
            ox, oy = world.sonar_origin()
            if world.recording:
                world.add_event(
                    DeviceEvent(world.t, "ultrasonic", f"{distance:.1f} cm", ox, oy, distance)
                )
            # The library waits for the echo only when it measures; a reading cached from
            # less than 23 ms ago comes back at once.
            if not world.sonar_fresh:
                echo_s = 0.0
            else:
                echo_s = 0.023 if distance >= SONAR_MAX_CM else distance * 58e-6
            return distance, F, PROCESS_S + echo_s
        if d == p.Device.LINE_FOLLOWER:
            return float(world.line_follower_value()), F, PROCESS_S
        if d == p.Device.LIGHT_SENSOR:
            return world.light_level(), F, PROCESS_S
        if d == p.Device.SOUND_SENSOR:
            return float(max(0, round(120 + world.rng.gauss(0, 8)))), F, PROCESS_S
        if d == p.Device.POTENTIOMETER:
            return 512.0, F, PROCESS_S
        if d == p.Device.BUTTON_INNER:
            pressed = 1 if self.button_pressed else 0
            return (req.byte(1) ^ pressed) & 0xFF, p.ValueType.BYTE, PROCESS_S
        if d == p.Device.VERSION:
            return FIRMWARE_VERSION, p.ValueType.STRING, PROCESS_S
        if d == p.Device.TIMER:
            return max(0.0, now_s - self._timer_origin), F, PROCESS_S
        if d == p.Device.ANALOG:
            pin = req.byte(0)
            if pin == 6:
                return world.light_level(), F, PROCESS_S
            if pin == 7:
                return (0.0 if self.button_pressed else 1023.0), F, PROCESS_S
            return 0.0, F, PROCESS_S
        if d in (p.Device.DIGITAL, p.Device.PIRMOTION, p.Device.LIMITSWITCH, p.Device.JOYSTICK):
            return 0.0, F, PROCESS_S
        if d == p.Device.TEMPERATURE:
            return 21.5, F, PROCESS_S
        if d in (p.Device.GYRO, p.Device.COMPASS):
            return math.degrees(world.heading) % 360.0, F, PROCESS_S
        if d == p.Device.HUMITURE:
            return (45 if req.byte(1) == 0 else 21), p.ValueType.BYTE, PROCESS_S
        if d in (p.Device.FLAMESENSOR, p.Device.GASSENSOR):
            return 12, p.ValueType.SHORT, PROCESS_S
        if d in (p.Device.TOUCH_SENSOR, p.Device.BUTTON, p.Device.IRREMOTE, p.Device.IRREMOTECODE):
            return 0, p.ValueType.BYTE, PROCESS_S
        # IR with nothing received, and devices this firmware does not know: no value.
        return None, None, PROCESS_S

    def _run(self, req: p.Request, now_s: float) -> float:
        d = req.device
        world = self.world
        if d == p.Device.JOYSTICK:
            left, right = req.short(0), req.short(2)
            world.set_motors(left, right)
            self._event("motors", f"M1 {left}, M2 {right}")
        elif d == p.Device.MOTOR:
            port, speed = req.byte(0), req.short(1)
            if port == p.M1:
                world.set_motors(speed, world.pwm_m2)
            elif port == p.M2:
                world.set_motors(world.pwm_m1, speed)
            self._event("motors", f"port {port} : {speed}")
        elif d == p.Device.RGBLED:
            index = req.byte(2)
            colour = (req.byte(3), req.byte(4), req.byte(5))
            for led in (1, 2):
                if index in (0, led):
                    self.leds[led] = colour
            side = {0: "les deux DEL", 1: "DEL droite", 2: "DEL gauche"}.get(index, f"DEL {index}")
            rgb = (colour[0] << 16) | (colour[1] << 8) | colour[2]
            self._event(
                "led", f"{side} : rouge {colour[0]}, vert {colour[1]}, bleu {colour[2]}", rgb
            )
        elif d == p.Device.TONE:
            hz, ms = req.short(0), max(0, req.short(2))
            if hz > 0:
                self.buzzer_hz = hz
                self._buzzer_until = now_s + ms / 1000.0
                self._event("tone", f"note {hz} Hz pendant {ms} ms", float(hz))
                return PROCESS_S + ms / 1000.0
            self.buzzer_hz = 0
            self._event("tone", "buzzer éteint")
        elif d == p.Device.TIMER:
            self._timer_origin = now_s
        else:
            try:
                name = p.Device(d).name.lower()
            except ValueError:
                name = str(d)
            self._event("device", f"commande {name} : {req.data.hex(' ')}")
        return PROCESS_S
