# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulated ROM served on a pty: esptool's own command line, and the BOOT-button wait.

These run in real time (the simulator follows the wall clock, ``--speed`` times faster), so
they are marked slow and keep their images small except the CircuitPython-sized writes.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, kit_env, run_kit
from tests.support.esp_images import combined_bin

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="no pty on Windows"),
]


@pytest.fixture
def served() -> Iterator[object]:
    procs: list[subprocess.Popen[str]] = []

    def start(kind: str, *options: str) -> str:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kit", "sim", "serve", kind, "--pty", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=kit_env(),
            cwd=str(REPO_ROOT),
        )
        procs.append(proc)
        assert proc.stdout is not None
        return proc.stdout.readline().strip()

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def _esptool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "esptool", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=kit_env(),
    )


@pytest.mark.parametrize(
    ("kind", "size", "extra"),
    [("esp32s3", 1_500_000, []), ("esp32s2", 1_500_000, ["--no-stub"])],
    ids=["s3-stub-1.5MB", "s2-rom-1.5MB"],
)
def test_esptool_command_line_flashes_and_verifies(
    served: object, tmp_path: Path, kind: str, size: int, extra: list[str]
) -> None:
    image = tmp_path / f"{kind}.bin"
    image.write_bytes(combined_bin(kind, size, compressible=True))
    pty = served(kind, "--speed", "50")  # type: ignore[operator]
    common = ["--chip", "auto", "--port", pty, "--before", "no-reset", "--after", "no-reset"]
    write = _esptool(*common, "--baud", "921600", *extra, "write-flash", "0x0", str(image))
    assert write.returncode == 0, write.stdout + write.stderr
    assert f"Chip type:          {kind.upper().replace('ESP32', 'ESP32-')}" in write.stdout
    assert "Hash of data verified." in write.stdout
    if kind == "esp32s3":
        # A second esptool run checks the MD5 of the whole image on the same simulated chip.
        verify = _esptool(*common, *extra, "verify-flash", "0x0", str(image))
        assert verify.returncode == 0, verify.stdout + verify.stderr
        assert "Verification successful (digest matched)." in verify.stdout
    else:
        # And reads bytes back (ROM READ_FLASH_SLOW): the bootloader header at 0x1000.
        out = tmp_path / "back.bin"
        read = _esptool(*common, *extra, "read-flash", "0x1000", "0x400", str(out))
        assert read.returncode == 0, read.stdout + read.stderr
        assert out.read_bytes() == image.read_bytes()[0x1000:0x1400]


def test_kit_waits_for_the_boot_button_then_flashes(served: object, tmp_path: Path) -> None:
    image = tmp_path / "s3.bin"
    image.write_bytes(combined_bin("esp32s3", 60_000, compressible=True))
    pty = served("esp32s3", "--boot", "app", "--button-after-s", "20", "--speed", "5")  # type: ignore[operator]
    result = run_kit(
        "mcu",
        "flash",
        str(image),
        "--board",
        "feather_esp32s3",
        "--port",
        pty,
        "--attente",
        "30",
        timeout_s=90,
    )
    assert result.returncode == 0, result.stderr
    assert "Maintenez le bouton BOOT (D0)" in result.stderr
    assert "CircuitPython installé" in result.stdout


def test_toutes_on_a_device_path_waits_for_unplug_and_replug(
    served: object, tmp_path: Path
) -> None:
    """The atelier case with ESP boards: one port path, boards plugged in one after the other.

    The path is a symlink, as udev's /dev/serial/by-id names are: removing it is unplugging the
    flashed board, pointing it at a second served chip is plugging in the next one.
    """
    import os
    import time

    image = tmp_path / "s3.bin"
    image.write_bytes(combined_bin("esp32s3", 40_000, compressible=True))
    first = served("esp32s3", "--speed", "20")  # type: ignore[operator]
    second = served("esp32s3", "--speed", "20")  # type: ignore[operator]
    port = tmp_path / "ttyACM0"
    port.symlink_to(first)
    log_path = tmp_path / "stderr.txt"
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kit", "mcu", "flash", str(image), "--board", "feather_esp32s3"]
            + ["--port", str(port), "--toutes", "--nombre", "2", "--attente", "30"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=kit_env(),
            cwd=str(REPO_ROOT),
        )
        try:
            deadline = time.monotonic() + 60
            while "Carte 1 terminée" not in log_path.read_text(encoding="utf-8"):
                assert proc.poll() is None, log_path.read_text(encoding="utf-8")
                assert time.monotonic() < deadline, log_path.read_text(encoding="utf-8")
                time.sleep(0.1)
            os.unlink(port)  # the flashed board is unplugged…
            time.sleep(0.6)
            port.symlink_to(second)  # …and the next one plugged in at the same place
            out, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    err = log_path.read_text(encoding="utf-8")
    assert proc.returncode == 0, out + err
    assert "Carte 2" in err
    assert out.count("CircuitPython installé") == 2, out
    assert "Bilan : 2 cartes installées, 0 en échec." in out


def test_without_port_the_board_is_found_by_its_usb_ids(
    served: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --port: the kit picks the one serial port whose USB ids are this board's (here the
    port list is pyserial's own structure, pointing at a served chip)."""
    from click.testing import CliRunner
    from serial.tools import list_ports
    from serial.tools.list_ports_common import ListPortInfo

    from kit.cli import cli
    from kit.errors import KitError

    image = tmp_path / "s3.bin"
    image.write_bytes(combined_bin("esp32s3", 20_000, compressible=True))
    pty = served("esp32s3", "--speed", "20")  # type: ignore[operator]

    def port(device: str, vid: int, pid: int) -> ListPortInfo:
        info = ListPortInfo(device, skip_link_detection=True)
        info.vid, info.pid, info.description = vid, pid, "USB JTAG/serial debug unit"
        return info

    others = [port("/dev/ttyUSB9", 0x1A86, 0x7523)]  # a CH340 (an mBot) is not the board
    monkeypatch.setattr(
        list_ports, "comports", lambda *a, **k: [*others, port(pty, 0x303A, 0x1001)]
    )
    result = CliRunner().invoke(cli, ["mcu", "flash", str(image), "--board", "feather_esp32s3"])
    assert result.exit_code == 0, result.output
    assert "CircuitPython installé" in result.output

    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: list(others))
    missing = CliRunner().invoke(cli, ["mcu", "flash", str(image), "--board", "feather_esp32s3"])
    assert isinstance(missing.exception, KitError) and missing.exception.exit_code == 2
    assert "Aucun port série de Adafruit Feather ESP32-S3" in missing.exception.message
