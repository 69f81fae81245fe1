# SPDX-License-Identifier: GPL-3.0-or-later
"""A learner's program on ``sim://mbot`` lives on one virtual clock, in a confined worker."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kit.errors import KitError
from kit.landlock import abi_version
from kit.worker import WorkerHung
from robots import protocol as p
from robots.mbot import connect
from robots.runner import Ending
from robots.session import run_program
from sim.mbot.device import BYTE_S, FIRMWARE_BYTE_S, LINKS, PROCESS_S


def write(tmp_path: Path, text: str, name: str = "eleve.py") -> Path:
    script = tmp_path / name
    script.write_text(text, encoding="utf-8")
    return script


BUSY_LOOPS = {
    "pass": "while True:\n    pass\n",
    "time.time": "import time\nt0 = time.time()\nwhile time.time() - t0 < 1000:\n    pass\n",
    "robot.temps": "debut = robot.temps()\nwhile robot.temps() - debut < 1000:\n    pass\n",
}


@pytest.mark.parametrize("kind", sorted(BUSY_LOOPS))
def test_a_busy_loop_ends_at_the_challenges_limit_with_a_verdict_and_a_picture(
    tmp_path: Path, kind: str
) -> None:
    script = write(tmp_path, BUSY_LOOPS[kind])
    picture = tmp_path / "trajet.svg"
    report = run_program(script, "sim://mbot", defi="arret-mur", picture=picture)
    assert report.outcome.ending is Ending.TIME_LIMIT
    assert report.outcome.duration_s == pytest.approx(30.0, abs=0.01)
    assert report.result is not None and not report.result.passed
    assert "Durée : 30,0 s" in picture.read_text(encoding="utf-8")


def test_temps_max_also_ends_a_busy_loop(tmp_path: Path) -> None:
    script = write(tmp_path, "while True:\n    pass\n")
    report = run_program(script, "sim://mbot", time_limit_s=2)
    assert report.outcome.ending is Ending.TIME_LIMIT
    assert report.outcome.duration_s == pytest.approx(2.0, abs=0.01)


def test_a_bare_except_cannot_swallow_the_time_limit(tmp_path: Path) -> None:
    script = write(tmp_path, "while True:\n    try:\n        robot.attendre(0.1)\n"
                             "    except:\n        pass\n")
    report = run_program(script, "sim://mbot", time_limit_s=2)
    assert report.outcome.ending is Ending.TIME_LIMIT
    assert report.outcome.duration_s == pytest.approx(2.0, abs=0.01)


def test_time_sleep_and_time_time_agree_to_the_millisecond(tmp_path: Path) -> None:
    script = write(
        tmp_path,
        "import time\n"
        "from time import monotonic, perf_counter\n"
        "t0, m0, p0, r0 = time.time(), monotonic(), perf_counter(), robot.temps()\n"
        "time.sleep(2)\n"
        "print(time.time() - t0, monotonic() - m0, perf_counter() - p0, robot.temps() - r0)\n",
    )
    printed: list[str] = []
    report = run_program(script, "sim://mbot", on_output=printed.append)
    assert report.outcome.ending is Ending.FINISHED
    values = [float(v) for v in "".join(printed).split()]
    assert values == pytest.approx([2.0] * 4, abs=0.001)


def test_driving_for_three_seconds_with_time_time_moves_the_robot(tmp_path: Path) -> None:
    script = write(
        tmp_path,
        "import time\nt0 = time.time()\nrobot.avancer(100)\n"
        "while time.time() - t0 < 3:\n    pass\nrobot.arreter()\n",
    )
    report = run_program(script, "sim://mbot", arena="table")
    assert report.record is not None
    assert report.record.path_length() > 40  # 20 cm/s at 100 %, after the acceleration


def test_a_crashed_program_never_passes_and_the_verdict_names_the_line(tmp_path: Path) -> None:
    # The robot does stop in front of the wall, then the program crashes on a typo.
    solution = (Path(__file__).parents[2] / "robots" / "exemples" / "arret_mur.py").read_text()
    script = write(tmp_path, solution + "robot.areter()\n")
    line = len(solution.splitlines()) + 1
    picture = tmp_path / "trajet.svg"
    report = run_program(script, "sim://mbot", defi="arret-mur", picture=picture)
    assert report.outcome.ending is Ending.ERROR
    assert report.result is not None and not report.result.passed
    assert f"ligne {line}" in report.result.reason
    assert report.failed
    svg = picture.read_text(encoding="utf-8")
    assert "Défi manqué" in svg and "Défi réussi" not in svg


def test_the_button_challenge_passes_with_appui(tmp_path: Path) -> None:
    report = run_program("exemple:depart_bouton", "sim://mbot", defi="depart-bouton",
                         presses="5")
    assert report.result is not None and report.result.passed, report.result
    assert report.record is not None
    pressed = [e.t_s - report.record.start_s for e in report.record.events
               if e.kind == "button" and e.detail == "bouton appuyé"]
    assert pressed and pressed[0] == pytest.approx(5.0, abs=0.1)


def test_a_program_that_does_not_wait_for_the_button_fails_the_button_challenge() -> None:
    report = run_program("exemple:arret_mur", "sim://mbot", defi="depart-bouton")
    assert report.result is not None and not report.result.passed
    assert "avant l'appui" in report.result.reason


def test_the_button_is_pressed_when_the_robot_enters_a_zone() -> None:
    report = run_program("exemple:parcours", "sim://mbot", defi="parcours", presses="arrivée")
    assert report.record is not None
    zone = report.record.arena.zone("arrivée")
    pressed = [e for e in report.record.events if e.detail == "bouton appuyé"]
    assert pressed and zone.contains((pressed[0].x, pressed[0].y))
    with pytest.raises(KitError, match="zones"):
        connect("sim://mbot?appui=nulle-part")


def _expected_rate(link: str) -> float:
    """Line-follower reads per second from the cited figures (docs/mbot.md)."""
    pace = LINKS[link]
    request = len(p.get_line_follower().encode(1))
    reply = len(p.encode_reply(1, 1.0, p.ValueType.FLOAT))
    one = (pace.to_robot_s + request * max(BYTE_S, FIRMWARE_BYTE_S) + PROCESS_S
           + reply * BYTE_S + pace.to_host_s)
    return 1.0 / one


@pytest.mark.parametrize("link", sorted(LINKS))
def test_the_simulated_robot_answers_at_its_links_pace(link: str) -> None:
    mbot = connect(f"sim://mbot?liaison={link}")
    start = mbot.clock()
    for _ in range(100):
        mbot.line_follower()
    rate = 100 / (mbot.clock() - start)
    mbot.close()
    assert rate == pytest.approx(_expected_rate(link), rel=0.2)
    # A few tens of requests per second over the radios, a few hundred over USB.
    assert (rate > 150) if link == "usb" else (15 < rate < 80)


def test_the_program_reads_input_and_prints_through_the_parent(tmp_path: Path) -> None:
    script = write(tmp_path, "nom = input('Nom ? ')\nprint('Bonjour', nom)\n")
    printed: list[str] = []
    prompts: list[str] = []

    def answer(prompt: str) -> str:
        prompts.append(prompt)
        return "Ada"

    run_program(script, "sim://mbot", on_output=printed.append, on_input=answer)
    assert prompts == ["Nom ? "]
    assert "".join(printed) == "Bonjour Ada\n"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Landlock is Linux-only")
def test_the_learners_program_cannot_write_files_or_run_commands(tmp_path: Path) -> None:
    if abi_version() <= 0:
        pytest.skip("this kernel has no Landlock")
    target = tmp_path / "pirate.txt"
    script = write(
        tmp_path,
        "import os, subprocess\n"
        f"os.system('touch {target}')\n"
        "try:\n"
        "    subprocess.run(['/bin/true'])\n"
        "    print('exec allowed')\n"
        "except OSError:\n"
        "    print('exec refused')\n"
        f"open({str(target)!r}, 'w')\n",
    )
    printed: list[str] = []
    report = run_program(script, "sim://mbot", on_output=printed.append)
    assert "exec refused" in "".join(printed)
    assert report.outcome.ending is Ending.ERROR and report.outcome.line == 8
    assert "accès refusé" in report.outcome.message
    assert not target.exists()


def test_a_computation_that_never_returns_is_stopped_by_the_wall_clock_guard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from robots import session

    monkeypatch.setattr(session, "HANG_GUARD_S", 1.0)
    script = write(tmp_path, "print(sum(range(10 ** 12)))\n")
    with pytest.raises(WorkerHung) as caught:
        run_program(script, "sim://mbot")
    assert "ne rend plus la main" in caught.value.message
    assert caught.value.exit_code == 1


def _font_sizes(svg: str) -> list[float]:
    import re

    return [float(v) for v in re.findall(r'font-size="([0-9.]+)"', svg)]


def test_pictures_are_legible_dimensioned_and_leds_never_hide_the_path(tmp_path: Path) -> None:
    from robots.arenas import load_arena
    from robots.picture import TEXT_MIN_PX, WIDTH_PX, draw_arena

    arena_svg = draw_arena(load_arena("mur"))[0].save(tmp_path / "mur.svg").read_text()
    assert min(_font_sizes(arena_svg)) >= TEXT_MIN_PX >= 24 and WIDTH_PX >= 1600
    for label in ("120,0 cm", "80,0 cm", "20 cm", "mur 56,0 cm", "quadrillage de 10 cm"):
        assert label in arena_svg

    script = write(tmp_path, "for i in range(100):\n    robot.led(0, 255, 0, 0)\n"
                             "    robot.avancer(70, 0.05)\n    robot.led(0, 0, 0, 255)\n")
    picture = tmp_path / "trajet.svg"
    report = run_program(script, "sim://mbot", arena="table", picture=picture)
    svg = picture.read_text(encoding="utf-8")
    assert min(_font_sizes(svg)) >= TEXT_MIN_PX
    # Two hundred LED changes: a few spans in the timeline strip, no dot on the path, and
    # never the collision rings' shape.
    assert "#ff0000" in svg and svg.count('fill="#ff0000"') <= 100
    assert '<circle' not in svg or 'fill="#ff0000"' not in "".join(
        line for line in svg.splitlines() if "<circle" in line
    )
    assert f"Durée : {report.outcome.duration_s:.1f}".replace(".", ",") in svg


def test_a_busy_loop_ends_on_time_when_the_simulator_follows_the_wall_clock(
    tmp_path: Path,
) -> None:
    script = write(tmp_path, "while True:\n    pass\n")
    report = run_program(script, "sim://mbot?speed=4&demarrage=0", time_limit_s=1.0)
    assert report.outcome.ending is Ending.TIME_LIMIT


def test_appui_is_refused_on_a_real_robot_before_connecting(tmp_path: Path) -> None:
    script = write(tmp_path, "robot.attendre_bouton()\n")
    with pytest.raises(KitError, match="--appui ne sert que sur le simulateur"):
        run_program(script, "/dev/ttyUSB-absent", presses="2")
