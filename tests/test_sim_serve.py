# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit sim serve``: a simulator opened by plain pyserial from another process."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
import serial

from sim import serving
from tests.conftest import REPO_ROOT, kit_env, run_kit


def start_server(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kit", "sim", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kit_env(),
        cwd=str(REPO_ROOT),
    )
    assert proc.stdout is not None
    first_line = proc.stdout.readline().strip()
    return proc, first_line


def stop_server(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=10)


@pytest.mark.skipif(sys.platform == "win32", reason="no pty on Windows")
def test_echo_served_on_pty_answers_plain_pyserial() -> None:
    proc, path = start_server("echo", "--pty", "--delay", "0.001")
    try:
        assert path.startswith("/dev/")
        port = serial.Serial(path, 115200, timeout=5)
        assert port.readline() == b"hello\n"
        port.write(b"bonjour\n")
        assert port.readline() == b"bonjour\n"
        port.close()
        # A second host gets a fresh open (banner again). The server notices a close by
        # polling the pty master for POLLHUP, so a reopen within the same poll interval
        # would look like one session: leave it a moment, as a person replugging would.
        # On a loaded machine the server may need longer to see the hang-up: a host that got
        # no banner closes and tries again, as a person would unplug and replug once more.
        banners = []
        for attempt in range(1, 6):
            time.sleep(5 * serving.NO_HOST_POLL_S * attempt)
            port = serial.Serial(path, 115200, timeout=1)
            banners.append(port.readline())
            port.close()
            if banners[-1]:
                break
        assert banners[-1] == b"hello\n", banners
    finally:
        code = stop_server(proc)
    assert code == 0


def test_echo_served_on_socket_answers_pyserial_url() -> None:
    proc, url = start_server("echo", "--socket", "127.0.0.1:0", "-o", "upper=1")
    try:
        assert url.startswith("socket://127.0.0.1:")
        port = serial.serial_for_url(url, timeout=5)
        assert port.readline() == b"hello\n"
        port.write(b"abc\n")
        assert port.readline() == b"ABC\n"
        port.close()
    finally:
        code = stop_server(proc)
    assert code == 0


def test_sigint_also_stops_cleanly() -> None:
    proc, _ = start_server("echo", "--pty")
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0


def test_unknown_kind_is_refused_with_exit_2() -> None:
    result = run_kit("sim", "serve", "tardis", "--pty")
    assert result.returncode == 2
    assert "Simulateur inconnu" in result.stderr


def test_serve_needs_pty_or_socket() -> None:
    result = run_kit("sim", "serve", "echo")
    assert result.returncode == 2
    assert "--pty ou --socket" in result.stderr


def test_bad_socket_address() -> None:
    result = run_kit("sim", "serve", "echo", "--socket", "127.0.0.1:port")
    assert result.returncode == 2
    assert "Adresse invalide" in result.stderr


def test_bad_simulator_option_is_refused_before_serving() -> None:
    result = run_kit("sim", "serve", "echo", "--pty", "--delay", "bientôt")
    assert result.returncode == 2
    assert "attend un nombre" in result.stderr
    assert result.stdout == ""


def test_socket_port_out_of_range() -> None:
    result = run_kit("sim", "serve", "echo", "--socket", "127.0.0.1:99999")
    assert result.returncode == 2
    assert "hors limites" in result.stderr


def test_unknown_host_is_said_in_french() -> None:
    result = run_kit("sim", "serve", "echo", "--socket", "machine-inconnue.invalid:5000")
    assert result.returncode == 2
    assert "adresse inconnue (nom de machine introuvable)" in " ".join(result.stderr.split())
    assert "Name or service" not in result.stderr


def test_a_non_loopback_address_is_refused_without_reseau() -> None:
    refused = run_kit("sim", "serve", "echo", "--socket", "0.0.0.0:0", timeout_s=20)
    assert refused.returncode == 2
    message = " ".join(refused.stderr.split())
    assert "n'est pas une adresse locale" in message and "--reseau" in message
    assert not serving.is_loopback("0.0.0.0") and serving.is_loopback("::1")
    assert serving.is_loopback("localhost") and serving.is_loopback("127.0.0.2")


def test_reseau_serves_on_every_interface_when_asked() -> None:
    proc, address = start_server("echo", "--socket", "0.0.0.0:0", "--reseau")
    try:
        assert address.startswith("socket://0.0.0.0:"), address
    finally:
        assert stop_server(proc) == 0
