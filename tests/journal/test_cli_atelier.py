# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit atelier`` and ``kit journal`` as an animateur types them, against the simulators."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from journal.location import journal_path
from journal.store import open_journal
from tests.conftest import run_kit
from tests.firmware_deploy.test_deploy import make_drive
from tests.lessons.conftest import Result
from tests.printers_host.helpers import FAST, arc_lines, write_gcode

Kit = Callable[..., Result]
LESSON = "robot-obstacles-college"


def test_an_atelier_with_a_print_a_defi_and_a_deploy_is_one_row_with_those_results(
    kit_inproc: Kit, tmp_path: Path
) -> None:
    opened = kit_inproc("atelier", "ouvrir", LESSON, "--participants", "8", "--ages", "12-18=7")
    assert opened.returncode == 0, opened.stderr
    assert "Atelier ouvert : « Programmer un mBot qui évite les obstacles », 8 participants" in (
        opened.stdout
    )
    gcode = write_gcode(tmp_path / "porte-cles.gcode", arc_lines(60))
    printed = kit_inproc("printer", "print", str(gcode), "--port", f"sim://marlin?{FAST}")
    assert printed.returncode == 0, printed.stderr
    assert "Noté dans le journal de l'atelier" in printed.stderr
    defi = kit_inproc(
        "robot", "run", "exemple:arret_mur", "--port", "sim://mbot", "--defi", "arret-mur"
    )
    assert defi.returncode == 0, defi.stderr
    drive = make_drive(tmp_path)
    deployed = kit_inproc("mcu", "deploy", "clignoter", "--drive", str(drive))
    assert deployed.returncode == 0, deployed.stderr
    closed = kit_inproc(
        "atelier", "fermer", "--oui", "--genres", "f=3,m=5", "--duree", "110", "--notes", "RAS"
    )
    assert closed.returncode == 0, closed.stderr
    assert "Noté par le kit : 1 impression, défis 1/1, 1 carte." in closed.stdout

    with open_journal() as journal:
        (session,) = journal.sessions()
    assert session.lesson == LESSON and session.support == "robot" and not session.is_open
    assert session.duration_min == 110 and session.notes == "RAS"
    assert session.themes == ("creer_avec_le_numerique", "scolarite_et_numerique")  # lesson's
    assert session.level == "debutant" and session.equipment == ("ordinateur", "autre")
    assert session.participants.count("tranche_age", "douze_dix_huit") == 7
    assert session.participants.count("genre", "feminin") == 3
    kinds = {event.kind: event.data for event in session.events}
    assert set(kinds) == {"print", "robot_run", "mcu_deploy"}
    assert kinds["print"]["completed"] is True and kinds["print"]["filament_g"] > 0
    assert kinds["robot_run"] == {
        "challenge": "arret-mur",
        "passed": True,
        "seconds": kinds["robot_run"]["seconds"],
        "example": "exemple:arret_mur",
    }
    assert kinds["mcu_deploy"]["board"] == "circuitplayground_express"
    assert kinds["mcu_deploy"]["script"] == "clignoter" and kinds["mcu_deploy"]["files"] >= 1

    exported = kit_inproc(
        "journal", "export", "--periode", str(session.day.year), "-o", str(tmp_path / "c.csv")
    )
    assert exported.returncode == 0, exported.stderr
    (row,) = csv.DictReader((tmp_path / "c.csv").open(encoding="utf-8"))
    assert row["thematiques"] == "creer_avec_le_numerique, scolarite_et_numerique"
    assert row["duree"] == "110" and row["genre_feminin"] == "3" and row["type"] == "collectif"


def test_without_an_open_atelier_commands_record_nothing_and_say_nothing(
    kit_inproc: Kit, tmp_path: Path
) -> None:
    gcode = write_gcode(tmp_path / "a.gcode", arc_lines(10), heat=False)
    result = kit_inproc("printer", "check", str(gcode))
    assert result.returncode == 0 and "journal" not in result.stderr
    assert not journal_path().exists()  # no journal is created for nothing


def test_kit_journal_off_turns_recording_off(
    kit_inproc: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit_inproc("atelier", "ouvrir", "--titre", "Répétition", "--participants", "0")
    monkeypatch.setenv("KIT_JOURNAL", "off")
    gcode = write_gcode(tmp_path / "a.gcode", arc_lines(10), heat=False)
    assert kit_inproc("printer", "check", str(gcode)).returncode == 0
    with open_journal() as journal:
        assert journal.current_session().events == ()  # type: ignore[union-attr]


def test_a_broken_journal_never_fails_the_print_and_is_said(
    kit_inproc: Kit, tmp_path: Path
) -> None:
    journal_path().parent.mkdir(parents=True)
    journal_path().write_bytes(b"pas un journal " * 300)
    gcode = write_gcode(tmp_path / "a.gcode", arc_lines(10), heat=False)
    result = kit_inproc("printer", "check", str(gcode))
    assert result.returncode == 0
    assert "ce résultat n'a pas été noté dans le journal de l'atelier" in result.stderr
    assert "illisible" in result.stderr
    assert journal_path().read_bytes() == b"pas un journal " * 300
    listed = kit_inproc("journal", "liste")
    assert listed.returncode == 2 and "illisible" in listed.stderr
    assert "Traceback" not in listed.stderr


def test_closing_asks_what_the_kit_cannot_know_with_the_lessons_answers_proposed() -> None:
    opened = run_kit(
        "atelier",
        "ouvrir",
        LESSON,
        "--participants",
        "6",
        "--lieu",
        "autre",
        "--commune",
        "Rezé",
        "--code-postal",
        "44400",
    )
    assert opened.returncode == 0, opened.stderr
    # Answers typed in a terminal: Entrée keeps the proposal. (The prompts are shown on a
    # terminal only; the script module gives the command one.)
    import os
    import pty
    import select
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT, kit_env

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "kit", "atelier", "fermer"],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=follower,
        env=kit_env(),
        cwd=str(REPO_ROOT),
    )
    os.close(follower)
    answers = ["7", "12-18=5,nc=2", "f=4", "", "intermediaire", "", "", "95", "Très bien"]
    transcript = b""
    for answer in answers:
        # Each question ends with « : » (click writes the prompt on stderr, the terminal).
        while not transcript.rstrip().endswith(b":"):
            ready, _, _ = select.select([leader], [], [], 30)
            assert ready, f"no question after {transcript!r}"
            transcript += os.read(leader, 4096)
        os.write(leader, answer.encode() + b"\n")
        transcript = b""
    out, _ = process.communicate(timeout=60)
    os.close(leader)
    assert process.returncode == 0, out
    with open_journal() as journal:
        (session,) = journal.sessions()
    assert session.participants.total == 7
    assert session.participants.count("tranche_age", "douze_dix_huit") == 5
    assert session.participants.count("genre", "feminin") == 4
    assert session.level == "intermediaire" and session.duration_min == 95
    assert session.themes == ("creer_avec_le_numerique", "scolarite_et_numerique")
    assert session.place_type == "autre" and session.commune == "Rezé"
    assert session.notes == "Très bien"


def test_adding_an_atelier_held_without_the_kit(kit_inproc: Kit, tmp_path: Path) -> None:
    result = kit_inproc(
        "atelier", "ajouter", "mobile-sms-frauduleux", "--date", "05/11/2026",
        "--participants", "9", "--ages", "60-69=4,70+=3", "--statuts", "retraite=7",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "le 05/11/2026, 1 h 30, 9 participants" in result.stdout  # the lesson's 90 min
    exported = kit_inproc(
        "journal", "export", "--periode", "2026-T4", "--format", "json",
        "-o", str(tmp_path / "t4.json"),
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    document = json.loads((tmp_path / "t4.json").read_text(encoding="utf-8"))
    (record,) = document["ateliers"]
    assert record["thematiques"] == ["securite_numerique"] and record["duree"] == 90
    assert record["tranche_age_soixante_dix_plus"] == 3 and record["statut_social_retraite"] == 7
    assert document["source"]["commit"].startswith("46aa33bd")
    listed = kit_inproc("journal", "liste", "--periode", "2026-11")
    assert "05/11/2026" in listed.stdout and "Reconnaître un SMS frauduleux" in listed.stdout


def test_the_ods_export_opens_with_the_coop_columns_and_numbers(
    kit_inproc: Kit, tmp_path: Path
) -> None:
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    from journal.coop import CSV_COLUMNS

    kit_inproc("atelier", "ajouter", "--titre", "Tablettes", "--date", "2026-10-02",
               "--duree", "60", "--participants", "5",
               "--thematiques", "prendre_en_main_du_materiel",
               "--materiel", "tablette")  # fmt: skip
    target = tmp_path / "t4.ods"
    result = kit_inproc("journal", "export", "--periode", "2026-T4", "--format", "ods", "-o",
                        str(target))  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = load(str(target))
    (table,) = document.spreadsheet.getElementsByType(Table)
    rows = table.getElementsByType(TableRow)
    header = [str(cell) for cell in rows[0].getElementsByType(TableCell)]
    assert header == list(CSV_COLUMNS)
    cells = rows[1].getElementsByType(TableCell)
    values = dict(zip(header, cells, strict=True))
    assert str(values["titre_atelier"]) == "Tablettes"
    assert values["accompagnements_count"].getAttribute("valuetype") == "float"
    assert values["accompagnements_count"].getAttribute("value") == "5"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["atelier", "ouvrir", "--participants", "3"], "Donnez la leçon de l'atelier"),
        (["atelier", "ouvrir", "inconnue", "--participants", "3"], "Leçon inconnue"),
        (["atelier", "ouvrir", LESSON, "--participants", "3", "--ages", "ado=3"],
         "j'attends une tranche d'âge"),
        (["atelier", "ouvrir", LESSON, "--participants", "3", "--ages", "12-18=5"],
         "Par tranche d'âge, 5 participants sont comptés, pour un total de 3"),
        (["atelier", "ouvrir", LESSON, "--participants", "3", "--lieu", "salle"],
         "« salle » n'est pas un type de lieu de La Coop"),
        (["atelier", "fermer"], "Aucun atelier n'est ouvert"),
        (["atelier", "ajouter", "--titre", "x", "--participants", "3", "--duree", "60",
          "--thematiques", "robotique"], "« robotique » n'est pas une thématique de La Coop"),
        (["atelier", "ajouter", "--titre", "x", "--participants", "3"], "durée de l'atelier"),
        (["atelier", "ajouter", LESSON, "--participants", "3", "--date", "31/02/2026"],
         "Date invalide"),
        (["journal", "export", "--periode", "2026-T5"], "Période invalide"),
        (["journal", "effacer", "--avant", "hier"], "Date invalide"),
        (["bilan", "--periode", "2026", "-o", "bilan.docx"], "en .pdf ou en .html"),
    ],
)  # fmt: skip
def test_bad_input_gets_a_french_message_and_exit_2(
    kit_inproc: Kit, argv: list[str], words: str
) -> None:
    result = kit_inproc(*argv)
    assert result.returncode == 2, result.stdout
    assert words in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_a_second_atelier_cannot_be_opened_over_the_first(kit_inproc: Kit) -> None:
    assert kit_inproc("atelier", "ouvrir", LESSON, "--participants", "3").returncode == 0
    again = kit_inproc("atelier", "ouvrir", "--titre", "Autre", "--participants", "3")
    assert again.returncode == 2 and "Un atelier est déjà ouvert" in again.stderr


def test_erasing_asks_then_erases_for_good(kit_inproc: Kit) -> None:
    for day in ("2025-06-01", "2026-06-01"):
        kit_inproc("atelier", "ajouter", LESSON, "--participants", "4", "--date", day)
    refused = kit_inproc("journal", "effacer", "--avant", "2026-01-01")
    assert refused.returncode == 2 and "ajoutez --oui" in refused.stderr
    erased = kit_inproc("journal", "effacer", "--avant", "2026-01-01", "--oui")
    assert erased.returncode == 0 and "1 atelier effacé" in erased.stdout
    with open_journal() as journal:
        assert [s.day for s in journal.sessions()] == [dt.date(2026, 6, 1)]


def test_a_backup_is_written_and_opens_as_a_journal(kit_inproc: Kit, tmp_path: Path) -> None:
    assert kit_inproc("journal", "sauvegarder").returncode == 2  # nothing to back up yet
    kit_inproc("atelier", "ajouter", LESSON, "--participants", "4")
    target = tmp_path / "sauvegarde.sqlite3"
    result = kit_inproc("journal", "sauvegarder", "-o", str(target))
    assert result.returncode == 0 and "Journal sauvegardé" in result.stdout
    with open_journal(target) as copy:
        assert len(copy.sessions()) == 1
    same = kit_inproc("journal", "sauvegarder", "-o", str(journal_path()))
    assert same.returncode == 2 and "un autre fichier que le journal" in same.stderr


def test_the_structure_gives_the_usual_place_of_new_ateliers(kit_inproc: Kit) -> None:
    result = kit_inproc("journal", "structure", "--nom", "Médiathèque Jules-Verne", "--lieu",
                        "autre", "--commune", "Nantes", "--code-postal", "44000")  # fmt: skip
    assert result.returncode == 0 and "Commune : Nantes" in result.stdout
    kit_inproc("atelier", "ajouter", LESSON, "--participants", "4")
    with open_journal() as journal:
        (session,) = journal.sessions()
    assert (session.place_type, session.commune, session.postal_code) == (
        "autre",
        "Nantes",
        "44000",
    )
    bad = kit_inproc("journal", "structure", "--code-postal", "ABCDE")
    assert bad.returncode == 2 and "Code postal invalide" in bad.stderr


def test_a_board_flashed_during_the_atelier_is_noted(kit_inproc: Kit, tmp_path: Path) -> None:
    from tests.support.esp_images import combined_bin

    kit_inproc("atelier", "ouvrir", "mcu-veilleuse-familles", "--participants", "6")
    image = tmp_path / "circuitpython.bin"
    image.write_bytes(combined_bin("esp32s3", 60_000, compressible=True))
    result = kit_inproc(
        "mcu", "flash", str(image), "--board", "feather_esp32s3", "--port", "sim://esp32s3"
    )
    assert result.returncode == 0, result.stderr
    with open_journal() as journal:
        session = journal.current_session()
    assert session is not None
    assert [(e.kind, dict(e.data)) for e in session.events] == [
        ("mcu_flash", {"board": "feather_esp32s3", "format": "bin"})
    ]


def test_the_steps_of_a_lesson_check_are_not_recorded_in_the_open_atelier() -> None:
    import subprocess

    from lessons.steps import kit_env as lesson_env

    env = lesson_env()
    assert env["KIT_JOURNAL"] == "off"
    code = "from journal.location import environment_disables_journal as off; print(off())"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "True"
