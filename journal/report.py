# SPDX-License-Identifier: GPL-3.0-or-later
"""The activity report a structure owes its funders: figures, charts, the list of ateliers.

:func:`build_report` sums the closed ateliers of a period; :func:`render_html` turns the sums
into one self-contained HTML page (A4 print CSS, charts inline as SVG drawn by matplotlib),
which the CLI prints to PDF with WeasyPrint. French number and date formats throughout;
counts only, no name.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from journal import coop
from journal.model import Activity, Session
from journal.periods import Period, date_fr, minutes_fr
from kit.messages import decimal_fr, number_fr

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_MONTHS_SHORT_FR = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip
NO_SUPPORT = "Sans leçon du kit"
#: Chart colours (one hue, readable in black and white print).
_BAR = "#1b4965"
_BAR_LIGHT = "#62b6cb"


def integer_fr(value: float) -> str:
    """« 1 234 » (narrow no-break space between thousands, as French print has it)."""
    return f"{round(value):,}".replace(",", "\u202f")


def hours_fr(seconds: float) -> str:
    """« 12,5 h »."""
    return f"{number_fr(seconds / 3600, 1)}\u00a0h"


@dataclass
class Report:
    """The sums of a period's ateliers."""

    structure: str
    period: Period
    generated: dt.date
    sessions: list[Session]
    open_left_out: int = 0
    participants: int = 0
    minutes: int = 0
    participant_minutes: int = 0
    by_age: dict[str, int] = field(default_factory=dict)
    by_genre: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_support: dict[str, tuple[int, int]] = field(default_factory=dict)
    themes: Counter[str] = field(default_factory=Counter)
    equipment: Counter[str] = field(default_factory=Counter)
    places: Counter[str] = field(default_factory=Counter)
    levels: Counter[str] = field(default_factory=Counter)
    by_month: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    activity: Activity = field(default_factory=Activity)

    @property
    def ateliers(self) -> int:
        return len(self.sessions)


def build_report(
    sessions: Sequence[Session],
    period: Period,
    *,
    structure: str,
    support_labels: Mapping[str, str],
    today: dt.date | None = None,
) -> Report:
    """Sum the closed ateliers of ``sessions`` (an open one has no duration yet)."""
    closed = [s for s in sessions if not s.is_open]
    report = Report(
        structure=structure,
        period=period,
        generated=today or dt.date.today(),
        sessions=closed,
        open_left_out=len(sessions) - len(closed),
    )
    report.by_age = {value: 0 for value in coop.TRANCHES_AGE}
    report.by_genre = {value: 0 for value in coop.GENRES}
    report.by_status = {value: 0 for value in coop.STATUTS_SOCIAUX}
    supports: dict[str, list[int]] = {}
    months: dict[tuple[int, int], list[int]] = {}
    cursor = dt.date(period.start.year, period.start.month, 1)
    while cursor <= period.end:
        months[(cursor.year, cursor.month)] = [0, 0]
        cursor = dt.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    for session in closed:
        people = session.participants
        minutes = session.duration_min or 0
        report.participants += people.total
        report.minutes += minutes
        report.participant_minutes += minutes * people.total
        for value in coop.TRANCHES_AGE:
            report.by_age[value] += people.count("tranche_age", value)
        for value in coop.GENRES:
            report.by_genre[value] += people.count("genre", value)
        for value in coop.STATUTS_SOCIAUX:
            report.by_status[value] += people.count("statut_social", value)
        label = support_labels.get(session.support or "", NO_SUPPORT)
        row = supports.setdefault(label, [0, 0])
        row[0] += 1
        row[1] += people.total
        report.themes.update(session.themes)
        report.equipment.update(session.equipment)
        report.places[session.place_type] += 1
        report.levels[session.level or ""] += 1
        month = months.setdefault((session.day.year, session.day.month), [0, 0])
        month[0] += 1
        month[1] += people.total
        report.activity.merge(session.activity)
    report.by_support = {k: (v[0], v[1]) for k, v in sorted(supports.items())}
    report.by_month = {k: (v[0], v[1]) for k, v in sorted(months.items())}
    return report


# -- charts ------------------------------------------------------------------------------


def _svg(figure: Any) -> str:
    """The figure as inline SVG markup (no XML prolog, no fixed size: the CSS sizes it)."""
    from matplotlib import rc_context

    buffer = io.StringIO()
    # Text stays text (not one path per glyph): a lighter page for WeasyPrint, and words a
    # reader can search or copy in the PDF. The page's own fonts draw it.
    with rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _figure(width_in: float, height_in: float) -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_in, height_in), dpi=100)
    figure.set_layout_engine("constrained")
    return figure


def _style(axes: Any, *, value_axis: str) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axis = axes.xaxis if value_axis == "x" else axes.yaxis
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: integer_fr(value)))
    axes.tick_params(labelsize=8)
    axes.grid(axis=value_axis, color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)


def bar_chart(labels: Sequence[str], values: Sequence[int], unit: str) -> str:
    """Horizontal bars, largest category on top, each bar labelled with its count."""
    height = 0.45 + 0.3 * max(len(labels), 1)
    figure = _figure(6.2, height)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    bars = axes.barh(positions, values, color=_BAR, height=0.65)
    axes.set_yticks(positions, labels)
    axes.bar_label(bars, labels=[integer_fr(v) for v in values], padding=3, fontsize=8)
    axes.set_xlabel(unit, fontsize=8)
    axes.margins(x=0.12)
    _style(axes, value_axis="x")
    return _svg(figure)


def month_chart(report: Report) -> str:
    """Participants per month (bars), the number of ateliers written above each bar."""
    keys = list(report.by_month)
    labels = [
        _MONTHS_SHORT_FR[month - 1] + (f"\n{year}" if len({y for y, _ in keys}) > 1 else "")
        for year, month in keys
    ]
    ateliers = [report.by_month[k][0] for k in keys]
    people = [report.by_month[k][1] for k in keys]
    figure = _figure(6.6, 2.6)
    axes = figure.add_subplot()
    bars = axes.bar(range(len(keys)), people, color=_BAR_LIGHT, edgecolor=_BAR, linewidth=0.6)
    axes.set_xticks(range(len(keys)), labels)
    axes.bar_label(
        bars,
        labels=[f"{a} at." if a else "" for a in ateliers],
        padding=2,
        fontsize=7,
    )
    axes.set_ylabel("participants", fontsize=8)
    axes.margins(y=0.15)
    _style(axes, value_axis="y")
    return _svg(figure)


# -- HTML --------------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["entier"] = integer_fr
    env.filters["date_fr"] = date_fr
    env.filters["minutes_fr"] = minutes_fr
    return env


def _rows(counts: Mapping[str, int], labels: Mapping[str, str]) -> list[tuple[str, int]]:
    return [(labels.get(key, key), count) for key, count in counts.items() if count]


def render_html(report: Report) -> str:
    """The report as one HTML page (charts inline), ready to print or to turn into PDF."""
    activity = report.activity
    age_rows = [(coop.TRANCHES_AGE[k], v) for k, v in report.by_age.items()]
    theme_rows = [(coop.THEMATIQUES.get(k, k), v) for k, v in report.themes.most_common()]
    support_rows = [
        (label, ateliers, people) for label, (ateliers, people) in report.by_support.items()
    ]
    charts: dict[str, str] = {}
    if report.sessions:
        charts["ages"] = bar_chart(
            [r[0] for r in age_rows], [r[1] for r in age_rows], "participants"
        )
        charts["supports"] = bar_chart(
            [r[0] for r in support_rows], [r[2] for r in support_rows], "participants"
        )
        shown = theme_rows[:12]
        charts["themes"] = bar_chart([r[0] for r in shown], [r[1] for r in shown], "ateliers")
        charts["months"] = month_chart(report)
    figures = {
        "ateliers": integer_fr(report.ateliers),
        "participants": integer_fr(report.participants),
        "hours": f"{number_fr(report.minutes / 60, 1)}\u00a0h",
        "participant_hours": integer_fr(report.participant_minutes / 60),
        "average": number_fr(report.participants / report.ateliers, 1) if report.ateliers else "0",
    }
    making = {
        "prints": integer_fr(activity.prints),
        "prints_completed": integer_fr(activity.prints_completed),
        "print_hours": hours_fr(activity.print_seconds),
        "filament_g": f"{integer_fr(activity.filament_g)}\u00a0g",
        "filament_cost": f"{decimal_fr(activity.filament_cost_eur, 2)}\u00a0€",
        "challenges": f"{integer_fr(activity.challenges_passed)} / "
        f"{integer_fr(activity.challenges_tried)}",
        "robot_runs": integer_fr(activity.robot_runs),
        "boards": integer_fr(activity.boards_flashed + activity.deploys),
        "badges": integer_fr(activity.badges),
    }
    css = (TEMPLATES_DIR / "bilan.css").read_text(encoding="utf-8")
    return (
        _environment()
        .get_template("bilan.html")
        .render(
            report=report,
            css=css,
            charts=charts,
            figures=figures,
            making=making,
            age_rows=age_rows,
            genre_rows=_rows(report.by_genre, coop.GENRES),
            status_rows=_rows(report.by_status, coop.STATUTS_SOCIAUX),
            support_rows=support_rows,
            theme_rows=theme_rows,
            equipment_rows=[
                (coop.MATERIELS.get(k, k), v) for k, v in report.equipment.most_common()
            ],
            place_rows=[(coop.TYPES_LIEU.get(k, k), v) for k, v in report.places.most_common()],
            level_rows=[
                (coop.NIVEAUX.get(k, "Non précisé"), v) for k, v in report.levels.most_common()
            ],
            themes_fr=coop.THEMATIQUES,
            period_text=(
                f"du {date_fr(report.period.start)} au {date_fr(report.period.end)}"
                if report.period.days > 1
                else date_fr(report.period.start)
            ),
            coop_commit=coop.COOP_COMMIT[:12],
        )
    )
