# SPDX-License-Identifier: GPL-3.0-or-later
"""The oral as a state machine (``lessons.oral``), with no terminal: parts, timing, alerts,
both titles, interruption, and the report it writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kit.files import atomic_write_text
from lessons import catalog
from lessons import rehearsal as rh
from lessons.model import COMPETENCES
from lessons.oral import (
    ADAPTATION_QUESTION,
    Kind,
    OralRehearsal,
    Part,
    alert,
    draw_questions,
    durations_for,
)
from lessons.titles import get_title, lesson_competences, load_titles

LESSONS = catalog.load_all()
DRAW_42 = rh.draw(LESSONS, seed=42, support="robot")
TITLE_2025 = get_title("mediateur-2025")
DURATIONS_42 = durations_for(TITLE_2025, DRAW_42.lesson)


def _oral(seed: int = 42, support: str = "robot", title: str = "mediateur-2025", **minutes):  # type: ignore[no-untyped-def]
    draw = rh.draw(LESSONS, seed=seed, support=support)
    found = get_title(title)
    return OralRehearsal.start(draw, found, durations_for(found, draw.lesson, **minutes),
                               date="07/12/2026")  # fmt: skip


def _play(oral: OralRehearsal, atelier_minutes: list[float] | None = None) -> list[Part]:
    """Answer every prompt as a candidate would; returns the parts in the order asked."""
    parts: list[Part] = []
    phase_minutes = iter(atelier_minutes or [p.minutes for p in oral.lesson.phases])
    while (prompt := oral.current) is not None:
        if not parts or parts[-1] is not prompt.part:
            parts.append(prompt.part)
        if prompt.kind is Kind.CHECK:
            oral.answer(prompt.key != "dossier.livret-ecf")
        elif prompt.kind is Kind.DEMO:
            oral.answer(())
        elif prompt.kind is Kind.TIMED:
            if prompt.part is Part.ATELIER:
                oral.answer(next(phase_minutes) * 60.0)
            elif prompt.part is Part.PRESENTATION:
                oral.answer(9 * 60.0)
            else:
                oral.answer(150.0)
        elif prompt.kind is Kind.SCORE:
            oral.answer(2)
        elif prompt.part is Part.ADAPTATION:
            oral.answer("Consignes dites à voix haute et objets à toucher.")
        else:
            oral.answer("Regarder la montre au bilan.")
    return parts


def test_the_oral_runs_in_the_order_candidates_describe() -> None:
    oral = _oral()
    assert _play(oral) == [
        Part.DOSSIER, Part.PRESENTATION, Part.ATELIER, Part.ADAPTATION, Part.QUESTIONS,
        Part.AUTOEVALUATION, Part.COMMENT,
    ]  # fmt: skip
    assert oral.done and oral.current is None
    assert len(oral.timings) == len(oral.lesson.phases)
    assert len(oral.answers) == len(oral.questions)
    assert oral.missing_dossier() and "livret" in oral.missing_dossier()[0]
    with pytest.raises(ValueError):
        oral.answer(True)


def test_every_prompt_names_its_answers_file_key() -> None:
    oral = _oral()
    keys = set()
    while (prompt := oral.current) is not None:
        keys.add(prompt.key.partition(".")[0])
        if prompt.kind is Kind.DEMO:
            oral.answer(())
        elif prompt.kind is Kind.CHECK:
            oral.answer(True)
        elif prompt.kind is Kind.TIMED:
            oral.answer(60.0)
        elif prompt.kind is Kind.SCORE:
            oral.answer(3)
        else:
            oral.answer("")
    assert keys == {
        "dossier", "presentation_minutes", "demonstration", "minutes", "adaptation",
        "questions_minutes", "autoevaluation", "commentaire",
    }  # fmt: skip


def test_the_adaptation_prompt_names_the_drawn_public_and_situation() -> None:
    oral = _oral()
    while (prompt := oral.current) is not None and prompt.part is not Part.ADAPTATION:
        oral.answer(() if prompt.kind is Kind.DEMO else True if prompt.kind is Kind.CHECK
                    else 60.0)  # fmt: skip
    assert prompt is not None and prompt.question == ADAPTATION_QUESTION
    assert any(oral.draw.public.text in line for line in prompt.lines)
    assert any(oral.draw.situation.text in line for line in prompt.lines)


def test_a_wrong_answer_type_is_refused_without_moving_on() -> None:
    oral = _oral()
    with pytest.raises(ValueError):
        oral.answer(3.0)  # the first prompt is a dossier yes/no
    assert oral.current is not None and oral.current.part is Part.DOSSIER


def test_an_overrun_past_the_format_is_where_the_jury_stops() -> None:
    # robot-obstacles-college: 4, 3, 4, 7, 11, 5, 5, 1 min planned (40 min).
    oral = _oral()
    assert [p.minutes for p in oral.lesson.phases] == [4, 3, 4, 7, 11, 5, 5, 1]
    _play(oral, [4, 4, 5, 8, 11, 5, 5, 1])  # 43 min: the limit passes during the bilan
    alerts = [timing.alert for timing in oral.timings]
    assert [a.level for a in alerts[:3]] == ["ok", "depasse", "depasse"]
    assert alerts[1].message == "dépassement de 1 min 00 s"
    assert alerts[6].level == "arret"
    assert "le jury vous arrête ici (40 min 00 s atteintes)" in alerts[6].message
    assert alerts[7].level == "arret" and "ne l'aurait pas vu" in alerts[7].message
    assert oral.atelier_alert.level == "arret"
    assert "dépassement de 3 min 00 s" in oral.atelier_alert.message


def test_the_candidate_sets_the_durations_no_text_gives() -> None:
    lesson = catalog.resolve("robot-obstacles-college")
    for ident in ("mediateur-2025", "remn-2019"):
        title = get_title(ident)
        assert title.durations == {}, "no official duration was found: see docs/certification.md"
        unset = durations_for(title, lesson)
        assert unset.presentation_s is None and unset.questions_s is None
        assert unset.atelier_s == lesson.minutes * 60
        assert sum("aucune durée officielle trouvée" in n for n in unset.notices) == 3
        assert any("--duree-presentation MIN" in n for n in unset.notices)
        chosen = durations_for(title, lesson, presentation_min=10, atelier_min=30,
                               questions_min=20)  # fmt: skip
        assert (chosen.presentation_s, chosen.atelier_s, chosen.questions_s) == (600, 1800, 1200)
        assert sum("fixée par vous" in n for n in chosen.notices) == 3


def test_the_live_timer_warns_then_stops() -> None:
    oral = _oral(presentation_min=10)
    while (prompt := oral.current) is not None and prompt.part is Part.DOSSIER:
        oral.answer(True)
    assert oral.timer(60).level == "ok"
    assert oral.timer(8 * 60 + 30).level == "bientot"
    assert "il reste 1 min 30 s" in oral.timer(8 * 60 + 30).message
    assert oral.timer(11 * 60).level == "arret"
    unlimited = _oral()
    while (prompt := unlimited.current) is not None and prompt.part is Part.DOSSIER:
        unlimited.answer(True)
    assert unlimited.timer(3600).level == "ok", "no limit set: the timer only counts"


def test_alert_rules() -> None:
    assert alert(0, 100, 180, None).level == "ok"
    assert alert(0, 200, 180, None).message == "dépassement de 20 s"
    assert alert(2300, 200, 180, 2400).level == "arret"
    assert "le jury vous arrête ici" in alert(2400, 10, 180, 2400).message
    assert alert(2410, 10, 180, 2400).message.startswith("après la fin du temps")
    assert alert(0, 600, None, None).level == "ok"


def test_questions_cover_every_competence_and_replay_with_the_seed() -> None:
    lesson = catalog.resolve("pc-adresse-mail-emploi")
    for ident in ("mediateur-2025", "remn-2019"):
        title = get_title(ident)
        questions = draw_questions(title, lesson, 17)
        assert questions == draw_questions(title, lesson, 17)
        assert {q.competence.ident for q in questions} == {c.ident for c in title.competences}
        assert all(q.text in q.competence.questions for q in questions)
    seen = {draw_questions(get_title("mediateur-2025"), lesson, s)[0].text for s in range(40)}
    assert len(seen) > 1, "the seed changes the questions"


def test_both_titles_map_every_lesson_objective() -> None:
    titles = load_titles()
    assert set(titles) == {"mediateur-2025", "remn-2019"}
    remn, mediateur = titles["remn-2019"], titles["mediateur-2025"]
    # REMN's CCP1: the four competences the lesson files name, in their published wording.
    assert [c.ident for c in remn.competences] == list(COMPETENCES)
    assert remn.competence("programmes").text.startswith("Élaborer des programmes d'actions")
    # Every REMN competence a lesson names is taken over by a 2025 competence.
    for key in COMPETENCES:
        assert mediateur.for_remn(key) is not None, key
    for lesson in LESSONS:
        assert [c.ident for c in lesson_competences(lesson, remn)] == [
            k for k in COMPETENCES if k in lesson.competences
        ]
        mapped = {c.ident for c in lesson_competences(lesson, mediateur)}
        assert "cadre" in mapped, "the transversal competence applies to every lesson"
        assert "aller-vers" not in mapped, "no atelier covers « aller vers »: asked as a question"
    assert mediateur.competences_notice, "the 2025 wording could not be read: every output says so"


def test_an_unknown_title_is_a_french_error() -> None:
    from kit.errors import KitError

    with pytest.raises(KitError, match="Titre inconnu : « remn-2020 »"):
        get_title("remn-2020")


def test_the_2025_oral_with_a_fixed_seed_writes_its_report(tmp_path: Path) -> None:
    oral = _oral(seed=7, support="pc", presentation_min=10, questions_min=15)
    _play(oral)
    md = atomic_write_text(tmp_path / f"{rh.report_stem(oral)}.md", rh.report_markdown(oral))
    html = atomic_write_text(tmp_path / f"{rh.report_stem(oral)}.html", rh.report_html(oral))
    report = md.read_text(encoding="utf-8")
    assert report.startswith("# Répétition de l'oral — Médiateur numérique (2025) — 07/12/2026")
    assert "arrêté du 20 mai 2025" in report
    for heading in ("## Le dossier à apporter", "## Présentation de votre pratique",
                    "## Simulation d'atelier : temps par phase",
                    "## Comment avez-vous adapté l'atelier à ce public et à cette situation ?",
                    "## Questions du jury", "## Auto-évaluation", "## Commentaire"):  # fmt: skip
        assert heading in report
    assert "| 9 min 00 s | 10 min 00 s | — |" in report
    assert "**non : à prévoir**" in report  # the livret was not brought
    assert "Consignes dites à voix haute" in report
    for question in oral.questions:
        assert question.text in report
    assert "ce ne sont pas les questions du jury" in report
    assert "pas la grille officielle" in report
    assert "`kit rehearse --titre mediateur-2025 --support pc --seed 7`" in report
    assert "interrompue" not in report
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Médiateur numérique" in page


def test_an_interrupted_oral_reports_what_was_done() -> None:
    oral = _oral(title="remn-2019")
    while (prompt := oral.current) is not None and prompt.part is not Part.ATELIER:
        oral.answer(True if prompt.kind is Kind.CHECK else 300.0)
    assert prompt is not None and prompt.kind is Kind.TIMED
    oral.answer(180.0)  # the first phase, then Ctrl-C
    oral.interrupt()
    assert oral.done and oral.current is None and oral.interrupted_at is Part.ATELIER
    report = rh.report_markdown(oral)
    assert "**Répétition interrompue** pendant « Simulation d'atelier »" in report
    assert "Responsable d'espace de médiation numérique" in report
    assert "Non répondu." in report and "non posée" in report and "non noté" in report


def test_the_fiche_names_the_competences_of_both_titles(tmp_path: Path, kit_inproc) -> None:  # type: ignore[no-untyped-def]
    fiche = tmp_path / "fiche.md"
    result = kit_inproc("lesson", "export", "mobile-securiser-seniors", "-o", str(fiche))
    assert result.returncode == 0, result.stderr
    text = fiche.read_text("utf-8")
    section = text[text.index("## Compétences visées") : text.index("## Prérequis")]
    assert "Médiateur numérique (2025) :" in section
    assert "Responsable d'espace de médiation numérique (REMN 2019), CCP1 :" in section
    lesson = catalog.resolve("mobile-securiser-seniors")
    for title in load_titles().values():
        for competence in lesson_competences(lesson, title):
            assert f"- {competence.text}" in section


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=1200), min_size=8, max_size=8))
# The time is up exactly as the last phase starts: that phase is where the jury stops.
@example([0, 0, 0, 0, 0, 1200, 1200, 1])
def test_the_jury_stops_the_atelier_once_exactly_when_it_overruns(seconds: list[int]) -> None:
    oral = OralRehearsal.start(DRAW_42, TITLE_2025, DURATIONS_42)  # 8 phases, 40 minutes
    _play(oral, [s / 60 for s in seconds])
    levels = [timing.alert for timing in oral.timings]
    stops = [i for i, a in enumerate(levels) if "le jury vous arrête ici" in a.message]
    after = [i for i, a in enumerate(levels) if a.message.startswith("après la fin du temps")]
    if sum(seconds) > 40 * 60:
        assert len(stops) == 1 and after == list(range(stops[0] + 1, 8))
        assert oral.atelier_alert.level == "arret"
    else:
        assert stops == [] and after == [] and oral.atelier_alert.level != "arret"
