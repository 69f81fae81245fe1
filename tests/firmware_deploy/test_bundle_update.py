# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit mcu bundle update`` against a local stand-in for GitHub's releases (as circup uses
them: ``releases/latest`` redirects to the tag, ``releases/download/<tag>/<zip>``)."""

from __future__ import annotations

import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware.bundles import list_bundles
from tests.conftest import run_kit
from tests.support.bundles import TAG, build_bundle


@pytest.fixture
def releases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    folder = tmp_path_factory.mktemp("releases")
    files = {
        p.name: p.read_bytes()
        for p in (build_bundle(folder, tag="20260301"),
                  build_bundle(folder, tag="20260301", variant="py"),
                  build_bundle(folder, tag="20260302", prefix="circuitpython-community-bundle",
                               distributions=("adafruit-circuitpython-hcsr04",)))
    }
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self, with_body: bool) -> None:
            seen.append(f"{self.command} {self.path}")
            parts = self.path.strip("/").split("/")
            if parts[-2:] == ["releases", "latest"]:
                tag = "20260302" if "Community" in self.path else "20260301"
                self.send_response(302)
                self.send_header("Location", f"/{'/'.join(parts[:2])}/releases/tag/{tag}")
                self.end_headers()
                return
            body = files.get(parts[-1]) if "download" in parts else None
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_HEAD(self) -> None:  # noqa: N802 - http.server's names
            self._answer(False)

        def do_GET(self) -> None:  # noqa: N802
            self._answer(True)

        def log_message(self, *_args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_update_downloads_the_newest_bundles_into_the_cache(
    releases: tuple[str, list[str]],
) -> None:
    url, seen = releases
    shutil.rmtree(Path(os.environ["KIT_CACHE_DIR"]) / "circuitpython" / "bundles")
    result = run_kit("mcu", "bundle", "update", KIT_GITHUB_URL=url)
    assert result.returncode == 0, result.stdout + result.stderr
    stems = sorted(b.stem for b in list_bundles())
    # 10.x is not published here: skipped, as circup skips a platform it cannot find.
    assert stems == [
        "adafruit-circuitpython-bundle-9.x-mpy-20260301",
        "adafruit-circuitpython-bundle-py-20260301",
        "circuitpython-community-bundle-9.x-mpy-20260302",
    ]
    assert "GET /adafruit/Adafruit_CircuitPython_Bundle/releases/download/20260301/" \
        "adafruit-circuitpython-bundle-10.x-mpy-20260301.zip" in seen
    # Already there: a second update downloads nothing more.
    downloads = len([s for s in seen if s.startswith("GET") and "download" in s])
    again = run_kit("mcu", "bundle", "update", KIT_GITHUB_URL=url)
    assert again.returncode == 0
    after = len([s for s in seen if s.startswith("GET") and "download" in s])
    assert after - downloads == 3  # only the unpublished ones are asked again
    assert TAG not in " ".join(stems)
