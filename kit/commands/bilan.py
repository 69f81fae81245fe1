# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit bilan``: the activity report of a period, in PDF or HTML, for the structure's funders."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from kit.console import console, err_console
from kit.errors import KitError

_FORMATS = (".pdf", ".html", ".htm")


@click.command("bilan")
@click.option(
    "--periode",
    metavar="PÉRIODE",
    required=True,
    help="Période : 2026, 2026-T4, 2026-S1, 2026-11 ou 2026-09-01..2026-12-31.",
)
@click.option(
    "-o",
    "--sortie",
    "output",
    metavar="FICHIER.pdf|html",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Le bilan à écrire : PDF (A4) ou page HTML.",
)
@click.option(
    "--structure",
    metavar="NOM",
    help="Nom de la structure en tête (par défaut : celui de « kit journal structure »).",
)
def bilan(periode: str, output: Path, structure: str | None) -> None:
    """Bilan d'activité de la période : ateliers, participants (âges, supports), heures,
    thématiques, impressions (heures, filament, coût), défis, cartes et badges, avec des
    graphiques. Seuls des nombres : aucun nom de participant.
    """
    from journal.periods import parse_period
    from journal.report import build_report, render_html
    from journal.store import existing_journal
    from kit.files import atomic_write, atomic_write_text
    from lessons.model import SUPPORTS

    suffix = output.suffix.lower()
    if suffix not in _FORMATS:
        raise KitError(
            f"« {output.name} » : le bilan s'écrit en .pdf ou en .html.",
            hint="Par exemple : kit bilan --periode 2026 -o bilan.pdf",
        )
    if not output.parent.is_dir():
        raise KitError(f"Impossible d'écrire « {output} » : le dossier n'existe pas.")
    period = parse_period(periode)
    journal = existing_journal()
    sessions = []
    name = structure or ""
    if journal is not None:
        with journal:
            journal.verify()
            sessions = journal.sessions(period)
            name = name or journal.settings().get("nom", "")
    if not name:
        err_console.print(
            "[yellow]Remarque :[/yellow] la structure n'a pas de nom : « kit journal structure "
            "--nom … » le donne une fois pour toutes."
        )
    report = build_report(sessions, period, structure=name or "Structure", support_labels=SUPPORTS)
    html = render_html(report)
    if suffix == ".pdf":
        from lessons.export import render_pdf

        data, pages = render_pdf(html)
        written = atomic_write(output, lambda handle: handle.write(data))
        what = f"{pages} page{'s' if pages > 1 else ''} A4"
    else:
        written = atomic_write_text(output, html)
        what = "page HTML"
    count = report.ateliers
    console.print(
        f"Bilan écrit : {escape(str(written))} ({what}, {count} atelier{'s' if count > 1 else ''}"
        f", {period.label})."
    )
