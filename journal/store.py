# SPDX-License-Identifier: GPL-3.0-or-later
"""The journal file: opened safely, written by several kit commands at once, never replaced.

One SQLite file, ``journal.sqlite3`` in the kit's data folder (``kit.paths.data_dir()``).

Why it holds up (SQLite's documented guarantees, https://sqlite.org/wal.html and
https://sqlite.org/atomiccommit.html):

- WAL mode: readers never block the writer, and a transaction is in the file only once its
  commit record is; a process killed in the middle of a write (kill -9, a pulled plug) leaves
  the journal as it was before that transaction. ``synchronous=FULL`` makes every commit
  durable (writes are a few per atelier: the cost does not matter).
- Writers queue: every write is one ``BEGIN IMMEDIATE`` transaction (it takes the write lock
  first, so two writers never deadlock upgrading a read lock), and a busy writer is waited for
  up to ``BUSY_TIMEOUT_S``: a print farm and robot runs writing in the same second lose nothing.
- A file that is not a journal (another program's database, a damaged file) or one that
  stays locked is reported in French, and left exactly as it is: the kit never deletes or
  recreates a journal. ``kit journal sauvegarder`` copies it with SQLite's backup API.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import json
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journal import coop
from journal.location import journal_path
from journal.model import (
    ORIGIN_ADDED,
    ORIGIN_KIT,
    Event,
    Participants,
    Session,
    SessionFields,
    check_event,
)
from journal.periods import Period
from journal.schema import MIGRATIONS, SCHEMA_VERSION
from kit.errors import KitError
from kit.files import atomic_write, ensure_folder

#: How long a write waits for another process's transaction before giving up.
BUSY_TIMEOUT_S = 15.0
#: An atelier left open longer than this collects nothing more: it was surely forgotten.
STALE_AFTER = dt.timedelta(hours=12)

_CORRUPT_HINT = (
    "Le fichier n'a pas été modifié. Restaurez une sauvegarde (faite avec « kit journal "
    "sauvegarder ») à sa place, ou déplacez-le ailleurs pour que le kit commence un journal neuf."
)


def now_local() -> dt.datetime:
    """The wall clock, to the second, local time (an atelier's time as the animateur reads it)."""
    return dt.datetime.now().replace(microsecond=0)


class AttachStatus(enum.Enum):
    ATTACHED = "attached"
    NO_SESSION = "no_session"
    STALE = "stale"


@dataclass(frozen=True)
class AttachResult:
    status: AttachStatus
    session_title: str = ""
    started_at: dt.datetime | None = None


def _error_for(exc: sqlite3.Error, path: Path) -> KitError:
    """A French message for what SQLite said about the journal ``path``."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return KitError(
            f"Le journal « {path} » est verrouillé par un autre programme depuis plus de "
            f"{BUSY_TIMEOUT_S:.0f} s.",
            hint="Attendez la fin de l'autre commande kit (ou fermez le programme qui a ouvert "
            "le journal, par exemple un visualiseur SQLite), puis relancez.",
        )
    if "readonly" in text or "read-only" in text:
        return KitError(
            f"Impossible d'écrire dans le journal « {path} » : le fichier ou son dossier est en "
            "lecture seule."
        )
    if "disk is full" in text or "database or disk is full" in text:
        return KitError(f"Impossible d'écrire dans le journal « {path} » : le disque est plein.")
    if "unable to open" in text:
        return KitError(f"Impossible d'ouvrir le journal « {path} » : vérifiez le dossier.")
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return KitError(
            f"Le journal « {path} » est illisible : ce n'est pas un journal du kit, ou le fichier "
            "est abîmé.",
            hint=_CORRUPT_HINT,
        )
    return KitError(f"Erreur du journal « {path} » : {exc}.", hint=_CORRUPT_HINT)


@contextlib.contextmanager
def _translated(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise _error_for(exc, path) from exc


class Journal:
    """An open journal. Use :func:`open_journal`; close it (or use ``with``)."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self._db = connection
        self.path = path

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    # -- transactions ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock first (waits for other writers)."""
        with _translated(self.path):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with _translated(self.path):
            return list(self._db.execute(sql, args))

    # -- checks ---------------------------------------------------------------------------

    def verify(self) -> None:
        """Read every page (SQLite's quick_check): a damaged file is said, never used."""
        rows = self._read("PRAGMA quick_check")
        if [row[0] for row in rows] != ["ok"]:
            raise KitError(f"Le journal « {self.path} » est abîmé.", hint=_CORRUPT_HINT)

    @property
    def version(self) -> int:
        return int(self._read("PRAGMA user_version")[0][0])

    # -- sessions -------------------------------------------------------------------------

    def open_session(self, fields: SessionFields, now: dt.datetime | None = None) -> Session:
        """Start an atelier now; refused while another one is open."""
        fields.checked(complete=False)
        started = now or now_local()
        current = self.current_session()
        if current is not None:
            raise KitError(
                f"Un atelier est déjà ouvert : « {current.title} », depuis le "
                f"{current.started_at:%d/%m/%Y à %H:%M}.",
                hint="Fermez-le d'abord : kit atelier fermer",
            )
        try:
            with self._write() as db:
                session_id = self._insert(db, fields, started, None, None, ORIGIN_KIT)
        except KitError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise KitError(
                    "Un autre atelier vient d'être ouvert en même temps.",
                    hint="« kit journal liste » le montre ; fermez-le avant d'en ouvrir un autre.",
                ) from None
            raise
        return self.session(session_id)

    def add_session(
        self, fields: SessionFields, started: dt.datetime, duration_min: int
    ) -> Session:
        """Record an atelier held without the kit (closed from the start)."""
        fields.checked(complete=True)
        _check_duration(duration_min)
        ended = started + dt.timedelta(minutes=duration_min)
        with self._write() as db:
            session_id = self._insert(db, fields, started, ended, duration_min, ORIGIN_ADDED)
        return self.session(session_id)

    def close_session(
        self,
        session_id: int,
        fields: SessionFields,
        duration_min: int,
        now: dt.datetime | None = None,
    ) -> Session:
        """Close the open atelier ``session_id`` with what the animateur said about it."""
        fields.checked(complete=True)
        _check_duration(duration_min)
        ended = now or now_local()
        with self._write() as db:
            changed = db.execute(
                "UPDATE sessions SET ended_at = ?, duration_min = ?, title = ?, lesson = ?, "
                "support = ?, place_type = ?, commune = ?, postal_code = ?, insee_code = ?, "
                "themes = ?, equipment = ?, level = ?, notes = ?, participants = ? "
                "WHERE id = ? AND ended_at IS NULL",
                (
                    ended.isoformat(),
                    duration_min,
                    *self._field_values(fields),
                    session_id,
                ),
            ).rowcount
            if not changed:
                raise KitError("Cet atelier n'est plus ouvert (fermé par une autre commande ?).")
            self._write_counts(db, session_id, fields.participants)
        return self.session(session_id)

    def current_session(self) -> Session | None:
        rows = self._read(
            "SELECT * FROM sessions WHERE ended_at IS NULL AND origin = ?", (ORIGIN_KIT,)
        )
        return self._sessions(rows)[0] if rows else None

    def session(self, session_id: int) -> Session:
        rows = self._read("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise KitError(f"Aucun atelier n° {session_id} dans le journal.")
        return self._sessions(rows)[0]

    def sessions(self, period: Period | None = None) -> list[Session]:
        """Every atelier of ``period`` (all when None), oldest first."""
        if period is None:
            rows = self._read("SELECT * FROM sessions ORDER BY day, started_at, id")
        else:
            rows = self._read(
                "SELECT * FROM sessions WHERE day BETWEEN ? AND ? ORDER BY day, started_at, id",
                (period.start.isoformat(), period.end.isoformat()),
            )
        return self._sessions(rows)

    def attach_event(
        self, kind: str, data: Mapping[str, Any], now: dt.datetime | None = None
    ) -> AttachResult:
        """Attach a command's result to the open atelier, if there is one (and it is fresh)."""
        clean = check_event(kind, data)
        at = now or now_local()
        with self._write() as db:
            row = db.execute(
                "SELECT id, title, started_at FROM sessions WHERE ended_at IS NULL AND origin = ?",
                (ORIGIN_KIT,),
            ).fetchone()
            if row is None:
                return AttachResult(AttachStatus.NO_SESSION)
            started = dt.datetime.fromisoformat(row["started_at"])
            if at - started > STALE_AFTER:
                return AttachResult(AttachStatus.STALE, row["title"], started)
            db.execute(
                "INSERT INTO events (session_id, at, kind, data) VALUES (?, ?, ?, ?)",
                (row["id"], at.isoformat(), kind, json.dumps(clean, ensure_ascii=False)),
            )
        return AttachResult(AttachStatus.ATTACHED, row["title"], started)

    def erase_before(self, day: dt.date) -> int:
        """Delete the closed ateliers held before ``day`` and everything attached to them.

        ``secure_delete`` overwrites the freed pages and the WAL is folded back and emptied,
        so the erased rows do not linger in the file (RGPD: erased means gone).
        """
        with self._write() as db:
            db.execute("PRAGMA secure_delete = ON")
            count = db.execute(
                "DELETE FROM sessions WHERE day < ? AND NOT (ended_at IS NULL AND origin = ?)",
                (day.isoformat(), ORIGIN_KIT),
            ).rowcount
        with _translated(self.path):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(count)

    # -- settings -------------------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        return {row["key"]: row["value"] for row in self._read("SELECT key, value FROM settings")}

    def set_settings(self, values: Mapping[str, str | None]) -> None:
        with self._write() as db:
            for key, value in values.items():
                if value is None or not value.strip():
                    db.execute("DELETE FROM settings WHERE key = ?", (key,))
                else:
                    db.execute(
                        "INSERT INTO settings (key, value) VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (key, value.strip()),
                    )

    # -- backup ---------------------------------------------------------------------------

    def backup(self, target: Path) -> Path:
        """A consistent copy of the journal at ``target`` (SQLite's online backup API), taken
        while other commands may be writing, and written through ``kit.files`` (never half a
        file at ``target``)."""
        self.verify()
        with tempfile.TemporaryDirectory(prefix="kit-journal-") as folder:
            copy_path = Path(folder) / "copie.sqlite3"
            copy = sqlite3.connect(str(copy_path), isolation_level=None)
            try:
                with _translated(self.path):
                    self._db.backup(copy)
                    # One self-contained file: no -wal beside the copy.
                    copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
            data = copy_path.read_bytes()
        return atomic_write(target, lambda handle: handle.write(data))

    # -- rows -----------------------------------------------------------------------------

    @staticmethod
    def _field_values(fields: SessionFields) -> tuple[Any, ...]:
        return (
            fields.title.strip(),
            fields.lesson,
            fields.support,
            fields.place_type,
            fields.commune.strip(),
            fields.postal_code.strip(),
            fields.insee_code.strip(),
            json.dumps(list(fields.themes)),
            json.dumps(list(fields.equipment)),
            fields.level,
            fields.notes.strip(),
            fields.participants.total,
        )

    def _insert(
        self,
        db: sqlite3.Connection,
        fields: SessionFields,
        started: dt.datetime,
        ended: dt.datetime | None,
        duration_min: int | None,
        origin: str,
    ) -> int:
        cursor = db.execute(
            "INSERT INTO sessions (started_at, ended_at, day, duration_min, origin, title, "
            "lesson, support, place_type, commune, postal_code, insee_code, themes, equipment, "
            "level, notes, participants) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?)",
            (
                started.isoformat(),
                ended.isoformat() if ended else None,
                started.date().isoformat(),
                duration_min,
                origin,
                *self._field_values(fields),
            ),
        )
        session_id = int(cursor.lastrowid or 0)
        self._write_counts(db, session_id, fields.participants)
        return session_id

    @staticmethod
    def _write_counts(db: sqlite3.Connection, session_id: int, people: Participants) -> None:
        db.execute("DELETE FROM participant_counts WHERE session_id = ?", (session_id,))
        db.executemany(
            "INSERT INTO participant_counts (session_id, category, value, count) "
            "VALUES (?, ?, ?, ?)",
            [
                (session_id, category, value, count)
                for category, row in people.counts.items()
                for value, count in row.items()
                if count
            ],
        )

    def _sessions(self, rows: list[sqlite3.Row]) -> list[Session]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        counts: dict[int, dict[str, dict[str, int]]] = {i: {} for i in ids}
        events: dict[int, list[Event]] = {i: [] for i in ids}
        # Chunks keep under SQLite's limit on bound parameters.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._read(
                f"SELECT * FROM participant_counts WHERE session_id IN ({marks})", tuple(chunk)
            ):
                by_category = counts[row["session_id"]].setdefault(row["category"], {})
                by_category[row["value"]] = row["count"]
            for row in self._read(
                f"SELECT * FROM events WHERE session_id IN ({marks}) ORDER BY at, id", tuple(chunk)
            ):
                events[row["session_id"]].append(
                    Event(
                        id=row["id"],
                        at=dt.datetime.fromisoformat(row["at"]),
                        kind=row["kind"],
                        data=json.loads(row["data"]),
                    )
                )
        return [self._session(row, counts[row["id"]], events[row["id"]]) for row in rows]

    def _session(
        self,
        row: sqlite3.Row,
        counts: dict[str, dict[str, int]],
        events: list[Event],
    ) -> Session:
        total = int(row["participants"])
        full = {
            category: {value: counts.get(category, {}).get(value, 0) for value in values}
            for category, values in coop.PARTICIPANT_CATEGORIES.items()
        }
        return Session(
            id=int(row["id"]),
            day=dt.date.fromisoformat(row["day"]),
            started_at=dt.datetime.fromisoformat(row["started_at"]),
            ended_at=dt.datetime.fromisoformat(row["ended_at"]) if row["ended_at"] else None,
            duration_min=row["duration_min"],
            origin=row["origin"],
            lesson=row["lesson"],
            support=row["support"],
            title=row["title"],
            place_type=row["place_type"],
            commune=row["commune"],
            postal_code=row["postal_code"],
            insee_code=row["insee_code"],
            themes=tuple(json.loads(row["themes"])),
            equipment=tuple(json.loads(row["equipment"])),
            level=row["level"],
            notes=row["notes"],
            participants=Participants(total=total, counts=full),
            events=tuple(events),
        )


def _check_duration(minutes: int) -> None:
    if not 1 <= minutes <= coop.MAX_DUREE_MIN:
        raise KitError(
            f"Durée invalide : {minutes} min (La Coop accepte de 1 min à 23 h 59).",
        )


def open_journal(path: Path | None = None) -> Journal:
    """Open the journal (creating it, and its folder, the first time), brought to the
    current schema. French errors for a file that is not a journal, or a newer one."""
    target = path or journal_path()
    if target.is_dir():
        raise KitError(f"« {target} » est un dossier : le journal doit être un fichier.")
    ensure_folder(target.parent)
    try:
        connection = sqlite3.connect(
            str(target), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise _error_for(exc, target) from exc
    connection.row_factory = sqlite3.Row
    journal = Journal(connection, target)
    try:
        with _translated(target):
            connection.execute("PRAGMA foreign_keys = ON")
            # Judge the file before changing anything in it (WAL mode rewrites its header).
            _refuse_foreign(journal, connection)
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise KitError(f"Le journal « {target} » ne peut pas passer en mode WAL ({mode}).")
            connection.execute("PRAGMA synchronous = FULL")
        _migrate(journal)
    except BaseException:
        journal.close()
        raise
    return journal


def existing_journal(path: Path | None = None) -> Journal | None:
    """The journal if its file exists (for commands that only read), else None."""
    target = path or journal_path()
    if not target.exists():
        return None
    return open_journal(target)


def _refuse_foreign(journal: Journal, db: sqlite3.Connection) -> None:
    """A journal from a newer kit, or another program's database: refused, untouched."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise KitError(
            f"Le journal « {journal.path} » a été écrit par une version plus récente du kit "
            f"(schéma {version}, celui-ci connaît le {SCHEMA_VERSION}).",
            hint="Mettez le kit à jour ; le journal n'a pas été modifié.",
        )
    if version == 0:
        tables = db.execute(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
        if tables:
            raise KitError(
                f"« {journal.path} » est une base SQLite d'un autre programme, pas un "
                "journal du kit.",
                hint="Le fichier n'a pas été modifié.",
            )


def _migrate(journal: Journal) -> None:
    """Run the schema steps this file has not had yet, all in one transaction."""
    if journal.version == SCHEMA_VERSION:
        return
    with journal._write() as db:
        # Judged again under the write lock: another process may have just migrated it.
        _refuse_foreign(journal, db)
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        for step in MIGRATIONS[version:]:
            for statement in step:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def backup_name(day: dt.date) -> str:
    return f"journal-atelier-{day.isoformat()}.sqlite3"


