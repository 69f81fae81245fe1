# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit printer check`` (preflight of a G-code file) and ``kit printer profiles``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kit.clickfr import FiniteFloatRange
from kit.commands.record import record_event
from kit.console import console
from kit.errors import EXIT_FAILURE
from kit.messages import decimal_fr, format_duration_fr, number_fr
from printers.analysis import Analysis, analyse_for_printer
from printers.profile import PrinterProfile, list_profiles

_SEVERITY_FR = {
    "error": ("[bold red]✗ bloquant[/bold red]", 0),
    "warning": ("[yellow]! à vérifier[/yellow]", 1),
    "info": ("[cyan]i info[/cyan]", 2),
}


def _size_fr(width: float, depth: float) -> str:
    """« 20 × 20 mm » in whole millimetres, a tenth under 10 mm; a line (a purge line drawn
    along one axis) as its length: « 180 mm de long »."""
    if min(width, depth) < 1.0:
        return f"{decimal_fr(max(width, depth), 0)} mm de long"
    return " × ".join(decimal_fr(v, 1 if v < 10 else 0) for v in (width, depth)) + " mm"


def _render(
    analysis: Analysis, profile: PrinterProfile, picture: Path | None, how: str | None
) -> None:
    slicer = analysis.slicer
    name = Path(analysis.path).name
    made_by = f" (tranché avec {slicer.name})" if slicer.name else ""
    console.print(f"[bold]{name}[/bold]{made_by}")
    chosen = f", {how}" if how else ""
    console.print(f"Imprimante : {profile.display_name} (profil « {profile.name} »{chosen})")
    line = f"Durée d'impression : [bold]≈ {format_duration_fr(analysis.estimated_seconds)}[/bold]"
    if slicer.estimate_s is not None:
        line += f" (le trancheur annonce {format_duration_fr(slicer.estimate_s)})"
    elif slicer.m73_estimate_s is not None:
        line += f" (le fichier annonce {format_duration_fr(slicer.m73_estimate_s)} par M73)"
    console.print(line)
    console.print(
        f"Chauffe : ≈ {format_duration_fr(analysis.heating_seconds)} — au total "
        f"[bold]≈ {format_duration_fr(analysis.total_seconds)}[/bold]"
    )
    console.print(
        f"Filament ({analysis.material}) : {decimal_fr(analysis.filament_mm / 1000, 2)} m, "
        f"{decimal_fr(analysis.filament_volume_cm3, 2)} cm³, "
        f"{decimal_fr(analysis.filament_g, 1)} g, "
        f"{decimal_fr(analysis.filament_cost_eur, 2)} €"
    )
    box = analysis.bounding_box
    size = analysis.object_size_mm
    if box is not None and size is not None:
        console.print(
            f"Couches : {analysis.layers} — objet : {_size_fr(size[0], size[1])}, "
            f"{decimal_fr(size[2], 1)} mm de haut"
        )
        facts = analysis.facts
        apart = [
            f"{what} {_size_fr(*part.size_mm[:2])}"
            for what, part in (("jupe", facts.skirt_box), ("ligne de purge", facts.purge_box))
            if part is not None
        ]
        if apart:
            sx, sy, _ = box.size_mm
            console.print(
                f"Hors objet : {', '.join(apart)} — en tout {_size_fr(sx, sy)} sur le plateau"
            )
    else:
        console.print(f"Couches : {analysis.layers} — rien n'est extrudé")
    facts = analysis.facts
    if facts.objects:
        names = ", ".join(sorted(facts.objects))
        console.print(f"Objets ({len(facts.objects)}) : {names}")
    if facts.tool_changes:
        console.print(f"Changements d'outil : {facts.tool_changes}")
    if analysis.slot_minutes is not None:
        if analysis.fits_slot:
            console.print(
                f"Créneau de {number_fr(analysis.slot_minutes)} min : [green]ça tient[/green], "
                "chauffe comprise."
            )
        else:
            console.print(
                f"Créneau de {number_fr(analysis.slot_minutes)} min : "
                "[bold red]ça ne tient pas[/bold red]."
            )
    console.print()
    if analysis.checks:
        console.print("[bold]Vérifications[/bold]")
        for check in analysis.checks:
            label = _SEVERITY_FR.get(check.severity, (check.severity, 3))[0]
            console.print(f"  {label} : {check.message}")
    else:
        console.print("[bold]Vérifications[/bold] : rien à signaler.")
    console.print()
    if picture is not None:
        console.print(f"Image enregistrée : {picture}")
    if analysis.printable:
        console.print("[bold green]Verdict : imprimable.[/bold green]")
    else:
        errors = sum(1 for c in analysis.checks if c.severity == "error")
        plural = "s" if errors > 1 else ""
        console.print(
            f"[bold red]Verdict : ne pas lancer ce fichier ({errors} problème{plural} "
            f"bloquant{plural}).[/bold red]"
        )


@click.command("check")
@click.argument("fichier", metavar="FICHIER", type=click.Path(dir_okay=True, path_type=Path))
@click.option(
    "--profile",
    "profile_name",
    metavar="NOM",
    default=None,
    help="Profil de l'imprimante (voir « kit printer profiles ») ou fichier .toml. Par défaut : "
    "celui de l'imprimante pour laquelle le fichier a été tranché, sinon « generic ».",
)
@click.option(
    "--creneau",
    type=FiniteFloatRange(min=1.0),
    metavar="MINUTES",
    help="Durée du créneau de l'atelier : vérifie que l'impression y tient, chauffe comprise.",
)
@click.option("--json", "as_json", is_flag=True, help="Résultat en JSON (pour un script).")
@click.option(
    "--picture",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="IMAGE",
    help="Enregistre une vue de dessus et de face (.png ou .svg).",
)
@click.option(
    "--couche",
    "layers",
    type=click.IntRange(min=1),
    multiple=True,
    metavar="N",
    help="Couche(s) à montrer en vue de dessus sur l'image (par défaut : toutes).",
)
def check(
    fichier: Path,
    profile_name: str | None,
    creneau: float | None,
    as_json: bool,
    picture: Path | None,
    layers: tuple[int, ...],
) -> None:
    """Vérifie un fichier G-code avant de l'imprimer : durée, filament, volume, températures.

    Code de sortie : 0 imprimable, 1 un problème bloquant, 2 fichier illisible.
    """
    if layers and picture is None:
        raise click.UsageError("--couche choisit les couches de l'image : ajoutez --picture.")
    if picture is not None:
        from kit.drawing import check_picture_target

        check_picture_target(picture)
    # The same line checks as kit printer print (line length, encoding, N…*… framing), run
    # during the analysis' read of the file: a file check calls printable is one print accepts.
    analysis, profile, detected = analyse_for_printer(
        fichier, profile_name, slot_minutes=creneau, check_lines=True
    )
    how = None
    if profile_name is None:
        how = "détecté d'après le fichier" if detected else "par défaut : précisez --profile"
    saved = None
    if picture is not None:
        from printers.pictures import draw_file

        saved = draw_file(analysis, profile, picture, layers=layers)
    if as_json:
        import json

        click.echo(json.dumps(analysis.to_json_dict(), ensure_ascii=False, indent=2))
    else:
        _render(analysis, profile, saved, how)
    record_event(
        "check",
        {
            "printable": analysis.printable,
            "estimated_s": analysis.total_seconds,
            "filament_g": analysis.filament_g,
            "cost_eur": analysis.filament_cost_eur,
        },
    )
    if not analysis.printable:
        sys.exit(EXIT_FAILURE)


@click.command("profiles")
@click.option("--json", "as_json", is_flag=True, help="Liste en JSON (pour un script).")
def profiles(as_json: bool) -> None:
    """Liste les profils d'imprimantes connus (à utiliser avec --profile)."""
    known = list_profiles()
    if as_json:
        import json

        data = [
            {
                "name": p.name,
                "display_name": p.display_name,
                "build_volume_mm": list(p.size_mm),
                "hotend_max_c": p.hotend_max_c,
                "bed_max_c": p.bed_max_c,
                "baud": p.baud,
                "firmware": p.firmware,
                "materials": sorted(p.materials),
            }
            for p in known
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table(title="Profils d'imprimantes", title_justify="left")
    table.add_column("Nom", no_wrap=True, style="bold")
    table.add_column("Modèle")
    table.add_column("Volume (mm)")
    table.add_column("Buse max")
    table.add_column("Plateau max")
    table.add_column("Bauds")
    table.add_column("Matériaux")
    for p in known:
        sx, sy, sz = p.size_mm
        table.add_row(
            p.name,
            p.display_name,
            f"{sx:g} × {sy:g} × {sz:g}",
            f"{p.hotend_max_c:g} °C",
            f"{p.bed_max_c:g} °C",
            str(p.baud),
            ", ".join(sorted(p.materials)),
        )
    console.print(table)
