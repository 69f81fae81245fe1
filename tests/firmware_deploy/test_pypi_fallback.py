# SPDX-License-Identifier: GPL-3.0-or-later
"""No bundle in the cache: the library's sdist from a PyPI (a local one), compiled to .mpy."""

from __future__ import annotations

import http.server
import io
import json
import os
import shutil
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware.deploy import deploy
from tests.support.bundles import library_sources

SDIST = "adafruit_circuitpython_hcsr04-0.4.25"


def make_sdist() -> bytes:
    """The sdist as Adafruit publishes it: sources with the placeholder version, pyproject,
    requirements.txt."""
    _module, files, _requirements = library_sources("adafruit-circuitpython-hcsr04")
    [(name, source)] = files
    source = source.replace(b'__version__ = "0.4.25"', b'__version__ = "0.0.0+auto.0"')
    members = {
        name: source,
        "pyproject.toml": b'[tool.setuptools]\npy-modules = ["adafruit_hcsr04"]\n',
        "requirements.txt": b"Adafruit-Blinka\n",
        "PKG-INFO": b"Metadata-Version: 2.1\nName: adafruit-circuitpython-hcsr04\n",
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member, data in members.items():
            info = tarfile.TarInfo(f"{SDIST}/{member}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def local_pypi() -> Iterator[tuple[str, list[str]]]:
    sdist = make_sdist()
    requests_seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            requests_seen.append(self.path)
            host = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/pypi/adafruit-circuitpython-hcsr04/json":
                body = json.dumps({"info": {"version": "0.4.25"}, "urls": [
                    {"packagetype": "sdist", "size": len(sdist),
                     "url": f"{host}/files/{SDIST}.tar.gz"}]}).encode()
            elif self.path == f"/files/{SDIST}.tar.gz":
                body = sdist
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pypi", requests_seen
    finally:
        server.shutdown()
        server.server_close()


def test_library_missing_from_the_bundles_comes_from_its_sdist_compiled(
    tmp_path: Path, local_pypi: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = local_pypi
    shutil.rmtree(Path(os.environ["KIT_CACHE_DIR"]) / "circuitpython" / "bundles")
    monkeypatch.setenv("KIT_PYPI_URL", url)
    drive = tmp_path / "CIRCUITPY"
    (drive / "lib").mkdir(parents=True)
    (drive / "boot_out.txt").write_text(
        "Adafruit CircuitPython 9.2.1 on 2024-11-20; Raspberry Pi Pico with rp2040\n"
        "Board ID:raspberry_pi_pico\n", encoding="utf-8")
    script = tmp_path / "sonar.py"
    script.write_text("import board\nimport adafruit_hcsr04\n", encoding="utf-8")

    result = deploy(script, drive=drive)
    [lib] = result.plan.libraries
    assert lib.origin == "PyPI adafruit-circuitpython-hcsr04 0.4.25, compilé"
    data = (drive / "lib" / "adafruit_hcsr04.mpy").read_bytes()
    assert data[:2] == b"C\x06" and b"0.4.25\x00" in data  # the placeholder got the version
    assert not (drive / "lib" / "adafruit_hcsr04.py").exists()
    assert len(seen) == 2

    # Downloaded once: the next deploy (a fresh board) is served from the cache, offline.
    monkeypatch.setenv("KIT_PYPI_URL", "http://127.0.0.1:9/pypi")
    other = tmp_path / "AUTRE"
    shutil.copytree(drive, other)
    shutil.rmtree(other / "lib")
    again = deploy(script, drive=other)
    assert [lib.status for lib in again.plan.libraries] == ["ajoutée"]
    assert (other / "lib" / "adafruit_hcsr04.mpy").read_bytes() == data
    assert len(seen) == 2
