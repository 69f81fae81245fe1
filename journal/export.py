# SPDX-License-Identifier: GPL-3.0-or-later
"""The journal in La Coop's terms: one row per atelier, the Coop's column names and values.

CSV and ODS hold exactly the columns of :data:`journal.coop.CSV_COLUMNS` (lists such as
``thematiques`` are the Coop's values joined by « , »). JSON holds the same fields (lists as
arrays, counts as numbers) and, under ``kit``, what the kit saw: prints, défis, boards.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from journal import coop
from journal.model import Session
from journal.periods import Period
from kit.files import atomic_write, atomic_write_text

FORMATS = ("csv", "ods", "json")
LIST_SEPARATOR = ", "


def coop_record(session: Session) -> dict[str, Any]:
    """The CRA collectif fields of ``session``, typed (lists as lists, counts as ints)."""
    record: dict[str, Any] = {
        "type": coop.TYPE_ACTIVITE_COLLECTIF,
        "date": session.day.isoformat(),
        "duree": session.duration_min,
        "type_lieu": session.place_type,
        "lieu_code_postal": session.postal_code or None,
        "lieu_commune": session.commune or None,
        "lieu_code_insee": session.insee_code or None,
        "titre_atelier": session.title,
        "thematiques": list(session.themes),
        "materiel": list(session.equipment),
        "niveau": session.level,
        "notes": session.notes or None,
        "accompagnements_count": session.participants.total,
    }
    for category, values in coop.PARTICIPANT_CATEGORIES.items():
        for value in values:
            record[f"{category}_{value}"] = session.participants.count(category, value)
    return record


def coop_row(session: Session) -> dict[str, str | int]:
    """:func:`coop_record` as spreadsheet cells: lists joined, missing values empty."""
    row: dict[str, str | int] = {}
    for key, value in coop_record(session).items():
        if isinstance(value, list):
            row[key] = LIST_SEPARATOR.join(value)
        elif value is None:
            row[key] = ""
        else:
            row[key] = value
    return row


def closed(sessions: Sequence[Session]) -> list[Session]:
    """The ateliers that can be reported: an open one has no duration yet."""
    return [s for s in sessions if not s.is_open]


def csv_text(sessions: Sequence[Session]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=coop.CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for session in closed(sessions):
        writer.writerow(coop_row(session))
    return buffer.getvalue()


def json_text(sessions: Sequence[Session], period: Period) -> str:
    records = []
    for session in closed(sessions):
        record = coop_record(session)
        activity = session.activity
        record["kit"] = {
            "lecon": session.lesson,
            "support": session.support,
            "impressions": activity.prints,
            "impressions_heures": round(activity.print_seconds / 3600, 3),
            "filament_g": round(activity.filament_g, 1),
            "filament_eur": round(activity.filament_cost_eur, 2),
            "defis_tentes": activity.challenges_tried,
            "defis_reussis": activity.challenges_passed,
            "cartes": activity.boards_flashed + activity.deploys,
            "badges": activity.badges,
        }
        records.append(record)
    document = {
        "periode": {"debut": period.start.isoformat(), "fin": period.end.isoformat()},
        "source": {
            "depot": "inclusion-numerique/coop-mediation-numerique",
            "commit": coop.COOP_COMMIT,
        },
        "ateliers": records,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def ods_bytes(sessions: Sequence[Session]) -> bytes:
    """A one-sheet OpenDocument spreadsheet (odfpy): header row, then one row per atelier;
    counts are numbers, so the structure's spreadsheet can sum them."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Ateliers")

    def cell(value: str | int) -> TableCell:
        if isinstance(value, int):
            item = TableCell(valuetype="float", value=value)
        else:
            item = TableCell(valuetype="string")
        item.addElement(P(text=str(value)))
        return item

    header = TableRow()
    for column in coop.CSV_COLUMNS:
        header.addElement(cell(column))
    table.addElement(header)
    for session in closed(sessions):
        row = TableRow()
        values = coop_row(session)
        for column in coop.CSV_COLUMNS:
            row.addElement(cell(values[column]))
        table.addElement(row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def write_export(sessions: Sequence[Session], period: Period, fmt: str, target: Path) -> Path:
    """Write the export through ``kit.files`` (never half a file)."""
    if fmt == "csv":
        return atomic_write_text(target, csv_text(sessions))
    if fmt == "json":
        return atomic_write_text(target, json_text(sessions, period))
    if fmt == "ods":
        data = ods_bytes(sessions)
        return atomic_write(target, lambda handle: handle.write(data))
    raise ValueError(f"unknown export format {fmt!r}")
