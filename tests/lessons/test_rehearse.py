# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit rehearse``: a reproducible, coherent draw; the whole oral from the keyboard, from an
answers file and its commented model; Ctrl-C; bad input named by its key; no markup leaks."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lessons import catalog
from lessons import rehearsal as rh
from lessons.titles import get_title
from tests.conftest import REPO_ROOT, kit_env, run_kit

LESSONS = catalog.load_all()
MARKUP = re.compile(r"\[/?(?:bold|dim|green|red|yellow|cyan|magenta|prompt\.)[^\]]*\]")

ANSWERS = """
titre = "mediateur-2025"
presentation_minutes = 12
minutes = [3, 4, 5, 9, 12, 4, 5, 1]
demonstration = false
adaptation = "J'ai décrit chaque geste à voix haute et fait toucher le robot."
questions_minutes = [2, 3, 2, 4, 2]
commentaire = "Bilan trop long : regarder la montre."
[dossier]
convocation = true
piece-identite = true
dossier-professionnel = true
livret-ecf = false
support-amovible = true
deroule = true
plan-b = true
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


def _no_markup(*texts: str) -> None:
    for text in texts:
        assert not MARKUP.search(text), MARKUP.search(text)


# --- the draw ----------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_draw() -> None:
    assert rh.draw(LESSONS, seed=1234) == rh.draw(LESSONS, seed=1234)


def test_draw_42_for_robots_is_stable() -> None:
    # A trainer hands out « tirage 42 »: it must mean the same thing on every machine.
    draw = rh.draw(LESSONS, seed=42, support="robot")
    assert draw.lesson.ident == "robot-obstacles-college"
    assert draw.lesson.format == "certification"
    assert draw.public.ident == "handicap-visuel"
    assert draw.situation.ident == "retardataire"


def test_draws_only_combine_a_lesson_a_public_and_a_situation_that_fit() -> None:
    publics, situations = rh.load_cards()
    by_id = {card.ident: card for card in publics}
    # The incoherent draw: a robot atelier, art students, « un participant âgé ».
    assert not by_id["ecole-art"].fits("robot")
    senior = next(card for card in situations if card.ident == "senior-anxieux")
    assert not senior.fits("robot", "collegiens") and not senior.fits("pc", "familles")
    for seed in range(3000):
        drawn = rh.draw(LESSONS, seed=seed)
        assert drawn.lesson.support == drawn.support, seed
        assert drawn.public.fits(drawn.support), (seed, drawn.public.ident)
        assert drawn.situation.fits(drawn.support, drawn.public.ident), (
            seed, drawn.public.ident, drawn.situation.ident,
        )  # fmt: skip
    for support in catalog.SUPPORTS:
        draws = [rh.draw(LESSONS, seed=s, support=support) for s in range(300)]
        assert {d.public.ident for d in draws} == {c.ident for c in publics if c.fits(support)}
        pairs = {(d.public.ident, d.situation.ident) for d in draws}
        expected = {
            (p.ident, s.ident)
            for p in publics
            if p.fits(support)
            for s in situations
            if s.fits(support, p.ident)
        }
        assert pairs == expected, support


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('supports = ["imprimante"]\n', "unknown supports"),
        ('publics = ["retraites"]\n', "unknown publics"),
    ],
)
def test_a_card_naming_an_unknown_support_or_public_is_refused(
    tmp_path: Path, extra: str, message: str
) -> None:
    cards = tmp_path / "cartes.toml"
    cards.write_text(
        '[[publics]]\nid = "p"\ntexte = "t"\nconseil = "c"\n'
        '[[situations]]\nid = "s"\ntexte = "t"\nconseil = "c"\n' + extra,
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=message):
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


# --- the answers file and its model ----------------------------------------------------------


def test_the_whole_2025_oral_from_an_answers_file_writes_its_report(tmp_path: Path) -> None:
    answers = tmp_path / "reponses.toml"
    answers.write_text(ANSWERS.replace("demonstration = false", "demonstration = true"), "utf-8")
    out = tmp_path / "rapport"
    result = run_kit(
        "rehearse", "--support", "robot", "--seed", "42", "--duree-presentation", "10",
        "--non-interactif", str(answers), "--sortie", str(out), COLUMNS="200",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    _no_markup(result.stdout, result.stderr)
    assert "Tirage n° 42" in result.stdout and "Médiateur numérique" in result.stdout
    assert "Le jury regarde" in result.stdout
    assert "le jury vous arrête ici (10 min 00 s atteintes)" in result.stdout
    assert "démonstration réussie" in result.stdout
    report = (out / "repetition-robot-obstacles-college-tirage42.md").read_text("utf-8")
    _no_markup(report)
    lesson = catalog.resolve("robot-obstacles-college")
    for phase in lesson.phases:
        assert phase.title in report
    # 43 min for a 40-minute format: the Alerte column says where the jury stops.
    assert "| **Total** | **40 min 00 s** | **43 min 00 s** | **+3 min 00 s** | " in report
    assert "dépassement de 3 min 00 s ; le jury vous arrête ici (40 min 00 s atteintes)" in report
    assert "après la fin du temps : le jury ne l'aurait pas vu" in report
    presentation = "| 12 min 00 s | 10 min 00 s | le jury vous arrête ici (10 min 00 s atteintes) |"
    assert presentation in report
    assert "fait toucher le robot" in report
    assert "**non : à prévoir**" in report
    assert "- réussie : `kit robot run parcours.py" in report
    assert "Bilan trop long" in report
    assert "aucune durée officielle trouvée dans les textes publiés" in report
    html = (out / "repetition-robot-obstacles-college-tirage42.html").read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "pas la grille officielle" in html
    style = html[html.index("<style>") : html.index("</style>")]
    assert "&#34;" not in style  # the stylesheet is not HTML-escaped
    assert "43\u00a0min\u00a000\u00a0s" in html and "43 min" not in html


def test_the_remn_title_is_rehearsed_with_its_ccp1_competences(tmp_path: Path, kit_inproc) -> None:  # type: ignore[no-untyped-def]
    template = tmp_path / "reponses.toml"
    result = kit_inproc("rehearse", "--titre", "remn-2019", "--support", "pc", "--seed", "3",
                        "--modele-reponses", str(template))  # fmt: skip
    assert result.returncode == 0, result.stderr
    result = kit_inproc("rehearse", "--non-interactif", str(template), "--sortie", str(tmp_path))
    assert result.returncode == 0, result.stderr
    report = (tmp_path / "repetition-pc-adresse-mail-emploi-tirage3.md").read_text("utf-8")
    assert "Responsable d'espace de médiation numérique (REMN 2019), CCP1" in report
    for competence in get_title("remn-2019").competences:
        assert competence.text in report
    assert "arrêté du 20 mai 2025" not in report


def test_the_answers_model_is_commented_and_runs_as_written(tmp_path: Path, kit_inproc) -> None:  # type: ignore[no-untyped-def]
    template = tmp_path / "reponses.toml"
    result = kit_inproc("rehearse", "--support", "robot", "--seed", "42",
                        "--modele-reponses", str(template))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"kit rehearse --non-interactif {template}" in result.stdout
    assert not list(tmp_path.glob("repetition-*")), "the model only writes the answers file"
    text = template.read_text("utf-8")
    lesson = catalog.resolve("robot-obstacles-college")
    for phase in lesson.phases:
        assert phase.title in text  # each duration says which phase it is
    for key in ("presentation_minutes", "adaptation", "questions_minutes", "[dossier]",
                "[autoevaluation]", "tirage = 42", 'titre = "mediateur-2025"'):  # fmt: skip
        assert key in text
    assert "pas des durées officielles" in text
    assert "# duree_presentation =" in text  # to set, never filled in by the kit
    result = kit_inproc("rehearse", "--non-interactif", str(template), "--sortie", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "repetition-robot-obstacles-college-tirage42.md").exists()
    # A second model never overwrites a file that may hold the candidate's answers.
    template.write_text("# mes réponses\n", "utf-8")
    result = kit_inproc("rehearse", "--support", "robot", "--seed", "42",
                        "--modele-reponses", str(template))  # fmt: skip
    assert result.returncode == 2 and "existe déjà" in result.stderr
    assert template.read_text("utf-8") == "# mes réponses\n"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("adaptation = ", "# "), "Clé manquante « adaptation »"),
        (("presentation_minutes = 12\n", ""), "Clé manquante « presentation_minutes »"),
        (
            ("questions_minutes = [2, 3, 2, 4, 2]", "questions_minutes = [2]"),
            "« questions_minutes » du fichier de réponses",
        ),
        (("minutes = [3, 4, 5, 9, 12, 4, 5, 1]", "minutes = [3]"), "1 durée(s) données pour 8"),
        (("minutes = [3, 4,", "minutes = [3, -4,"), "Clé « minutes[2] »"),
        (("convocation = true\n", ""), "Clé manquante « dossier.convocation »"),
        (("plan-b = true", "plan-b = 1"), "Clé « dossier.plan-b »"),
        (("posture = 2\n", ""), "Note manquante pour « posture »"),
        (("posture = 2", "posture = 7"), "Clé « autoevaluation.posture »"),
        (("posture = 2", "posture = "), "syntaxe TOML invalide ligne"),
        (('titre = "mediateur-2025"', "titr = 1"), "Clé inconnue"),
        (('titre = "mediateur-2025"', 'titre = "remn-2020"'), "Titre inconnu : « remn-2020 »"),
        (('titre = "mediateur-2025"', "tirage = -1"), "Clé « tirage »"),
    ],
)
def test_a_bad_answers_file_names_the_key_and_writes_nothing(  # type: ignore[no-untyped-def]
    tmp_path: Path, kit_inproc, edit: tuple[str, str], message: str
) -> None:
    old, new = edit
    assert old in ANSWERS
    answers = tmp_path / "reponses.toml"
    answers.write_text(ANSWERS.replace(old, new), "utf-8")
    result = kit_inproc("rehearse", "--support", "robot", "--seed", "42",
                        "--non-interactif", str(answers), "--sortie", str(tmp_path))  # fmt: skip
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert "Tirage n°" not in result.stdout, "checked before anything is shown"
    assert not list(tmp_path.glob("repetition-*")), "nothing written on bad input"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--support", "drone"), "Support inconnu : « drone »"),
        (("--support", "robot", "--tirage"), "soit --support, soit --tirage"),
        (("--non-interactif", "absent.toml"), "introuvable"),
        (("--titre", "cnfs", "--support", "pc", "--modele-reponses", "x.toml"), "Titre inconnu"),
        (("--non-interactif", "a.toml", "--modele-reponses", "b.toml"), "pas les deux"),
        (("--duree-atelier", "0"), "--duree-atelier"),
    ],
)
def test_bad_options_are_french_errors_with_exit_2(kit_inproc, args, message) -> None:  # type: ignore[no-untyped-def]
    result = kit_inproc("rehearse", *args)
    assert result.returncode == 2
    assert message in result.stderr


# --- the keyboard --------------------------------------------------------------------------


def _keys_for_pc_seed_7() -> list[str]:
    lesson = catalog.resolve("pc-adresse-mail-emploi")
    title = get_title("mediateur-2025")
    keys = ["3", ""]  # support n° 3 (PC), then Entrée to start
    keys += ["o"] * (len(title.dossier) - 1) + ["n"]  # the plan B is missing
    keys += [""]  # end of the presentation
    keys += [""] * len(lesson.phases)  # Entrée at the end of each phase (no demonstration)
    keys += ["J'ai lu chaque consigne à voix haute [lentement]."]
    keys += [""] * len(title.competences)  # one question per competence
    keys += ["2"] * len(rh.GRID) + ["Rien à signaler"]
    return keys


def test_an_interactive_rehearsal_runs_from_the_keyboard(tmp_path: Path) -> None:
    result = run_kit(
        "rehearse", "--seed", "7", "--sortie", str(tmp_path),
        input_text="\n".join(_keys_for_pc_seed_7()) + "\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Quel support" in result.stdout
    assert "Comment avez-vous adapté l'atelier à ce public et à cette situation ?" in result.stdout
    assert "():" not in result.stdout and "( ):" not in result.stdout
    _no_markup(result.stdout, result.stderr)
    report = (tmp_path / "repetition-pc-adresse-mail-emploi-tirage7.md").read_text("utf-8")
    assert "Rien à signaler" in report
    assert "J'ai lu chaque consigne à voix haute [lentement]." in report
    assert report.count("2 / 3 (satisfaisant)") == len(rh.GRID)
    assert "À prévoir pour le dossier : Votre plan B" in result.stdout


def test_a_keyboard_that_closes_midway_writes_nothing_and_exits_2(tmp_path: Path) -> None:
    # Entrée to start, then the input ends during the dossier check.
    result = run_kit(
        "rehearse", "--support", "pc", "--seed", "3", "--sortie", str(tmp_path), input_text="\n"
    )
    assert result.returncode == 2
    assert "aucun rapport n'a été écrit" in result.stderr
    assert "--modele-reponses" in result.stderr
    assert list(tmp_path.iterdir()) == []


def _read_until(process: subprocess.Popen[bytes], marker: bytes, limit_s: float = 60) -> bytes:
    """Read the child's stdout until ``marker`` shows (a safety limit, not a timed assertion)."""
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + limit_s
    while marker not in seen:
        assert time.monotonic() < deadline, seen.decode("utf-8", "replace")
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(process.stdout.fileno(), 4096)
            assert chunk, seen.decode("utf-8", "replace")
            seen += chunk
    return seen


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_ctrl_c_writes_the_partial_report(tmp_path: Path) -> None:
    title = get_title("mediateur-2025")
    process = subprocess.Popen(
        [sys.executable, "-m", "kit", "rehearse", "--support", "pc", "--seed", "3",
         "--sortie", str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=kit_env(COLUMNS="200"), cwd=str(REPO_ROOT),
    )  # fmt: skip
    assert process.stdin is not None
    process.stdin.write(("\n" + "o\n" * len(title.dossier) + "\n").encode())
    process.stdin.flush()  # start, the dossier, then the end of the presentation
    _read_until(process, b"Phase 1/")  # the first phase's timer is running
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr.decode()
    assert "rapport partiel écrit" in stderr.decode()
    report = (tmp_path / "repetition-pc-adresse-mail-emploi-tirage3.md").read_text("utf-8")
    assert "**Répétition interrompue** pendant « Simulation d'atelier »" in report
    assert "| aucune fixée |" in report  # the presentation was timed before Ctrl-C
    assert "Non répondu." in report
    assert (tmp_path / "repetition-pc-adresse-mail-emploi-tirage3.html").exists()
