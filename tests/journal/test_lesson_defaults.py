# SPDX-License-Identifier: GPL-3.0-or-later
"""Each lesson declares what the journal proposes for La Coop: thématiques, matériel, niveau."""

from __future__ import annotations

from pathlib import Path

import pytest

from journal import coop
from lessons.catalog import PLANS_DIR, lesson_files, load_all
from lessons.frontmatter import LessonFileError
from lessons.model import COOP_DEFAULTS_FOR_SUPPORT, SUPPORTS
from lessons.schema import parse_lesson

SAMPLE = PLANS_DIR / "mobile-sms-frauduleux.md"


def test_every_shipped_lesson_declares_coop_values() -> None:
    for lesson in load_all():
        assert lesson.coop is not None, f"{lesson.ident}: no [coop] table"
        defaults = lesson.coop_defaults
        assert defaults.thematiques and set(defaults.thematiques) <= set(coop.THEMATIQUES)
        assert defaults.materiel and set(defaults.materiel) <= set(coop.MATERIELS)
        assert defaults.niveau in coop.NIVEAUX
    assert lesson_files()


def test_a_lesson_without_coop_values_gets_its_supports() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    start = text.index("\n[coop]")
    end = text.index("+++", start)
    lesson = parse_lesson(text[:start] + "\n" + text[end:], SAMPLE)
    assert lesson.coop is None
    assert lesson.coop_defaults == COOP_DEFAULTS_FOR_SUPPORT["tablette-smartphone"]
    assert set(COOP_DEFAULTS_FOR_SUPPORT) == set(SUPPORTS)


@pytest.mark.parametrize(
    ("line", "replacement", "words"),
    [
        ('thematiques = ["securite_numerique"]', 'thematiques = ["robotique"]',
         "« robotique » n'est pas une valeur de La Coop"),
        ('materiel = ["telephone"]', 'materiel = ["smartphone"]',
         "« smartphone » n'est pas une valeur de La Coop"),
        ('niveau = "debutant"', 'niveau = "facile"', "« facile » n'est pas une valeur possible"),
        ('niveau = "debutant"', 'niveau = "debutant"\nautre = 1', "clé inconnue « autre »"),
    ],
)  # fmt: skip
def test_a_wrong_coop_value_is_refused_with_its_line(
    line: str, replacement: str, words: str
) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    assert line in text
    wrong = text.replace(line, replacement)
    with pytest.raises(LessonFileError, match=words) as caught:
        parse_lesson(wrong, Path(SAMPLE))
    line_number = wrong[: wrong.index(replacement.split("\n")[-1])].count("\n") + 1
    assert f"ligne {line_number}" in str(caught.value)
