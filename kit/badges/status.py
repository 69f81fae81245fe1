# SPDX-License-Identifier: GPL-3.0-or-later
"""The atelier's revocation list: a W3C Bitstring Status List v1.0, signed, to publish.

Each badge delivered by an atelier that has a site carries a ``credentialStatus`` entry
(``BitstringStatusListEntry``, purpose ``revocation``) pointing at a random bit of the list
served at ``https://SITE/badges/revocation-KEYID.jwt``, one list per signing key. The list is a
``BitstringStatusListCredential`` signed by the atelier's key as a VC-JWT (openbadgeslib's
``sign_status_list_credential``; the encoding is GZIP then base64url, multibase ``u``, as the
W3C Recommendation says). The kit keeps the current list in its state folder, rewrites it on
each revocation and tells the animateur to publish it; a verifier fetches it from the site,
and the kit reads its own copy, offline.
"""

from __future__ import annotations

from pathlib import Path

from kit.badges.credential import (
    STATUS_LIST_FOLDER,
    STATUS_LIST_SIZE,
    Delivery,
    badge_state_dir,
    delivered_badges,
    mark_revoked,
    status_list_name,
    status_list_url,
)
from kit.badges.issuer import Issuer
from kit.errors import KitError
from kit.files import atomic_write_text


def status_list_path(issuer: Issuer) -> Path:
    """The kit's copy of the list of ``issuer``'s current key (the file to publish)."""
    return badge_state_dir() / status_list_name(issuer.profile)


def _require_site(issuer: Issuer) -> str:
    url = status_list_url(issuer.profile)
    if url is None:
        raise KitError(
            "Sans site web, l'atelier ne peut pas publier de liste de révocation : ses badges "
            "ne peuvent pas être révoqués.",
            hint="Déclarez le site de l'atelier pour les prochains badges : "
            "kit badge emetteur --remplacer --nom … --site https://…",
        )
    return url


def write_status_list(issuer: Issuer) -> Path:
    """Sign and write the current revocation list (every revoked index set)."""
    from openbadgeslib.ob3 import build_status_list_credential, sign_status_list_credential

    url = _require_site(issuer)
    revoked = [
        d.status_index
        for d in delivered_badges()
        if d.revoked and d.status_index is not None and d.status_list == url
    ]
    document = build_status_list_credential(
        issuer.profile.did, url, "revocation", revoked, size_bits=STATUS_LIST_SIZE
    )
    token = sign_status_list_credential(document, issuer.private_key_pem, "EdDSA")
    badge_state_dir().mkdir(parents=True, exist_ok=True)
    return atomic_write_text(status_list_path(issuer), token + "\n")


def ensure_status_list(issuer: Issuer) -> Path | None:
    """Write the list once, so that it exists (and can be published) from the first badge."""
    if status_list_url(issuer.profile) is None:
        return None
    path = status_list_path(issuer)
    return path if path.is_file() else write_status_list(issuer)


def revoke(issuer: Issuer, credential_id: str) -> tuple[Delivery, Path]:
    """Revoke a badge this kit delivered: flag it, then rewrite and re-sign the list."""
    _require_site(issuer)
    known = next((d for d in delivered_badges() if d.credential_id == credential_id), None)
    if known is not None and known.status_index is None:
        raise KitError(
            "Ce badge a été délivré sans liste de révocation (l'atelier n'avait pas encore de "
            "site) : il ne peut pas être révoqué.",
        )
    if known is not None and known.status_list != status_list_url(issuer.profile):
        raise KitError(
            "Ce badge a été signé par une ancienne clé de l'atelier : sa liste de révocation "
            "ne peut plus être signée, il ne peut donc plus être révoqué.",
        )
    delivery = mark_revoked(credential_id)
    return delivery, write_status_list(issuer)


def local_status_list(url: str, issuer: Issuer | None) -> bytes | None:
    """The kit's own copy of a list this atelier published at ``url`` (an offline check; the
    list is then verified like a downloaded one, against the badge issuer's key), else None."""
    if issuer is None or not issuer.profile.site:
        return None
    folder, _slash, name = url.rpartition("/")
    if folder + "/" != f"{issuer.profile.site}{STATUS_LIST_FOLDER}" or not name:
        return None
    if name == status_list_name(issuer.profile):
        return ensure_status_list(issuer).read_bytes()  # type: ignore[union-attr]
    try:
        return (badge_state_dir() / name).read_bytes()  # a list of a former key
    except OSError:
        return None
