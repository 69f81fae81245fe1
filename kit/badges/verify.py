# SPDX-License-Identifier: GPL-3.0-or-later
"""Checking an Open Badges 3.0 badge (baked PNG, baked SVG, or the credential as JSON/JWT).

Any OB 3.0 credential is accepted, not only the kit's: a Data Integrity one (``eddsa-rdfc-2022``)
or a VC-JWT, as OB 3.0 §8 allows, from a ``did:key`` or ``did:web`` issuer. openbadgeslib does
the cryptography and the checks of the standard (signature, issuer bound to the key, validity
window, Bitstring Status List); this module picks the key, asks for the revocation status
without network when the badge is the atelier's own, and says in French what holds and what
does not.

Verdicts: :attr:`Verdict.valid` (signature, dates and status all good) maps to exit code 0;
a badge that was read but fails a check gives 1; a file that holds no readable badge raises
:class:`kit.errors.InputFileError` (exit code 2).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kit.badges.issuer import Issuer, load_issuer, load_profile
from kit.errors import InputFileError, KitError
from kit.files import require_input_file
from kit.messages import date_fr

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: A badge file is small; anything bigger is not one (and is not read whole).
MAX_BADGE_FILE_BYTES = 8 * 1024 * 1024

UNREACHABLE_ISSUER = (
    "impossible de vérifier ce badge maintenant : le site de son émetteur (did:web), qui publie "
    "sa clé, est injoignable (pas d'Internet ?) ; réessayez en ligne, ou demandez sa clé "
    "publique à l'émetteur (--cle)"
)
#: One line of the verdict: (True good / False bad / None caution, French text).
Check = tuple[bool | None, str]


@dataclass
class Verdict:
    valid: bool
    checks: list[Check] = field(default_factory=list)
    summary: str = ""
    badge_name: str = ""
    recipient: str = ""
    issuer_name: str = ""
    issuer_id: str = ""
    credential_id: str = ""
    own_issuer: bool = False
    #: Neither valid nor proven invalid: the issuer's key could not be fetched (offline).
    unverified: bool = False
    proof_format: str = ""
    document: dict[str, Any] | None = None


class _StatusUnreachable(Exception):
    """The status list could not be fetched (offline, site down): status unknown."""


def read_credential(path: str | Path) -> tuple[str, str]:
    """The credential text baked in (or written to) ``path``, and its carrier name."""
    from openbadgeslib.errors import LibOpenBadgesException
    from openbadgeslib.ob3 import OB3Verifier

    source = require_input_file(path, what="badge")
    if source.stat().st_size > MAX_BADGE_FILE_BYTES:
        raise InputFileError(f"« {source} » est bien trop gros pour être un badge.")
    data = source.read_bytes()
    head = data[:512].lstrip()
    extract: Callable[[bytes], str]
    if data.startswith(PNG_SIGNATURE):
        carrier, extract, holder = "PNG", OB3Verifier.extract_token_from_png, "bloc"
        name = "openbadgecredential"
    elif head.startswith((b"<?xml", b"<svg", b"<!--")):
        carrier, extract, holder = "SVG", OB3Verifier.extract_token_from_svg, "élément"
        name = "openbadges:credential"
    else:
        carrier = ""
    if carrier:
        try:
            return extract(data), carrier
        except LibOpenBadgesException as exc:
            if f"No {name}" in str(exc):
                raise InputFileError(
                    f"« {source} » est une image {carrier} ordinaire : elle ne contient pas de "
                    f"badge Open Badges 3.0 (aucun {holder} « {name} »)."
                ) from exc
            raise InputFileError(
                f"« {source} » est une image {carrier} abîmée : fichier tronqué ou octet "
                "modifié (sa structure ne se lit plus). Ce n'est pas un badge lisible.",
                hint="Redemandez le badge à l'atelier qui l'a délivré.",
            ) from exc
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise InputFileError(
            f"« {source} » n'est ni une image PNG ou SVG, ni un badge en JSON : "
            "ce n'est pas un badge."
        ) from None
    if text.startswith("{"):
        return text, "JSON"
    if text.count(".") == 2 and " " not in text and "\n" not in text:
        return text, "JWT"
    raise InputFileError(
        f"« {source} » n'est ni une image PNG ou SVG, ni un badge en JSON : ce n'est pas un badge."
    )


def _document_of(text: str, carrier: str, source: str) -> dict[str, Any]:
    """The credential JSON (the JWT's payload for a VC-JWT), for display and checks."""
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            raise InputFileError(
                f"Le badge de « {source} » est tronqué ou abîmé : son JSON est incomplet."
            ) from None
    else:
        import jwt

        try:
            document = jwt.decode(text, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise InputFileError(
                f"Le badge de « {source} » ({carrier}) est tronqué ou abîmé : "
                "son jeton JWT est illisible."
            ) from None
    if not isinstance(document, dict):
        raise InputFileError(f"« {source} » ne contient pas un badge Open Badges 3.0.")
    types = document.get("type")
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if not {"OpenBadgeCredential", "AchievementCredential"} & {
        t for t in types if isinstance(t, str)
    }:
        raise InputFileError(
            f"« {source} » contient un document qui n'est pas un badge Open Badges 3.0 "
            "(type OpenBadgeCredential attendu)."
        )
    return document


def _issuer_of(document: dict[str, Any]) -> tuple[str, str]:
    issuer = document.get("issuer")
    if isinstance(issuer, str):
        return issuer, ""
    if isinstance(issuer, dict):
        return str(issuer.get("id", "")), str(issuer.get("name", ""))
    return "", ""


def _subject_names(document: dict[str, Any]) -> tuple[str, str]:
    subject = document.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(subject, dict):
        return "", ""
    achievement = subject.get("achievement")
    name = str(achievement.get("name", "")) if isinstance(achievement, dict) else ""
    recipient = ""
    for identifier in subject.get("identifier") or []:
        if (
            isinstance(identifier, dict)
            and identifier.get("identityType") == "name"
            and identifier.get("hashed") is False
        ):
            recipient = str(identifier.get("identityHash", ""))
            break
    return name, recipient


def _explain(reason: str) -> str:
    """The library's reason for a refusal, in French."""
    low = reason.lower()
    if ("did document" in low or "did:web" in low) and ("fetch" in low or "resolve" in low):
        return UNREACHABLE_ISSUER
    if "expired" in low:
        return "le badge a expiré"
    if "not yet valid" in low:
        return "le badge n'est pas encore valide (date de début dans le futur)"
    if "status" in low and "is set" in low:
        return "le badge a été révoqué par son émetteur"
    if "signature" in low or ("proof" in low and "invalid" in low):
        return (
            "la signature ne correspond pas : le badge a été modifié, ou il n'a pas été signé "
            "par la clé de l'émetteur qu'il annonce"
        )
    if "does not belong" in low or "does not match" in low:
        return "la clé qui a signé le badge n'appartient pas à l'émetteur annoncé"
    return f"le badge ne respecte pas le standard ({reason})"


def _fetcher(issuer: Issuer | None, unreachable: list[str]) -> Callable[[str], bytes]:
    from kit.badges.status import local_status_list

    def fetch(url: str) -> bytes:
        own = local_status_list(url, issuer)
        if own is not None:
            return own
        from openbadgeslib.util import download_file

        try:
            return bytes(download_file(url))
        except Exception as exc:
            unreachable.append(url)
            raise _StatusUnreachable(url) from exc

    return fetch


def _proof_method(document: dict[str, Any]) -> str:
    """The ``verificationMethod`` of a Data Integrity proof ("" for a VC-JWT)."""
    proof = document.get("proof")
    proof = proof[0] if isinstance(proof, list) and proof else proof
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    return method if isinstance(method, str) else ""


def _when(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    try:
        return date_fr(datetime.fromisoformat(value.replace("Z", "+00:00")).date())
    except ValueError:
        return value


def read_public_key(path: str | Path) -> bytes:
    """A PEM public key given by an issuer (``--cle``), or a French error."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    source = require_input_file(path, what="fichier de clé")
    data = source.read_bytes()
    try:
        load_pem_public_key(data)
    except (ValueError, TypeError):
        raise InputFileError(
            f"« {source} » n'est pas une clé publique au format PEM (-----BEGIN PUBLIC KEY-----)."
        ) from None
    return data


def verify_text(
    text: str, carrier: str, source: str = "badge", *, pinned_key: bytes | None = None
) -> Verdict:
    """Check a credential (Data Integrity JSON or VC-JWT) and explain the outcome.

    ``pinned_key``: the issuer's public key (PEM) obtained from the issuer itself, for an
    issuer whose identifier is not a DID (an https address): the badge must be signed by it.
    """
    from openbadgeslib.errors import LibOpenBadgesException
    from openbadgeslib.ob3 import OB3LdpVerifier, OB3Verifier

    document = _document_of(text, carrier, source)
    is_ldp = text.lstrip().startswith("{")
    issuer_id, issuer_name = _issuer_of(document)
    badge_name, recipient = _subject_names(document)
    verdict = Verdict(
        valid=False,
        badge_name=badge_name,
        recipient=recipient,
        issuer_name=issuer_name,
        issuer_id=issuer_id,
        credential_id=str(document.get("id", "")),
        proof_format="Data Integrity (eddsa-rdfc-2022)" if is_ldp else "VC-JWT",
        document=document,
    )
    if badge_name:
        who = f" délivré à {recipient}" if recipient else ""
        verdict.checks.append((None, f"Badge « {badge_name} »{who} ({carrier})."))

    # The atelier's own badges (current key or a former one) are checked against the keys the
    # kit knows, offline, whatever their DID method.
    own: Issuer | None = None
    own_key: bytes | None = None
    former_key = False
    profile = load_profile()
    if profile is not None and pinned_key is None:
        known = profile.known_keys()
        method = _proof_method(document)
        if method in known:
            own_key = known[method].encode("ascii")
            former_key = method != profile.verification_method
        elif profile.did == issuer_id and profile.public_key_pem:
            own_key = profile.public_key_pem.encode("ascii")
        if own_key is not None:
            try:
                own = load_issuer()
            except KitError:
                own = None
    verdict.own_issuer = own_key is not None
    try:
        verifier: Any
        key = pinned_key if pinned_key is not None else own_key
        if key is not None:
            verifier = OB3LdpVerifier(pubkey_pem=key) if is_ldp else OB3Verifier(pubkey_pem=key)
        elif issuer_id.startswith("did:"):
            verifier = (
                OB3LdpVerifier.for_issuer_did(issuer_id)
                if is_ldp
                else OB3Verifier.for_issuer_did(issuer_id)
            )
        else:
            verdict.checks.append(
                (
                    False,
                    f"Émetteur « {issuer_id or '?'} » : ce n'est pas un identifiant DID, sa clé "
                    "ne se trouve pas dans le badge. Demandez sa clé publique à l'émetteur et "
                    "donnez-la avec --cle FICHIER.pem.",
                )
            )
            verdict.summary = "impossible de vérifier qui a émis ce badge"
            return verdict
        credential = verifier.verify(text)
    except LibOpenBadgesException as exc:
        reason = _explain(str(exc))
        verdict.checks.append((False, reason[0].upper() + reason[1:] + "."))
        verdict.summary = reason
        if reason == UNREACHABLE_ISSUER:
            verdict.unverified = True
            verdict.summary = "son émetteur est injoignable"
        return verdict

    if pinned_key is not None:
        verdict.checks.append(
            (True, f"Émetteur : {issuer_name} ({issuer_id}), signé par la clé publique fournie.")
        )
    elif own_key is not None:
        which = "une ancienne clé de cet atelier" if former_key else "l'émetteur de cet atelier"
        verdict.checks.append((True, f"Émetteur : {issuer_name} ({issuer_id}), {which}."))
    elif issuer_id.startswith("did:web:"):
        verdict.checks.append(
            (True, f"Émetteur : {issuer_name} ({issuer_id}), clé publiée sur son site.")
        )
    else:
        verdict.checks.append(
            (
                None,
                f"Émetteur : {issuer_name} ({issuer_id}). Identité déclarée par le badge "
                "lui-même (did:key) : comparez cet identifiant avec celui que l'atelier affiche.",
            )
        )
    verdict.checks.append((True, f"Signature valide ({verdict.proof_format})."))
    issued = _when(document.get("validFrom") or document.get("issuanceDate"))
    until = document.get("validUntil") or document.get("expirationDate")
    dates = f"Délivré le {issued}" if issued else "Date de délivrance lisible"
    dates += f", valable jusqu'au {_when(until)}." if until else ", sans date d'expiration."
    verdict.checks.append((True, dates))

    if not credential.credential_status:
        verdict.checks.append((None, "Révocation : ce badge n'a pas de liste de révocation."))
    else:
        from openbadgeslib.ob3 import check_credential_status

        unreachable: list[str] = []
        try:
            check_credential_status(
                credential,
                download=_fetcher(own, unreachable),
                verify_list=True,
                list_pubkey_pem=pinned_key if pinned_key is not None else own_key,
            )
        except LibOpenBadgesException as exc:
            if unreachable:
                verdict.checks.append(
                    (
                        None,
                        "Révocation : non vérifiée, la liste de l'émetteur est injoignable "
                        f"({unreachable[0]}).",
                    )
                )
            else:
                reason = _explain(str(exc))
                verdict.checks.append((False, f"Révocation : {reason}."))
                verdict.summary = reason
                return verdict
        else:
            verdict.checks.append((True, "Révocation : le badge n'est pas révoqué."))
    verdict.valid = True
    verdict.summary = "badge valide"
    return verdict


def verify_file(path: str | Path, *, key_file: str | Path | None = None) -> Verdict:
    pinned = read_public_key(key_file) if key_file is not None else None
    text, carrier = read_credential(path)
    return verify_text(text, carrier, str(path), pinned_key=pinned)
