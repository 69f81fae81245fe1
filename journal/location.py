# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the journal lives and whether recording is on: the two questions every kit command
asks before attaching a result, answered without importing SQLite or the store (``kit printer
check`` asks them and must start fast)."""

from __future__ import annotations

import os
from pathlib import Path

from kit import paths

JOURNAL_FILE = "journal.sqlite3"


def journal_path() -> Path:
    """Where the journal lives: ``KIT_DATA_DIR`` or the platform's data folder."""
    return paths.data_dir() / JOURNAL_FILE


def environment_disables_journal() -> bool:
    """``KIT_JOURNAL=off`` turns the automatic recording off (a rehearsal, a demo)."""
    return os.environ.get("KIT_JOURNAL", "").strip().lower() in ("off", "0", "non", "no")
