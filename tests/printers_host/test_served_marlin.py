# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit sim serve marlin --pty``: other programs print through the simulated printer."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from printers.marlin.framing import frame
from tests.conftest import REPO_ROOT, kit_env, run_kit
from tests.printers_host.helpers import arc_lines, write_gcode

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no pty on Windows")


def _serve(*options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kit", "sim", "serve", "marlin", "--pty", "--speed", "50",
         "--heat-scale", "50", "--boot-s", "0.2", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kit_env(),
        cwd=str(REPO_ROOT),
    )


@pytest.fixture
def served_marlin() -> Iterator[str]:
    proc = _serve()
    assert proc.stdout is not None
    path = proc.stdout.readline().strip()
    try:
        yield path
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_a_plain_pyserial_host_prints_through_the_served_printer(served_marlin: str) -> None:
    """An external host in the style of Printrun: M110, then one line per ok, checksums."""
    port = serial.Serial(served_marlin, 115200, timeout=5)
    try:
        banner = port.readline()
        assert banner == b"start\n"
        lines = ["M110 N0", "M115", "M21", "M105", "G28", *arc_lines(20), "M400", "M999 Z"]
        answers = []
        for number, command in enumerate(lines):
            port.write(frame(number, command))
            while True:
                reply = port.readline()
                assert reply, f"no answer to {command}"
                answers.append(reply)
                if reply.startswith(b"ok"):
                    break
        text = b"".join(answers).decode()
        assert "FIRMWARE_NAME:Marlin" in text and "Cap:AUTOREPORT_TEMP:1" in text
        assert "echo:SD card ok" in text
        assert "ok T:" in text
        assert "Error" not in text
    finally:
        port.close()


def test_kit_prints_a_file_on_the_served_printer(served_marlin: str, tmp_path: Path) -> None:
    path = write_gcode(tmp_path / "arc.gcode", arc_lines(100))
    result = run_kit("printer", "print", str(path), "--port", served_marlin, timeout_s=120)
    assert result.returncode == 0, result.stderr
    assert "Impression terminée" in result.stdout


def test_a_served_printer_that_vanishes_stops_the_print(tmp_path: Path) -> None:
    proc = _serve("--disconnect-at-line", "40")
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()
        path = write_gcode(tmp_path / "arc.gcode", arc_lines(100), heat=False)
        result = run_kit("printer", "print", str(path), "--port", port, timeout_s=120)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert result.returncode == 1
    assert "liaison USB" in result.stderr
    assert "Dernière ligne exécutée" in result.stderr


def _pty_link() -> tuple[int, serial.Serial]:
    import os
    import pty
    import tty

    controller, device = pty.openpty()
    tty.setraw(controller)
    path = os.ttyname(device)
    link = serial.Serial(path, 250000, timeout=0.1)
    os.close(device)
    return controller, link


def test_host_writes_a_full_port_in_pieces_when_the_reader_catches_up() -> None:
    """The POSIX write fast path keeps writing after the kernel queue was full (EAGAIN)."""
    import os
    import threading
    import time

    from printers.host import MarlinHost

    controller, link = _pty_link()
    host = MarlinHost(link)
    data = b"G1 X1 Y1\n" * 40_000  # far more than a pty holds
    received = bytearray()

    def drain() -> None:
        time.sleep(0.2)
        while len(received) < len(data):
            received.extend(os.read(controller, 65536))

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        host._write(data)
        reader.join(timeout=10)
    finally:
        link.close()
        os.close(controller)
    assert bytes(received) == data
    assert host.bytes_written == len(data)


def test_host_write_to_a_port_that_never_drains_stops_in_french(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    import printers.host
    from printers.host import MarlinHost, PrinterStopped

    monkeypatch.setattr(printers.host, "WRITE_LIMIT_S", 1.0)
    controller, link = _pty_link()
    host = MarlinHost(link)
    try:
        with pytest.raises(PrinterStopped) as caught:
            host._write(b"G1 X1 Y1\n" * 40_000)
    finally:
        link.close()
        os.close(controller)
    assert caught.value.reason == "stalled"
    assert "ne lit plus rien sur la liaison USB depuis 1 s :" in caught.value.message
