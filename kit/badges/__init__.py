# SPDX-License-Identifier: GPL-3.0-or-later
"""Open Badges 3.0: the atelier as issuer, delivering, verifying and revoking badges.

Standard: 1EdTech Open Badges 3.0 (spec 3.0, context 3.0.3), a W3C Verifiable Credentials
Data Model 2.0 ``OpenBadgeCredential`` whose ``credentialSubject.achievement`` is the badge.
The credential is secured with a W3C Data Integrity proof, cryptosuite ``eddsa-rdfc-2022``
(Ed25519), the issuer identified by ``did:key`` (offline, self-certifying) or ``did:web``.

The standard is carried by the maintained library openbadgeslib (LGPL-3.0): the credential
model, the Data Integrity signer and verifier, baking into PNG ``iTXt`` / SVG, the W3C Bitstring
Status List and DID resolution. This package only holds what is the kit's own: where the key
is kept, which badges exist, the pictures and the printable card, French verdicts.

- :mod:`kit.badges.issuer`: the issuer profile and its private key (secrets file, 0600).
- :mod:`kit.badges.credential`: build, sign and bake a badge; the register of delivered ones.
- :mod:`kit.badges.verify`: extract and check a badge from PNG, SVG or JSON, French verdict.
- :mod:`kit.badges.status`: the revocation list (Bitstring Status List) and revoking.
- :mod:`kit.badges.pictures`: the badge picture (PNG and SVG) and the A6 card (PDF).
"""
