# SPDX-License-Identifier: GPL-3.0-or-later
"""Malformed lesson files are refused with the line of the error; checks catch weak content."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons import catalog
from lessons.checks import check_lesson
from lessons.frontmatter import LessonFileError
from lessons.model import Objective
from lessons.schema import parse_lesson

GOOD = catalog.PLANS_DIR / "robot-obstacles-college.md"


def _variant(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """A copy of a good lesson with one edit; returns its path and the edited line."""
    text = GOOD.read_text(encoding="utf-8")
    assert text.count(old) >= 1
    index = text.index(old)
    line = text[:index].count("\n") + 1
    path = tmp_path / GOOD.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, line


def test_a_toml_syntax_error_names_its_line(tmp_path: Path) -> None:
    path, line = _variant(tmp_path, 'effectif = "6', 'effectif "6')
    with pytest.raises(LessonFileError) as caught:
        catalog.load_file(path)
    assert caught.value.line == line
    assert f"ligne {line}" in caught.value.message
    assert caught.value.exit_code == 2


def test_a_wrong_type_in_the_third_phase_names_its_line(tmp_path: Path) -> None:
    text = GOOD.read_text(encoding="utf-8")
    phases = text.split("[[phases]]")
    third = phases[3]
    start_line = text[: text.index(third)].count("\n") + 1
    edited = third.replace("minutes = 4", 'minutes = "quatre"', 1)
    path = tmp_path / GOOD.name
    path.write_text(text.replace(third, edited, 1), encoding="utf-8")
    offset = third[: third.index("minutes = 4")].count("\n")
    with pytest.raises(LessonFileError) as caught:
        catalog.load_file(path)
    assert caught.value.line == start_line + offset
    assert "nombre entier" in caught.value.message


def test_an_unknown_key_is_refused_at_its_line(tmp_path: Path) -> None:
    path, line = _variant(tmp_path, 'verifier = "Le robot tourne', 'verfier = "Le robot tourne')
    with pytest.raises(LessonFileError) as caught:
        catalog.load_file(path)
    assert caught.value.line == line
    assert "clé inconnue « verfier »" in caught.value.message


def test_an_unknown_support_is_refused(tmp_path: Path) -> None:
    path, line = _variant(tmp_path, 'support = "robot"', 'support = "drone"')
    with pytest.raises(LessonFileError) as caught:
        catalog.load_file(path)
    assert caught.value.line == line
    assert "« drone »" in caught.value.message


def test_a_missing_front_matter_fence_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sans-entete.md"
    path.write_text("# Juste du Markdown\n", encoding="utf-8")
    with pytest.raises(LessonFileError) as caught:
        catalog.load_file(path)
    assert caught.value.line == 1


def test_binary_and_non_utf8_files_are_refused(tmp_path: Path) -> None:
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(Exception) as caught:
        catalog.load_file(binary)
    assert "texte" in str(caught.value)
    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes('+++\ntitre = "é"\n'.encode("latin-1"))
    with pytest.raises(Exception) as caught:
        catalog.load_file(latin1)
    assert "ligne 2" in str(caught.value) and "UTF-8" in str(caught.value)


def test_phases_that_do_not_add_up_are_reported() -> None:
    lesson = catalog.load_file(GOOD)
    longer = dataclasses.replace(lesson, minutes=45, format="atelier")
    messages = [finding.message for finding in check_lesson(longer)]
    assert any("40 min au total" in m and "45 min" in m for m in messages)


@pytest.mark.parametrize(
    ("fmt", "minutes"), [("atelier", 45), ("atelier", 150), ("certification", 60)]
)
def test_formats_keep_their_durations(fmt: str, minutes: int) -> None:
    # Certification: the jury's 40 minutes; atelier: a real session of 60 to 120 minutes.
    lesson = catalog.load_file(GOOD)
    phases = (
        dataclasses.replace(lesson.phases[0], minutes=lesson.phases[0].minutes + minutes - 40),
    )
    changed = dataclasses.replace(
        lesson, minutes=minutes, format=fmt, phases=phases + lesson.phases[1:]
    )
    messages = [finding.message for finding in check_lesson(changed)]
    expected = "un atelier dure de 60 à 120 min" if fmt == "atelier" else "dure 40 min"
    assert any(expected in m for m in messages), messages
    assert not any("au total" in m for m in messages)


def test_a_guided_task_without_check_is_reported() -> None:
    lesson = catalog.load_file(GOOD)
    phases = tuple(
        dataclasses.replace(p, verify="") if p.kind == "tache-guidee" else p for p in lesson.phases
    )
    findings = check_lesson(dataclasses.replace(lesson, phases=phases))
    assert any("n'a pas de « Vérifier »" in f.message for f in findings)
    assert all(f.line > 0 for f in findings if "Vérifier" in f.message)


def test_objectives_need_observable_verbs() -> None:
    lesson = catalog.load_file(GOOD)
    vague = (Objective("O1", "Comprendre le capteur à ultrasons", "Au bilan."),)
    findings = check_lesson(dataclasses.replace(lesson, objectives=vague))
    assert any("n'est pas observable" in f.message for f in findings)
    noun = (Objective("O1", "Initiation au capteur", "Au bilan."),)
    findings = check_lesson(dataclasses.replace(lesson, objectives=noun))
    assert any("verbe à l'infinitif" in f.message for f in findings)


def test_a_picture_must_be_the_path_given_to_the_command(tmp_path: Path) -> None:
    path, _ = _variant(
        tmp_path, 'image = "{sortie}/trajet-parcours.png"', 'image = "{sortie}/autre.png"'
    )
    with pytest.raises(LessonFileError) as caught:
        parse_lesson(path.read_text(encoding="utf-8"), path)
    assert "--picture" in caught.value.message


_LINES = GOOD.read_text(encoding="utf-8").splitlines()
_FRONT_END = _LINES.index("+++", 1)
#: Lines of the front-matter holding « key = "text" » values (one line each).
_TEXT_LINES = [
    number
    for number, line in enumerate(_LINES[:_FRONT_END], 1)
    if re.match(r'^[a-z_]+ = ".*"$', line)
]


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(_TEXT_LINES))
def test_any_text_value_turned_into_a_number_is_reported_at_its_line(line: int) -> None:
    lines = list(_LINES)
    key = lines[line - 1].split(" = ", 1)[0]
    lines[line - 1] = f"{key} = 12"
    with pytest.raises(LessonFileError) as caught:
        parse_lesson("\n".join(lines), GOOD)
    assert caught.value.line == line, (key, caught.value.message)
