# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit lesson``: list, show, check and export the déroulés shipped in ``lessons/``."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from kit.clickfr import FoldedChoice
from kit.console import console, err_console
from kit.errors import EXIT_FAILURE, KitError
from kit.files import atomic_write_bytes, atomic_write_text, ensure_folder
from kit.messages import format_duration_fr, number_fr
from lessons.model import SUPPORTS

if TYPE_CHECKING:
    from lessons.model import Lesson
    from lessons.steps import StepResult

# The lessons package is imported inside each command, so that starting the kit stays quick.


def command_exists(argv: Sequence[str]) -> bool:
    """Whether ``kit ARGV`` names a command of this kit (not a group, not an unknown word)."""
    from kit.cli import cli

    current: click.Command = cli
    for word in argv:
        if not isinstance(current, click.Group) or word.startswith("-"):
            break
        found = current.get_command(click.Context(current), word)
        if found is None:
            return False
        current = found
    return not isinstance(current, click.Group)


def command_problem(argv: Sequence[str], complete: bool) -> str | None:
    """Why ``kit ARGV`` is not a command line of this kit (None: it is).

    ``complete``: also parse the arguments and options, as the command would, without running
    it. Otherwise only the command words count (a lesson's prose cites « kit mcu deploy … »).
    """
    from kit.cli import cli
    from lessons.claims import UNKNOWN_COMMAND

    current: click.Command = cli
    words: list[str] = []
    rest = list(argv)
    while rest and isinstance(current, click.Group) and not rest[0].startswith("-"):
        found = current.get_command(click.Context(current), rest[0])
        if found is None:
            return f"{UNKNOWN_COMMAND} « kit {' '.join([*words, rest[0]])} »"
        words.append(rest.pop(0))
        current = found
    if isinstance(current, click.Group):
        return f"« kit {' '.join(words)} » n'est pas une commande complète"
    if not complete:
        return None
    try:
        with current.make_context(" ".join(["kit", *words]), rest) as _:
            pass
    except click.exceptions.Exit:
        return None
    except click.ClickException as exc:
        return exc.format_message()
    return None


@click.group()
def lesson() -> None:
    """Déroulés d'ateliers : lister, afficher, vérifier, exporter en fiches."""


@lesson.command("list")
@click.option(
    "--support",
    metavar="SUPPORT",
    type=FoldedChoice(SUPPORTS, what="Support"),
    help="impression-3d, tablette-smartphone, pc, robot ou microcontrôleur.",
)
@click.option(
    "--public", metavar="MOT", help="Un mot du public visé (ex. : seniors, collégiens, art)."
)
@click.option(
    "--duree", metavar="MINUTES", type=click.IntRange(min=1), help="Durée maximale en minutes."
)
def list_(support: str | None, public: str | None, duree: int | None) -> None:
    """Les leçons disponibles, filtrées par support, public ou durée."""
    from lessons import catalog

    catalog.check_support(support)
    lessons = catalog.select(catalog.load_all(), support=support, public=public, max_minutes=duree)
    if not lessons:
        console.print("[yellow]Aucune leçon ne correspond à ces critères.[/yellow]")
        return
    # The title goes under the identifier: on an 80-column terminal five columns of prose
    # would wrap word by word.
    table = Table(
        title=f"{len(lessons)} leçon(s)", title_justify="left", show_lines=True, expand=True
    )
    widest_id = max(len(item.ident) for item in lessons)
    table.add_column("Leçon", ratio=4, min_width=widest_id)  # identifiers are typed: never cut
    table.add_column("Support", ratio=2)
    table.add_column("Durée", justify="right", no_wrap=True)
    table.add_column("Public", ratio=3)
    for item in lessons:
        heading = Text(item.ident, style="bold")
        heading.append("\n" + item.title, style="")
        table.add_row(
            heading,
            item.support_label,
            f"{item.minutes} min" + ("\ncertif." if item.format == "certification" else ""),
            item.public.who,
        )
    console.print(table)
    console.print("Détail : « kit lesson show IDENTIFIANT » ; répétition : « kit rehearse ».")


def _item(text: str, *, indent: int = 2, style: str = "") -> None:
    """One list item whose wrapped lines stay indented under it."""
    console.print(Padding(Text(text, style=style), (0, 0, 0, indent), expand=False))


def render_lesson(item: Lesson) -> None:
    from lessons.model import MATERIAL_FOR
    from lessons.steps import NOT_YET_AVAILABLE, display, is_available

    console.print(
        Panel(
            Text.assemble(
                (item.title, "bold"),
                f"\n{item.support_label} — {item.format_label}\n",
                f"Public : {item.public.who} ({item.public.age}) — {item.public.level}\n",
                f"Effectif : {item.group_size}",
            ),
            title=item.ident,
            title_align="left",
        )
    )
    if item.introduction:
        console.print(item.introduction, markup=False)
    console.print("\n[bold]Objectifs[/bold]")
    for objective in item.objectives:
        _item(f"{objective.ident}. {objective.text}")
        _item(f"Évaluation : {objective.evaluation}", indent=6, style="dim")
    console.print("\n[bold]Matériel[/bold]")
    for material in item.materials:
        extra = f" — plan B : {material.plan_b}" if material.plan_b else ""
        _item(f"• {material.what} ({MATERIAL_FOR[material.for_whom]}, {material.quantity}){extra}")
    console.print("\n[bold]Préparation[/bold]")
    for number, prep in enumerate(item.preparation, 1):
        _item(f"{number}. {prep.text}")
        if prep.command is not None:
            _print_command(display(prep.command), is_available(prep.command, command_exists))
    console.print()
    start = 0
    for number, phase in enumerate(item.phases, 1):
        body = Text()
        body.append("Animateur : ", "bold").append(phase.animateur)
        body.append("\nParticipants : ", "bold").append(phase.participants)
        if phase.verify:
            body.append("\nVérifier : ", "bold green").append(phase.verify)
        for command in phase.commands:
            body.append(f"\n$ {display(command)}", "cyan")
            if not is_available(command, command_exists):
                body.append(f" ({NOT_YET_AVAILABLE})", "red")
        console.print(
            Panel(
                body,
                title=escape(f"{number}. {phase.kind_label} — {phase.title}"),
                subtitle=f"{start}–{start + phase.minutes} min ({phase.minutes} min)",
                title_align="left",
                subtitle_align="right",
            )
        )
        start += phase.minutes
    console.print("[bold yellow]Points de vigilance[/bold yellow]")
    for line in item.vigilance:
        _item(f"⚠ {line}")
    console.print("\n[bold]Adaptations[/bold]")
    for adaptation in item.adaptations:
        _item(f"• {adaptation.public} : {adaptation.text}")
    console.print("\n[bold]Plan B[/bold]")
    for line in item.plan_b:
        _item(f"• {line}")
    console.print("\n[bold]Ressources[/bold]")
    for line in item.resources:
        _item(f"• {line}")
    _render_claims(item)


def _render_claims(item: Lesson) -> None:
    """What the lesson claims and « kit lesson check » proves, in the animateur's words."""
    from lessons.model import PRINT_EXPECTATIONS

    claims = item.claims
    if claims.empty:
        return
    console.print("\n[bold]Affirmations vérifiées par « kit lesson check »[/bold]")
    for p in claims.prints:
        settings = ", ".join(
            text
            for value, text in (
                (p.layer_mm, f"couches de {number_fr(p.layer_mm or 0, 2)} mm"),
                (p.infill_percent, f"remplissage {number_fr(p.infill_percent or 0, 0)} %"),
                (p.hotend_c, f"buse {number_fr(p.hotend_c or 0, 0)} °C"),
                (p.bed_c, f"plateau {number_fr(p.bed_c or 0, 0)} °C"),
            )
            if value is not None
        )
        _item(
            f"• {Path(p.file).name} ({settings}) : {p.copies} exemplaire(s) sur "
            f"{p.printers} imprimante(s), lancé(s) à la minute {number_fr(p.start_minute, 0)}, "
            f"{PRINT_EXPECTATIONS[p.expected]} « {p.phase} »."
        )
    for s in claims.scripts:
        _item(f"• Programme « {s.name} » sur {s.board}, déposé avant « {s.phase} ».")
    for r in claims.robots:
        _item(f"• {Path(r.program).name} réussit le défi « {r.challenge} » (« {r.phase} »).")


def _print_command(line: str, available: bool) -> None:
    from lessons.steps import NOT_YET_AVAILABLE

    text = Text(f"$ {line}", style="cyan")
    if not available:
        text.append(f" ({NOT_YET_AVAILABLE})", "red")
    console.print(Padding(text, (0, 0, 0, 5), expand=False))


@lesson.command("show")
@click.argument("ident", metavar="IDENTIFIANT")
def show(ident: str) -> None:
    """Affiche un déroulé phase par phase (IDENT : identifiant ou fichier .md)."""
    from lessons import catalog

    render_lesson(catalog.resolve(ident))


def _report_step(result: StepResult) -> None:
    from lessons.steps import display

    if result.ok:
        console.print(
            f"    [green]✓[/green] {display(result.command)} "
            f"[dim]({format_duration_fr(result.seconds)})[/dim]",
            highlight=False,
        )
        return
    console.print(f"    [red]✗[/red] {display(result.command)}", highlight=False)
    for problem in result.problems:
        console.print(f"      [red]{problem}[/red]", highlight=False)
    if result.output.strip():
        tail = "\n".join(result.output.strip().splitlines()[-6:])
        console.print(f"[dim]{tail}[/dim]", markup=False, highlight=False)


@lesson.command("check")
@click.argument("ident", metavar="[IDENTIFIANT]", required=False)
@click.option(
    "--sans-commandes", is_flag=True, help="Ne lance pas les commandes du kit (schéma et timings)."
)
@click.option(
    "--sortie",
    metavar="DOSSIER",
    type=click.Path(file_okay=False, path_type=Path),
    help="Garde les images produites par les commandes dans ce dossier.",
)
def check(ident: str | None, sans_commandes: bool, sortie: Path | None) -> None:
    """Vérifie le schéma, les timings et les commandes d'une leçon (ou de toutes)."""
    from lessons import catalog
    from lessons.checks import check_catalogue, check_lesson
    from lessons.claims import check_claims
    from lessons.steps import run_step

    lessons = [catalog.resolve(ident)] if ident else catalog.load_all()
    if sortie is not None and not sans_commandes:
        ensure_folder(sortie)
    findings = [] if ident else check_catalogue(lessons)
    failures = 0
    warnings = 0
    with tempfile.TemporaryDirectory(prefix="kit-lecons-") as tmp:
        for item in lessons:
            out = (sortie or Path(tmp)) / item.ident
            out.mkdir(parents=True, exist_ok=True)
            claimed = check_claims(
                item, out, command_exists, command_problem, run=not sans_commandes
            )
            found = check_lesson(item) + claimed
            problems = [finding for finding in found if not finding.warning]
            findings.extend(problems)
            warnings += len(found) - len(problems)
            status = "[green]✓[/green]" if not problems else "[red]✗[/red]"
            console.print(
                f"{status} [bold]{item.ident}[/bold] — {item.phase_minutes}/{item.minutes} min, "
                f"{len(item.phases)} phases"
            )
            claims = item.claims
            if not claims.empty:
                mark = "[green]✓[/green]" if not claimed else "[red]✗[/red]"
                console.print(
                    f"    {mark} affirmations : {len(claims.prints)} impression(s), "
                    f"{len(claims.scripts)} programme(s) de carte, {len(claims.robots)} "
                    "programme(s) de robot" + (" (sans les simulateurs)" if sans_commandes else ""),
                    highlight=False,
                )
            for problem in found:
                where = f"ligne {problem.line} : " if problem.line else ""
                if problem.warning:
                    console.print(
                        f"    [yellow]! {where}{escape(problem.message)}[/yellow]", highlight=False
                    )
                else:
                    message = escape(problem.message)
                    console.print(f"    [red]{where}{message}[/red]", highlight=False)
            if sans_commandes:
                continue
            for command in item.commands():
                result = run_step(command, out, command_exists)
                _report_step(result)
                if not result.ok:
                    failures += 1
    for finding in findings:
        if finding.where == "catalogue":
            console.print(f"[red]✗ catalogue : {finding.message}[/red]", highlight=False)
    if findings or failures:
        raise KitError(
            f"{len(findings)} problème(s) de contenu, {failures} commande(s) en échec.",
            exit_code=EXIT_FAILURE,
        )
    extra = f" ({warnings} avertissement(s) de rythme)" if warnings else ""
    console.print(
        f"[bold green]{len(lessons)} leçon(s) vérifiée(s), tout est bon.[/bold green]{extra}"
    )


@lesson.command("export")
@click.argument("ident", metavar="IDENTIFIANT")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf"]), help="md, html ou pdf.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FICHIER",
    required=True,
    help="Fichier à écrire.",
)
@click.option("--sans-images", is_flag=True, help="Ne produit pas les images sur les simulateurs.")
def export(ident: str, fmt: str | None, output: Path, sans_images: bool) -> None:
    """Exporte la fiche animateur et la fiche participant (Markdown, HTML ou PDF)."""
    from lessons import catalog
    from lessons import export as exporter

    item = catalog.resolve(ident)
    fmt = fmt or output.suffix.lstrip(".").lower()
    if fmt not in exporter.FORMATS:
        what = f"Format d'export inconnu : « {fmt} »." if fmt else "Format d'export non précisé."
        raise KitError(what, hint="Choisissez --format md, html ou pdf (ou un fichier .pdf…).")
    if not output.parent.is_dir():
        raise KitError(f"Le dossier « {output.parent} » n'existe pas.")
    with tempfile.TemporaryDirectory(prefix="kit-fiche-") as tmp:
        pictures: list[exporter.Picture] = []
        if not sans_images:
            with err_console.status("Images des fiches sur les simulateurs…"):
                pictures, warnings = exporter.make_pictures(item, Path(tmp), command_exists)
            for warning in warnings:
                err_console.print(f"[yellow]Attention :[/yellow] {warning}", highlight=False)
        if fmt == "md":
            names = {pic.filename: f"{output.stem}-{pic.filename}" for pic in pictures}
            ctx = exporter.context(item, command_exists, pictures, picture_names=names)
            for pic in pictures:
                atomic_write_bytes(output.parent / names[pic.filename], pic.png)
            atomic_write_text(output, exporter.render_markdown(item, ctx))
            console.print(f"Fiches écrites : {output} ({len(pictures)} image(s) à côté).")
            return
        ctx = exporter.context(item, command_exists, pictures)
        html = exporter.render_html(item, ctx)
        if fmt == "html":
            atomic_write_text(output, html)
            console.print(f"Fiches écrites : {output} (à ouvrir dans un navigateur).")
            return
        with err_console.status("Mise en page PDF…"):
            data, pages = exporter.render_pdf(html)
        atomic_write_bytes(output, data)
        console.print(f"Fiches écrites : {output} ({pages} pages A4).")


__all__ = ["lesson", "command_exists", "render_lesson"]
