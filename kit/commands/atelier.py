# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit atelier``: open an atelier, close it (asking what the kit cannot know), add one held
without the kit. What kit commands do while it is open is attached to it
(:mod:`kit.commands.record`)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from kit.console import console, err_console
from kit.errors import KitError

if TYPE_CHECKING:
    from journal.model import Participants, Session
    from journal.store import Journal

PLACE_HELP = (
    "Type de lieu pour La Coop : lieu_activite (par défaut), domicile, a_distance ou autre."
)
AGES_HELP = (
    "Participants par tranche d'âge, par exemple « 12-18=6,60-69=2 » (-12, 12-18, 18-24, "
    "25-39, 40-59, 60-69, 70+, nc, ou les valeurs de La Coop)."
)
GENRES_HELP = "Participants par genre, par exemple « f=5,m=3 » (feminin, masculin, nc)."
STATUTS_HELP = (
    "Participants par statut, par exemple « scolarise=8 » (scolarise, sans-emploi, en-emploi, "
    "retraite, nc)."
)


def parse_counts(category: str, texts: Sequence[str]) -> dict[str, int]:
    """« 12-18=6,60-69=2 » (several options allowed) → {Coop value: count}; French errors."""
    from journal import coop

    counts: dict[str, int] = {}
    for text in texts:
        for part in text.replace(";", ",").split(","):
            if not part.strip():
                continue
            name, sep, number = part.replace(":", "=").partition("=")
            value = coop.canonical(category, name)
            if not sep or value is None:
                what = coop.CATEGORY_FR[category]
                raise KitError(
                    f"« {part.strip()} » : j'attends une {what} et un nombre, comme « "
                    f"{next(iter(coop.ALIASES[category]))}=3 ».",
                    hint="Valeurs possibles : "
                    + coop.choices_fr(coop.PARTICIPANT_CATEGORIES[category])
                    + ".",
                )
            try:
                count = int(number.strip())
            except ValueError:
                raise KitError(
                    f"« {part.strip()} » : « {number.strip()} » n'est pas un nombre."
                ) from None
            if count < 0:
                raise KitError(f"« {part.strip()} » : le nombre doit être positif.")
            counts[value] = counts.get(value, 0) + count
    return counts


def parse_values(what: str, text: str, options: dict[str, str]) -> tuple[str, ...]:
    """« creer_avec_le_numerique,culture_numerique » → checked Coop values."""
    values = tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))
    for value in values:
        if value not in options:
            raise KitError(
                f"« {value} » n'est pas {what} de La Coop.",
                hint="Valeurs possibles : " + ", ".join(options) + ".",
            )
    return values


def counts_text(counts: dict[str, int]) -> str:
    return ",".join(f"{value}={count}" for value, count in counts.items() if count)


def _participants(
    total: int, ages: Sequence[str], genres: Sequence[str], statuts: Sequence[str]
) -> Participants:
    from journal.model import Participants

    given = {
        "tranche_age": parse_counts("tranche_age", ages),
        "genre": parse_counts("genre", genres),
        "statut_social": parse_counts("statut_social", statuts),
    }
    return Participants.build(total, given)


def _open_journal() -> Journal:
    from journal.store import open_journal

    return open_journal()


@dataclass(frozen=True)
class _Defaults:
    """What a lesson proposes for its atelier's record."""

    lesson: str | None = None
    title: str = ""
    support: str | None = None
    themes: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    level: str | None = None
    minutes: int = 0


def _lesson_defaults(name: str | None) -> _Defaults:
    """Title, support and Coop defaults of lesson ``name`` (nothing without a lesson)."""
    if name is None:
        return _Defaults()
    from lessons.catalog import resolve

    lesson = resolve(name)
    coop = lesson.coop_defaults
    return _Defaults(
        lesson=lesson.ident,
        title=lesson.title,
        support=lesson.support,
        themes=coop.thematiques,
        equipment=coop.materiel,
        level=coop.niveau,
        minutes=lesson.minutes,
    )


def _place(
    journal: Journal, place: str | None, commune: str | None, postal: str | None
) -> dict[str, str]:
    """The place typed, or the structure's usual one (``kit journal structure``)."""
    settings = journal.settings()
    return {
        "place_type": place or settings.get("type_lieu", "lieu_activite"),
        "commune": commune if commune is not None else settings.get("commune", ""),
        "postal_code": postal if postal is not None else settings.get("code_postal", ""),
        "insee_code": settings.get("code_insee", "") if commune is None else "",
    }


def _check_support(support: str | None) -> str | None:
    if support is None:
        return None
    from lessons.catalog import check_support

    return check_support(support)


@click.group()
def atelier() -> None:
    """Le journal des ateliers : ouvrir, fermer, ajouter un atelier fait sans le kit."""


@atelier.command("ouvrir")
@click.argument("lecon", required=False, metavar="[LEÇON]")
@click.option("--lieu", metavar="TYPE", help=PLACE_HELP)
@click.option(
    "--participants",
    type=click.IntRange(0, 10_000),
    required=True,
    metavar="N",
    help="Nombre de participants.",
)
@click.option("--ages", multiple=True, metavar="TRANCHE=N,…", help=AGES_HELP)
@click.option(
    "--titre", metavar="TEXTE", help="Titre de l'atelier (par défaut : celui de la leçon)."
)
@click.option("--commune", metavar="NOM", help="Commune (par défaut : celle de la structure).")
@click.option("--code-postal", metavar="CODE", help="Code postal de la commune.")
@click.option(
    "--support",
    metavar="SUPPORT",
    help="Sans leçon : impression-3d, tablette-smartphone, pc, robot ou microcontroleur.",
)
def open_cmd(
    lecon: str | None,
    lieu: str | None,
    participants: int,
    ages: tuple[str, ...],
    titre: str | None,
    commune: str | None,
    code_postal: str | None,
    support: str | None,
) -> None:
    """Ouvre un atelier : les impressions, défis et cartes programmées y sont notés seuls.

    LEÇON (kit lesson list) donne le titre, les thématiques, le matériel et le niveau proposés
    à la fermeture. Seuls des nombres sont notés, jamais de noms.
    """
    from journal.model import SessionFields

    defaults = _lesson_defaults(lecon)
    title = titre or defaults.title
    if not title:
        raise KitError("Donnez la leçon de l'atelier ou son titre (--titre).")
    people = _participants(participants, ages, (), ())
    with _open_journal() as journal:
        fields = SessionFields(
            title=title,
            lesson=defaults.lesson,
            support=_check_support(support) or defaults.support,
            themes=defaults.themes,
            equipment=defaults.equipment,
            level=defaults.level,
            participants=people,
            **_place(journal, lieu, commune, code_postal),
        )
        session = journal.open_session(fields)
    console.print(
        f"[green]Atelier ouvert[/green] : « {escape(session.title)} », "
        f"{session.participants.total} participant{'s' if session.participants.total > 1 else ''}"
        f", le {session.started_at:%d/%m/%Y à %H:%M}."
    )
    console.print(
        "Les impressions, vérifications, programmes du robot (défis) et cartes programmées "
        "sont notés jusqu'à « kit atelier fermer »."
    )


def _ask_text(label: str, default: str) -> str:
    return str(click.prompt(label, default=default, show_default=True, err=True)).strip()


def _elapsed_minutes(session: Session) -> int:
    from journal.coop import MAX_DUREE_MIN
    from journal.store import now_local

    minutes = round((now_local() - session.started_at).total_seconds() / 60)
    return min(max(minutes, 1), MAX_DUREE_MIN)


@atelier.command("fermer")
@click.option(
    "--participants", type=click.IntRange(0, 10_000), metavar="N", help="Nombre de participants."
)
@click.option("--ages", multiple=True, metavar="TRANCHE=N,…", help=AGES_HELP)
@click.option("--genres", multiple=True, metavar="GENRE=N,…", help=GENRES_HELP)
@click.option("--statuts", multiple=True, metavar="STATUT=N,…", help=STATUTS_HELP)
@click.option("--niveau", metavar="NIVEAU", help="debutant, intermediaire ou avance.")
@click.option(
    "--thematiques", metavar="A,B", help="Thématiques de La Coop, séparées par des virgules."
)
@click.option("--materiel", metavar="A,B", help="ordinateur, telephone, tablette, autre, aucun.")
@click.option(
    "--duree",
    type=click.IntRange(1, 23 * 60 + 59),
    metavar="MINUTES",
    help="Durée en minutes (par défaut : depuis l'ouverture).",
)
@click.option("--notes", metavar="TEXTE", help="Notes (sans nom de participant).")
@click.option("--oui", is_flag=True, help="Ne pose pas de question : valeurs proposées et options.")
def close_cmd(
    participants: int | None,
    ages: tuple[str, ...],
    genres: tuple[str, ...],
    statuts: tuple[str, ...],
    niveau: str | None,
    thematiques: str | None,
    materiel: str | None,
    duree: int | None,
    notes: str | None,
    oui: bool,
) -> None:
    """Ferme l'atelier ouvert et demande ce que le kit ne peut pas savoir.

    Les réponses proposées viennent de l'ouverture et de la leçon ; Entrée les garde. Sans
    terminal (ou avec --oui), rien n'est demandé : les options et les valeurs proposées
    sont enregistrées.
    """
    from journal import coop
    from journal.model import Participants, SessionFields

    with _open_journal() as journal:
        session = journal.current_session()
        if session is None:
            raise KitError(
                "Aucun atelier n'est ouvert.",
                hint="« kit atelier ouvrir » en commence un ; « kit atelier ajouter » note un "
                "atelier déjà fait.",
            )
        interactive = not oui and sys.stdin.isatty()
        total = participants if participants is not None else session.participants.total
        given = session.participants.given()
        texts = {
            "tranche_age": ages or (counts_text(given.get("tranche_age", {})),),
            "genre": genres or (counts_text(given.get("genre", {})),),
            "statut_social": statuts or (counts_text(given.get("statut_social", {})),),
        }
        level = niveau if niveau is not None else session.level or ""
        themes_text = thematiques if thematiques is not None else ",".join(session.themes)
        equipment_text = materiel if materiel is not None else ",".join(session.equipment)
        minutes = duree if duree is not None else _elapsed_minutes(session)
        notes_text = notes if notes is not None else session.notes
        if interactive:
            err_console.print(
                f"Fermeture de « {escape(session.title)} » : Entrée garde la valeur proposée."
            )
            total = int(
                click.prompt(
                    "Nombre de participants",
                    default=total,
                    type=click.IntRange(0, 10_000),
                    err=True,
                )
            )
            texts["tranche_age"] = (
                _ask_text("Par tranche d'âge (12-18=6,60-69=2…)", texts["tranche_age"][0]),
            )
            texts["genre"] = (_ask_text("Par genre (f=5,m=3)", texts["genre"][0]),)
            texts["statut_social"] = (
                _ask_text("Par statut (scolarise=8, en-emploi=2…)", texts["statut_social"][0]),
            )
            level = _ask_text("Niveau (debutant, intermediaire, avance)", level)
            themes_text = _ask_text("Thématiques (séparées par des virgules)", themes_text)
            equipment_text = _ask_text(
                "Matériel (ordinateur, telephone, tablette, autre, aucun)", equipment_text
            )
            minutes = int(
                click.prompt(
                    "Durée en minutes",
                    default=minutes,
                    type=click.IntRange(1, coop.MAX_DUREE_MIN),
                    err=True,
                )
            )
            notes_text = _ask_text("Notes (sans nom)", notes_text)
        people = Participants.build(
            total, {category: parse_counts(category, text) for category, text in texts.items()}
        )
        fields = SessionFields(
            title=session.title,
            lesson=session.lesson,
            support=session.support,
            place_type=session.place_type,
            commune=session.commune,
            postal_code=session.postal_code,
            insee_code=session.insee_code,
            themes=parse_values("une thématique", themes_text, coop.THEMATIQUES),
            equipment=parse_values("un matériel", equipment_text, coop.MATERIELS),
            level=level.strip() or None,
            notes=notes_text,
            participants=people,
        )
        closed = journal.close_session(session.id, fields, minutes)
    _show_closed(closed)


def _session_line(session: Session) -> str:
    """« Titre », le 05/11/2026, 1 h 30, 9 participants."""
    from journal.periods import minutes_fr

    people = session.participants.total
    return (
        f"« {escape(session.title)} », le {session.day:%d/%m/%Y}, "
        f"{minutes_fr(session.duration_min)}, {people} participant{'s' if people > 1 else ''}."
    )


def _show_closed(session: Session) -> None:
    console.print(f"[green]Atelier fermé[/green] : {_session_line(session)}")
    summary = session.activity.summary_fr()
    if summary:
        console.print(f"Noté par le kit : {summary}.")
    console.print(
        "Pour La Coop : « kit journal export --periode "
        f"{session.day.year}-T{(session.day.month - 1) // 3 + 1} --format csv »."
    )


@atelier.command("ajouter")
@click.argument("lecon", required=False, metavar="[LEÇON]")
@click.option(
    "--titre", metavar="TEXTE", help="Titre de l'atelier (par défaut : celui de la leçon)."
)
@click.option(
    "--date",
    "date_text",
    metavar="AAAA-MM-JJ",
    help="Jour de l'atelier (par défaut : aujourd'hui).",
)
@click.option("--heure", metavar="HH:MM", help="Heure de début (par défaut : 14:00).")
@click.option(
    "--duree",
    type=click.IntRange(1, 23 * 60 + 59),
    metavar="MINUTES",
    help="Durée en minutes (par défaut : celle de la leçon).",
)
@click.option(
    "--participants",
    type=click.IntRange(0, 10_000),
    required=True,
    metavar="N",
    help="Nombre de participants.",
)
@click.option("--ages", multiple=True, metavar="TRANCHE=N,…", help=AGES_HELP)
@click.option("--genres", multiple=True, metavar="GENRE=N,…", help=GENRES_HELP)
@click.option("--statuts", multiple=True, metavar="STATUT=N,…", help=STATUTS_HELP)
@click.option("--lieu", metavar="TYPE", help=PLACE_HELP)
@click.option("--commune", metavar="NOM", help="Commune (par défaut : celle de la structure).")
@click.option("--code-postal", metavar="CODE", help="Code postal de la commune.")
@click.option("--niveau", metavar="NIVEAU", help="debutant, intermediaire ou avance.")
@click.option("--thematiques", metavar="A,B", help="Thématiques de La Coop (virgules).")
@click.option("--materiel", metavar="A,B", help="ordinateur, telephone, tablette, autre, aucun.")
@click.option(
    "--support",
    metavar="SUPPORT",
    help="Sans leçon : impression-3d, tablette-smartphone, pc, robot ou microcontroleur.",
)
@click.option("--notes", metavar="TEXTE", help="Notes (sans nom de participant).")
def add_cmd(
    lecon: str | None,
    titre: str | None,
    date_text: str | None,
    heure: str | None,
    duree: int | None,
    participants: int,
    ages: tuple[str, ...],
    genres: tuple[str, ...],
    statuts: tuple[str, ...],
    lieu: str | None,
    commune: str | None,
    code_postal: str | None,
    niveau: str | None,
    thematiques: str | None,
    materiel: str | None,
    support: str | None,
    notes: str | None,
) -> None:
    """Note un atelier fait sans le kit (téléphones, ordinateurs…), déjà terminé."""
    from journal import coop
    from journal.model import SessionFields
    from journal.periods import parse_date

    defaults = _lesson_defaults(lecon)
    title = titre or defaults.title
    if not title:
        raise KitError("Donnez la leçon de l'atelier ou son titre (--titre).")
    day = parse_date(date_text) if date_text else dt.date.today()
    try:
        start_time = dt.time.fromisoformat(heure) if heure else dt.time(14, 0)
    except ValueError:
        raise KitError(f"Heure invalide : « {heure} » (HH:MM, par exemple 14:30).") from None
    minutes = duree or defaults.minutes
    if not minutes:
        raise KitError("Donnez la durée de l'atelier en minutes (--duree).")
    themes = (
        parse_values("une thématique", thematiques, coop.THEMATIQUES)
        if thematiques is not None
        else defaults.themes
    )
    equipment = (
        parse_values("un matériel", materiel, coop.MATERIELS)
        if materiel is not None
        else defaults.equipment
    )
    with _open_journal() as journal:
        fields = SessionFields(
            title=title,
            lesson=defaults.lesson,
            support=_check_support(support) or defaults.support,
            themes=themes,
            equipment=equipment,
            level=niveau or defaults.level,
            notes=notes or "",
            participants=_participants(participants, ages, genres, statuts),
            **_place(journal, lieu, commune, code_postal),
        )
        session = journal.add_session(fields, dt.datetime.combine(day, start_time), minutes)
    console.print(f"[green]Atelier ajouté[/green] au journal (n° {session.id}).")
    console.print(_session_line(session))
