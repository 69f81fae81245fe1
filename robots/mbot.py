# SPDX-License-Identifier: GPL-3.0-or-later
"""The mBot driver: one request at a time over any link, each waiting for its reply.

Links come from :func:`kit.links.open_link`: USB serial (CH340 ``1A86:7523``, 115200 baud;
opening the port resets the board, so :meth:`MBot.handshake` waits for the firmware), Bluetooth
serial (``/dev/rfcomm0``), the 2.4G dongle (``hid://0416:ffff``, see
:mod:`kit.urlhandler.protocol_hid`) or the simulator (``sim://mbot``). Timeouts are measured
with :func:`kit.links.link_clock`, so the simulator's virtual time is used when it drives.

Speeds here are the firmware's PWM values (-255…255); :mod:`robots.learner` offers the
percentages and French names a first lesson needs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import serial

from kit.errors import DeviceFault, KitError, LinkError
from kit.links import link_clock, open_link
from robots import protocol as p

#: What a learner reads when the robot does not answer (wording from the issue).
NO_ANSWER = (
    "Le robot ne répond pas : est-il allumé ? Le micrologiciel mBlock est-il installé ? "
    "(mBlock → Connecter → Mettre à jour le micrologiciel)"
)
#: Longest single blocking read; waits are made of such slices so button frames are seen.
READ_SLICE_S = 0.05
DEFAULT_REPLY_TIMEOUT_S = 1.0
DEFAULT_CONNECT_TIMEOUT_S = 5.0
#: How often the handshake asks for the version while the board boots.
HANDSHAKE_RETRY_S = 0.4


class RobotTimeout(DeviceFault):
    """A request got no reply in time."""


class RobotLost(DeviceFault):
    """The link broke while the program ran (cable pulled, batteries, out of range)."""


class TimeLimitReached(BaseException):
    """The time allowed for the program is over (a challenge's limit, ``--temps-max``).

    A :class:`BaseException`, like :class:`KeyboardInterrupt`, so that a learner's
    ``except Exception`` does not swallow it.
    """


class GoalReached(TimeLimitReached):
    """The challenge is already won: the program is stopped there."""


class MBot:
    """An mBot behind an open link. Use :func:`connect` to open and greet it."""

    def __init__(
        self,
        link: Any,
        *,
        clock: Callable[[], float] | None = None,
        reply_timeout_s: float = DEFAULT_REPLY_TIMEOUT_S,
    ) -> None:
        self.link = link
        self.clock = clock or link_clock(link)
        self.reply_timeout_s = reply_timeout_s
        self.decoder = p.ReplyDecoder()
        self.firmware: str | None = None
        self.button_state = False
        self.button_presses = 0
        self.reboots = 0
        #: Virtual/real time after which calls raise :class:`TimeLimitReached`.
        self.deadline_s: float | None = None
        #: Called before each request: True ends the program (a challenge already won).
        self.end_when: Callable[[], bool] | None = None
        self._idx = 0
        self._closed = False

    # -- plumbing ------------------------------------------------------------------------
    def _next_idx(self) -> int:
        # 1…127: 0x80 is the firmware's unsolicited button frame; skip 0x0d so that no
        # reply starts like an acknowledgement (ff 55 0d 0a).
        self._idx = self._idx % 0x7F + 1
        if self._idx == 0x0D:
            self._idx += 1
        return self._idx

    def _check_deadline(self) -> None:
        if self.deadline_s is not None and self.clock() >= self.deadline_s:
            raise TimeLimitReached
        if self.end_when is not None and self.end_when():
            raise GoalReached

    def _write(self, data: bytes) -> None:
        try:
            self.link.write(data)
        except (serial.SerialException, OSError) as exc:
            raise RobotLost(f"La liaison avec le robot est perdue : {exc}") from exc

    def _read_some(self, max_wait_s: float) -> bytes:
        wait = max(0.0, min(max_wait_s, READ_SLICE_S))
        try:
            if self.link.timeout is None or abs(self.link.timeout - wait) > 1e-9:
                self.link.timeout = wait
            data: bytes = self.link.read(1)
            if data:
                waiting = self.link.in_waiting
                if waiting:
                    data += self.link.read(waiting)
            return data
        except (serial.SerialException, OSError) as exc:
            raise RobotLost(f"La liaison avec le robot est perdue : {exc}") from exc

    def _note(self, event: p.Event) -> None:
        if isinstance(event, p.ButtonEvent):
            if event.pressed and not self.button_state:
                self.button_presses += 1
            self.button_state = event.pressed
        elif isinstance(event, p.VersionLine):
            if self.firmware is not None:
                self.reboots += 1  # the board restarted (weak batteries, a USB reset)
            self.firmware = event.version

    def _wait_for(self, match: Callable[[p.Event], bool], timeout_s: float) -> p.Event | None:
        deadline = self.clock() + timeout_s
        while True:
            event = self.decoder.next_event()
            if isinstance(event, p.NeedData):
                remaining = deadline - self.clock()
                if remaining <= 0:
                    return None
                self.decoder.receive_data(self._read_some(remaining))
                continue
            self._note(event)
            if match(event):
                return event

    def exchange(
        self, command: p.Command, *, timeout_s: float | None = None, check_deadline: bool = True
    ) -> p.Reply | p.Ack:
        """Send ``command`` and return its reply (GET) or acknowledgement (other actions)."""
        if self._closed:
            raise RobotLost("La liaison avec le robot est fermée.")
        if check_deadline:
            self._check_deadline()
        idx = self._next_idx()
        self._write(command.encode(idx))
        if command.action == p.Action.GET:

            def match(e: p.Event) -> bool:
                return isinstance(e, p.Reply) and e.idx == idx
        else:

            def match(e: p.Event) -> bool:
                return isinstance(e, p.Ack)

        event = self._wait_for(match, timeout_s or self.reply_timeout_s)
        if event is None:
            raise RobotTimeout(NO_ANSWER)
        assert isinstance(event, (p.Reply, p.Ack))
        return event

    def get(self, command: p.Command, *, timeout_s: float | None = None) -> p.Value:
        reply = self.exchange(command, timeout_s=timeout_s)
        assert isinstance(reply, p.Reply)
        return reply.value

    def get_number(self, command: p.Command) -> float:
        value = self.get(command)
        if not isinstance(value, (int, float)):
            raise DeviceFault(
                f"Réponse inattendue du robot (appareil {command.device}) : {value!r}."
            )
        return float(value)

    # -- connection ----------------------------------------------------------------------
    def handshake(self, timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S) -> str:
        """Wait for the firmware (the board may be booting) and return its version."""
        deadline = self.clock() + timeout_s
        while True:
            remaining = deadline - self.clock()
            if remaining <= 0:
                break
            idx = self._next_idx()
            self._write(p.get_version().encode(idx))

            def match(e: p.Event, idx: int = idx) -> bool:
                return isinstance(e, p.VersionLine) or (isinstance(e, p.Reply) and e.idx == idx)

            event = self._wait_for(match, min(HANDSHAKE_RETRY_S, remaining))
            if isinstance(event, p.Reply) and isinstance(event.value, str):
                self.firmware = event.value
                return event.value
            # A boot line means the firmware now listens: ask again straight away.
        raise RobotTimeout(NO_ANSWER)

    def close(self) -> None:
        """Stop the motors and the buzzer, then close the link (never raises)."""
        if self._closed:
            return
        try:
            self.stop_all()
        except (KitError, serial.SerialException, OSError):
            pass
        finally:
            self._closed = True
            with contextlib.suppress(serial.SerialException, OSError):
                self.link.close()

    def __enter__(self) -> MBot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- actuators (PWM -255…255) --------------------------------------------------------
    def drive(self, left: int, right: int) -> None:
        """Left and right wheels, positive forward: M1 gets ``-left`` and M2 ``right``."""
        self.exchange(p.run_motors(-int(left), int(right)))

    def set_motor(self, port: int, speed: int) -> None:
        self.exchange(p.run_motor(port, int(speed)))

    def stop(self) -> None:
        self.exchange(p.run_motors(0, 0))

    def stop_all(self) -> None:
        """Motors and buzzer off, ignoring the time limit (used on every way out)."""
        self.exchange(p.run_motors(0, 0), check_deadline=False)
        self.exchange(p.play_tone(0, 0), check_deadline=False)

    def set_led(self, index: int, red: int, green: int, blue: int) -> None:
        self.exchange(p.set_rgb_led(index, red, green, blue))

    def tone(self, frequency_hz: int, duration_ms: int) -> None:
        """Play a note; the firmware acknowledges when the note ends."""
        self.exchange(
            p.play_tone(frequency_hz, duration_ms),
            timeout_s=self.reply_timeout_s + duration_ms / 1000.0,
        )

    # -- sensors -------------------------------------------------------------------------
    def ultrasonic_cm(self) -> float:
        """Distance in cm, 3–400; 400 means that nothing echoed (nothing in range)."""
        value = self.get_number(p.get_ultrasonic())
        if value <= 0 or value > 400:
            # Library versions differ on a time-out; the kit always says « nothing in range ».
            return 400.0
        return value

    def line_follower(self) -> int:
        """0: both sensors on the line, 1: only the left one, 2: only the right one, 3: none."""
        return int(self.get_number(p.get_line_follower())) & 3

    def light(self) -> int:
        return int(self.get_number(p.get_light()))

    def button(self) -> bool:
        value = self.get(p.get_onboard_button())
        pressed = bool(value)
        self.button_state = pressed
        return pressed

    def timer_s(self) -> float:
        return self.get_number(p.get_timer())

    # -- time ----------------------------------------------------------------------------
    def wait(self, seconds: float) -> None:
        """Let ``seconds`` pass on the link's clock, still reading button frames."""
        self._check_deadline()
        end = self.clock() + max(0.0, seconds)
        if self.deadline_s is not None and end > self.deadline_s:
            self._wait_for(lambda e: False, self.deadline_s - self.clock())
            raise TimeLimitReached
        self._wait_for(lambda e: False, end - self.clock())


def connect(
    port: str,
    *,
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
    reply_timeout_s: float = DEFAULT_REPLY_TIMEOUT_S,
) -> MBot:
    """Open ``port`` and greet the robot; :class:`LinkError` when it is not an mBot."""
    link = open_link(port, baudrate=115200, timeout_s=READ_SLICE_S)
    robot = MBot(link, reply_timeout_s=reply_timeout_s)
    try:
        robot.handshake(connect_timeout_s)
    except RobotTimeout:
        with contextlib.suppress(serial.SerialException, OSError):
            link.close()
        raise LinkError(
            f"Aucun mBot ne répond sur « {port} » après {connect_timeout_s:g} s.",
            hint=NO_ANSWER
            + "\nSi c'est un autre appareil (imprimante, carte), choisissez le bon port : "
            "« kit doctor » les liste.",
        ) from None
    except BaseException:
        link.close()
        raise
    return robot
