# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit printer print|status --octoprint URL`` as a user types them, against a real server."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit import config as cfg
from printers.backend import PrinterState
from printers.octoprint_backend import OctoPrintBackend
from tests.conftest import REPO_ROOT, kit_env, run_kit
from tests.octoprint.octoprint_server import OctoPrintServer, free_loopback_port
from tests.octoprint.tls_proxy import TlsProxy, write_self_signed_certificate

pytestmark = pytest.mark.octoprint


def kit_with_key(server: OctoPrintServer, *args: str) -> tuple[int, str, str]:
    result = run_kit(*args, KIT_OCTOPRINT_KEY=server.api_key)
    assert server.api_key not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout, result.stderr


def test_status_shows_state_and_temperatures(
    octoprint_server: OctoPrintServer, octoprint_printer: OctoPrintBackend
) -> None:
    code, out, err = kit_with_key(
        octoprint_server, "printer", "status", "--octoprint", octoprint_server.url
    )
    assert code == 0, err
    assert "État : prête" in out
    assert "Températures : buse 2" in out and "plateau 2" in out

    code, out, err = kit_with_key(
        octoprint_server, "printer", "status", "--octoprint", octoprint_server.url, "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["backend"] == "octoprint" and data["state"] == "idle"
    assert set(data["temperatures"]) >= {"tool0", "bed"}


def test_print_checks_uploads_and_follows_to_the_end(
    octoprint_server: OctoPrintServer, octoprint_printer: OctoPrintBackend, tmp_path: Path
) -> None:
    gcode = tmp_path / "etiquette.gcode"
    moves = "".join(f"G1 X{10 + i * 3} Y{20 + i * 2} F6000\n" for i in range(25))
    gcode.write_text(f"G28\nG90\n{moves}G1 X42 Y24 F6000\n", encoding="utf-8")
    code, out, err = kit_with_key(
        octoprint_server, "printer", "print", str(gcode), "--octoprint", octoprint_server.url
    )
    assert code == 0, err
    assert "envoyé à" in err and "impression lancée" in err
    assert "etiquette.gcode : 100 %" in err  # plain progress lines without a terminal
    assert "Impression terminée" in out
    assert octoprint_printer.status().state is PrinterState.IDLE
    assert octoprint_printer.send_command("M114")[0].startswith("X:42.00 Y:24.00")


def test_print_refused_by_the_preflight_sends_nothing(
    octoprint_server: OctoPrintServer, octoprint_printer: OctoPrintBackend, tmp_path: Path
) -> None:
    gcode = tmp_path / "trop-grand.gcode"
    gcode.write_text("G28\nG90\nG1 X900 Y10 F3000\n", encoding="utf-8")
    code, _, err = kit_with_key(
        octoprint_server, "printer", "print", str(gcode), "--octoprint", octoprint_server.url
    )
    assert code == 1
    assert "Impression refusée" in err and "X monte à 900,0 mm" in err
    names = [item["name"] for item in octoprint_printer.client.files()["files"]]
    assert "trop-grand.gcode" not in names


def test_configured_server_and_key_are_used_without_options(
    octoprint_server: OctoPrintServer, octoprint_printer: OctoPrintBackend
) -> None:
    cfg.set_value("octoprint.url", octoprint_server.url)
    cfg.set_value("octoprint.api_key", octoprint_server.api_key)
    result = run_kit("printer", "status")
    assert result.returncode == 0, result.stderr
    assert "État : prête" in result.stdout


def test_wrong_key_on_the_command_line(octoprint_server: OctoPrintServer) -> None:
    result = run_kit(
        "printer",
        "status",
        "--octoprint",
        octoprint_server.url,
        KIT_OCTOPRINT_KEY="MAUVAISE-CLE-42",
    )
    assert result.returncode == 2
    assert "refuse la clé d'API (erreur 403)" in result.stderr
    assert "MAUVAISE-CLE-42" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_server_down_on_the_command_line(tmp_path: Path) -> None:
    gcode = tmp_path / "cube.gcode"
    gcode.write_text("G28\nG1 X10 Y10 F3000\n", encoding="utf-8")
    url = f"http://127.0.0.1:{free_loopback_port()}"
    result = run_kit("printer", "print", str(gcode), "--octoprint", url, KIT_OCTOPRINT_KEY="K")
    assert result.returncode == 2
    assert f"Le serveur OctoPrint « {url} » ne répond pas" in result.stderr


def test_forcer_reaches_the_octoprint_path(tmp_path: Path) -> None:
    # Past the preflight (which refuses X900 without --forcer), the next step is the server.
    gcode = tmp_path / "trop-grand.gcode"
    gcode.write_text("G28\nG90\nG1 X900 Y10 F3000\n", encoding="utf-8")
    url = f"http://127.0.0.1:{free_loopback_port()}"
    refused = run_kit("printer", "print", str(gcode), "--octoprint", url, KIT_OCTOPRINT_KEY="K")
    assert refused.returncode == 1 and "Impression refusée" in refused.stderr
    forced = run_kit(
        "printer", "print", str(gcode), "--octoprint", url, "--forcer", KIT_OCTOPRINT_KEY="K"
    )
    assert forced.returncode == 2
    assert "Problèmes bloquants ignorés (--forcer)" in forced.stderr
    assert f"Le serveur OctoPrint « {url} » ne répond pas" in forced.stderr


def test_timeout_on_the_command_line(octoprint_server: OctoPrintServer) -> None:
    cfg.set_value("octoprint.timeout_s", 0.5)
    octoprint_server.freeze()
    try:
        code, _, err = kit_with_key(
            octoprint_server, "printer", "status", "--octoprint", octoprint_server.url
        )
    finally:
        octoprint_server.thaw()
    assert code == 2
    assert "n'a pas répondu dans les 0,5 s" in err
    assert "octoprint.timeout_s" in err


def test_port_and_octoprint_together_are_refused(octoprint_server: OctoPrintServer) -> None:
    result = run_kit(
        "printer", "status", "--port", "sim://marlin", "--octoprint", octoprint_server.url
    )
    assert result.returncode == 2
    assert "pas les deux" in result.stderr


def test_no_port_and_no_server_is_explained() -> None:
    result = run_kit("printer", "status")
    assert result.returncode == 2
    assert "--octoprint" in result.stderr and "--port" in result.stderr


def test_ctrl_c_without_a_terminal_cancels_on_the_server(
    octoprint_server: OctoPrintServer, octoprint_printer: OctoPrintBackend, tmp_path: Path
) -> None:
    gcode = tmp_path / "long.gcode"
    moves = "".join(f"G1 X{10 + (i * 37) % 150} Y{10 + (i * 53) % 150} F1200\n" for i in range(300))
    gcode.write_text(f"G28\nG90\n{moves}", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "kit", "printer", "print", str(gcode)]
        + ["--octoprint", octoprint_server.url],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kit_env(KIT_OCTOPRINT_KEY=octoprint_server.api_key),
        cwd=str(REPO_ROOT),
    )
    try:
        deadline = time.monotonic() + 30
        while octoprint_printer.status().state is not PrinterState.PRINTING:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert "annulation de l'impression sur le serveur" in err
    assert "Traceback" not in err
    deadline = time.monotonic() + 30
    while octoprint_printer.status().state is not PrinterState.IDLE:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    job = octoprint_printer.status().job
    assert job is None or job.fraction_done < 1.0


def test_self_signed_https_is_explained_then_trusted_through_its_certificate(
    octoprint_server: OctoPrintServer, tmp_path: Path
) -> None:
    """OctoPi's HTTPS front with its self-signed certificate: refused with a French message
    naming the fix, then accepted once the certificate is given to REQUESTS_CA_BUNDLE."""
    cert, key = write_self_signed_certificate(tmp_path)
    backend_port = int(octoprint_server.url.rsplit(":", 1)[1])
    with TlsProxy(backend_port, cert, key) as proxy:
        refused = run_kit(
            "printer",
            "status",
            "--octoprint",
            proxy.url,
            KIT_OCTOPRINT_KEY=octoprint_server.api_key,
        )
        trusted = run_kit(
            "printer",
            "status",
            "--octoprint",
            proxy.url,
            "--json",
            KIT_OCTOPRINT_KEY=octoprint_server.api_key,
            REQUESTS_CA_BUNDLE=str(cert),
        )
    assert refused.returncode == 2, refused.stderr
    assert f"Le certificat HTTPS du serveur OctoPrint « {proxy.url} » n'est pas reconnu" in (
        refused.stderr
    )
    assert "REQUESTS_CA_BUNDLE" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert trusted.returncode == 0, trusted.stderr
    assert json.loads(trusted.stdout)["backend"] == "octoprint"


def test_a_missing_certificate_bundle_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "absent.pem"
    result = run_kit(
        "printer",
        "status",
        "--octoprint",
        f"https://127.0.0.1:{free_loopback_port()}",
        KIT_OCTOPRINT_KEY="K",
        REQUESTS_CA_BUNDLE=str(missing),
    )
    assert result.returncode == 2
    assert f"REQUESTS_CA_BUNDLE est introuvable : « {missing} »" in result.stderr.replace("\n", "")
