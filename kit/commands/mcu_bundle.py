# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit mcu bundle``: the CircuitPython library bundles kept in the kit's cache."""

from __future__ import annotations

import click
from rich.markup import escape

from kit.console import console
from kit.messages import number_fr


@click.group("bundle")
def bundle() -> None:
    """Bundles de bibliothèques CircuitPython (Adafruit, Community) gardés en cache."""


@bundle.command("list")
def list_cmd() -> None:
    """Montre les bundles en cache : version, date, nombre de bibliothèques."""
    from firmware.bundles import bundles_dir, list_bundles

    found = list_bundles()
    console.print(f"Cache des bundles : {escape(str(bundles_dir()))}", highlight=False)
    if not found:
        console.print(
            "Aucun bundle en cache. Avec Internet : « kit mcu bundle update » ; sinon "
            "« kit mcu bundle add FICHIER.zip »."
        )
        return
    for item in found:
        kind = f"CircuitPython {item.major}.x (.mpy)" if item.major else "sources (.py)"
        console.print(
            f"  [bold]{escape(item.source_name)}[/bold] {escape(kind)} — version {item.tag} "
            f"du {item.date_fr}, {number_fr(len(item.libraries), 0)} bibliothèques "
            f"[dim]({escape(item.path.name)})[/dim]",
            highlight=False,
        )


@bundle.command("add")
@click.argument("zip_file", metavar="FICHIER.zip")
def add_cmd(zip_file: str) -> None:
    """Ajoute au cache un bundle téléchargé ailleurs (zip de circuitpython.org/libraries)."""
    from firmware.bundles import add_bundle

    added = add_bundle(zip_file)
    kind = f"CircuitPython {added.major}.x" if added.major else "sources .py"
    console.print(
        f"[green]Ajouté :[/green] bundle {escape(added.source_name)} ({escape(kind)}) du "
        f"{added.date_fr}, {number_fr(len(added.libraries), 0)} bibliothèques.",
        highlight=False,
    )


@bundle.command("update")
def update_cmd() -> None:
    """Télécharge les derniers bundles depuis GitHub (il faut Internet)."""
    from firmware.bundles import update_bundles

    console.print("Recherche des derniers bundles (GitHub)…")
    for item in update_bundles():
        console.print(
            f"  {escape(item.label)} : {number_fr(len(item.libraries), 0)} bibliothèques",
            highlight=False,
        )
    console.print("[green]Bundles à jour.[/green]")


def register(group: click.Group) -> None:
    """Attach this module's commands to ``kit mcu``."""
    group.add_command(bundle)
