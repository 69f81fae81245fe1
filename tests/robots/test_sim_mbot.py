# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulated mBot: firmware behaviour on the wire, physics and sensors."""

from __future__ import annotations

import math

import pytest

from kit.errors import KitError
from robots import protocol as p
from robots.arenas import arena_from_dict, load_arena
from robots.challenges import evaluate, load_challenge
from robots.record import DeviceEvent
from sim.device import SimOptionError
from sim.mbot import physics
from sim.mbot.device import BYTE_S, MBotDevice
from sim.mbot.physics import World


def booted(**options: str) -> MBotDevice:
    device = MBotDevice({"demarrage": "0", **options})
    device.on_open(0.0)
    return device


def ask(
    device: MBotDevice, command: p.Command, idx: int, now: float
) -> tuple[list[p.Event], float]:
    """Send one request at ``now``; return the events and the time the reply was complete."""
    device.feed(command.encode(idx), now)
    decoder = p.ReplyDecoder()
    t = now
    while True:
        wake = device.next_event_s()
        assert wake is not None, "the firmware never answered"
        t = wake
        device.advance(t)
        decoder.receive_data(device.read_output())
        events = decoder.events()
        if events:
            return events, t


def test_opening_the_port_resets_the_board_which_then_prints_its_version() -> None:
    device = MBotDevice()
    device.on_open(0.0)
    device.feed(p.get_version().encode(1), 0.1)  # swallowed by the bootloader
    device.advance(1.0)
    assert device.read_output() == b""
    device.advance(1.5)
    assert device.read_output() == b"Version: 06.01.106\r\n"


def test_version_request_is_answered_with_a_string() -> None:
    events, _ = ask(booted(), p.get_version(), 3, 0.0)
    assert events == [p.Reply(3, "06.01.106", p.ValueType.STRING)]


def test_ultrasonic_measures_the_wall_of_the_default_arena() -> None:
    device = booted()
    events, t = ask(device, p.get_ultrasonic(), 2, 0.0)
    (reply,) = events
    assert isinstance(reply, p.Reply) and isinstance(reply.value, float)
    # Default arena: wall at x = 90, robot front at 20 + 10 cm.
    assert reply.value == pytest.approx(60.0, abs=2.0)
    # The echo's round trip (58 µs per cm) delays the reply.
    assert t >= 60 * 58e-6


def test_a_cached_ultrasonic_reading_comes_back_without_waiting_for_an_echo() -> None:
    device = booted(arena="table")  # the far edge: a long echo
    first, t1 = ask(device, p.get_ultrasonic(), 2, 0.0)
    second, t2 = ask(device, p.get_ultrasonic(), 3, t1)  # within 23 ms: the cached value
    assert isinstance(first[0], p.Reply) and isinstance(second[0], p.Reply)
    assert second[0].value == first[0].value
    assert t1 > 0.004  # about 95 cm of echo at 58 µs per cm
    # USB's two 1 ms frames, the firmware's byte loop and the reply's bytes: no echo
    assert t2 - t1 < 0.005


def test_ultrasonic_says_400_when_nothing_echoes() -> None:
    open_field = arena_from_dict(
        "champ",
        {"largeur": 1000, "profondeur": 1000, "bords": False, "depart": {"x": 500, "y": 500}},
    )
    world = World(open_field)
    assert world.ultrasonic() == 400.0
    # Never 0 for « no echo », and never above 400 either.
    far_wall = arena_from_dict(
        "loin", {"largeur": 1000, "profondeur": 1000, "depart": {"x": 20, "y": 500}}
    )
    assert World(far_wall).ultrasonic() == 400.0


def test_ultrasonic_reading_is_cached_for_23_ms() -> None:
    world = World(load_arena("mur"), noise_cm=5.0)
    first = world.ultrasonic()
    world.advance_to(0.02)
    assert world.ultrasonic() == first
    world.advance_to(0.03)
    assert world.ultrasonic() != first


def test_run_is_acknowledged_without_index_and_sets_the_motors() -> None:
    device = booted()
    events, _ = ask(device, p.run_motors(-200, 200), 9, 0.0)
    assert events == [p.Ack()]
    assert device.motors == (-200, 200)


def test_forward_means_m1_negative_m2_positive_and_speed_is_about_20_cm_s() -> None:
    world = World(load_arena("table"))
    world.set_motors(-255, 255)
    world.advance_to(2.0)
    assert world.x > world.arena.start.x + 30
    assert world.speed() == pytest.approx(20.0, rel=0.05)


def test_below_the_dead_zone_the_robot_does_not_move() -> None:
    world = World(load_arena("table"))
    world.set_motors(-90, 90)
    world.advance_to(2.0)
    assert (world.x, world.y) == (world.arena.start.x, world.arena.start.y)


def test_mismatch_makes_a_straight_run_drift() -> None:
    straight = World(load_arena("table"), motors=None)
    straight.motors.mismatch = 0.0
    straight.set_motors(-255, 255)
    drifting = World(load_arena("table"))
    drifting.motors.mismatch = 0.1
    drifting.set_motors(-255, 255)
    straight.advance_to(2.0)
    drifting.advance_to(2.0)
    assert straight.y == pytest.approx(straight.arena.start.y)
    assert drifting.y > straight.y + 1.0


def test_hitting_the_wall_stops_the_robot_and_is_recorded_once() -> None:
    world = World(load_arena("mur"))
    world.set_motors(-255, 255)
    world.advance_to(8.0)
    assert len(world.record.collisions) == 1
    assert world.speed() == 0.0
    assert world.true_front_distance() < 1.0


def test_line_follower_reads_both_sensors_on_the_line_at_the_start_of_the_oval() -> None:
    device = booted(arena="ovale")
    events, _ = ask(device, p.get_line_follower(), 4, 0.0)
    assert events == [p.Reply(4, 0.0, p.ValueType.FLOAT)]
    device.world.y += 10  # off the track
    events, _ = ask(device, p.get_line_follower(), 5, 1.0)
    assert events == [p.Reply(5, 3.0, p.ValueType.FLOAT)]


def test_light_sensor_reads_the_arena_light_level() -> None:
    events, _ = ask(booted(), p.get_light(), 6, 0.0)
    (reply,) = events
    assert isinstance(reply, p.Reply)
    assert 480 <= float(reply.value or 0) <= 560


def test_button_press_sends_unsolicited_frames_and_the_get_reports_it() -> None:
    device = booted(appui="0.5")
    device.advance(0.6)
    decoder = p.ReplyDecoder()
    decoder.receive_data(device.read_output())
    assert decoder.events() == [p.ButtonEvent(True)]
    events, _ = ask(device, p.get_onboard_button(), 7, 0.6)
    assert events == [p.Reply(7, 1, p.ValueType.BYTE)]
    device.advance(1.0)
    decoder.receive_data(device.read_output())
    assert decoder.events() == [p.ButtonEvent(False)]


def test_a_note_blocks_the_firmware_for_its_duration() -> None:
    device = booted()
    events, t = ask(device, p.play_tone(440, 500), 8, 0.0)
    assert events == [p.Ack()]
    assert t == pytest.approx(0.5, abs=0.01)
    assert device.record.events[-1].kind == "tone"


def test_reset_stops_motors_and_buzzer() -> None:
    device = booted()
    ask(device, p.run_motors(-200, 200), 1, 0.0)
    device.feed(p.play_tone(440, 2000).encode(2), 0.01)
    events, _ = ask(device, p.reset(), 3, 0.02)
    assert p.Ack() in events
    assert device.motors == (0, 0)
    assert not device.buzzer_on()


def test_leds_are_logged_right_is_1_left_is_2() -> None:
    device = booted()
    ask(device, p.set_rgb_led(2, 255, 0, 0), 1, 0.0)
    assert device.leds == {1: (0, 0, 0), 2: (255, 0, 0)}
    assert "gauche" in device.record.events[-1].detail


def test_unknown_device_gets_an_empty_reply_like_the_firmware() -> None:
    events, _ = ask(booted(), p.Command(p.Action.GET, 99, b"\x01"), 11, 0.0)
    assert events == [p.Reply(11, None, None)]


def test_replies_take_their_time_on_the_wire() -> None:
    _, t = ask(booted(), p.get_light(), 1, 0.0)
    assert t >= len(p.encode_reply(1, 1.0, p.ValueType.FLOAT)) * BYTE_S


def test_bad_options_are_refused_in_french() -> None:
    with pytest.raises(SimOptionError, match="Option inconnue"):
        MBotDevice({"vitesse": "2"})
    with pytest.raises(SimOptionError, match="entre"):
        MBotDevice({"ecart": "5"})
    with pytest.raises(KitError, match="Arène inconnue"):
        MBotDevice({"arena": "lune"})


def test_add_on_modules_pins_and_timer_are_answered_like_the_firmware() -> None:
    device = booted()
    for command in (
        p.set_servo(1, 1, 90),
        p.set_seven_segment(4, 12.5),
        p.show_matrix_text(4, "Bonjour"),
        p.set_digital(13, True),
        p.set_pwm(5, 128),
    ):
        events, _ = ask(device, command, 1, 0.0)
        assert events == [p.Ack()]
    kinds = [e.detail.split(" ")[1] for e in device.record.events if e.kind == "device"]
    assert kinds == ["servo", "sevseg", "ledmatrix", "digital", "pwm"]
    events, _ = ask(device, p.get_sensor(p.Device.TEMPERATURE, 1, 1), 2, 1.0)
    assert events == [p.Reply(2, 21.5, p.ValueType.FLOAT)]
    events, _ = ask(device, p.get_sensor(p.Device.GASSENSOR, 3), 3, 1.0)
    assert events == [p.Reply(3, 12, p.ValueType.SHORT)]  # sent as 4 bytes, like the firmware
    events, _ = ask(device, p.get_analog(6), 4, 1.0)  # A6: the onboard light sensor
    assert isinstance(events[0], p.Reply) and 400 < float(events[0].value or 0) < 700
    ask(device, p.reset_timer(), 5, 2.0)
    events, _ = ask(device, p.get_timer(), 6, 3.0)
    assert isinstance(events[0], p.Reply)
    assert float(events[0].value or 0) == pytest.approx(1.0, abs=0.01)


def test_the_longest_allowed_program_keeps_its_whole_record_for_the_verdict() -> None:
    # --temps-max allows 3600 s; with the boot and the settling time the record holds a bit
    # more. Its beginning must still be there when the challenge is judged.
    world = World(load_arena("mur"))
    world.record.start_s = 1.4
    world.set_motors(200, 200)  # spinning on the spot for the whole hour
    world.advance_to(1.4 + 3600 + 1.0 + 0.1)
    assert world.record.samples[0][0] == 0.0
    result = evaluate(load_challenge("arret-mur"), world.record)
    assert "rien enregistré" not in result.reason
    assert world.record.collisions == []


def test_a_robot_standing_still_for_hours_does_not_fill_the_memory() -> None:
    world = World(load_arena("table"))
    world.advance_to(2 * 3600.0)
    assert len(world.record.samples) <= physics.MAX_SAMPLES
    assert world.record.samples[-1][0] == pytest.approx(2 * 3600.0)


def test_a_program_reading_its_sensors_for_hours_does_not_fill_the_memory() -> None:
    world = World(load_arena("table"))
    for i in range(physics.MAX_EVENTS + 10):
        world.add_event(DeviceEvent(i * 0.01, "ultrasonic", "400.0 cm", 0.0, 0.0, 400.0))
    events = world.record.events
    assert len(events) <= physics.MAX_EVENTS
    assert events[-1].t_s == pytest.approx((physics.MAX_EVENTS + 9) * 0.01)  # the latest kept
    quiet = World(load_arena("table"), record=False)
    quiet.add_event(DeviceEvent(0.0, "led", "rouge", 0.0, 0.0))
    assert quiet.record.events == []


def _post_at(bearing_deg: float, distance_cm: float = 100.0) -> World:
    """A 2 cm post ``distance_cm`` from the sensor, ``bearing_deg`` off the robot's heading."""
    ox, oy = 510.0, 500.0  # the sensor: 10 cm ahead of the axle at (500, 500), heading 0
    a = math.radians(bearing_deg)
    px, py = ox + distance_cm * math.cos(a), oy + distance_cm * math.sin(a)
    arena = arena_from_dict(
        "poteau",
        {
            "largeur": 1000,
            "profondeur": 1000,
            "bords": False,
            "depart": {"x": 500, "y": 500},
            "murs": [{"points": [[px, py - 1.0], [px, py + 1.0]]}],
        },
    )
    return World(arena, noise_cm=0.0)


def test_ultrasonic_sees_within_a_30_degree_cone_only() -> None:
    assert _post_at(0).ultrasonic() == pytest.approx(100.0, abs=1.0)
    assert _post_at(12).ultrasonic() == pytest.approx(100.0, abs=1.5)
    assert _post_at(-12).ultrasonic() == pytest.approx(100.0, abs=1.5)
    assert _post_at(18).ultrasonic() == 400.0
    assert _post_at(-18).ultrasonic() == 400.0


def test_turning_on_the_spot_follows_the_11_5_cm_wheel_base() -> None:
    world = World(load_arena("table"))
    world.motors.mismatch = 0.0
    world.set_motors(255, 255)  # M1 forward-positive is backwards: left back, right forward
    world.advance_to(1.0)  # past the acceleration
    h0 = world.heading
    world.advance_to(2.0)
    turned = world.heading - h0
    assert turned == pytest.approx(2 * 20.0 / 11.5, rel=0.01)  # rad in 1 s, counter-clockwise
    start = world.arena.start
    assert math.hypot(world.x - start.x, world.y - start.y) < 0.01  # on the spot


def test_just_above_the_dead_zone_the_robot_creeps() -> None:
    world = World(load_arena("table"))
    world.set_motors(-120, 120)
    world.advance_to(2.0)
    assert 0.5 < world.speed() < 5.0
