# SPDX-License-Identifier: GPL-3.0-or-later
"""Logging: always to a rotating file in the user's state folder; to the console with -v."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from kit.paths import state_dir

LOG_FILE_NAME = "kit.log"
MAX_LOG_BYTES = 1_000_000
LOG_BACKUPS = 3

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: ISO 8601 dates in the terminal and the file: « 12/06/26 », rich's default, reads as the
#: 12th of June to a French reader.
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def log_file_path() -> Path:
    return state_dir() / LOG_FILE_NAME


def setup_logging(*, verbose: bool = False) -> None:
    """Configure the root logger once per process (safe to call again)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kit_handler", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.DEBUG)
    try:
        path = log_file_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path,
            maxBytes=MAX_LOG_BYTES,
            backupCount=LOG_BACKUPS,
            encoding="utf-8",
            # Arguments typed with bytes that are not UTF-8 reach Python as lone surrogates:
            # logged as \udcff, not a "Logging error" traceback on the user's terminal.
            errors="backslashreplace",
        )
        file_handler.setLevel(logging.DEBUG)
        file_handler.setFormatter(logging.Formatter(_FORMAT, datefmt=DATE_FORMAT))
        file_handler._kit_handler = True  # type: ignore[attr-defined]
        root.addHandler(file_handler)
    except OSError:
        # A read-only home (kiosk, live USB) must not stop the atelier: log nowhere.
        pass
    if verbose:
        from rich.logging import RichHandler

        from kit.console import err_console

        console_handler = RichHandler(
            console=err_console, show_path=False, log_time_format=f"[{DATE_FORMAT}]"
        )
        console_handler.setLevel(logging.DEBUG)
        console_handler._kit_handler = True  # type: ignore[attr-defined]
        root.addHandler(console_handler)
