# SPDX-License-Identifier: GPL-3.0-or-later
"""Every shipped lesson passes the schema and the pedagogical and timing checks."""

from __future__ import annotations

from collections import Counter

import pytest

from lessons import catalog
from lessons.checks import check_catalogue, check_lesson
from lessons.model import CERTIFICATION_MINUTES, SUPPORTS

LESSONS = catalog.load_all()


def test_the_catalogue_has_eleven_lessons_or_more_covering_each_support_in_both_formats() -> None:
    assert len(LESSONS) >= 11
    assert check_catalogue(LESSONS) == []
    per_support = Counter(lesson.support for lesson in LESSONS)
    assert set(per_support) == set(SUPPORTS)
    for support in SUPPORTS:
        formats = {lesson.format for lesson in LESSONS if lesson.support == support}
        assert formats == {"certification", "atelier"}, support


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.ident)
def test_each_lesson_passes_the_checks(lesson) -> None:  # type: ignore[no-untyped-def]
    assert check_lesson(lesson) == []
    assert lesson.phase_minutes == lesson.minutes
    if lesson.format == "certification":
        assert lesson.minutes == CERTIFICATION_MINUTES
    guided = [phase for phase in lesson.phases if phase.kind == "tache-guidee"]
    assert guided and all(phase.verify for phase in guided)
    assert lesson.vigilance and lesson.plan_b and len(lesson.adaptations) >= 2


def test_publics_differ_within_each_support() -> None:
    for support in SUPPORTS:
        publics = [lesson.public.who for lesson in LESSONS if lesson.support == support]
        assert len(set(publics)) == len(publics)


def test_phone_and_pc_lessons_run_no_invented_kit_command() -> None:
    for lesson in LESSONS:
        if lesson.support in ("pc", "tablette-smartphone"):
            assert lesson.commands() == [], lesson.ident


def test_hardware_lessons_run_kit_commands_on_simulators_only() -> None:
    for lesson in LESSONS:
        for command in lesson.commands():
            ports = [command.argv[i + 1] for i, arg in enumerate(command.argv) if arg == "--port"]
            assert all(port.startswith("sim://") for port in ports), lesson.ident


def test_filters_select_by_support_public_and_duration() -> None:
    robots = catalog.select(LESSONS, support="robot")
    assert robots and all(lesson.support == "robot" for lesson in robots)
    short = catalog.select(LESSONS, max_minutes=40)
    assert short and all(lesson.minutes <= 40 for lesson in short)
    seniors = catalog.select(LESSONS, public="seniors")
    assert any("Seniors" in lesson.public.who for lesson in seniors)
    # Typed without accents, as often in a terminal.
    assert catalog.select(LESSONS, public="collegiens") == catalog.select(
        LESSONS, public="Collégiens"
    )
    assert catalog.select(LESSONS, public="ecole d'art")
