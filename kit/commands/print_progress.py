# SPDX-License-Identifier: GPL-3.0-or-later
"""The print progress display shared by USB printers and printers behind OctoPrint.

On a terminal: one line laid out for the terminal's width (:func:`progress_lines`), redrawn
in place. What an animateur glances at comes first and is never cut: the bar, the
percentage, the remaining time and the temperatures; a wider terminal adds the layer, the
elapsed time, the line count and the file name. When those essentials do not fit on one line
(60 columns), they take two. Without a terminal (a script, CI, a log file): one plain line
every :data:`PLAIN_STEP_PERCENT` percent, with every detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from rich.markup import escape
from rich.progress import Progress, ProgressColumn, Task, TaskID
from rich.text import Text

from kit.console import err_console
from kit.messages import format_duration_fr

#: Without a terminal, a progress line every this many percent.
PLAIN_STEP_PERCENT = 10
SEPARATOR = " · "
#: The bar's width: at least this on one line (else the essentials go on two lines), at most
#: this wide (a longer bar tells nothing more).
BAR_MIN = 10
BAR_MAX = 40
#: Before adding a detail, the bar must keep at least this many columns.
BAR_COMFORTABLE = 20
BAR_DONE = "█"
BAR_TODO = "░"


@dataclass(frozen=True)
class ProgressStatus:
    """What the progress line shows besides the percentage (plain text, no markup)."""

    remaining_s: float | None
    temperatures: str  # « buse 200/200 °C · plateau 60/60 °C »
    elapsed_s: float | None = None
    layer: str = ""  # « couche 2/15 »
    lines: str = ""  # « ligne 1151/7048 »
    state: str = ""  # « EN PAUSE », « chauffe »: shown first, never dropped

    def remaining_text(self) -> str:
        if self.remaining_s is None:
            return "reste : inconnu"
        return f"reste ~{format_duration_fr(self.remaining_s)}"

    def details(self, file_name: str) -> list[str]:
        """The optional parts, most useful first."""
        elapsed = (
            f"écoulé {format_duration_fr(self.elapsed_s)}" if self.elapsed_s is not None else ""
        )
        return [part for part in (self.layer, elapsed, self.lines, file_name) if part]

    def full_text(self, file_name: str) -> str:
        """Every part on one line (the plain output without a terminal)."""
        parts = [self.state, self.remaining_text(), self.temperatures, *self.details(file_name)]
        return SEPARATOR.join(part for part in parts if part)


def _bar(percent: float, width: int) -> str:
    done = round(max(0.0, min(100.0, percent)) / 100.0 * width)
    return BAR_DONE * done + BAR_TODO * (width - done)


def progress_lines(file_name: str, percent: float, status: ProgressStatus, width: int) -> list[str]:
    """The progress display for a terminal ``width`` columns wide: one line, or two when the
    bar, percentage, remaining time and temperatures do not fit on one. No line is wider
    than ``width`` unless a single essential part is (then it wraps rather than being cut).
    """
    percent_text = f"{percent:3.0f} %"
    head = [part for part in (status.state, percent_text, status.remaining_text()) if part]
    temperatures = status.temperatures
    essentials = [*head, temperatures] if temperatures else head
    one_line = SEPARATOR.join(essentials)
    if len(one_line) + 1 + BAR_MIN <= width:
        parts = list(essentials)
        for detail in status.details(file_name):
            candidate = SEPARATOR.join([*parts, detail])
            if len(candidate) + 1 + BAR_COMFORTABLE <= width:
                parts.append(detail)
        text = SEPARATOR.join(parts)
        bar_width = min(BAR_MAX, width - len(text) - 1)
        return [f"{_bar(percent, bar_width)} {text}"]
    first_text = SEPARATOR.join(head)
    bar_width = min(BAR_MAX, width - len(first_text) - 1)
    first = f"{_bar(percent, bar_width)} {first_text}" if bar_width >= 3 else first_text
    second_parts = [temperatures] if temperatures else []
    for detail in status.details(file_name):
        if len(SEPARATOR.join([*second_parts, detail])) <= width:
            second_parts.append(detail)
    second = SEPARATOR.join(second_parts)
    return [first, second] if second else [first]


class _DisplayColumn(ProgressColumn):
    """The text :func:`progress_lines` laid out (bar included), as it is."""

    def render(self, task: Task) -> Text:
        display = task.fields.get("display")
        return display if isinstance(display, Text) else Text("")


class PrintProgress:
    """Context manager: ``with PrintProgress(name) as bar: bar.update(42.0, status)``."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self._progress = Progress(
            _DisplayColumn(),
            console=err_console,
            transient=False,
            disable=not err_console.is_terminal,
        )
        self._task: TaskID | None = None
        self._next_plain = float(PLAIN_STEP_PERCENT)

    def __enter__(self) -> PrintProgress:
        self._progress.__enter__()
        self._task = self._progress.add_task(self.file_name, total=100.0, display="")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.__exit__(exc_type, exc, tb)

    def update(self, percent: float, status: ProgressStatus) -> None:
        """Show ``percent`` (0–100) and ``status``."""
        assert self._task is not None, "use PrintProgress as a context manager"
        lines = progress_lines(self.file_name, percent, status, err_console.width)
        display = Text("\n".join(lines))
        if status.state:
            start = display.plain.find(status.state)
            display.stylize("bold magenta", start, start + len(status.state))
        self._progress.update(self._task, completed=percent, display=display)
        if not err_console.is_terminal and percent >= self._next_plain:
            err_console.print(
                escape(f"{self.file_name} : {percent:.0f} % · {status.full_text('')}"),
                highlight=False,
            )
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
