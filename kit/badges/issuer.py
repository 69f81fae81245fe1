# SPDX-License-Identifier: GPL-3.0-or-later
"""The atelier as an Open Badges issuer: its public profile and its Ed25519 private key.

The profile (name, site, email, postal address, DID) is ordinary configuration
(``badges.emetteur.*`` in ``config.toml``); the private key is a secret, kept like the
OctoPrint API key in ``secrets.toml`` (mode 0600, written atomically) under
``badges.emetteur.cle``. The key is never printed nor logged: ``kit config show`` renders it as
its fingerprint (:func:`key_fingerprint`), the SHA-256 of the raw public key in the style of
OpenSSH (``SHA256:…``), which also identifies the ``did:key``.

The issuer is identified by ``did:key`` (the public key itself, verifiable anywhere, offline)
or, for an atelier that publishes a web site, by ``did:web`` (its DID document, written by
:func:`did_document`, must then be served at ``https://SITE/.well-known/did.json``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from kit import config as cfg
from kit.errors import KitError

PROFILE_KEY = "badges.emetteur"
SECRET_KEY = "badges.emetteur.cle"
#: The verification method fragment of a did:web issuer's key, then the key's id.
DID_WEB_FRAGMENT = "cle"

NO_ISSUER_HINT = (
    "Créez d'abord l'émetteur de l'atelier : "
    'kit badge emetteur --nom "Fablab des Tilleuls" --site https://fablab.example'
)

#: What losing the key means, said when the key is created and when it is replaced.
KEY_LOSS_FR = (
    "Si cette clé est perdue ou remplacée, les badges déjà délivrés restent vérifiables "
    "(ils portent la clé publique de l'atelier dans leur identifiant did:key ; en did:web, "
    "le kit garde les anciennes clés publiques dans le did.json à publier) ; les nouveaux "
    "badges sont signés par la nouvelle clé, et ceux de l'ancienne clé ne peuvent plus être "
    "révoqués. Gardez une copie de secrets.toml sur une clé USB rangée à l'atelier."
)


@dataclass(frozen=True)
class PastKey:
    """A key the atelier signed with before replacing it (public half only)."""

    did: str
    verification_method: str
    public_key_pem: str
    fingerprint: str


@dataclass(frozen=True)
class IssuerProfile:
    """What a credential says about the atelier (OB 3.0 ``Profile``), without the key."""

    name: str
    did: str
    site: str | None = None
    email: str | None = None
    address: str | None = None
    fingerprint: str = ""
    created: str = ""
    public_key_pem: str = ""
    previous_keys: tuple[PastKey, ...] = ()

    @property
    def key_id(self) -> str:
        """8 hexadecimal digits naming the current key (status list, did:web fragment)."""
        return hashlib.sha256(self.fingerprint.encode("ascii")).hexdigest()[:8]

    @property
    def verification_method(self) -> str:
        """The proof's ``verificationMethod``: ``did:key:z…#z…`` or ``did:web:host#cle-…``."""
        if self.did.startswith("did:key:"):
            return f"{self.did}#{self.did.removeprefix('did:key:')}"
        return f"{self.did}#{DID_WEB_FRAGMENT}-{self.key_id}"

    def known_keys(self) -> dict[str, str]:
        """Every verification method of this atelier, current and past, to its public key."""
        keys = {k.verification_method: k.public_key_pem for k in self.previous_keys}
        if self.public_key_pem:
            keys[self.verification_method] = self.public_key_pem
        return keys


@dataclass(frozen=True)
class Issuer:
    """The profile and the private key (PEM, PKCS#8): only for signing, never for display."""

    profile: IssuerProfile
    private_key_pem: bytes

    def __repr__(self) -> str:  # a stray log or traceback never shows the key
        return f"Issuer(profile={self.profile!r}, private_key_pem=<masqué>)"

    def public_key_pem(self) -> bytes:
        return public_key_pem(self.private_key_pem)


def _load_private_key(pem: str | bytes) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise KitError(
            "La clé de l'émetteur enregistrée dans la configuration est illisible.",
            hint="Recréez l'émetteur : kit badge emetteur --remplacer …",
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KitError(
            "La clé de l'émetteur enregistrée n'est pas une clé Ed25519.",
            hint="Recréez l'émetteur : kit badge emetteur --remplacer …",
        )
    return key


def public_key_pem(private_key_pem: str | bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    key = _load_private_key(private_key_pem)
    return bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def key_fingerprint(private_key_pem: str | bytes) -> str:
    """``SHA256:…`` of the raw 32-byte public key (what ``kit config show`` displays)."""
    from cryptography.hazmat.primitives import serialization

    raw = (
        _load_private_key(private_key_pem)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    digest = base64.b64encode(hashlib.sha256(raw).digest()).decode("ascii").rstrip("=")
    return f"SHA256:{digest}"


def _check_site(site: str) -> str:
    parts = urlsplit(site)
    if parts.scheme != "https" or not parts.hostname or "@" in site:
        raise KitError(
            f"Adresse de site invalide : « {site} ».",
            hint="Donnez l'adresse complète du site, en https : --site https://fablab.example",
        )
    return site.rstrip("/")


def _check_email(email: str) -> str:
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in email):
        raise KitError(f"Adresse e-mail invalide : « {email} » (exemple : contact@fablab.fr).")
    return email


def load_profile() -> IssuerProfile | None:
    """The configured issuer's profile, or None when the atelier has none yet."""
    data = cfg.get_value(PROFILE_KEY)
    if not isinstance(data, dict) or not data.get("id") or not data.get("nom"):
        return None
    return IssuerProfile(
        name=str(data["nom"]),
        did=str(data["id"]),
        site=data.get("site") or None,
        email=data.get("email") or None,
        address=data.get("adresse") or None,
        fingerprint=str(data.get("empreinte", "")),
        created=str(data.get("cree_le", "")),
        public_key_pem=str(data.get("cle_publique", "")),
        previous_keys=tuple(
            PastKey(
                did=str(item.get("id", "")),
                verification_method=str(item.get("methode", "")),
                public_key_pem=str(item.get("cle_publique", "")),
                fingerprint=str(item.get("empreinte", "")),
            )
            for item in data.get("anciennes_cles", [])
            if isinstance(item, dict)
        ),
    )


def load_issuer() -> Issuer:
    """The issuer with its key, for signing; a French error when there is none."""
    profile = load_profile()
    pem = cfg.get_value(SECRET_KEY)
    if profile is None or not isinstance(pem, str) or not pem.strip():
        raise KitError("L'atelier n'a pas encore d'émetteur de badges.", hint=NO_ISSUER_HINT)
    private = pem.encode("ascii", errors="replace")
    _load_private_key(private)
    return Issuer(profile=profile, private_key_pem=private)


def create_issuer(
    name: str,
    *,
    site: str | None = None,
    email: str | None = None,
    address: str | None = None,
    did_web: bool = False,
    replace: bool = False,
    now: datetime | None = None,
) -> IssuerProfile:
    """Create the atelier's key and profile; refuse to overwrite an existing key silently."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from openbadgeslib.ob3 import did_key_from_pem, did_web_from_url

    name = name.strip()
    if not name:
        raise KitError("Le nom de la structure ne peut pas être vide (--nom).")
    site = _check_site(site) if site else None
    email = _check_email(email.strip()) if email else None
    if did_web and site is None:
        raise KitError(
            "Un émetteur did:web a besoin du site de l'atelier (--site https://…).",
            hint="Sans site, gardez l'identifiant did:key par défaut : il marche hors ligne.",
        )
    old = load_profile()
    if old is not None and not replace:
        raise KitError(
            "L'atelier a déjà un émetteur de badges : sa clé n'est pas remplacée.",
            hint="Pour la remplacer quand même : ajoutez --remplacer. " + KEY_LOSS_FR,
        )
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    did = did_web_from_url(site) if did_web and site else did_key_from_pem(public_pem)
    created = (now or datetime.now(timezone.utc)).replace(microsecond=0).isoformat()
    previous: tuple[PastKey, ...] = ()
    if old is not None:
        previous = old.previous_keys
        if old.public_key_pem:
            previous += (
                PastKey(old.did, old.verification_method, old.public_key_pem, old.fingerprint),
            )
    profile = IssuerProfile(
        name=name,
        did=did,
        site=site,
        email=email,
        address=address.strip() if address and address.strip() else None,
        fingerprint=key_fingerprint(private_pem),
        created=created,
        public_key_pem=public_pem.decode("ascii"),
        previous_keys=previous,
    )
    if replace:
        # Nothing of the old issuer survives (its site, its address, its key).
        cfg.unset_value(PROFILE_KEY)
    # The key first: a profile never names a key that was not stored.
    cfg.set_value(SECRET_KEY, private_pem.decode("ascii"))
    table: dict[str, Any] = {"nom": profile.name, "id": profile.did}
    for field_name, value in (
        ("site", profile.site),
        ("email", profile.email),
        ("adresse", profile.address),
    ):
        if value:
            table[field_name] = value
    table["empreinte"] = profile.fingerprint
    table["cree_le"] = created
    table["cle_publique"] = profile.public_key_pem
    if previous:
        table["anciennes_cles"] = [
            {
                "id": k.did,
                "methode": k.verification_method,
                "cle_publique": k.public_key_pem,
                "empreinte": k.fingerprint,
            }
            for k in previous
        ]
    cfg.set_value(PROFILE_KEY, table)
    return profile


def did_document(issuer: Issuer) -> dict[str, Any]:
    """The DID document a did:web atelier publishes at ``/.well-known/did.json``."""
    from openbadgeslib.keys import public_jwk_from_pem
    from openbadgeslib.ob3 import build_did_document

    profile = issuer.profile
    methods = [
        (method.partition("#")[2], public_jwk_from_pem(pem))
        for method, pem in reversed(profile.known_keys().items())
        if method.startswith(profile.did + "#")
    ]  # the current key first, then the older ones (their badges stay verifiable)
    return build_did_document(profile.did, methods)


def did_document_json(issuer: Issuer) -> str:
    return json.dumps(did_document(issuer), ensure_ascii=False, indent=2) + "\n"
