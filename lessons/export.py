# SPDX-License-Identifier: GPL-3.0-or-later
"""Printable fiches: a fiche animateur and a fiche participant, as Markdown, HTML or PDF.

Both fiches come from Jinja2 templates in ``lessons/templates/``; the HTML carries a print
stylesheet (A4, the participant fiche on a new page) and WeasyPrint turns that same HTML into
the PDF. Pictures the kit makes (layer preview, robot path, board timeline) are produced by
running the lesson's picture steps against the simulators and embedded in the fiche.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from kit import __version__
from kit.errors import KitError
from lessons.catalog import PACKAGE_DIR
from lessons.model import COMPETENCES, MATERIAL_FOR, Lesson
from lessons.steps import NOT_YET_AVAILABLE, CommandResolver, display, is_available, run_step

TEMPLATES_DIR = PACKAGE_DIR / "templates"
FORMATS = ("md", "html", "pdf")


@dataclass(frozen=True)
class Picture:
    """A picture made by a runnable step, for the fiche participant."""

    caption: str
    filename: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def make_pictures(
    lesson: Lesson, work_dir: Path, resolver: CommandResolver
) -> tuple[list[Picture], list[str]]:
    """Run the lesson's picture steps; returns the pictures and French warnings for the others."""
    pictures: list[Picture] = []
    warnings: list[str] = []
    for command in lesson.commands():
        if command.picture is None:
            continue
        result = run_step(command, work_dir, resolver)
        if result.ok and result.picture is not None and result.picture.suffix == ".png":
            pictures.append(
                Picture(command.purpose, result.picture.name, result.picture.read_bytes())
            )
        else:
            warnings.append(
                f"image non produite ({display(command)}) : {'; '.join(result.problems)}"
            )
    return pictures, warnings


_SPACE_BEFORE = re.compile(r" ([:;?!»])")
_SPACE_AFTER = re.compile(r"« ")
#: A number and its unit (« 20 cm », « 3 min 00 s », « 200 °C », « 15 % »).
_NUMBER_UNIT = re.compile(r"(\d) (?=(?:min|s|h|ans|cm|mm|m|g|mA|°C|%)(?!\w))|(\bmin) (?=\d)")
NBSP = "\u00a0"


def french_spaces(text: str) -> str:
    """French typography for print: the space before « : ; ? ! » » and after « « », and between
    a number and its unit, does not break (no line starting with « : » or with « s »)."""
    text = _SPACE_AFTER.sub("«" + NBSP, _SPACE_BEFORE.sub(NBSP + r"\1", text))
    return _NUMBER_UNIT.sub(lambda match: (match.group(1) or match.group(2)) + NBSP, text)


def finalize_html(value: Any) -> Any:
    """Jinja ``finalize`` of the HTML templates: French spaces in every text value (values
    already marked safe, such as the stylesheet, are left alone)."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return french_spaces(value)
    return value


def markdown_cell(value: Any) -> str:
    """A value inside a Markdown table cell: a « | » would open a new column and a line
    break would end the row, so they are escaped and folded."""
    return " ".join(str(value).split()).replace("|", "\\|")


def html_environment() -> jinja2.Environment:
    """The environment of the HTML templates (fiches and rehearsal report)."""
    env = _environment(autoescape=True)
    env.finalize = finalize_html
    return env


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = markdown_cell
    return env


def context(
    lesson: Lesson,
    resolver: CommandResolver,
    pictures: list[Picture],
    *,
    picture_names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the templates see: the lesson plus computed timings and command lines."""
    phases = []
    start = 0
    for phase in lesson.phases:
        phases.append(
            {
                "phase": phase,
                "start": start,
                "end": start + phase.minutes,
                "commands": [
                    {
                        "line": display(c),
                        "purpose": c.purpose,
                        "available": is_available(c, resolver),
                    }
                    for c in phase.commands
                ],
            }
        )
        start += phase.minutes
    preparation = [
        {
            "text": item.text,
            "command": None
            if item.command is None
            else {
                "line": display(item.command),
                "purpose": item.command.purpose,
                "available": is_available(item.command, resolver),
            },
        }
        for item in lesson.preparation
    ]
    return {
        "lesson": lesson,
        "phases": phases,
        "preparation": preparation,
        "competences": [COMPETENCES[key] for key in lesson.competences],
        "titles": _titles(lesson),
        "material_for": MATERIAL_FOR,
        "pictures": pictures,
        "picture_names": picture_names or {},
        "not_available": NOT_YET_AVAILABLE,
        "version": __version__,
        "today": dt.date.today().strftime("%d/%m/%Y"),
    }


def _titles(lesson: Lesson) -> list[tuple[str, list[str]]]:
    """``(title, competences)`` the lesson works on, for each title the rehearsal knows."""
    from lessons.titles import lesson_competences, load_titles

    return [
        (title.label, [competence.text for competence in lesson_competences(lesson, title)])
        for title in load_titles().values()
    ]


def render_markdown(lesson: Lesson, ctx: dict[str, Any]) -> str:
    return _environment(autoescape=False).get_template("fiche.md.j2").render(**ctx)


def render_html(lesson: Lesson, ctx: dict[str, Any]) -> str:
    css = (TEMPLATES_DIR / "print.css").read_text(encoding="utf-8")
    return html_environment().get_template("fiche.html.j2").render(css=css, **ctx)


def render_pdf(html: str) -> tuple[bytes, int]:
    """The PDF of ``html`` and its number of pages (WeasyPrint)."""
    import logging

    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the system's Pango is missing
        raise KitError(
            "L'export PDF a besoin de WeasyPrint et de la bibliothèque Pango du système.",
            hint="Exportez en HTML (--format html) et imprimez-le depuis le navigateur.",
        ) from exc
    # WeasyPrint reports unsupported CSS at WARNING level; it is noise for the user.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR)).render()
    data = document.write_pdf()
    assert isinstance(data, bytes)
    return data, len(document.pages)
