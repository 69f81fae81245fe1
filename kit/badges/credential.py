# SPDX-License-Identifier: GPL-3.0-or-later
"""Building, signing and baking an Open Badges 3.0 credential; the register of delivered badges.

The credential follows OB 3.0 (1EdTech, spec 3.0 with context 3.0.3) on the W3C VC Data Model
2.0: ``type`` ``["VerifiableCredential", "OpenBadgeCredential"]``, ``issuer`` a ``Profile``,
``validFrom``, ``credentialSubject`` an ``AchievementSubject`` whose ``achievement`` carries the
badge's name, description and criteria. The recipient is named by two ``IdentityObject``
identifiers: the first name and initial as given (``identityType`` ``name``, not hashed, the
participant's choice of what is printed) and, when an email is given, only its salted SHA-256
(``identityType`` ``emailAddress``, ``hashed`` true, OB 3.0 §B.1.6 IdentityHash): the address
itself is stored nowhere. ``credentialSubject.id`` is a random ``urn:uuid`` for the recipient,
the identifier verifiers such as openbadgeslib's CLI bind a badge to.

Signing is openbadgeslib's ``OB3LdpSigner`` (Data Integrity, ``eddsa-rdfc-2022``); the same
signed JSON is baked into the PNG (``iTXt`` chunk ``openbadgecredential``) and the SVG
(``<openbadges:credential>``), OB 3.0 §5.3 "Baked badges".
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kit.badges.issuer import Issuer, IssuerProfile
from kit.errors import KitError
from kit.files import atomic_write_text
from kit.paths import state_dir

#: Where the revocation list lives on the atelier's site: one list per signing key (a list is
#: signed by the key of the badges it covers), ``/badges/revocation-KEYID.jwt``.
STATUS_LIST_FOLDER = "/badges/"
#: W3C Bitstring Status List v1.0: 131072 entries at least (herd privacy), indices random.
STATUS_LIST_SIZE = 131072
REGISTER_FILE = "registre.json"
#: A recipient as the participant wants it printed: « Prénom N. ».
MAX_RECIPIENT_CHARS = 60


@dataclass(frozen=True)
class BadgeInfo:
    """What a credential needs to know about a badge definition (from ``lessons/badges``)."""

    slug: str
    name: str
    description: str
    criteria: tuple[str, ...]
    support: str
    tags: tuple[str, ...] = ()

    def criteria_narrative(self) -> str:
        return "\n".join(f"- {line}" for line in self.criteria)


@dataclass(frozen=True)
class Delivery:
    """One delivered badge, as the register (and the atelier's journal) records it."""

    credential_id: str
    badge: str
    badge_name: str
    recipient: str
    issued: str
    reason: str = ""
    status_index: int | None = None
    #: The revocation list (its URL) the index belongs to: one list per signing key.
    status_list: str = ""
    email_hashed: bool = False
    files: tuple[str, ...] = field(default_factory=tuple)
    revoked: bool = False


def badge_state_dir() -> Path:
    return state_dir() / "badges"


def register_path() -> Path:
    return badge_state_dir() / REGISTER_FILE


def status_list_name(profile: IssuerProfile) -> str:
    return f"revocation-{profile.key_id}.jwt"


def status_list_url(profile: IssuerProfile) -> str | None:
    """The public URL of the atelier's revocation list (None without a site)."""
    if not profile.site:
        return None
    return f"{profile.site}{STATUS_LIST_FOLDER}{status_list_name(profile)}"


def achievement_id(profile: IssuerProfile, slug: str) -> str:
    """A stable URI per atelier and badge: on the site when there is one, else a UUID v5."""
    if profile.site:
        return f"{profile.site}/badges/{slug}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{profile.did}/badges/{slug}')}"


def check_recipient(name: str) -> str:
    """The recipient as printed on the badge, or a French error."""
    clean = " ".join(name.split())
    if not clean:
        raise KitError('Indiquez pour qui est le badge : --pour "Prénom N.".')
    if len(clean) > MAX_RECIPIENT_CHARS:
        raise KitError(
            f"Nom trop long pour un badge ({len(clean)} caractères, {MAX_RECIPIENT_CHARS} au "
            "plus) : le prénom et l'initiale du nom suffisent (« Camille D. »)."
        )
    if any(unicodedata.category(c).startswith("C") for c in clean):
        raise KitError("Le nom du participant contient des caractères de contrôle.")
    return clean


def check_email(email: str) -> str:
    clean = email.strip()
    local, at, domain = clean.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in clean):
        raise KitError(f"Adresse e-mail invalide : « {email} » (exemple : camille@exemple.fr).")
    return clean.lower()


def slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "participant"


def build_credential(
    profile: IssuerProfile,
    badge: BadgeInfo,
    recipient: str,
    *,
    email: str | None = None,
    issued: datetime | None = None,
    expires: datetime | None = None,
    status_index: int | None = None,
) -> Any:
    """The unsigned ``OpenBadgeCredential`` (openbadgeslib's model)."""
    from openbadgeslib.ob3 import Achievement, IdentityObject, OpenBadgeCredential, status_entry
    from openbadgeslib.ob3 import Issuer as ObIssuer

    identifiers = [
        IdentityObject(identity_hash=check_recipient(recipient), identity_type="name", hashed=False)
    ]
    if email:
        identifiers.append(IdentityObject.create(check_email(email), salt=secrets.token_hex(8)))
    statuses = []
    list_url = status_list_url(profile)
    if status_index is not None and list_url is not None:
        statuses.append(status_entry(list_url, "revocation", status_index))
    return OpenBadgeCredential(
        issuer=ObIssuer(id=profile.did, name=profile.name, url=profile.site, email=profile.email),
        recipient_id=f"urn:uuid:{uuid.uuid4()}",
        achievement=Achievement(
            id=achievement_id(profile, badge.slug),
            name=badge.name,
            description=badge.description,
            criteria_narrative=badge.criteria_narrative(),
            achievement_type="Badge",
            tags=list(badge.tags),
        ),
        issuance_date=(issued or datetime.now(timezone.utc)).replace(microsecond=0),
        expiration_date=expires,
        identifiers=identifiers,
        credential_status=statuses,
    )


def sign_credential(issuer: Issuer, credential: Any) -> dict[str, Any]:
    """The credential secured with an ``eddsa-rdfc-2022`` Data Integrity proof."""
    from openbadgeslib.errors import LibOpenBadgesException
    from openbadgeslib.ob3 import OB3LdpSigner

    try:
        signer = OB3LdpSigner(
            issuer.private_key_pem, verification_method=issuer.profile.verification_method
        )
        document: dict[str, Any] = signer.sign(credential)
    except LibOpenBadgesException as exc:
        raise KitError(f"Impossible de signer le badge : {exc}") from exc
    # 1EdTech's JSON schema for the credential (tests/data) types ``proof`` as an array; a
    # proof set of one is the same proof (VC Data Integrity §2.1), the signature unchanged.
    document["proof"] = [document["proof"]]
    return document


def credential_text(document: dict[str, Any]) -> str:
    """The signed credential as baked into images and written to the ``.json`` file."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True)


def compact_text(document: dict[str, Any]) -> str:
    """The same credential in as few bytes as possible (for the card's QR code): a Data
    Integrity proof signs the RDF dataset, so any JSON spelling of the document verifies."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def bake_png(png: bytes, text: str) -> bytes:
    from openbadgeslib import baking

    return bytes(baking.bake_png(png, text, keyword=baking.ITXT_KEYWORD_OB3))


def bake_svg(svg: bytes, text: str) -> bytes:
    from openbadgeslib import baking

    return bytes(
        baking.bake_svg(
            svg,
            text,
            comment=" Open Badges 3.0, délivré avec atelier-kit ",
            element=baking.SVG_ELEMENT_OB3,
            namespace=baking.SVG_NS_OB3,
            as_text=True,
        )
    )


# -- the register of delivered badges --------------------------------------------------------
def _read_register() -> list[dict[str, Any]]:
    path = register_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise KitError(
            f"Le registre des badges « {path} » est illisible.",
            hint="Restaurez-le depuis une sauvegarde : il sert à révoquer les badges délivrés.",
        ) from exc
    if not isinstance(data, list):
        raise KitError(f"Le registre des badges « {path} » est mal formé.")
    return [entry for entry in data if isinstance(entry, dict)]


def _write_register(entries: list[dict[str, Any]]) -> None:
    badge_state_dir().mkdir(parents=True, exist_ok=True)
    atomic_write_text(
        register_path(), json.dumps(entries, ensure_ascii=False, indent=2) + "\n", mode=0o600
    )


def _delivery(entry: dict[str, Any]) -> Delivery:
    index = entry.get("status_index")
    return Delivery(
        credential_id=str(entry.get("credential_id", "")),
        badge=str(entry.get("badge", "")),
        badge_name=str(entry.get("badge_name", "")),
        recipient=str(entry.get("recipient", "")),
        issued=str(entry.get("issued", "")),
        reason=str(entry.get("reason", "")),
        status_index=index if isinstance(index, int) else None,
        status_list=str(entry.get("status_list", "")),
        email_hashed=bool(entry.get("email_hashed", False)),
        files=tuple(str(f) for f in entry.get("files", ())),
        revoked=bool(entry.get("revoked", False)),
    )


def delivered_badges() -> list[Delivery]:
    """Every badge this kit delivered, oldest first (for the atelier's journal)."""
    return [_delivery(entry) for entry in _read_register()]


def new_status_index(status_list: str) -> int:
    """A random free index of the revocation list (Bitstring Status List §5.1, privacy)."""
    used = {
        d.status_index
        for d in delivered_badges()
        if d.status_index is not None and d.status_list == status_list
    }
    if len(used) >= STATUS_LIST_SIZE // 2:
        raise KitError("La liste de révocation est presque pleine : créez un nouvel émetteur.")
    while True:
        index = secrets.randbelow(STATUS_LIST_SIZE)
        if index not in used:
            return index


def record_delivery(delivery: Delivery) -> None:
    entries = _read_register()
    entries.append(asdict(delivery))
    _write_register(entries)


def mark_revoked(credential_id: str) -> Delivery:
    """Flag a delivered badge as revoked in the register; a French error if unknown."""
    entries = _read_register()
    for entry in entries:
        if entry.get("credential_id") == credential_id:
            entry["revoked"] = True
            _write_register(entries)
            return _delivery(entry)
    raise KitError(
        f"Ce badge ({credential_id}) n'a pas été délivré par ce kit : impossible de le révoquer.",
        hint="Seul le kit qui a délivré un badge connaît sa place dans la liste de révocation.",
    )
