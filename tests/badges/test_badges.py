# SPDX-License-Identifier: GPL-3.0-or-later
"""Open Badges 3.0: delivering, verifying (by the kit and by openbadgeslib's own CLI, a peer
independent of the kit), revoking, the issuer's key, and every bad input a verifier meets."""

from __future__ import annotations

import hashlib
import json
import stat
import struct
import subprocess
import sys
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit import config as cfg
from kit.badges import credential as cred
from kit.badges.issuer import SECRET_KEY, create_issuer, load_issuer
from kit.badges.status import status_list_path
from kit.badges.verify import verify_file
from kit.drawing import Drawing
from kit.logs import log_file_path
from lessons.badge_delivery import DeliveredBadge, deliver
from tests.conftest import REPO_ROOT, kit_env, run_kit

SCHEMA = REPO_ROOT / "tests" / "data" / "ob_v3p0_achievementcredential_schema.json"
#: openbadgeslib's command-line tools, installed beside this Python.
LIBRARY_BIN = Path(sys.executable).parent
SITE = "https://fablab.example"


def _issuer(site: str | None = SITE) -> None:
    create_issuer(
        "Fablab des Tilleuls",
        site=site,
        email="contact@fablab.example",
        address="3 rue des Tilleuls, 35000 Rennes",
    )


_DIRS = ("KIT_CONFIG_DIR", "KIT_STATE_DIR")


@pytest.fixture(scope="module")
def shared_atelier(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DeliveredBadge]:
    """One issuer and one delivered badge for the tests that only read them (a delivery
    renders a PDF: a second or two)."""
    home = tmp_path_factory.mktemp("atelier")
    with pytest.MonkeyPatch.context() as patch:
        for name in _DIRS:
            patch.setenv(name, str(home / name))
        _issuer()
        badge = deliver("pilote-mbot", "Camille D.", home / "out", email="camille@exemple.fr")
    return home, badge


@pytest.fixture
def delivered(
    shared_atelier: tuple[Path, DeliveredBadge], monkeypatch: pytest.MonkeyPatch
) -> DeliveredBadge:
    """The shared atelier's badge, the test's kit pointed at that atelier (read only)."""
    home, badge = shared_atelier
    for name in _DIRS:
        monkeypatch.setenv(name, str(home / name))
    return badge


def _document(badge: DeliveredBadge) -> dict[str, object]:
    data = json.loads(badge.json.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _bake_raw_itxt(png: bytes, text: str) -> bytes:
    """Replace the badge's iTXt chunk by ``text`` with a correct CRC (a forger's tool)."""
    out, pos = bytearray(png[:8]), 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        body = png[pos + 8 : pos + 8 + length]
        if kind == b"iTXt" and body.startswith(b"openbadgecredential\x00"):
            body = b"openbadgecredential\x00\x00\x00\x00\x00" + text.encode("utf-8")
        out += struct.pack(">I", len(body)) + kind + body
        out += struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        pos += 12 + length
    return bytes(out)


def _private_key() -> bytes:
    """A fresh Ed25519 private key (PEM), as another issuer would have."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _foreign_credential(issuer: str, name: str, recipient: str) -> object:
    """An OB 3.0 credential built by openbadgeslib alone, as another platform would."""
    from openbadgeslib.ob3 import Achievement, Issuer, OpenBadgeCredential

    return OpenBadgeCredential(
        issuer=Issuer(id=issuer, name="Autre fablab"),
        recipient_id=recipient,
        achievement=Achievement(
            id="urn:uuid:6f1c2d3e-0000-4000-8000-000000000001",
            name=name,
            description=f"{name} : savoir-faire reconnu par un autre fablab.",
            criteria_narrative="Réaliser la tâche devant l'animateur.",
        ),
    )


# -- the standard ------------------------------------------------------------------------------
def test_a_delivered_credential_validates_against_1edtech_ob3_schema(
    delivered: DeliveredBadge,
) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    document = _document(delivered)
    assert [e.message for e in validator.iter_errors(document)] == []
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    subject = document["credentialSubject"]
    assert isinstance(subject, dict)
    assert subject["achievement"]["name"] == "Pilote mBot"
    assert "capteur à ultrasons" in subject["achievement"]["criteria"]["narrative"]
    # The schema is not a formality: a wrong identity type is refused by it.
    subject["identifier"][0]["identityType"] = "prénom"
    assert list(validator.iter_errors(document))


def test_png_svg_json_and_card_carry_one_signed_credential(delivered: DeliveredBadge) -> None:
    from openbadgeslib.ob3 import OB3Verifier

    text = delivered.json.read_text(encoding="utf-8").strip()
    assert OB3Verifier.extract_token_from_png(delivered.png.read_bytes()) == text
    assert OB3Verifier.extract_token_from_svg(delivered.svg.read_bytes()) == text
    assert delivered.pdf.read_bytes().startswith(b"%PDF")
    proof = _document(delivered)["proof"]
    assert isinstance(proof, list) and proof[0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof[0]["verificationMethod"].startswith("did:key:z6Mk")  # Ed25519


def test_the_email_is_kept_only_as_its_salted_hash(delivered: DeliveredBadge) -> None:
    identifiers = _document(delivered)["credentialSubject"]["identifier"]  # type: ignore[index]
    name, email = identifiers
    assert name == {
        "type": "IdentityObject",
        "hashed": False,
        "identityHash": "Camille D.",
        "identityType": "name",
    }
    assert email["hashed"] is True and email["identityType"] == "emailAddress"
    digest = hashlib.sha256(("camille@exemple.fr" + email["salt"]).encode()).hexdigest()
    assert email["identityHash"] == f"sha256${digest}"
    for path in (delivered.png, delivered.svg, delivered.json, cred.register_path()):
        assert b"camille@exemple.fr" not in path.read_bytes(), path


def test_openbadgeslib_cli_verifies_a_badge_the_kit_delivered(
    delivered: DeliveredBadge, tmp_path: Path
) -> None:
    """The library's own verifier, as a separate program: trusted with the pinned key (exit 0),
    and valid but self-asserted when it resolves the did:key by itself (its exit 2)."""
    key = tmp_path / "cle.pem"
    key.write_bytes(load_issuer().public_key_pem())
    subject_id = _document(delivered)["credentialSubject"]["id"]  # type: ignore[index]
    pinned = subprocess.run(
        [str(LIBRARY_BIN / "openbadges-verifier"), "-i", str(delivered.png), "-r", subject_id,
         "-k", str(key), "-V", "3", "--json"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr
    report = json.loads(pinned.stdout)
    assert report["valid"] and report["trusted"] and report["proof_format"] == "ldp"
    assert report["achievement"] == "Pilote mBot" and report["identifiers"] == 2
    resolved = subprocess.run(
        [str(LIBRARY_BIN / "openbadges-verifier"), "-i", str(delivered.svg), "-r", subject_id,
         "--resolve-did", "-V", "3", "--json"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert resolved.returncode == 2, resolved.stdout + resolved.stderr
    assert json.loads(resolved.stdout)["valid"] is True


def test_kit_verifies_badges_made_by_openbadgeslib_cli(tmp_path: Path) -> None:
    """Badges the kit did not make: openbadgeslib's own tools set up an issuer, an Ed25519
    key and sign one VC-JWT and one Data Integrity badge into SVG."""
    home = tmp_path / "emetteur-tiers"

    def tool(name: str, *args: str) -> None:
        done = subprocess.run(
            [str(LIBRARY_BIN / name), *args],
            capture_output=True, text=True, timeout=60, check=False, cwd=home,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr

    subprocess.run([str(LIBRARY_BIN / "openbadges-init"), str(home)], check=True, timeout=60)
    ini = home / "config.ini"
    text = ini.read_text(encoding="utf-8")
    text = text.replace("key_type    = RSA", "key_type    = ED25519", 1)
    text = text.replace("sign_rsa_key_1", "sign_ed25519_key_1")
    text = text.replace("verify_rsa_key_1", "verify_ed25519_key_1")
    ini.write_text(text, encoding="utf-8")
    Drawing(120, 120).save(home / "images" / "image_badge1.svg")
    tool("openbadges-keygenerator", "-c", str(ini), "-g", "1")
    (home / "out").mkdir()
    tool("openbadges-signer", "-c", str(ini), "-b", "1", "-r", "a@example.org", "-o", "out", "-E")
    tool("openbadges-signer", "-c", str(ini), "-b", "1", "-r", "b@example.org", "-o", "out",
         "-E", "-P", "ldp")  # fmt: skip
    key = home / "keys" / "verify_ed25519_key_1.pem"
    jwt_badge = home / "out" / "badge_1_a@example.org.svg"
    ldp_badge = home / "out" / "badge_1_b@example.org.svg"
    result = run_kit("badge", "verifier", str(ldp_badge), "--cle", str(key))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "eddsa-rdfc-2022" in result.stdout and "Verdict : badge valide." in result.stdout
    verdict = verify_file(jwt_badge, key_file=key)
    assert verdict.valid and verdict.proof_format == "VC-JWT", verdict.checks
    assert verdict.badge_name == "Badge 1"
    # Without the issuer's key (its id is an https address, not a DID): said, not guessed.
    verdict = verify_file(jwt_badge)
    assert not verdict.valid and "--cle" in verdict.checks[-1][1]
    # Another issuer's key pinned: the signature does not match.
    other = tmp_path / "autre.pem"
    _issuer()
    other.write_bytes(load_issuer().public_key_pem())
    verdict = verify_file(ldp_badge, key_file=other)
    assert not verdict.valid and "signature ne correspond pas" in verdict.summary


def test_kit_verifies_a_did_key_vc_jwt_signed_by_the_library(tmp_path: Path) -> None:
    """A VC-JWT (a proof format the kit never issues) from a did:key issuer, made by
    openbadgeslib's own signer: verified offline through the DID."""
    from openbadgeslib.ob3 import OB3Signer, did_key_from_pem

    from kit.badges.issuer import public_key_pem

    private = _private_key()
    did = did_key_from_pem(public_key_pem(private))
    credential = _foreign_credential(did, "Soudure", "mailto:sam@example.org")
    png = tmp_path / "soudure.png"
    signer = OB3Signer(private, algorithm="EdDSA")
    png.write_bytes(signer.sign_into_png(credential, Drawing(60, 60).to_png()))
    verdict = verify_file(png)
    assert verdict.valid and verdict.proof_format == "VC-JWT"
    assert verdict.badge_name == "Soudure" and verdict.issuer_id == did
    assert any("did:key" in text and ok is None for ok, text in verdict.checks)
    token = tmp_path / "soudure.jwt"
    token.write_text(signer.sign(credential) + "\n", encoding="utf-8")
    assert verify_file(token).valid


# -- the issuer ------------------------------------------------------------------------------
def test_the_issuer_key_is_kept_0600_and_never_shown(tmp_path: Path) -> None:
    result = run_kit(
        "-v", "badge", "emetteur", "--nom", "Fablab des Tilleuls", "--site", SITE,
        "--email", "contact@fablab.example", "--cle-publique", str(tmp_path / "cle.pem"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    secrets = cfg.secrets_path()
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    pem = cfg.get_value(SECRET_KEY)
    assert isinstance(pem, str) and "PRIVATE KEY" in pem
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    assert len(body) > 40
    fingerprint = load_issuer().profile.fingerprint
    assert fingerprint.startswith("SHA256:") and fingerprint in result.stdout
    assert "perdue" in result.stdout  # what losing the key means
    assert (tmp_path / "cle.pem").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    shown = run_kit("-v", "config", "show")
    shown_json = run_kit("config", "show", "--json")
    again = run_kit("-v", "badge", "emetteur")
    for output in (result, shown, shown_json, again):
        assert body not in output.stdout + output.stderr
        assert "PRIVATE KEY" not in output.stdout + output.stderr
    assert fingerprint in shown_json.stdout and "clé privée masquée" in shown_json.stdout
    assert "did:key:" in again.stdout
    log = log_file_path()
    assert not log.exists() or body not in log.read_text(encoding="utf-8")
    assert body not in repr(load_issuer())
    # A second issuer is not created over the first without --remplacer.
    refused = run_kit("badge", "emetteur", "--nom", "Autre")
    assert refused.returncode == 2 and "--remplacer" in refused.stderr
    assert cfg.get_value(SECRET_KEY) == pem


def test_issuer_input_errors_are_french(tmp_path: Path) -> None:
    from kit.errors import KitError

    for kwargs, said in (
        ({"site": "http://fablab.example"}, "https"),
        ({"site": "https://moi:secret@fablab.example"}, "invalide"),
        ({"email": "pas-une-adresse"}, "e-mail invalide"),
        ({"did_web": True}, "did:web"),
    ):
        with pytest.raises(KitError, match=said):
            create_issuer("X", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(KitError, match="vide"):
        create_issuer("   ")
    assert not cfg.secrets_path().exists()  # nothing half-created
    result = run_kit("badge", "emetteur")
    assert result.returncode == 2 and "pas encore d'émetteur" in result.stderr
    assert "Traceback" not in result.stderr
    nobody = run_kit("badge", "delivrer", "pilote-mbot", "--pour", "A B.", "-o", str(tmp_path))
    assert nobody.returncode == 2 and "kit badge emetteur" in nobody.stderr


def test_a_did_web_issuer_verifies_offline_and_keeps_its_former_keys(tmp_path: Path) -> None:
    from kit.badges.status import revoke
    from kit.errors import KitError

    result = run_kit("badge", "emetteur", "--nom", "Fablab", "--site", SITE, "--did-web")
    assert result.returncode == 0, result.stderr
    assert "did:web:fablab.example" in result.stdout and "did.json" in result.stdout
    first_method = load_issuer().profile.verification_method
    assert first_method.startswith("did:web:fablab.example#cle-")
    before = deliver("supermaker3d", "Nour B.", tmp_path)
    verdict = verify_file(before.png)
    assert verdict.valid and verdict.own_issuer, verdict.checks
    assert _document(before)["proof"][0]["verificationMethod"] == first_method  # type: ignore[index]

    # The key is replaced (lost, stolen): the old badges stay verifiable, the DID document
    # publishes both keys, and only the new key's badges can still be revoked.
    replaced = run_kit(
        "badge", "emetteur", "--nom", "Fablab", "--site", SITE, "--did-web", "--remplacer"
    )
    assert replaced.returncode == 0, replaced.stderr
    issuer = load_issuer()
    assert issuer.profile.verification_method != first_method
    document = json.loads((cred.badge_state_dir() / "did.json").read_text(encoding="utf-8"))
    methods = [m["id"] for m in document["verificationMethod"]]
    assert methods == [issuer.profile.verification_method, first_method]
    assert all(m["publicKeyJwk"]["crv"] == "Ed25519" for m in document["verificationMethod"])
    verdict = verify_file(before.svg)
    assert verdict.valid, verdict.checks
    assert any("ancienne clé de cet atelier" in text for _ok, text in verdict.checks)
    after = deliver("supermaker3d", "Nour B.", tmp_path)
    assert after.png.name == "supermaker3d-nour-b-2.png"  # the first one is not overwritten
    assert verify_file(after.png).valid
    with pytest.raises(KitError, match="ancienne clé"):
        revoke(issuer, str(_document(before)["id"]))
    revoke(issuer, str(_document(after)["id"]))
    assert verify_file(after.png).summary == "le badge a été révoqué par son émetteur"
    assert verify_file(before.png).valid


# -- delivering ------------------------------------------------------------------------------
def test_delivering_from_the_command_line(tmp_path: Path) -> None:
    _issuer()
    out = tmp_path / "badges"
    result = run_kit(
        "badge", "delivrer", "supermaker3d", "--pour", "Nour B.", "--email", "nour@exemple.fr",
        "-o", str(out), "--expire-le", "2099-06-30",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Badge « SuperMaker3D » délivré à Nour B." in result.stdout
    files = sorted(p.suffix for p in out.iterdir())
    assert files == [".json", ".pdf", ".png", ".svg"]
    document = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
    assert document["validUntil"] == "2099-06-30T23:59:59Z"
    # The card: one A6 page with the name, the badge, the date, the criteria and the QR code
    # (this badge, with an email and a revocation entry, is the catalogue's longest).
    import pypdfium2

    from lessons.badge_delivery import qr_data_uri

    card = pypdfium2.PdfDocument(next(out.glob("*.pdf")))
    assert len(card) == 1
    width, height = card[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (105, 148)
    text = " ".join(card[0].get_textpage().get_text_range().split())
    for expected in ("Nour B.", "SuperMaker3D", "jusqu'au 30 juin 2099", "scanner 3D"):
        assert expected in text, expected
    assert qr_data_uri(cred.compact_text(document)) is not None
    assert qr_data_uri("x" * 4000) is None  # too long for a QR code: the card goes without
    verified = run_kit("badge", "verifier", str(next(out.glob("*.png"))))
    assert verified.returncode == 0, verified.stdout
    assert "l'émetteur de cet atelier" in verified.stdout
    assert "30 juin 2099" in verified.stdout and "pas révoqué" in verified.stdout
    [record] = cred.delivered_badges()
    assert (record.badge, record.recipient) == ("supermaker3d", "Nour B.")
    assert record.email_hashed
    listed = run_kit("badge", "delivres")
    assert listed.returncode == 0 and "Nour B." in listed.stdout and "valide" in listed.stdout


def test_delivery_input_errors_are_french(tmp_path: Path) -> None:
    _issuer()
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    from kit.errors import KitError

    past = datetime(2020, 1, 1, tzinfo=timezone.utc)
    cases = (
        (("pilote-mbo", "A B.", tmp_path), {}, "pilote-mbot"),
        (("pilote-mbot", " ", tmp_path), {}, "--pour"),
        (("pilote-mbot", "A" * 80, tmp_path), {}, "trop long"),
        (("pilote-mbot", "A\x1b[31m B.", tmp_path), {}, "contrôle"),
        (("pilote-mbot", "A B.", tmp_path), {"email": "x@"}, "e-mail invalide"),
        (("pilote-mbot", "A B.", tmp_path), {"expires": past}, "futur"),
        (("pilote-mbot", "A B.", blocker / "x"), {}, "Impossible de créer le dossier"),
    )
    for args, kwargs, said in cases:
        with pytest.raises(KitError) as caught:
            deliver(*args, **kwargs)  # type: ignore[arg-type]
        assert said in str(caught.value), args
    for args, said in (
        (("--expire-le", "demain"), "AAAA-MM-JJ"),
        (("--expire-le", "2020-01-01"), "futur"),
    ):
        result = run_kit(
            "badge", "delivrer", "pilote-mbot", "--pour", "A B.", "-o", str(tmp_path), *args
        )
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert said in result.stderr and "Traceback" not in result.stderr
    assert cred.delivered_badges() == []
    assert not list(tmp_path.glob("*.png"))


def test_robot_run_delivers_the_badge_only_when_the_challenge_is_passed(tmp_path: Path) -> None:
    _issuer()

    def robot(program: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kit", "robot", "run", program, "--port",
             "sim://mbot?arena=obstacles", *extra],
            capture_output=True, text=True, timeout=120, env=kit_env(), cwd=tmp_path, check=False,
        )  # fmt: skip

    passed = robot("exemple:parcours", "--defi", "parcours", "--badge", "Léa M.")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Badge « Pilote mBot » délivré à Léa M." in passed.stdout
    [png] = (tmp_path / "badges").glob("pilote-mbot-lea-m*.png")
    assert verify_file(png).valid
    [record] = cred.delivered_badges()
    assert record.reason == "défi « parcours » réussi"

    idle = tmp_path / "immobile.py"
    idle.write_text("robot.attendre(1)\n", encoding="utf-8")
    missed = robot(str(idle), "--defi", "parcours", "--badge", "Léa M.", "--temps-max", "2")
    assert missed.returncode == 1
    assert "pas de badge" in missed.stdout
    assert len(cred.delivered_badges()) == 1

    no_challenge = robot("exemple:parcours", "--badge", "Léa M.")
    assert no_challenge.returncode == 2 and "--defi" in no_challenge.stderr


# -- revoking --------------------------------------------------------------------------------
def test_revoking_sets_the_bit_of_the_published_list(delivered: DeliveredBadge) -> None:
    from openbadgeslib.ob3 import OB3Verifier, decode_encoded_list, set_indices

    index = cred.delivered_badges()[0].status_index
    assert index is not None
    result = run_kit("badge", "revoquer", str(delivered.png))
    assert result.returncode == 0, result.stderr
    issuer = load_issuer()
    url = f"{SITE}/badges/revocation-{issuer.profile.key_id}.jwt"
    assert "révoqué" in result.stdout and url in _flat(result.stdout)
    token = status_list_path(issuer).read_text(encoding="utf-8").strip()
    payload = OB3Verifier(pubkey_pem=load_issuer().public_key_pem())._decode_payload(token)
    assert payload["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    bits = decode_encoded_list(payload["credentialSubject"]["encodedList"])
    assert set_indices(bits) == {index} and len(bits) * 8 == cred.STATUS_LIST_SIZE
    verified = run_kit("badge", "verifier", str(delivered.svg))
    assert verified.returncode == 1
    verdict = "Verdict : badge NON valide — le badge a été révoqué par son émetteur."
    assert verdict in verified.stdout
    assert cred.delivered_badges()[0].revoked


def test_revoking_errors_are_french(tmp_path: Path) -> None:
    _issuer(site=None)
    badge = deliver("codeur-circuitpython", "Ana P.", tmp_path)
    result = run_kit("badge", "revoquer", str(badge.png))
    assert result.returncode == 2 and "site" in result.stderr
    _issuer_replaced = create_issuer("Fablab", site=SITE, replace=True)
    assert _issuer_replaced.site == SITE
    unknown = run_kit("badge", "revoquer", "urn:uuid:00000000-0000-4000-8000-000000000000")
    assert unknown.returncode == 2 and "n'a pas été délivré par ce kit" in unknown.stderr
    old = run_kit("badge", "revoquer", str(badge.json))
    assert old.returncode == 2 and "sans liste de révocation" in old.stderr


# -- bad input -------------------------------------------------------------------------------
def _flat(text: str) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(text.split())


def _kit_verdict(path: Path) -> subprocess.CompletedProcess[str]:
    result = run_kit("badge", "verifier", str(path))
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_a_tampered_badge_is_refused(delivered: DeliveredBadge, tmp_path: Path) -> None:
    png = delivered.png.read_bytes()
    start = png.index(b"Camille D.")
    # One byte of the payload changed, the PNG's own CRC left as it was: the file is damaged.
    broken = tmp_path / "un-octet.png"
    broken.write_bytes(png[:start] + b"K" + png[start + 1 :])
    result = _kit_verdict(broken)
    assert result.returncode == 2 and "abîmée" in result.stderr
    # The same change by someone who also fixed the CRC: the signature gives it away.
    text = delivered.json.read_text(encoding="utf-8").strip()
    forged = tmp_path / "falsifie.png"
    forged.write_bytes(_bake_raw_itxt(png, text.replace("Camille D.", "Kamille D.")))
    result = _kit_verdict(forged)
    assert result.returncode == 1, result.stdout
    assert "signature ne correspond pas" in result.stdout
    svg = tmp_path / "falsifie.svg"
    svg.write_bytes(delivered.svg.read_bytes().replace(b"Pilote mBot", b"Pilote mBot+"))
    verdict = verify_file(svg)
    assert not verdict.valid and "signature ne correspond pas" in verdict.summary
    dates = tmp_path / "antidate.json"
    dates.write_text(text.replace('"validFrom": "20', '"validFrom": "19'), encoding="utf-8")
    assert not verify_file(dates).valid


def test_a_badge_signed_by_another_key_is_refused(
    delivered: DeliveredBadge, tmp_path: Path
) -> None:
    from openbadgeslib.ob3 import add_data_integrity_proof

    document = _document(delivered)
    del document["proof"]
    intruder = _private_key()
    method = str(document["issuer"]["id"])  # type: ignore[index]
    resigned = add_data_integrity_proof(document, intruder, f"{method}#{method[8:]}")
    path = tmp_path / "autre-cle.json"
    path.write_text(json.dumps(resigned), encoding="utf-8")
    result = _kit_verdict(path)
    assert result.returncode == 1
    assert "signature ne correspond pas" in result.stdout


def test_an_expired_badge_is_refused(tmp_path: Path) -> None:
    _issuer()
    issuer = load_issuer()
    from lessons.badge_catalog import load_badge

    issued = datetime(2024, 1, 10, 9, 0, tzinfo=timezone.utc)
    credential = cred.build_credential(
        issuer.profile,
        load_badge("pilote-mbot").info(),
        "Camille D.",
        issued=issued,
        expires=issued + timedelta(days=365),
    )
    path = tmp_path / "expire.json"
    path.write_text(cred.credential_text(cred.sign_credential(issuer, credential)))
    result = _kit_verdict(path)
    assert result.returncode == 1
    assert "le badge a expiré" in result.stdout


def test_files_that_hold_no_badge_get_a_french_verdict(
    delivered: DeliveredBadge, tmp_path: Path
) -> None:
    plain = tmp_path / "photo.png"
    Drawing(50, 50).save(plain)
    plain_svg = tmp_path / "dessin.svg"
    Drawing(50, 50).save(plain_svg)
    truncated = tmp_path / "tronque.png"
    png = delivered.png.read_bytes()
    truncated.write_bytes(png[: len(png) // 2])
    truncated_json = tmp_path / "tronque.json"
    text = delivered.json.read_bytes()
    truncated_json.write_bytes(text[: len(text) // 2])
    junk = tmp_path / "bruit.bin"
    junk.write_bytes(bytes(range(256)) * 8)
    other_json = tmp_path / "autre.json"
    other_json.write_text('{"type": ["VerifiableCredential"], "id": "urn:x"}')
    cases = (
        (plain, "PNG ordinaire"),
        (plain_svg, "SVG ordinaire"),
        (truncated, "abîmée"),
        (truncated_json, "tronqué"),
        (junk, "ce n'est pas un badge"),
        (other_json, "pas un badge Open Badges 3.0"),
        (tmp_path / "absent.png", "absent.png"),
        (tmp_path, "dossier"),
    )
    from kit.errors import InputFileError

    for path, said in cases:
        with pytest.raises(InputFileError) as caught:
            verify_file(path)
        assert said in str(caught.value), (path, str(caught.value))
    with pytest.raises(InputFileError, match="clé publique"):
        verify_file(delivered.png, key_file=plain)
    # As the animateur sees them: exit code 2, a French sentence, no traceback.
    for path, said in ((plain, "PNG ordinaire"), (truncated, "abîmée"), (junk, "pas un badge")):
        result = _kit_verdict(path)
        assert result.returncode == 2, (path, result.stdout, result.stderr)
        assert said in _flat(result.stderr), (path, result.stderr)


# -- the badges as data ----------------------------------------------------------------------
def test_every_support_has_a_badge_tied_to_real_lesson_objectives() -> None:
    from lessons.badge_catalog import load_all_badges
    from lessons.catalog import resolve
    from lessons.model import SUPPORTS
    from robots.challenges import available_challenges

    badges = load_all_badges()
    assert {b.support for b in badges} == set(SUPPORTS)
    names = {b.name for b in badges}
    assert {"Pilote mBot", "SuperMaker3D"} <= names
    for badge in badges:
        for ref in badge.objectives:
            lesson = resolve(ref.lesson)
            assert lesson.support == badge.support, badge.slug
            assert set(ref.ids) <= {o.ident for o in lesson.objectives}, badge.slug
        assert set(badge.challenges) <= set(available_challenges()), badge.slug


def test_a_malformed_badge_file_is_said_in_french(tmp_path: Path) -> None:
    from kit.errors import KitError
    from lessons.badge_catalog import load_badge

    (tmp_path / "casse.toml").write_text('nom = "X"\nsupport = "lune"\n', encoding="utf-8")
    with pytest.raises(KitError, match="mal formé"):
        load_badge("casse", tmp_path)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    carrier=st.sampled_from([".png", ".svg", ".json"]),
    position=st.floats(min_value=0, max_value=1, exclude_max=True),
    change=st.one_of(
        st.tuples(st.just("byte"), st.integers(min_value=0, max_value=255)),
        st.tuples(st.just("cut"), st.just(0)),
    ),
)
def test_any_damaged_badge_gets_a_verdict_never_a_crash(
    delivered: DeliveredBadge,
    tmp_path_factory: pytest.TempPathFactory,
    carrier: str,
    position: float,
    change: tuple[str, int],
) -> None:
    """One byte changed anywhere, or the file cut anywhere: a French verdict (invalid, or
    not a readable badge), whatever the byte."""
    from kit.errors import KitError

    original = {".png": delivered.png, ".svg": delivered.svg, ".json": delivered.json}[carrier]
    data = original.read_bytes()
    at = int(position * len(data))
    kind, value = change
    damaged = data[:at] + bytes([value]) + data[at + 1 :] if kind == "byte" else data[:at]
    path = tmp_path_factory.mktemp("abime") / f"badge{carrier}"
    path.write_bytes(damaged)
    try:
        verdict = verify_file(path)
    except KitError as exc:
        assert exc.message and exc.exit_code == 2
        return
    if damaged != data:
        # A change the signature does not cover (PNG pixels, SVG layout, JSON spacing) leaves
        # the badge valid; any other is refused with a reason.
        assert verdict.valid or verdict.summary


def test_a_did_web_badge_whose_site_cannot_be_reached_is_not_verified(tmp_path: Path) -> None:
    """A did:web issuer publishes its key on its site; offline (``.invalid`` never resolves,
    RFC 6761) the kit says it cannot verify, not that the badge is forged."""
    from openbadgeslib.ob3 import OB3LdpSigner

    from kit.badges.verify import verify_text

    key = _private_key()
    did = "did:web:badges.example.invalid"
    credential = _foreign_credential(
        did, "Découpe laser", "urn:uuid:00000000-0000-4000-8000-000000000001"
    )
    text = OB3LdpSigner(key, verification_method=f"{did}#cle").sign_to_json(credential)
    verdict = verify_text(text, "JSON")
    assert not verdict.valid and verdict.unverified
    assert "injoignable" in verdict.checks[-1][1]


def test_dates_are_written_in_french() -> None:
    from datetime import date

    from kit.messages import date_fr

    assert date_fr(date(2027, 3, 1)) == "1er mars 2027"
    assert date_fr(date(2026, 12, 7)) == "7 décembre 2026"
    assert date_fr(date(2026, 8, 15)) == "15 août 2026"
