# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit tableau`` as typed: the token of ``--reseau``, Ctrl-C, bad ports; no key reaches a page.

The command runs in a subprocess, as in an atelier; the browser is refused without the token
printed at start-up and let in with it; Ctrl-C (SIGINT) stops the server cleanly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, kit_env, run_kit
from tests.tableau.conftest import output_dir

SECRET_KEY = "CLE-OCTOPRINT-SECRETE-0123456789"


@pytest.fixture
def reseau(tmp_path: Any) -> Iterator[tuple[subprocess.Popen[str], str]]:
    # A configured OctoPrint printer with its key: the key must never reach a page.
    assert run_kit("config", "set", "printers.pi.url", "http://127.0.0.1:9").returncode == 0
    assert run_kit("config", "set", "printers.pi.api_key", SECRET_KEY).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "kit", "tableau", "--reseau", "--port", "0",
         "--sortie", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kit_env(),
        cwd=str(REPO_ROOT),
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "?jeton=" in line, line + (process.stderr.read() if process.poll() is not None else "")
    url = line.split("réseau : ", 1)[1].strip()
    try:
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_token_refusal_and_clean_stop(page: Any, reseau: tuple[subprocess.Popen[str], str]) -> None:
    process, url = reseau
    base, token = url.split("/?jeton=")
    for path in ("/", "/repetition", "/atelier", "/etat", "/evenements", "/statique/tableau.js"):
        assert _status(base + path) == 403, path
    assert _status(f"{base}/atelier?jeton={token[:-1]}x") == 403

    page.goto(base + "/atelier")
    assert "Accès refusé" in page.inner_text("h1")
    assert page.get_attribute("html", "lang") == "fr"
    page.goto(url)  # the URL printed: the token moves into a cookie and out of the address
    page.wait_for_selector("#connexion:text('En direct')")
    assert "jeton" not in page.url and page.url.endswith("/repetition")
    page.goto(base + "/atelier")
    page.wait_for_selector("#connexion:text('En direct')")
    page.wait_for_selector('article[data-nom="pi"].erreur')
    assert SECRET_KEY not in page.content()
    page.screenshot(path=str(output_dir() / "atelier-reseau.png"), full_page=True)
    state = page.evaluate("fetch('/etat').then((r) => r.text())")
    assert SECRET_KEY not in state and '"pi"' in state

    page.close()  # closing the browser stops nothing
    assert process.poll() is None
    os.kill(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Tableau arrêté." in out
    assert "Traceback" not in err


def test_port_already_taken() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run_kit("tableau", "--port", str(port))
    assert result.returncode == 2, result.stderr
    assert f"Le port {port} est déjà utilisé" in result.stderr
