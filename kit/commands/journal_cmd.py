# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit journal``: list the ateliers, export them for La Coop, back up, erase, set the place."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table

from kit.console import console, err_console
from kit.errors import KitError

if TYPE_CHECKING:
    from journal.store import Journal

PERIOD_OPTION_HELP = "Période : 2026, 2026-T4, 2026-S1, 2026-11 ou 2026-09-01..2026-12-31."


def _reading_journal() -> Journal | None:
    """The journal, checked page by page, or None when there is none yet."""
    from journal.store import existing_journal

    journal = existing_journal()
    if journal is not None:
        try:
            journal.verify()
        except KitError:
            journal.close()
            raise
    return journal


def _no_journal() -> None:
    from journal.location import journal_path

    console.print(
        f"Le journal est vide (aucun atelier noté ; il sera créé ici : {journal_path()})."
    )
    console.print("« kit atelier ouvrir » commence un atelier, « kit atelier ajouter » en note un.")


@click.group("journal")
def journal_group() -> None:
    """Le journal des ateliers : liste, export pour La Coop, sauvegarde, effacement."""


@journal_group.command("liste")
@click.option("--periode", metavar="PÉRIODE", help=PERIOD_OPTION_HELP)
def list_cmd(periode: str | None) -> None:
    """Liste les ateliers notés (tous, ou ceux de la période)."""
    from journal.coop import TYPES_LIEU
    from journal.periods import minutes_fr, parse_period

    period = parse_period(periode) if periode else None
    journal = _reading_journal()
    if journal is None:
        _no_journal()
        return
    with journal:
        sessions = journal.sessions(period)
        path = journal.path
    title = f"Ateliers ({period.label})" if period else "Ateliers"
    table = Table(title=title, title_justify="left", caption=str(path), caption_justify="left")
    table.add_column("N°", justify="right")
    table.add_column("Date", no_wrap=True)
    table.add_column("Atelier")
    table.add_column("Lieu")
    table.add_column("Part.", justify="right")
    table.add_column("Durée", no_wrap=True)
    table.add_column("Noté par le kit")
    for session in sessions:
        place = TYPES_LIEU.get(session.place_type, session.place_type)
        if session.commune:
            place += f", {session.commune}"
        duration = "[bold]en cours[/bold]" if session.is_open else minutes_fr(session.duration_min)
        table.add_row(
            str(session.id),
            f"{session.day:%d/%m/%Y}",
            escape(session.title),
            escape(place),
            str(session.participants.total),
            duration,
            session.activity.summary_fr() or "—",
        )
    console.print(table)
    if not sessions:
        console.print("Aucun atelier sur cette période.")


@journal_group.command("export")
@click.option("--periode", metavar="PÉRIODE", required=True, help=PERIOD_OPTION_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "ods", "json"]),
    default="csv",
    show_default=True,
    help="csv (pour La Coop), ods (tableur) ou json.",
)
@click.option(
    "-o",
    "--sortie",
    "output",
    metavar="FICHIER",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier à écrire (par défaut : ateliers-PÉRIODE.FORMAT dans le dossier courant).",
)
def export_cmd(periode: str, fmt: str, output: Path | None) -> None:
    """Exporte les ateliers de la période, une ligne par atelier, dans les champs de La Coop.

    Colonnes et valeurs sont celles du « CRA collectif » de La Coop de la médiation
    numérique ; un atelier encore ouvert n'est pas exporté.
    """
    from journal.export import closed, write_export
    from journal.periods import parse_period

    period = parse_period(periode)
    target = output or Path(f"ateliers-{periode.strip().replace('..', '_')}.{fmt}")
    journal = _reading_journal()
    sessions = []
    if journal is not None:
        with journal:
            sessions = journal.sessions(period)
    written = write_export(sessions, period, fmt, target)
    count = len(closed(sessions))
    console.print(
        f"Export écrit : {escape(str(written))} ({count} atelier{'s' if count > 1 else ''}, "
        f"{period.label})."
    )
    if len(sessions) > count:
        err_console.print(
            "[yellow]Attention :[/yellow] l'atelier encore ouvert n'est pas exporté "
            "(« kit atelier fermer »)."
        )


@journal_group.command("sauvegarder")
@click.option(
    "-o",
    "--sortie",
    "output",
    metavar="FICHIER",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Copie à écrire (par défaut : journal-atelier-AAAA-MM-JJ.sqlite3 ici).",
)
def backup_cmd(output: Path | None) -> None:
    """Écrit une copie cohérente du journal, même pendant qu'une commande y écrit."""
    from journal.store import backup_name

    target = output or Path(backup_name(dt.date.today()))
    journal = _reading_journal()
    if journal is None:
        raise KitError("Il n'y a pas encore de journal à sauvegarder.")
    with journal:
        if target.resolve() == journal.path.resolve():
            raise KitError("La sauvegarde doit être un autre fichier que le journal lui-même.")
        written = journal.backup(target)
    console.print(f"Journal sauvegardé : {escape(str(written))}")


@journal_group.command("effacer")
@click.option(
    "--avant", metavar="AAAA-MM-JJ", required=True, help="Efface les ateliers d'avant ce jour."
)
@click.option("--oui", is_flag=True, help="Ne demande pas de confirmation.")
def erase_cmd(avant: str, oui: bool) -> None:
    """Efface pour de bon les ateliers tenus avant une date (et ce qui leur est attaché).

    L'atelier ouvert n'est jamais effacé. Faites une sauvegarde d'abord si vous devez
    garder une trace.
    """
    from journal.periods import parse_date

    day = parse_date(avant)
    journal = _reading_journal()
    if journal is None:
        console.print("Le journal est vide : rien à effacer.")
        return
    with journal:
        doomed = [s for s in journal.sessions() if s.day < day and not s.is_open]
        if not doomed:
            console.print(f"Aucun atelier avant le {day:%d/%m/%Y} : rien à effacer.")
            return
        count = len(doomed)
        question = (
            f"Effacer {count} atelier{'s' if count > 1 else ''} (du {doomed[0].day:%d/%m/%Y} "
            f"au {doomed[-1].day:%d/%m/%Y}) ? C'est définitif."
        )
        if not oui:
            if not sys.stdin.isatty():
                raise KitError(
                    "Effacement non confirmé.",
                    hint="Sans terminal pour répondre, ajoutez --oui.",
                )
            if not click.confirm(question, default=False, err=True):
                console.print("Rien n'a été effacé.")
                return
        erased = journal.erase_before(day)
    console.print(f"{erased} atelier{'s' if erased > 1 else ''} effacé{'s' if erased > 1 else ''}.")


@journal_group.command("structure")
@click.option("--nom", metavar="TEXTE", help="Nom de la structure (en tête du bilan).")
@click.option("--lieu", metavar="TYPE", help="Type de lieu habituel (lieu_activite…).")
@click.option("--commune", metavar="NOM", help="Commune habituelle.")
@click.option("--code-postal", metavar="CODE", help="Code postal de la commune.")
@click.option("--code-insee", metavar="CODE", help="Code INSEE de la commune (pour La Coop).")
def structure_cmd(
    nom: str | None,
    lieu: str | None,
    commune: str | None,
    code_postal: str | None,
    code_insee: str | None,
) -> None:
    """Affiche ou règle la structure : son nom et son lieu habituel (valeurs par défaut).

    Une option vide (--commune "") efface la valeur.
    """
    from journal.coop import TYPES_LIEU, choices_fr
    from journal.model import SessionFields
    from journal.store import open_journal

    wanted = {
        "nom": nom,
        "type_lieu": lieu,
        "commune": commune,
        "code_postal": code_postal,
        "code_insee": code_insee,
    }
    given = {key: value for key, value in wanted.items() if value is not None}
    if given:
        # The same checks as an atelier's own place.
        SessionFields(
            title=given.get("nom") or "structure",
            postal_code=(given.get("code_postal") or "").strip(),
            insee_code=(given.get("code_insee") or "").strip(),
        ).checked(complete=False)
        if lieu and lieu not in TYPES_LIEU:
            raise KitError(
                f"« {lieu} » n'est pas un type de lieu de La Coop.",
                hint=f"Valeurs possibles : {choices_fr(TYPES_LIEU)}.",
            )
    with open_journal() as journal:
        if given:
            journal.set_settings(given)
        settings = journal.settings()
    labels = {
        "nom": "Nom",
        "type_lieu": "Type de lieu",
        "commune": "Commune",
        "code_postal": "Code postal",
        "code_insee": "Code INSEE",
    }
    for key, label in labels.items():
        console.print(f"{label} : {escape(settings.get(key, '—'))}")
