# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit badge``: the atelier delivers, verifies and revokes Open Badges 3.0."""

from __future__ import annotations

import sys
from datetime import datetime, time, timezone
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from kit.console import console
from kit.errors import EXIT_FAILURE, KitError


@click.group()
def badge() -> None:
    """Open Badges 3.0 : délivrer, vérifier et révoquer les badges de l'atelier."""


@badge.command("emetteur")
@click.option("--nom", metavar="NOM", help="Nom de la structure (« Fablab des Tilleuls »).")
@click.option("--site", metavar="URL", help="Site web de l'atelier, en https.")
@click.option("--email", metavar="ADRESSE", help="Adresse e-mail de contact de l'atelier.")
@click.option("--adresse", metavar="TEXTE", help="Adresse postale (imprimée sur les cartes).")
@click.option(
    "--did-web",
    is_flag=True,
    help="Identifie l'atelier par son site (did:web) plutôt que par sa clé (did:key).",
)
@click.option("--remplacer", is_flag=True, help="Remplace l'émetteur et sa clé existants.")
@click.option(
    "--cle-publique",
    "public_key",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FICHIER.pem",
    help="Écrit la clé publique de l'émetteur (pour les vérificateurs qui l'épinglent).",
)
def issuer_cmd(
    nom: str | None,
    site: str | None,
    email: str | None,
    adresse: str | None,
    did_web: bool,
    remplacer: bool,
    public_key: Path | None,
) -> None:
    """Crée l'émetteur des badges de l'atelier (profil et clé de signature).

    Sans --nom : affiche l'émetteur actuel. La clé privée reste dans le fichier protégé des
    secrets ; seule son empreinte est affichée.
    """
    from kit.badges.issuer import KEY_LOSS_FR, NO_ISSUER_HINT, create_issuer, load_profile

    if nom is None:
        if any((site, email, adresse, did_web, remplacer)):
            raise KitError('Indiquez le nom de la structure : --nom "Fablab des Tilleuls".')
        profile = load_profile()
        if profile is None:
            raise KitError("L'atelier n'a pas encore d'émetteur de badges.", hint=NO_ISSUER_HINT)
        _show_profile(profile)
        if public_key is not None:
            _write_public_key(public_key)
        return
    profile = create_issuer(
        nom, site=site, email=email, address=adresse, did_web=did_web, replace=remplacer
    )
    console.print(f"[green]Émetteur créé :[/green] {escape(profile.name)}", highlight=False)
    _show_profile(profile)
    from kit.config import secrets_path

    console.print(f"Clé privée enregistrée dans le fichier protégé {secrets_path()}.")
    if profile.did.startswith("did:web:"):
        path = _write_did_document()
        console.print(
            f"Publiez [bold]{path}[/bold] à l'adresse "
            f"{profile.site}/.well-known/did.json : c'est là que les vérificateurs liront la "
            "clé publique de l'atelier.",
            highlight=False,
        )
    console.print(f"[yellow]À savoir :[/yellow] {KEY_LOSS_FR}", highlight=False)
    if public_key is not None:
        _write_public_key(public_key)


def _write_public_key(path: Path) -> None:
    from kit.badges.issuer import load_issuer
    from kit.files import atomic_write_bytes

    written = atomic_write_bytes(path, load_issuer().public_key_pem())
    console.print(f"Clé publique écrite : {written}", highlight=False)


def _write_did_document() -> Path:
    from kit.badges.credential import badge_state_dir
    from kit.badges.issuer import did_document_json, load_issuer
    from kit.files import atomic_write_text

    badge_state_dir().mkdir(parents=True, exist_ok=True)
    return atomic_write_text(badge_state_dir() / "did.json", did_document_json(load_issuer()))


def _show_profile(profile: object) -> None:
    from kit.badges.issuer import IssuerProfile

    assert isinstance(profile, IssuerProfile)
    rows = [
        ("Nom", profile.name),
        ("Identifiant", profile.did),
        ("Site", profile.site or "—"),
        ("E-mail", profile.email or "—"),
        ("Adresse", profile.address or "—"),
        ("Empreinte de la clé", profile.fingerprint or "—"),
    ]
    for label, value in rows:
        console.print(f"  {label} : {escape(value)}", highlight=False)


@badge.command("liste")
def list_cmd() -> None:
    """Les badges que l'atelier peut délivrer (lessons/badges)."""
    from lessons.badge_catalog import load_all_badges
    from lessons.model import SUPPORTS

    table = Table(title="Badges (kit badge delivrer NOM --pour …)", title_justify="left")
    table.add_column("Nom", no_wrap=True, style="bold")
    table.add_column("Badge")
    table.add_column("Support")
    table.add_column("Obtenu par")
    for item in load_all_badges():
        table.add_row(item.slug, item.name, SUPPORTS[item.support], item.earned_by_fr)
    console.print(table)


@badge.command("delivres")
def delivered_cmd() -> None:
    """Les badges délivrés par ce kit (registre de l'atelier)."""
    from kit.badges.credential import delivered_badges
    from kit.messages import date_fr

    deliveries = delivered_badges()
    if not deliveries:
        console.print("Aucun badge délivré pour l'instant.")
        return
    table = Table(title="Badges délivrés", title_justify="left")
    table.add_column("Date", no_wrap=True)
    table.add_column("Badge")
    table.add_column("Pour")
    table.add_column("Motif")
    table.add_column("État", no_wrap=True)
    for d in deliveries:
        try:
            day = date_fr(datetime.fromisoformat(d.issued).date())
        except ValueError:
            day = d.issued
        state = "révoqué" if d.revoked else "valide"
        table.add_row(day, d.badge_name, d.recipient, d.reason or "—", state)
    console.print(table)


def _parse_day(value: str) -> datetime:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(
            f"« {value} » n'est pas une date AAAA-MM-JJ (exemple : 2027-06-30)."
        ) from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.utc)


def print_delivered(delivered: object) -> None:
    """What was written for one delivered badge."""
    from lessons.badge_delivery import DeliveredBadge

    assert isinstance(delivered, DeliveredBadge)
    d = delivered.delivery
    # The journal counts badges by identifier only: the recipient's name stays in the badge.
    from kit.commands.record import record_event

    record_event("badge", {"badge": d.badge, "count": 1})
    console.print(
        f"[bold green]Badge « {escape(d.badge_name)} » délivré à "
        f"{escape(d.recipient)}[/bold green]",
        highlight=False,
    )
    console.print(f"  • image PNG (badge signé) : {delivered.png}", highlight=False)
    console.print(f"  • image SVG (badge signé) : {delivered.svg}", highlight=False)
    console.print(f"  • carte A6 à imprimer : {delivered.pdf}", highlight=False)
    console.print(f"  • badge en JSON : {delivered.json}", highlight=False)
    if d.email_hashed:
        console.print(
            "  L'adresse e-mail n'est enregistrée nulle part : le badge n'en garde qu'une "
            "empreinte salée, qui permet à la personne de prouver que le badge est le sien."
        )
    if d.status_index is None:
        console.print(
            "  [yellow]Sans site web déclaré, ce badge ne pourra pas être révoqué.[/yellow]"
        )


@badge.command("delivrer")
@click.argument("nom_badge", metavar="BADGE")
@click.option("--pour", "pour", required=True, metavar='"Prénom N."', help="Le participant.")
@click.option("--email", metavar="ADRESSE", help="Son e-mail (seule une empreinte est gardée).")
@click.option(
    "-o",
    "--sortie",
    "sortie",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DOSSIER",
    help="Dossier où écrire le badge (PNG, SVG, JSON) et sa carte A6 (PDF).",
)
@click.option("--expire-le", "expire_le", metavar="AAAA-MM-JJ", help="Date de fin de validité.")
def deliver_cmd(
    nom_badge: str, pour: str, email: str | None, sortie: Path, expire_le: str | None
) -> None:
    """Délivre le badge BADGE (kit badge liste) à un participant, sur décision de l'animateur."""
    from lessons.badge_delivery import deliver

    expires = _parse_day(expire_le) if expire_le else None
    delivered = deliver(
        nom_badge, pour, sortie, email=email, expires=expires, reason="décision de l'animateur"
    )
    print_delivered(delivered)
    console.print(
        f"Vérifier : [bold]kit badge verifier {escape(str(delivered.png))}[/bold]",
        highlight=False,
    )


def deliver_for_challenge(challenge: str, recipient: str, folder: Path) -> list[object]:
    """The badges a passed challenge earns, delivered (``kit robot run … --badge``)."""
    from lessons.badge_catalog import badges_for_challenge
    from lessons.badge_delivery import deliver

    earned = badges_for_challenge(challenge)
    if not earned:
        console.print(f"Le défi « {escape(challenge)} » ne fait gagner aucun badge.")
        return []
    delivered: list[object] = []
    for definition in earned:
        result = deliver(definition.slug, recipient, folder, reason=f"défi « {challenge} » réussi")
        print_delivered(result)
        delivered.append(result)
    return delivered


def check_badge_request(challenge: str | None, recipient: str) -> None:
    """Before a robot run with ``--badge``: everything a delivery needs is there."""
    from kit.badges.credential import check_recipient
    from kit.badges.issuer import load_issuer

    if challenge is None:
        raise click.UsageError("--badge délivre le badge d'un défi : ajoutez --defi NOM.")
    check_recipient(recipient)
    load_issuer()


_MARKS = {True: "[green]✓[/green]", False: "[red]✗[/red]", None: "[yellow]•[/yellow]"}


@badge.command("verifier")
@click.argument("fichier", metavar="FICHIER.png|.svg|.json")
@click.option(
    "--cle",
    metavar="FICHIER.pem",
    help="Clé publique de l'émetteur, pour un émetteur identifié par une adresse https.",
)
def verify_cmd(fichier: str, cle: str | None) -> None:
    """Vérifie un badge Open Badges 3.0 : signature, émetteur, dates et révocation.

    Marche aussi pour les badges délivrés par d'autres structures.
    """
    from kit.badges.verify import verify_file

    verdict = verify_file(fichier, key_file=cle)
    for ok, text in verdict.checks:
        console.print(f"{_MARKS[ok]} {escape(text)}", highlight=False)
    if verdict.valid:
        console.print("[bold green]Verdict : badge valide.[/bold green]")
        return
    if verdict.unverified:
        console.print(
            f"[bold yellow]Verdict : badge non vérifié — {escape(verdict.summary)}.[/bold yellow]",
            highlight=False,
        )
        sys.exit(EXIT_FAILURE)
    console.print(
        f"[bold red]Verdict : badge NON valide — {escape(verdict.summary)}.[/bold red]",
        highlight=False,
    )
    sys.exit(EXIT_FAILURE)


@badge.command("revoquer")
@click.argument("badge_ref", metavar="FICHIER|IDENTIFIANT")
def revoke_cmd(badge_ref: str) -> None:
    """Révoque un badge délivré par ce kit (son fichier, ou son identifiant urn:uuid:…).

    Met à jour la liste de révocation (Bitstring Status List) à publier sur le site.
    """
    from kit.badges.issuer import load_issuer
    from kit.badges.status import revoke
    from kit.badges.verify import read_credential

    issuer = load_issuer()
    if badge_ref.startswith("urn:"):
        credential_id = badge_ref
    else:
        import json

        text, _carrier = read_credential(badge_ref)
        try:
            credential_id = str(json.loads(text)["id"])
        except (ValueError, KeyError, TypeError):
            raise KitError(
                f"« {badge_ref} » ne contient pas un badge délivré par ce kit."
            ) from None
    delivery, path = revoke(issuer, credential_id)
    console.print(
        f"[bold]Badge « {escape(delivery.badge_name)} » de {escape(delivery.recipient)} "
        "révoqué.[/bold]",
        highlight=False,
    )
    from kit.badges.credential import status_list_url

    console.print(
        f"Publiez la liste de révocation mise à jour : {path}\n"
        f"à l'adresse {status_list_url(issuer.profile)} (elle remplace l'ancienne).",
        highlight=False,
    )
