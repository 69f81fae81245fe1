# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit config``: show and change the user configuration (secrets always masked)."""

from __future__ import annotations

import json

import click
import tomli_w

from kit import config as cfg
from kit.console import console
from kit.errors import KitError


@click.group()
def config() -> None:
    """Configuration de l'utilisateur (fichier TOML ; les clés d'API restent masquées)."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Affiche la configuration en JSON.")
def show(as_json: bool) -> None:
    """Affiche la configuration (les secrets sont masqués)."""
    data = cfg.masked_config()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console.print(f"[dim]# {cfg.config_path()}[/dim]")
    if not data:
        console.print("[dim]# (configuration vide)[/dim]")
        return
    console.print(tomli_w.dumps(data), markup=False)


@config.command("path")
def path() -> None:
    """Affiche le chemin du fichier de configuration."""
    click.echo(str(cfg.config_path()))


@config.command("set")
@click.argument("key", metavar="CLÉ")
@click.argument("value", metavar="VALEUR")
def set_(key: str, value: str) -> None:
    """Donne la valeur VALEUR à la clé CLÉ (par exemple octoprint.url http://…).

    Clés possibles : octoprint.url, octoprint.cle_api, octoprint.delai_s et, pour chaque
    imprimante de l'atelier, imprimantes.NOM.port, .url, .liaison, .profil, .cle_api. Les
    noms anglais (printers, profile, api_key, backend, timeout_s) sont acceptés aussi.
    """
    from printers.atelier_config import setting_value

    cfg.set_value(key, setting_value(cfg.internal_key(key), value))
    if cfg.is_secret_key(key):
        console.print(f"Secret « {key} » enregistré (fichier protégé {cfg.secrets_path()}).")
    else:
        console.print(f"« {key} » enregistré.")


@config.command("unset")
@click.argument("key", metavar="CLÉ")
def unset(key: str) -> None:
    """Supprime la clé CLÉ."""
    if not cfg.unset_value(key):
        raise KitError(f"La clé « {key} » n'existe pas dans la configuration.")
    console.print(f"« {key} » supprimé.")
