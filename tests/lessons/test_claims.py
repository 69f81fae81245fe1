# SPDX-License-Identifier: GPL-3.0-or-later
"""Lessons as checked claims: ``[affirmations]`` proved with the kit (analysis, simulators).

tests/data/lessons/ keeps copies of three déroulés as they were before the claims were checked,
with their text's claims written as data; the check fails on them for the reasons the trainer's
reading found (issue 25). The shipped lessons pass.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kit.commands.lesson import command_exists, command_problem
from lessons import catalog
from lessons.checks import Finding, check_lesson
from lessons.claims import check_claims
from lessons.model import Lesson

OLD = Path(__file__).resolve().parents[1] / "data" / "lessons"


def _claims(lesson: Lesson, tmp_path: Path, *, run: bool = False) -> list[Finding]:
    return check_claims(lesson, tmp_path, command_exists, command_problem, run=run)


def _messages(findings: list[Finding]) -> str:
    return "\n".join(f.message for f in findings)


def test_old_name_tag_lesson_fails_for_the_reasons_found(tmp_path: Path) -> None:
    old = catalog.load_file(OLD / "3d-porte-nom-ecole-art.md")
    text = _messages(_claims(old, tmp_path))
    # Started 20 min early, ≈ 16 min with heating: done before the demo shows it printing.
    assert "lancée 20 min avant l'arrivée du groupe : elle est finie à la minute -4" in text
    assert "en train d'imprimer" in text
    assert "la leçon dit 0,2, mais porte-nom-ender3-avant.gcode a été tranché à 0,3" in text
    assert "la leçon dit 15, mais porte-nom-ender3-avant.gcode a été tranché à 20" in text
    # The object is 66 mm wide apart from the skirt: not « au plus 60 × 20 mm ».
    assert "largeur de l'objet : 65,55 mm" in text and "60 mm annoncés" in text


def test_old_name_tag_lesson_fails_what_the_jury_looks_at() -> None:
    old = catalog.load_file(OLD / "3d-porte-nom-ecole-art.md")
    findings = check_lesson(old)
    errors = _messages([f for f in findings if not f.warning])
    assert "l'accueil ne recueille pas les besoins" in errors
    assert "orienter" in errors
    assert "ne laisse pas de trace écrite" in errors
    assert "deux jurés jouent les participants" in errors
    warnings = [f for f in findings if f.warning]
    assert any("dure 2 min, moins de 5 min" in f.message for f in warnings)
    assert all("règle empirique du kit" in f.message for f in warnings)


def test_old_keyring_lesson_two_printers_and_a_cold_bed(tmp_path: Path) -> None:
    old = catalog.load_file(OLD / "3d-porte-cles-colleges.md")
    text = _messages(_claims(old, tmp_path))
    assert "4 exemplaires sur 2 imprimante(s), soit 2 impressions" in text
    assert "après le début de « Bilan : qui explique la fabrication ? »" in text
    assert "la leçon dit le plateau à 60 °C, mais porte-nom-ender3-avant.gcode chauffe" in text
    assert "le texte annonce 60 °C" in text


def test_old_neopixel_lesson_never_deploys_the_rainbow(tmp_path: Path) -> None:
    old = catalog.load_file(OLD / "mcu-neopixels-tiers-lieu.md")
    text = _messages(_claims(old, tmp_path))
    assert "« neopixel_arc_en_ciel » sert dans « Colorer les NeoPixels », mais aucune" in text
    assert "« clignoter »" not in text  # deployed at the preparation
    assert "pixels.show()" in text


@pytest.mark.parametrize("path", catalog.lesson_files(), ids=lambda p: p.stem)
def test_every_shipped_lesson_holds_its_claims(path: Path, tmp_path: Path) -> None:
    lesson = catalog.load_file(path)
    found = check_lesson(lesson) + _claims(lesson, tmp_path)
    assert [f.message for f in found] == []


@pytest.mark.parametrize("ident", ["mcu-neopixels-tiers-lieu", "robot-suivre-ligne-python"])
def test_programs_run_on_the_simulators(ident: str, tmp_path: Path) -> None:
    lesson = catalog.resolve(ident)
    assert not lesson.claims.empty
    assert _claims(lesson, tmp_path, run=True) == []


def test_a_robot_program_failing_its_challenge_is_reported(tmp_path: Path) -> None:
    lesson = catalog.resolve("robot-obstacles-college")
    claim = dataclasses.replace(lesson.claims.robots[0], challenge="tour-ovale")
    broken = dataclasses.replace(lesson, claims=dataclasses.replace(lesson.claims, robots=(claim,)))
    assert "échoue au défi « tour-ovale »" in _messages(_claims(broken, tmp_path, run=True))


def test_a_step_that_does_not_parse_and_a_misspelt_mention(tmp_path: Path) -> None:
    lesson = catalog.resolve("3d-porte-nom-ecole-art")
    step = dataclasses.replace(lesson.phases[2].commands[0], argv=("printer", "print", "--vite"))
    phases = list(lesson.phases)
    phases[2] = dataclasses.replace(
        phases[2], commands=(step,), animateur=phases[2].animateur + " (kit printer imprime)"
    )
    text = _messages(_claims(dataclasses.replace(lesson, phases=tuple(phases)), tmp_path))
    assert "« kit printer print --vite »" in text
    assert "« kit printer imprime »" in text


def test_a_lesson_on_hardware_must_declare_its_claims(tmp_path: Path) -> None:
    lesson = catalog.resolve("robot-obstacles-college")
    bare = dataclasses.replace(lesson, claims=dataclasses.replace(lesson.claims, robots=()))
    assert "[[affirmations.robots]]" in _messages(_claims(bare, tmp_path))


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('phase = "Le robot fini"', 'phase = "Le robot final"', "aucune phase ne s'intitule"),
        ('defi = "parcours"', "defi = 3", "« defi » doit être un texte"),
        ("[[affirmations.robots]]", "[[affirmations.robot]]", "clé inconnue « robot »"),
    ],
)
def test_bad_claims_are_refused_at_their_line(old: str, new: str, said: str) -> None:
    from lessons.frontmatter import LessonFileError
    from lessons.schema import parse_lesson

    path = catalog.PLANS_DIR / "robot-obstacles-college.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(LessonFileError) as caught:
        parse_lesson(text.replace(old, new), path)
    assert said in caught.value.message
    assert caught.value.line > 100  # the claims are at the end of the front-matter


def test_every_pacing_rule_names_its_source() -> None:
    from lessons.pacing import load_rules

    rules = load_rules()
    assert set(rules) == {"defi", "bilan-objectif", "bilan-participant", "accueil-participant"}
    assert all(rule.source and rule.reason and rule.minutes > 0 for rule in rules.values())


def test_show_lists_the_claims_the_check_proves(kit_inproc) -> None:  # type: ignore[no-untyped-def]
    result = kit_inproc("lesson", "show", "3d-porte-cles-colleges")
    assert result.returncode == 0, result.stderr
    assert "Affirmations vérifiées par « kit lesson check »" in result.stdout
    assert "4 exemplaire(s) sur 2 imprimante(s)" in result.stdout


def test_check_reports_the_claims_line_and_fails_on_an_old_copy(kit_inproc) -> None:  # type: ignore[no-untyped-def]
    result = kit_inproc(
        "lesson", "check", str(OLD / "mcu-neopixels-tiers-lieu.md"), "--sans-commandes"
    )
    assert result.returncode == 1
    assert "✗ affirmations : 0 impression(s), 2 programme(s) de carte" in result.stdout
    assert "pixels.show()" in result.stdout


def test_a_short_accueil_and_bilan_warn_with_their_reason() -> None:
    lesson = catalog.resolve("mcu-veilleuse-familles")  # 12 people, O3 assessed at the bilan
    phases = tuple(
        dataclasses.replace(p, minutes=2) if p.kind in ("accueil", "bilan") else p
        for p in lesson.phases
    )
    warnings = [
        f.message for f in check_lesson(dataclasses.replace(lesson, phases=phases)) if f.warning
    ]
    assert any("l'accueil dure 2 min pour 12 participants" in w for w in warnings)
    assert any(
        "le bilan dure 2 min pour 1 objectif(s) évalué(s) et 12 participants" in w for w in warnings
    )
