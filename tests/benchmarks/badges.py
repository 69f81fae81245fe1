# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of Open Badges 3.0 delivery and verification, printed as figures.

In a temporary kit home (an issuer with a site, so with a revocation list):
- delivering one badge (sign with eddsa-rdfc-2022, draw and bake PNG and SVG, render the A6
  card with its QR code): the median of N runs, and its parts (signing; the card's PDF);
- verifying the baked PNG (extraction, Data Integrity signature, status list): median of N;
- the size of the credential and of its QR code (version, modules), the card's limit.

Run: ``.venv/bin/python tests/benchmarks/badges.py [--runs N]``. Figures depend on the load of
the machine: several engineers share its two cores while this is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="kit-bench-badges-"))
    os.environ["KIT_CONFIG_DIR"] = str(home / "config")
    os.environ["KIT_STATE_DIR"] = str(home / "state")

    import segno

    from kit.badges import credential as cred
    from kit.badges.issuer import create_issuer, load_issuer
    from kit.badges.verify import verify_file
    from lessons.badge_catalog import load_badge
    from lessons.badge_delivery import deliver, render_pdf

    create_issuer("Fablab des Tilleuls", site="https://fablab.example", email="a@fablab.example")
    deliver("pilote-mbot", "Camille D.", home / "warm")  # imports, fonts: not measured
    issuer = load_issuer()
    info = load_badge("supermaker3d").info()

    delivering, signing, verifying = [], [], []
    last = None
    for run in range(args.runs):
        start = time.perf_counter()
        last = deliver("supermaker3d", "Camille D.", home / "out", email="camille@exemple.fr")
        delivering.append(time.perf_counter() - start)
        start = time.perf_counter()
        cred.sign_credential(issuer, cred.build_credential(issuer.profile, info, f"P{run}."))
        signing.append(time.perf_counter() - start)
        start = time.perf_counter()
        assert verify_file(last.png).valid
        verifying.append(time.perf_counter() - start)
    assert last is not None
    start = time.perf_counter()
    render_pdf("<p>Badge</p>")
    pdf_minimal = time.perf_counter() - start
    document = last.json.read_text(encoding="utf-8")
    compact = cred.compact_text(json.loads(document))
    code = segno.make(compact, error="l", micro=False, boost_error=False)
    print(f"runs: {args.runs} (machine shared with other jobs: figures are indicative)")
    print(f"deliver (sign, PNG, SVG, JSON, A6 PDF): median {statistics.median(delivering):.3f} s")
    print(f"  of which signing (eddsa-rdfc-2022): median {statistics.median(signing):.3f} s")
    print(f"  a one-line PDF through the same renderer: {pdf_minimal:.3f} s")
    print(f"verify the baked PNG (signature, list): median {statistics.median(verifying):.3f} s")
    print(
        f"credential: {len(document.encode())} bytes as written, {len(compact.encode())} bytes "
        f"in the QR code (version {code.version}, {code.symbol_size(border=0)[0]} modules; "
        "2953 bytes at most)"
    )


if __name__ == "__main__":
    main()
