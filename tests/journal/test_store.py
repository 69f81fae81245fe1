# SPDX-License-Identifier: GPL-3.0-or-later
"""The journal file: sessions, attached results, erasure, backup, and files it must refuse."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from journal import store
from journal.location import journal_path
from journal.model import Participants, SessionFields
from journal.schema import SCHEMA_VERSION
from journal.store import AttachStatus, Journal, open_journal
from kit.errors import KitError

T0 = dt.datetime(2026, 11, 5, 14, 0)


def fields(title: str = "Porte-clés", **extra: object) -> SessionFields:
    values: dict[str, object] = {
        "title": title,
        "lesson": "3d-porte-cles-colleges",
        "support": "impression-3d",
        "themes": ("creer_avec_le_numerique",),
        "equipment": ("ordinateur", "autre"),
        "level": "debutant",
        "participants": Participants.build(8, {"tranche_age": {"douze_dix_huit": 8}}),
    }
    values.update(extra)
    return SessionFields(**values)  # type: ignore[arg-type]


def test_the_journal_lives_in_the_kit_data_folder_in_wal_mode(journal: Journal) -> None:
    assert journal.path == journal_path()
    assert journal.path.parent.name == "data"  # KIT_DATA_DIR of the test
    mode = sqlite3.connect(journal.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert journal.version == SCHEMA_VERSION


def test_results_go_to_the_open_atelier_and_stop_when_it_is_closed(journal: Journal) -> None:
    assert journal.attach_event("print", {"completed": True}, now=T0).status is (
        AttachStatus.NO_SESSION
    )
    session = journal.open_session(fields(), now=T0)
    result = journal.attach_event("print", {"completed": True, "filament_g": 4.5}, now=T0)
    assert result.status is AttachStatus.ATTACHED and result.session_title == "Porte-clés"
    journal.close_session(session.id, fields(), 120, now=T0 + dt.timedelta(hours=2))
    assert journal.attach_event("check", {"printable": True}).status is AttachStatus.NO_SESSION
    (closed,) = journal.sessions()
    assert [e.kind for e in closed.events] == ["print"]
    assert closed.activity.filament_g == 4.5 and closed.duration_min == 120


def test_only_one_atelier_is_open_at_a_time(journal: Journal) -> None:
    journal.open_session(fields(), now=T0)
    with pytest.raises(KitError, match="déjà ouvert : « Porte-clés »"):
        journal.open_session(fields("Robots"), now=T0)
    # Two processes racing: the database itself refuses the second open atelier.
    raw = sqlite3.connect(journal.path)
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute(
            "INSERT INTO sessions (started_at, day, title, place_type, participants) "
            "VALUES ('2026-11-05T15:00:00', '2026-11-05', 'x', 'autre', 1)"
        )
    raw.close()


def test_an_atelier_left_open_for_a_day_collects_nothing(journal: Journal) -> None:
    journal.open_session(fields(), now=T0)
    result = journal.attach_event("print", {"completed": True}, now=T0 + dt.timedelta(hours=13))
    assert result.status is AttachStatus.STALE and result.started_at == T0
    assert journal.current_session() is not None
    assert journal.current_session().events == ()  # type: ignore[union-attr]


def test_events_hold_figures_only(journal: Journal) -> None:
    journal.open_session(fields(), now=T0)
    with pytest.raises(TypeError):
        journal.attach_event("print", {"file": Path("lea.gcode")})
    with pytest.raises(ValueError):
        journal.attach_event("print", {"note": "x" * 500})
    with pytest.raises(ValueError):
        journal.attach_event("Impression!", {})
    journal.attach_event("print", {"seconds": float("nan")}, now=T0)
    assert journal.current_session().events[0].data == {"seconds": None}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"place_type": "mediatheque"}, "n'est pas un type de lieu de La Coop"),
        ({"themes": ("robotique",)}, "n'est pas une thématique de La Coop"),
        ({"equipment": ("imprimante",)}, "n'est pas un matériel de La Coop"),
        ({"level": "expert"}, "n'est pas un niveau de La Coop"),
        ({"postal_code": "4400"}, "Code postal invalide"),
        ({"themes": ()}, "au moins une thématique"),
        ({"place_type": "domicile"}, "demande la commune"),
        ({"title": "  "}, "titre de l'atelier est vide"),
    ],
)
def test_values_la_coop_would_refuse_are_refused_in_french(
    journal: Journal, change: dict[str, object], words: str
) -> None:
    with pytest.raises(KitError, match=words):
        journal.add_session(fields(**change), T0, 60)
    assert journal.sessions() == []


def test_participants_counted_per_category_never_exceed_the_total() -> None:
    people = Participants.build(10, {"genre": {"feminin": 6, "masculin": 4}})
    assert people.count("genre", "non_communique") == 0
    assert people.count("tranche_age", "non_communique") == 10
    with pytest.raises(KitError, match="Par tranche d'âge, 12 participants sont comptés"):
        Participants.build(10, {"tranche_age": {"douze_dix_huit": 12}})
    with pytest.raises(KitError, match="« ado » n'est pas une valeur de tranche d'âge"):
        Participants.build(10, {"tranche_age": {"ado": 1}})


def test_erasing_removes_the_ateliers_and_their_traces_from_the_file(journal: Journal) -> None:
    secret = "Atelier-confidentiel-du-centre-social"
    journal.add_session(fields(secret, notes=f"{secret} notes"), T0, 90)
    journal.add_session(fields("Gardé"), T0 + dt.timedelta(days=40), 90)
    assert journal.erase_before(dt.date(2026, 12, 1)) == 1
    assert [s.title for s in journal.sessions()] == ["Gardé"]
    journal.close()
    raw = b"".join(p.read_bytes() for p in journal.path.parent.glob("journal.sqlite3*"))
    assert secret.encode() not in raw  # overwritten (secure_delete), WAL emptied


def test_erasing_never_touches_the_open_atelier(journal: Journal) -> None:
    journal.open_session(fields(), now=T0)
    assert journal.erase_before(dt.date(2030, 1, 1)) == 0
    assert journal.current_session() is not None


def test_a_backup_is_a_whole_journal_on_its_own(journal: Journal, tmp_path: Path) -> None:
    journal.add_session(fields(), T0, 90)
    journal.open_session(fields("En cours"), now=T0 + dt.timedelta(days=1))
    copy = journal.backup(tmp_path / "copie.sqlite3")
    assert not (tmp_path / "copie.sqlite3-wal").exists()
    with open_journal(copy) as restored:
        assert [s.title for s in restored.sessions()] == ["Porte-clés", "En cours"]


def test_settings_are_kept_in_the_journal(journal: Journal) -> None:
    journal.set_settings({"nom": " Médiathèque ", "commune": "Nantes"})
    journal.set_settings({"commune": ""})
    assert journal.settings() == {"nom": "Médiathèque"}


def _unchanged_after_refusal(path: Path, words: str) -> None:
    before = path.read_bytes()
    with pytest.raises(KitError, match=words) as caught:
        open_journal(path).close()
    assert path.read_bytes() == before, "the journal file must be left exactly as it was"
    assert not (path.parent / (path.name + "-wal")).exists() or path.read_bytes() == before
    assert caught.value.exit_code == 2


def test_a_damaged_file_is_said_in_french_and_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"\x00\x01 not a database at all " * 200)
    _unchanged_after_refusal(path, "illisible")


def test_a_journal_with_damaged_pages_is_caught_by_the_check(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with open_journal(path) as journal:
        for day in range(30):
            journal.add_session(fields(notes="x" * 900), T0 + dt.timedelta(days=day), 60)
    data = bytearray(path.read_bytes())
    assert len(data) > 8192
    data[4096 + 8 : 8192] = b"\xff" * (4096 - 8)  # garble page 2 (the sessions table's root)
    path.write_bytes(bytes(data))
    with pytest.raises(KitError, match="abîmé|illisible"), open_journal(path) as journal:
        journal.verify()
        journal.sessions()


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE contacts (nom TEXT)")
    other.commit()
    other.close()
    _unchanged_after_refusal(path, "base SQLite d'un autre programme")


def test_a_journal_from_a_newer_kit_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    open_journal(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    _unchanged_after_refusal(path, "version plus récente du kit")


def test_a_locked_journal_is_said_in_french(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    # Another process holds the write lock (a SQLite browser left in a transaction).
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"c = sqlite3.connect({str(journal.path)!r}, isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True)\n"
            "sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.3)
        locked = pytest.raises(KitError, match="verrouillé par un autre programme")
        with locked, open_journal(journal.path) as other:
            other.open_session(fields(), now=T0)
    finally:
        holder.communicate("\n", timeout=10)
    with open_journal(journal.path) as other:  # the lock gone, the journal works
        other.open_session(fields(), now=T0)
