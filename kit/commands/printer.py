# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit printer``: the group; its commands live in ``printer_*.py`` modules beside this one."""

from __future__ import annotations

import click


@click.group()
def printer() -> None:
    """Imprimantes 3D : vérifier un fichier, imprimer, suivre l'atelier."""
