# SPDX-License-Identifier: GPL-3.0-or-later
"""The print progress display shared by USB printers and printers behind OctoPrint.

On a terminal: a rich bar with the percentage and a status text (layer, temperatures,
remaining time). Without a terminal (a script, CI, a log file): one plain line every
:data:`PLAIN_STEP_PERCENT` percent, so the output stays short and readable.
"""

from __future__ import annotations

from types import TracebackType

from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn

from kit.console import err_console

#: Without a terminal, a progress line every this many percent.
PLAIN_STEP_PERCENT = 10


class PrintProgress:
    """Context manager: ``with PrintProgress(name) as bar: bar.update(42.0, "couche 3/15")``."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[status]}"),
            console=err_console,
            transient=False,
            disable=not err_console.is_terminal,
        )
        self._task: TaskID | None = None
        self._next_plain = float(PLAIN_STEP_PERCENT)

    def __enter__(self) -> PrintProgress:
        self._progress.__enter__()
        self._task = self._progress.add_task(self.file_name, total=100.0, status="")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.__exit__(exc_type, exc, tb)

    def update(self, percent: float, status: str) -> None:
        """Show ``percent`` (0–100) and ``status`` (rich markup: escape user text in it)."""
        assert self._task is not None, "use PrintProgress as a context manager"
        self._progress.update(self._task, completed=percent, status=status)
        if not err_console.is_terminal and percent >= self._next_plain:
            err_console.print(f"{escape(self.file_name)} : {percent:.0f} % · {status}")
            while self._next_plain <= percent:
                self._next_plain += PLAIN_STEP_PERCENT

    def notice(self, text: str) -> None:
        """A line above the bar, kept in the terminal's history (rich markup)."""
        err_console.print(text, highlight=False)  # the bar's console: rich keeps it below

    def pause_display(self) -> None:
        """Stop redrawing (before asking the user something)."""
        self._progress.stop()

    def resume_display(self) -> None:
        self._progress.start()
