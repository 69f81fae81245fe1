# SPDX-License-Identifier: GPL-3.0-or-later
"""The timeline of a simulated run as a picture (PNG or SVG through :mod:`kit.drawing`).

One row per pin, time flowing left to right: a step line for on/off pins, the duty cycle
for PWM pins (with the frequency written when it changes, which makes a melody readable),
what the program read on analog inputs (sensors), and one colour strip per NeoPixel.
"""

from __future__ import annotations

from kit.drawing import Drawing
from kit.messages import seconds_fr
from sim.circuitpython.timeline import Colour, Timeline

WIDTH_PX = 1100
LEFT_PX = 190
RIGHT_PX = 30
ROW_PX = 56
STRIP_PX = 12
TOP_PX = 56


def visible_colour(colour: Colour) -> Colour:
    """Scale a dimmed NeoPixel colour up so that its hue shows on paper and screens."""
    peak = max(colour)
    if peak == 0:
        return (0, 0, 0)
    return tuple(min(255, int(c * 255 / peak)) for c in colour)  # type: ignore[return-value]


def _hex(colour: Colour) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def draw_timeline(timeline: Timeline, *, duration_s: float, title: str) -> Drawing:
    rows: list[tuple[str, str]] = []
    for pin in sorted(timeline.digital):
        if pin not in timeline.pixels:  # the data pin of NeoPixels is drawn as colours
            rows.append(("digital", pin))
    for pin in sorted(timeline.pwm):
        rows.append(("pwm", pin))
    for pin in sorted(timeline.analog):
        rows.append(("analog", pin))
    height = TOP_PX + 40
    for pin in sorted(timeline.pixels):
        rows.append(("pixels", pin))
    for kind, pin in rows:
        if kind == "pixels":
            count = max((len(c) for _, c in timeline.pixels[pin]), default=0)
            height += 20 + count * STRIP_PX
        else:
            height += ROW_PX
    drawing = Drawing(WIDTH_PX, height)
    drawing.text((16, 12), title, size=16)
    span = max(duration_s, 1e-6)
    plot_w = WIDTH_PX - LEFT_PX - RIGHT_PX

    def x_of(t: float) -> float:
        return LEFT_PX + plot_w * min(max(t, 0.0), span) / span

    y = TOP_PX
    for kind, pin in rows:
        if kind == "digital":
            drawing.text((16, y + 6), pin, size=12)
            drawing.text((16, y + 21), "allumé / éteint", size=9, color="#666666")
            high, low = y + 6, y + ROW_PX - 12
            points: list[tuple[float, float]] = [(x_of(0), low)]
            level: float = low
            for t, value in timeline.digital[pin]:
                points.append((x_of(t), level))
                level = high if value else low
                points.append((x_of(t), level))
            points.append((x_of(span), level))
            drawing.polyline(points, color="#c0392b", width=2)
            drawing.line((LEFT_PX, low), (LEFT_PX + plot_w, low), color="#dddddd")
            y += ROW_PX
        elif kind == "pwm":
            servo = is_servo(timeline.pwm[pin])
            drawing.text((16, y + 6), pin, size=12)
            legend = "servo : angle 0° à 180°" if servo else "PWM (part du temps à 1)"
            drawing.text((16, y + 21), legend, size=9, color="#666666")
            top, bottom = y + 6, y + ROW_PX - 12
            points = [(x_of(0), bottom)]
            level = bottom
            last_freq = None
            for t, duty, freq in timeline.pwm[pin]:
                points.append((x_of(t), level))
                if duty is None:
                    fraction = 0.0
                elif servo:
                    fraction = (servo_angle(duty, freq) or 0.0) / 180.0
                else:
                    fraction = duty / 65535
                level = bottom - (bottom - top) * fraction
                points.append((x_of(t), level))
                if duty and freq and freq != last_freq:
                    drawing.text((x_of(t) + 2, y - 4), f"{freq} Hz", size=9, color="#555555")
                    last_freq = freq
            points.append((x_of(span), level))
            drawing.polyline(points, color="#2c6fbb", width=2)
            drawing.line((LEFT_PX, bottom), (LEFT_PX + plot_w, bottom), color="#dddddd")
            y += ROW_PX
        elif kind == "analog":
            drawing.text((16, y + 6), pin, size=12)
            drawing.text((16, y + 21), "mesure lue (0 à 65535)", size=9, color="#666666")
            top, bottom = y + 6, y + ROW_PX - 12
            readings = timeline.analog[pin]
            points = []
            level = bottom - (bottom - top) * readings[0][1] / 65535
            points.append((x_of(readings[0][0]), level))
            for t, reading in readings[1:]:
                points.append((x_of(t), level))
                level = bottom - (bottom - top) * reading / 65535
                points.append((x_of(t), level))
            points.append((x_of(span), level))
            drawing.polyline(points, color="#8e44ad", width=2)
            drawing.line((LEFT_PX, bottom), (LEFT_PX + plot_w, bottom), color="#dddddd")
            y += ROW_PX
        else:
            series = timeline.pixels[pin]
            count = max((len(c) for _, c in series), default=0)
            drawing.text((16, y + 2), f"{pin} ({count} LED)", size=11)
            for index in range(count):
                top = y + 16 + index * STRIP_PX
                for i, (t, colours) in enumerate(series):
                    end = series[i + 1][0] if i + 1 < len(series) else span
                    if index >= len(colours):
                        continue
                    colour = visible_colour(colours[index])
                    drawing.rect(
                        (x_of(t), top),
                        (max(x_of(end), x_of(t) + 1), top + STRIP_PX - 2),
                        fill=_hex(colour),
                        stroke=None,
                    )
            y += 20 + count * STRIP_PX
    # Time axis.
    axis_y = y + 6
    drawing.line((LEFT_PX, axis_y), (LEFT_PX + plot_w, axis_y), color="#333333")
    step = _tick_step(span)
    t = 0.0
    while t <= span + 1e-9:
        drawing.line((x_of(t), axis_y), (x_of(t), axis_y + 5), color="#333333")
        drawing.text((x_of(t) - 8, axis_y + 8), seconds_fr(t), size=10)
        t += step
    return drawing


#: Hobby servos take one pulse every 20 ms (50 Hz); Adafruit's servo library maps 0° to 180°
#: onto pulses of 0.75 ms to 2.25 ms by default.
SERVO_FREQUENCY_HZ = 50
SERVO_MIN_PULSE_MS = 0.75
SERVO_MAX_PULSE_MS = 2.25


def is_servo(series: list[tuple[float, int | None, int]]) -> bool:
    return bool(series) and all(f == SERVO_FREQUENCY_HZ for _, _, f in series)


def servo_angle(duty: int | None, frequency_hz: int) -> float | None:
    """The angle a standard servo takes for this PWM setting (None when off)."""
    if duty is None or not duty or frequency_hz <= 0:
        return None
    pulse_ms = duty / 65535 * 1000 / frequency_hz
    fraction = (pulse_ms - SERVO_MIN_PULSE_MS) / (SERVO_MAX_PULSE_MS - SERVO_MIN_PULSE_MS)
    return min(max(fraction, 0.0), 1.0) * 180.0


def _tick_step(span: float) -> float:
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600):
        if span / step <= 12:
            return float(step)
    return 1200.0
