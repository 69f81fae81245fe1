# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit rehearse``: a reproducible draw, the phase-by-phase flow, the report, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from lessons import catalog
from lessons import rehearsal as rh
from tests.conftest import run_kit

LESSONS = catalog.load_all()

ANSWERS = """
minutes = [3, 4, 5, 9, 12, 4, 6, 1]
demonstration = false
commentaire = "Bilan trop long : regarder la montre."
[autoevaluation]
objectifs = 3
timing = 1
supports = 2
plan-b = 2
accueil = 3
adaptation = 2
consignes = 2
verification = 1
securite = 3
posture = 2
"""


def test_the_same_seed_gives_the_same_draw() -> None:
    first = rh.draw(LESSONS, seed=1234)
    second = rh.draw(LESSONS, seed=1234)
    assert first == second


def test_draw_42_for_robots_is_stable() -> None:
    # A trainer hands out « tirage 42 »: it must mean the same thing on every machine.
    draw = rh.draw(LESSONS, seed=42, support="robot")
    assert draw.lesson.ident == "robot-obstacles-college"
    assert draw.lesson.format == "certification"
    assert draw.public.ident == "allophones"
    assert draw.situation.ident == "materiel-en-panne"


def test_a_situation_is_only_drawn_for_the_supports_it_fits() -> None:
    # « Give me your unlocked phone » belongs to a phone or PC atelier, not to a robot one.
    _, situations = rh.load_cards()
    tagged = {card.ident: card.supports for card in situations if card.supports}
    assert set(tagged["donnees-personnelles"]) == {"tablette-smartphone", "pc"}
    for seed in range(200):
        drawn = rh.draw(LESSONS, seed=seed)
        assert drawn.situation.fits(drawn.support), (seed, drawn.situation.ident)
    for support in catalog.SUPPORTS:
        seen = {rh.draw(LESSONS, seed=s, support=support).situation.ident for s in range(200)}
        expected = {card.ident for card in situations if card.fits(support)}
        assert seen == expected, support


def test_a_card_naming_an_unknown_support_is_refused(tmp_path: Path) -> None:
    cards = tmp_path / "cartes.toml"
    cards.write_text(
        '[[publics]]\nid = "p"\ntexte = "t"\nconseil = "c"\n'
        '[[situations]]\nid = "s"\ntexte = "t"\nconseil = "c"\nsupports = ["imprimante"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="unknown supports"):
        rh.load_cards(cards)


def test_the_replay_command_of_a_tirage_gives_the_same_draw() -> None:
    # The report says « kit rehearse --support S --seed N »: with S the support that
    # « --tirage --seed N » drew, it must give back the same lesson, public and situation.
    for seed in range(100):
        drawn = rh.draw(LESSONS, seed=seed)
        assert rh.draw(LESSONS, seed=seed, support=drawn.support) == drawn, seed


def test_the_tirage_reaches_every_support_and_picks_certification_formats() -> None:
    draws = [rh.draw(LESSONS, seed=seed) for seed in range(60)]
    assert {d.support for d in draws} == set(catalog.SUPPORTS)
    assert all(d.lesson.format == "certification" for d in draws)
    assert all(d.lesson.support == d.support for d in draws)


def test_phase_warnings_come_before_and_after_the_planned_time() -> None:
    assert rh.phase_warning(60, 180) == ("ok", "")
    level, message = rh.phase_warning(150, 180)
    assert level == "bientot" and "il reste 30 s" in message
    level, message = rh.phase_warning(200, 180)
    assert level == "depasse" and "dépassement de 20 s" in message


def test_a_non_interactive_rehearsal_writes_a_complete_report(tmp_path: Path) -> None:
    answers = tmp_path / "reponses.toml"
    answers.write_text(ANSWERS.replace("demonstration = false", "demonstration = true"), "utf-8")
    out = tmp_path / "rapport"
    result = run_kit(
        "rehearse", "--support", "robot", "--seed", "42",
        "--non-interactif", str(answers), "--sortie", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Tirage n° 42" in result.stdout
    assert "Le jury regarde" in result.stdout
    assert "dépassement de 1 min 00 s" in result.stdout
    md = out / "repetition-robot-obstacles-college-tirage42.md"
    html = out / "repetition-robot-obstacles-college-tirage42.html"
    report = md.read_text(encoding="utf-8")
    lesson = catalog.resolve("robot-obstacles-college")
    for phase in lesson.phases:
        assert phase.title in report
    assert "| **Total** | **40 min 00 s** | **44 min 00 s** | **+4 min 00 s** |" in report
    assert rh.GRID_NOTICE in report
    assert "pas la grille officielle" in report
    for criterion in rh.GRID:
        assert criterion.text in report
    assert "Élaborer des programmes d'actions | 4 / 6" in report
    assert "Bilan trop long" in report
    # The demonstration phase ran the mBot on the simulator and the report says so.
    assert "## Démonstration sur le simulateur" in report
    assert "- réussie : `kit robot run parcours.py" in report
    assert "démonstration réussie" in result.stdout
    assert "Adultes allophones" in report and "le matériel ne répond plus" in report
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "pas la grille officielle" in page
    style = page[page.index("<style>") : page.index("</style>")]
    assert "&#34;" not in style  # the stylesheet is not HTML-escaped
    # Durations do not break across lines in the printed report (« 44 min » / « 00 s »).
    assert "44\u00a0min\u00a000\u00a0s" in page and "44 min" not in page
    assert page.count("<tr>") >= len(lesson.phases) + len(rh.GRID)


def test_an_interactive_rehearsal_runs_from_the_keyboard(tmp_path: Path) -> None:
    lesson = catalog.resolve("pc-adresse-mail-emploi")
    keys = ["3", ""]  # support n° 3 (PC), then Entrée to start
    keys += [""] * len(lesson.phases)  # Entrée at the end of each phase
    keys += ["2"] * len(rh.GRID) + ["Rien à signaler"]
    result = run_kit(
        "rehearse", "--seed", "7", "--sortie", str(tmp_path),
        input_text="\n".join(keys) + "\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Quel support" in result.stdout
    report = (tmp_path / "repetition-pc-adresse-mail-emploi-tirage7.md").read_text("utf-8")
    assert "Rien à signaler" in report
    assert report.count("2 / 3 (satisfaisant)") == len(rh.GRID)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--support", "drone"), "Support inconnu : « drone »"),
        (("--support", "robot", "--tirage"), "soit --support, soit --tirage"),
        (("--non-interactif", "absent.toml"), "introuvable"),
    ],
)
def test_bad_options_are_french_errors_with_exit_2(kit_inproc, args, message) -> None:  # type: ignore[no-untyped-def]
    result = kit_inproc("rehearse", *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_answers_that_do_not_fit_the_lesson_are_refused(tmp_path: Path, kit_inproc) -> None:  # type: ignore[no-untyped-def]
    short = tmp_path / "court.toml"
    short.write_text(ANSWERS.replace("minutes = [3, 4, 5, 9, 12, 4, 6, 1]", "minutes = [3]"))
    result = kit_inproc(
        "rehearse", "--support", "robot", "--seed", "1", "--non-interactif", str(short),
        "--sortie", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 2 and "1 durée(s)" in result.stderr
    missing = tmp_path / "incomplet.toml"
    missing.write_text(ANSWERS.replace("posture = 2\n", ""))
    result = kit_inproc(
        "rehearse", "--support", "robot", "--seed", "1", "--non-interactif", str(missing),
        "--sortie", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 2 and "« posture »" in result.stderr
    assert not list(tmp_path.glob("repetition-*")), "nothing written on bad input"
    unclosed = tmp_path / "casse.toml"
    unclosed.write_text(ANSWERS.replace("posture = 2", "posture = "))
    result = kit_inproc("rehearse", "--support", "robot", "--non-interactif", str(unclosed))
    assert result.returncode == 2 and "syntaxe TOML invalide ligne" in result.stderr
    wrong = tmp_path / "faux.toml"
    wrong.write_text(ANSWERS.replace("posture = 2", "posture = 7"))
    result = kit_inproc("rehearse", "--support", "robot", "--non-interactif", str(wrong))
    assert result.returncode == 2 and "de 0 à 3" in result.stderr


def test_a_keyboard_that_closes_midway_writes_nothing_and_exits_2(tmp_path: Path) -> None:
    # Entrée to start, then the input ends during the first phase's timer.
    result = run_kit(
        "rehearse", "--support", "pc", "--seed", "3", "--sortie", str(tmp_path), input_text="\n"
    )
    assert result.returncode == 2
    assert "aucun rapport n'a été écrit" in result.stderr
    assert "--non-interactif" in result.stderr
    assert list(tmp_path.iterdir()) == []
