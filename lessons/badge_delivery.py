# SPDX-License-Identifier: GPL-3.0-or-later
"""Delivering a badge: the signed credential baked into PNG and SVG, and a printable A6 card.

One credential per delivery, signed once: the same JSON is baked into the PNG and the SVG,
written beside them as ``.json``, and carried by the card's QR code (in its most compact
spelling). The card is rendered by WeasyPrint like the lesson fiches; the QR code is drawn by
segno (BSD-3-Clause), the error correction level L so that the whole credential fits.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from kit.badges import credential as cred
from kit.badges.issuer import Issuer, load_issuer
from kit.badges.pictures import COLORS, badge_png, badge_svg
from kit.badges.status import ensure_status_list
from kit.drawing import check_picture_target
from kit.errors import KitError
from kit.files import atomic_write_bytes, atomic_write_text, ensure_folder
from kit.messages import date_fr
from lessons.badge_catalog import BadgeDefinition, load_badge
from lessons.export import french_spaces, html_environment, render_pdf


@dataclass(frozen=True)
class DeliveredBadge:
    delivery: cred.Delivery
    definition: BadgeDefinition
    png: Path
    svg: Path
    json: Path
    pdf: Path


def qr_data_uri(text: str) -> str | None:
    """The QR code of ``text`` as a PNG data URI, or None when it is too long for one."""
    import segno

    try:
        code = segno.make(text, error="l", micro=False, boost_error=False)
    except segno.DataOverflowError:
        return None
    return str(code.png_data_uri(scale=4, border=2))


def card_html(
    definition: BadgeDefinition,
    issuer: Issuer,
    delivery: cred.Delivery,
    *,
    qr_text: str,
    png_name: str,
    expires: datetime | None = None,
) -> str:
    svg = badge_svg(definition.name, definition.support)
    ring, _inner = COLORS.get(definition.support, ("#333333", ""))
    issued = datetime.fromisoformat(delivery.issued)
    return (
        html_environment()
        .get_template("badge.html.j2")
        .render(
            badge_name=definition.name,
            recipient=delivery.recipient,
            issued=date_fr(issued.date()),
            expires=date_fr(expires.date()) if expires else "",
            criteria=[french_spaces(line) for line in definition.criteria],
            issuer_name=issuer.profile.name,
            issuer_site=issuer.profile.site or "",
            issuer_address=issuer.profile.address or "",
            picture_uri="data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"),
            qr_uri=qr_data_uri(qr_text),
            png_name=png_name,
            credential_id=delivery.credential_id,
            color=ring,
        )
    )


_SUFFIXES = (".png", ".svg", ".json", ".pdf")


def _free_paths(folder: Path, stem: str) -> dict[str, Path]:
    """« pilote-mbot-camille-d.png… », then « …-2 », « …-3 »: a badge never overwrites one."""
    number = 1
    while True:
        name = stem if number == 1 else f"{stem}-{number}"
        paths = {suffix: folder / f"{name}{suffix}" for suffix in _SUFFIXES}
        if not any(path.exists() for path in paths.values()):
            return paths
        number += 1


def deliver(
    badge: str,
    recipient: str,
    output_dir: str | Path,
    *,
    email: str | None = None,
    reason: str = "",
    expires: datetime | None = None,
    now: datetime | None = None,
) -> DeliveredBadge:
    """Sign ``badge`` for ``recipient`` and write its PNG, SVG, JSON and A6 card (PDF)."""
    definition = load_badge(badge)
    name = cred.check_recipient(recipient)
    if email is not None:
        cred.check_email(email)
    issued = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    if expires is not None and expires <= issued:
        raise KitError("La date d'expiration du badge doit être dans le futur.")
    issuer = load_issuer()
    folder = ensure_folder(output_dir)
    status_list = cred.status_list_url(issuer.profile)
    index = cred.new_status_index(status_list) if status_list else None
    credential = cred.build_credential(
        issuer.profile,
        definition.info(),
        name,
        email=email,
        issued=issued,
        expires=expires,
        status_index=index,
    )
    document = cred.sign_credential(issuer, credential)
    text = cred.credential_text(document)
    credential_id = str(document["id"])
    paths = _free_paths(folder, f"{definition.slug}-{cred.slugify(name)}")
    check_picture_target(paths[".png"])  # a folder that takes no file: said before any write
    delivery = cred.Delivery(
        credential_id=credential_id,
        badge=definition.slug,
        badge_name=definition.name,
        recipient=name,
        issued=issued.isoformat(),
        reason=reason,
        status_index=index,
        status_list=status_list or "",
        email_hashed=email is not None,
        files=tuple(str(p) for p in paths.values()),
    )
    html = card_html(
        definition,
        issuer,
        delivery,
        qr_text=cred.compact_text(document),
        png_name=paths[".png"].name,
        expires=expires,
    )
    pdf, _pages = render_pdf(html)
    png = cred.bake_png(badge_png(definition.name, definition.support), text)
    svg = cred.bake_svg(badge_svg(definition.name, definition.support), text)
    atomic_write_bytes(paths[".png"], png)
    atomic_write_bytes(paths[".svg"], svg)
    atomic_write_text(paths[".json"], text + "\n")
    atomic_write_bytes(paths[".pdf"], pdf)
    ensure_status_list(issuer)
    cred.record_delivery(delivery)
    return DeliveredBadge(
        delivery=delivery,
        definition=definition,
        png=paths[".png"],
        svg=paths[".svg"],
        json=paths[".json"],
        pdf=paths[".pdf"],
    )
