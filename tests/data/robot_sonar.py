# SPDX-License-Identifier: GPL-3.0-or-later
# A robotics lesson: ultrasonic sensor, LED animation, servo (issue 20).
import time

import adafruit_hcsr04
import board
import neopixel
import pwmio
from adafruit_led_animation.animation.pulse import Pulse
from adafruit_led_animation.color import GREEN
from adafruit_motor import servo

sonar = adafruit_hcsr04.HCSR04(trigger_pin=board.D5, echo_pin=board.D6)
pixels = neopixel.NeoPixel(board.NEOPIXEL, 1, brightness=0.2, auto_write=False)
pulse = Pulse(pixels, speed=0.05, color=GREEN, period=1)
moteur = servo.Servo(pwmio.PWMOut(board.A2, duty_cycle=2**15, frequency=50))
for _ in range(10):
    try:
        distance = sonar.distance
    except RuntimeError:
        distance = None
    moteur.angle = 90 if distance is None else min(180, distance)
    pulse.animate()
    time.sleep(0.05)
print("fin", distance)
