# SPDX-License-Identifier: GPL-3.0-or-later
"""Forward migrations: a journal written at every earlier schema version, filled the way that
version's kit filled it, is brought to the current schema without losing a row."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from journal.schema import MIGRATIONS, SCHEMA_VERSION
from journal.store import open_journal


def build(path: Path, version: int) -> sqlite3.Connection:
    """A journal file as the kit of schema ``version`` left it (its steps only)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    for step in MIGRATIONS[:version]:
        for statement in step:
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {version}")
    return db


def fill_v1(db: sqlite3.Connection) -> None:
    db.execute(
        "INSERT INTO sessions (started_at, ended_at, lesson, title, place_type, participants) "
        "VALUES ('2026-03-04T14:00:00', '2026-03-04T15:30:00', 'robot-obstacles-college', "
        "'Robots', 'lieu_activite', 9)"
    )
    db.execute(
        "INSERT INTO sessions (started_at, ended_at, lesson, title, place_type, participants) "
        "VALUES ('2026-03-05T10:00:00', NULL, NULL, 'En cours', 'autre', 3)"
    )
    db.execute(
        "INSERT INTO events (session_id, at, kind, data) VALUES "
        "(1, '2026-03-04T14:20:00', 'robot_run', '{\"challenge\": \"arret-mur\", "
        '"passed": true}\')'
    )


def fill_v2(db: sqlite3.Connection) -> None:
    db.execute(
        "INSERT INTO sessions (started_at, ended_at, day, duration_min, origin, lesson, "
        "support, title, place_type, commune, postal_code, themes, equipment, level, notes, "
        "participants) VALUES ('2026-03-04T14:00:00', '2026-03-04T15:30:00', '2026-03-04', 90, "
        "'kit', 'robot-obstacles-college', 'robot', 'Robots', 'domicile', 'Rezé', '44400', "
        "'[\"creer_avec_le_numerique\"]', '[\"ordinateur\"]', 'debutant', 'Bien', 9)"
    )
    db.execute(
        "INSERT INTO participant_counts VALUES (1, 'tranche_age', 'douze_dix_huit', 7), "
        "(1, 'tranche_age', 'non_communique', 2), (1, 'genre', 'non_communique', 9), "
        "(1, 'statut_social', 'scolarise', 9)"
    )
    db.execute(
        "INSERT INTO events (session_id, at, kind, data) VALUES "
        "(1, '2026-03-04T14:20:00', 'robot_run', '{\"challenge\": \"arret-mur\", "
        '"passed": true}\')'
    )


FILLS: dict[int, Callable[[sqlite3.Connection], None]] = {1: fill_v1, 2: fill_v2}


def test_every_earlier_version_has_a_fixture() -> None:
    assert set(FILLS) == set(range(1, SCHEMA_VERSION))


def test_a_new_journal_gets_every_step(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j.sqlite3") as journal:
        assert journal.version == SCHEMA_VERSION
        assert journal.sessions() == []


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_a_journal_of_every_earlier_version_is_brought_forward_whole(
    tmp_path: Path, version: int
) -> None:
    path = tmp_path / "journal.sqlite3"
    db = build(path, version)
    FILLS[version](db)
    db.close()
    with open_journal(path) as journal:
        assert journal.version == SCHEMA_VERSION
        sessions = journal.sessions()
        first = sessions[0]
        assert first.title == "Robots" and first.lesson == "robot-obstacles-college"
        assert first.day == dt.date(2026, 3, 4) and first.duration_min == 90
        assert first.participants.total == 9
        for category in ("genre", "tranche_age", "statut_social"):
            assert sum(first.participants.counts[category].values()) == 9
        assert [e.kind for e in first.events] == ["robot_run"]
        assert first.activity.challenges_passed == 1
        assert journal.settings() == {}
        if version == 1:
            # Version 1 had no categories: everyone is « non communiqué ».
            assert first.participants.count("tranche_age", "non_communique") == 9
            still_open = journal.current_session()
            assert still_open is not None and still_open.title == "En cours"
            assert still_open.duration_min is None
        else:
            assert first.participants.count("tranche_age", "douze_dix_huit") == 7
            assert first.commune == "Rezé" and first.themes == ("creer_avec_le_numerique",)
        # The migrated journal takes new rows like a new one.
        journal.set_settings({"nom": "Médiathèque"})
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert json.loads(raw.execute("SELECT themes FROM sessions WHERE id = 1").fetchone()[0]) in (
        [],
        ["creer_avec_le_numerique"],
    )
    raw.close()


def test_a_failed_step_leaves_the_journal_at_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journal import store
    from kit.errors import KitError

    path = tmp_path / "journal.sqlite3"
    db = build(path, 1)
    fill_v1(db)
    db.close()
    broken = (*MIGRATIONS[:2], ("CREATE TABLE sessions (x)",))  # step 3 fails half-way
    monkeypatch.setattr(store, "MIGRATIONS", broken)
    with pytest.raises(KitError):
        open_journal(path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = [row[1] for row in raw.execute("PRAGMA table_info(sessions)")]
    assert "day" not in columns  # step 2 rolled back with step 3
    raw.close()
