# SPDX-License-Identifier: GPL-3.0-or-later
"""The driver and the learner API against the simulated mBot (and a 2.4G dongle bridge)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.errors import LinkError
from kit.urlhandler import protocol_hid
from robots import protocol as p
from robots.learner import ErreurRobot, Robot
from robots.mbot import NO_ANSWER, MBot, RobotLost, RobotTimeout, TimeLimitReached, connect
from robots.runner import Ending, load_script, run_script
from sim.mbot.device import MBotDevice


def test_connect_waits_for_the_board_to_boot_and_reads_the_firmware_version() -> None:
    robot = connect("sim://mbot")
    try:
        assert robot.firmware == "06.01.106"
        assert robot.clock() >= 1.4  # the USB reset and the firmware's start-up
    finally:
        robot.close()


def test_a_port_that_is_not_an_mbot_is_refused_after_the_timeout() -> None:
    with pytest.raises(LinkError) as info:
        connect("sim://echo", connect_timeout_s=2.0)
    assert "Aucun mBot ne répond" in info.value.message
    assert "micrologiciel mBlock" in (info.value.hint or "")


def test_sensors_through_the_learner_api() -> None:
    mbot = connect("sim://mbot?arena=ovale")
    robot = Robot(mbot)
    try:
        assert robot.ligne() == 0
        assert robot.ligne_gauche() and robot.ligne_droite()
        assert 400 <= robot.lumiere() <= 600
        assert robot.bouton() is False
        assert 3 <= robot.distance() <= 400
    finally:
        mbot.close()


def test_avancer_for_a_duration_moves_then_stops() -> None:
    mbot = connect("sim://mbot?arena=table")
    device = mbot.link.device
    robot = Robot(mbot)
    x0 = device.world.x
    robot.avancer(vitesse=100, duree=1.0)
    robot.attendre(0.5)
    assert device.motors == (0, 0)
    assert device.world.x - x0 == pytest.approx(20.0, abs=4.0)
    mbot.close()


def test_learner_gets_french_errors_for_impossible_values() -> None:
    mbot = connect("sim://mbot")
    robot = Robot(mbot)
    with pytest.raises(ErreurRobot, match="entre 0 et 100"):
        robot.avancer(vitesse=150)
    with pytest.raises(ErreurRobot, match="DEL inconnue"):
        robot.led("milieu", 1, 2, 3)
    with pytest.raises(ErreurRobot, match="nombre"):
        robot.attendre("deux")  # type: ignore[arg-type]
    mbot.close()


def test_closing_the_link_stops_motors_and_buzzer() -> None:
    mbot = connect("sim://mbot?arena=table")
    device = mbot.link.device
    mbot.drive(200, 200)
    mbot.exchange(p.play_tone(440, 0))
    assert device.buzzer_hz == 440
    mbot.close()
    assert device.motors == (0, 0)
    assert device.buzzer_hz == 0


def test_a_silent_robot_raises_the_french_timeout_message() -> None:
    mbot = connect("sim://mbot")
    device = mbot.link.device
    device.feed = lambda data, now_s: None  # type: ignore[method-assign]  # robot switched off
    with pytest.raises(RobotTimeout) as info:
        mbot.ultrasonic_cm()
    assert info.value.message == NO_ANSWER
    assert info.value.exit_code == 1


def test_time_limit_interrupts_an_endless_program(tmp_path: Path) -> None:
    script = tmp_path / "boucle.py"
    script.write_text("while True:\n    robot.avancer()\n    robot.attendre(0.1)\n")
    mbot = connect("sim://mbot?arena=table")
    mbot.deadline_s = mbot.clock() + 3.0
    outcome = run_script(load_script(script), Robot(mbot))
    assert outcome.ending is Ending.TIME_LIMIT
    assert outcome.duration_s == pytest.approx(3.0, abs=0.2)
    assert mbot.link.device.motors == (0, 0)
    mbot.close()


def test_time_limit_is_not_swallowed_by_except_exception(tmp_path: Path) -> None:
    script = tmp_path / "tetu.py"
    script.write_text(
        "while True:\n    try:\n        robot.attendre(1)\n    except Exception:\n        pass\n"
    )
    mbot = connect("sim://mbot")
    mbot.deadline_s = mbot.clock() + 2.0
    assert run_script(load_script(script), Robot(mbot)).ending is Ending.TIME_LIMIT
    mbot.close()


def test_robot_is_stopped_after_the_script_raises(tmp_path: Path) -> None:
    script = tmp_path / "erreur.py"
    script.write_text("robot.avancer()\nrobot.note(440, 5)\nx = 1 / 0\n")
    mbot = connect("sim://mbot?arena=table")
    device = mbot.link.device
    outcome = run_script(load_script(script), Robot(mbot))
    assert outcome.ending is Ending.ERROR
    assert outcome.line == 3
    assert "ligne 3" in outcome.message and "ZeroDivisionError" in outcome.message
    assert "division par zéro" in outcome.message  # Python's message, in French
    assert device.motors == (0, 0)
    assert not device.buzzer_on()
    mbot.close()


def test_robot_is_stopped_when_the_script_is_interrupted(tmp_path: Path) -> None:
    script = tmp_path / "ctrl_c.py"
    # What Ctrl-C does: KeyboardInterrupt raised wherever the program is.
    script.write_text("robot.avancer()\nrobot.attendre(1)\nraise KeyboardInterrupt\n")
    mbot = connect("sim://mbot?arena=table")
    device = mbot.link.device
    with pytest.raises(KeyboardInterrupt):
        run_script(load_script(script), Robot(mbot))
    assert device.motors == (0, 0)
    mbot.close()


def test_button_frames_are_counted_while_waiting() -> None:
    mbot = connect("sim://mbot?appui=2.0,3.0")
    Robot(mbot).attendre(3.6)  # presses counted from the firmware's start (boot 1.4 s)
    assert mbot.button_presses == 2
    assert mbot.button_state is False
    mbot.close()


def test_deadline_stops_waits_too() -> None:
    mbot = connect("sim://mbot")
    mbot.deadline_s = mbot.clock() + 0.5
    with pytest.raises(TimeLimitReached):
        mbot.wait(10)
    assert mbot.clock() == pytest.approx(mbot.deadline_s, abs=0.06)
    mbot.close()


class DongleBridge:
    """The 2.4G dongle and the robot's radio module, in front of the simulated mBot.

    Speaks the dongle's HID reports (``[len, bytes…]``) and carries the serial stream to and
    from the simulator, in virtual time (each read with a time-out lets that much time pass).
    """

    def __init__(self) -> None:
        self.device = MBotDevice({"demarrage": "0"})  # no USB reset over the radio
        self.now = 0.0
        self.device.on_open(self.now)
        self.out = bytearray()
        self.written: list[bytes] = []

    def write(self, report: bytes) -> int:
        self.written.append(report)
        assert report[0] == 0 and len(report) == 1 + protocol_hid.REPORT_SIZE
        self.device.feed(protocol_hid.payload_of(report[1:]), self.now)
        return len(report)

    def read(self, size: int, timeout: int | None = None) -> bytes:
        end = self.now + max(0, timeout or 0) / 1000.0
        while not self.out:
            wake = self.device.next_event_s()
            self.now = end if wake is None or wake > end else wake
            self.device.advance(self.now)
            self.out += self.device.read_output()
            if self.now >= end:
                break
        chunk = bytes(self.out[: protocol_hid.CHUNK])
        del self.out[: len(chunk)]
        return (bytes((len(chunk),)) + chunk).ljust(size, b"\x00") if chunk else b""

    def close(self) -> None:
        pass


def test_hid_reports_carry_the_serial_stream() -> None:
    data = bytes(range(100))
    reports = protocol_hid.reports_for(data)
    assert [len(r) for r in reports] == [65, 65]
    assert b"".join(protocol_hid.payload_of(r[1:]) for r in reports) == data
    assert protocol_hid.payload_of(b"\x00" * 64) == b""


def test_driver_talks_through_the_2_4g_dongle_link() -> None:
    bridge = DongleBridge()
    link = protocol_hid.Serial(None, hid_device=bridge, timeout=0.05)
    link.port = "hid://0416:ffff"
    link.open()
    mbot = MBot(link, clock=lambda: bridge.now)
    assert mbot.handshake(2.0) == "06.01.106"
    assert mbot.ultrasonic_cm() == pytest.approx(60.0, abs=2.0)
    mbot.drive(255, 255)
    assert bridge.device.motors == (-255, 255)
    mbot.close()
    assert bridge.device.motors == (0, 0)


class UnpluggedDongle(DongleBridge):
    """The dongle pulled out of the USB port after the greeting: hidapi raises."""

    def read(self, size: int, timeout: int | None = None) -> bytes:
        raise OSError("read error")


def test_a_dongle_pulled_out_is_said_in_french() -> None:
    bridge = UnpluggedDongle()
    link = protocol_hid.Serial(None, hid_device=bridge, timeout=0.05)
    link.port = "hid://0416:ffff"
    link.open()
    mbot = MBot(link, clock=lambda: bridge.now)
    with pytest.raises(RobotLost) as info:
        mbot.ultrasonic_cm()
    assert "liaison avec le robot est perdue" in info.value.message
    assert "clé 2.4G" in info.value.message and "failed" not in info.value.message
    mbot.close()


def test_bad_hid_address_is_explained() -> None:
    with pytest.raises(LinkError, match="Adresse HID invalide"):
        protocol_hid.parse_hid_url("hid://clé")
    assert protocol_hid.parse_hid_url("hid://") == (0x0416, 0xFFFF)


def test_a_late_reply_is_not_taken_for_the_next_request() -> None:
    mbot = connect("sim://mbot")
    device = mbot.link.device
    firmware_get = device._get
    calls: list[int] = []

    def slow_first(req: p.Request, now: float) -> tuple[p.Value, p.ValueType | None, float]:
        value, vtype, duration = firmware_get(req, now)
        calls.append(req.idx)
        return value, vtype, duration + (1.5 if len(calls) == 1 else 0.0)

    device._get = slow_first  # the first answer comes after the driver gave up
    with pytest.raises(RobotTimeout):
        mbot.light()
    # The light reply arrives late with its own index; the driver skips it.
    assert mbot.ultrasonic_cm() == pytest.approx(60.0, abs=2.0)
    mbot.close()


def test_an_ultrasonic_timeout_read_as_0_is_reported_as_nothing_in_range() -> None:
    mbot = connect("sim://mbot")
    # Some library versions answer 0 when no echo comes back: never « an obstacle at 0 cm ».
    mbot.link.device.world.ultrasonic = lambda: 0.0
    assert mbot.ultrasonic_cm() == 400.0
    assert Robot(mbot).distance() == Robot.RIEN
    mbot.close()


def test_time_sleep_waits_on_the_simulators_clock(tmp_path: Path) -> None:
    script = tmp_path / "dort.py"
    script.write_text("import time\nrobot.avancer()\ntime.sleep(1)\nrobot.arreter()\n")
    mbot = connect("sim://mbot?arena=table")
    device = mbot.link.device
    x0 = device.world.x
    assert run_script(load_script(script), Robot(mbot)).ending is Ending.FINISHED
    assert device.world.x - x0 > 10  # the robot did drive during the sleep
    import sys
    import time

    assert sys.modules["time"] is time and time.sleep.__module__ == "time"  # untouched
    mbot.close()


def test_from_time_import_sleep_also_follows_the_simulator(tmp_path: Path) -> None:
    script = tmp_path / "dort2.py"
    script.write_text("from time import sleep\nrobot.avancer()\nsleep(1)\nrobot.arreter()\n")
    mbot = connect("sim://mbot?arena=table")
    x0 = mbot.link.device.world.x
    run_script(load_script(script), Robot(mbot))
    assert mbot.link.device.world.x - x0 > 10
    mbot.close()


def test_binary_or_non_utf8_scripts_are_refused_in_french(tmp_path: Path) -> None:
    from kit.errors import InputFileError

    image = tmp_path / "photo.py"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    with pytest.raises(InputFileError, match="pas un programme Python"):
        load_script(image)
    latin = tmp_path / "accents.py"
    latin.write_bytes("print('é')\n".encode("latin-1"))
    with pytest.raises(InputFileError, match="UTF-8"):
        load_script(latin)
    empty = tmp_path / "vide.py"
    empty.write_text("")
    with pytest.raises(InputFileError, match="vide"):
        load_script(empty)


def test_attendre_bouton_returns_at_the_press_or_after_the_delay() -> None:
    mbot = connect("sim://mbot?appui=4.0")
    robot = Robot(mbot)
    assert robot.attendre_bouton(delai_max=1.0) is False
    assert robot.attendre_bouton() is True
    assert mbot.clock() == pytest.approx(1.4 + 4.0, abs=0.1)  # after the boot
    mbot.close()
