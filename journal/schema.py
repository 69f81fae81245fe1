# SPDX-License-Identifier: GPL-3.0-or-later
"""The journal's SQLite schema, as the list of steps that built it.

``PRAGMA user_version`` holds the number of steps a journal file has had. Opening a journal
runs the missing steps in one transaction, in order: a journal written by any earlier kit is
brought forward without losing a row (``tests/journal/test_migrations.py`` builds a journal at
every version, fills it, and migrates it). A step is never edited once released: a change is a
new step at the end. A journal whose version is higher than ``SCHEMA_VERSION`` comes from a
newer kit and is refused, untouched.

Tables (names in English; the Coop's vocabulary is in the values, see :mod:`journal.coop`):

- ``sessions``: one row per atelier. ``ended_at`` is NULL while it is open; a partial unique
  index lets only one be open at a time. Lists (``themes``, ``equipment``) are JSON arrays of
  Coop values.
- ``events``: what kit commands attached to a session (``kind`` and a JSON object of figures).
- ``participant_counts``: the anonymous participants per Coop category (``genre``,
  ``tranche_age``, ``statut_social``) and value. Counts only: no name is ever stored.
- ``settings``: the structure's name and its usual place (``kit journal structure``).
"""

from __future__ import annotations

#: Each step is a tuple of SQL statements, run in order inside the migration's transaction.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: sessions and the results attached to them.
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            lesson TEXT,
            title TEXT NOT NULL,
            place_type TEXT NOT NULL,
            participants INTEGER NOT NULL CHECK (participants >= 0)
        )""",
        "CREATE UNIQUE INDEX sessions_single_open ON sessions ((ended_at IS NULL)) "
        "WHERE ended_at IS NULL",
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            data TEXT NOT NULL
        )""",
        "CREATE INDEX events_session ON events (session_id)",
    ),
    # 2: the rest of La Coop's « CRA collectif »: date and duration, commune, thématiques,
    # matériel, niveau, notes, and the participants counted by genre, age and status.
    (
        "ALTER TABLE sessions ADD COLUMN day TEXT",
        "UPDATE sessions SET day = substr(started_at, 1, 10)",
        "ALTER TABLE sessions ADD COLUMN duration_min INTEGER",
        "UPDATE sessions SET duration_min = max(1, CAST(round((julianday(ended_at) - "
        "julianday(started_at)) * 1440) AS INTEGER)) WHERE ended_at IS NOT NULL",
        "ALTER TABLE sessions ADD COLUMN origin TEXT NOT NULL DEFAULT 'kit'",
        "ALTER TABLE sessions ADD COLUMN support TEXT",
        "ALTER TABLE sessions ADD COLUMN commune TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN postal_code TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN insee_code TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN themes TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE sessions ADD COLUMN equipment TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE sessions ADD COLUMN level TEXT",
        "ALTER TABLE sessions ADD COLUMN notes TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX sessions_day ON sessions (day)",
        """CREATE TABLE participant_counts (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            category TEXT NOT NULL,
            value TEXT NOT NULL,
            count INTEGER NOT NULL CHECK (count >= 0),
            PRIMARY KEY (session_id, category, value)
        )""",
        # Version 1 knew only a total: it is the Coop's « non communiqué » in every category.
        "INSERT INTO participant_counts (session_id, category, value, count) "
        "SELECT id, category, 'non_communique', participants FROM sessions, "
        "(SELECT 'genre' AS category UNION ALL SELECT 'tranche_age' "
        "UNION ALL SELECT 'statut_social')",
    ),
    # 3: the structure's name and usual place, kept with the journal (and its backups).
    ("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",),
)

SCHEMA_VERSION = len(MIGRATIONS)
