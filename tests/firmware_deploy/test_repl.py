# SPDX-License-Identifier: GPL-3.0-or-later
"""The REPL round trip: ``kit sim serve circuitpython --pty`` with real-board clients."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware import rawrepl
from firmware.repl import RawReplClient
from kit.errors import DeviceFault
from kit.links import open_link
from tests.conftest import REPO_ROOT, kit_env
from tests.firmware_deploy.helpers import kit_here

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no pty on Windows")

LONG_PRINTER = (
    "import time\n"
    "for i in range(12):\n"
    "    print('ligne', i)\n"
    "    time.sleep(0.1)\n"
)


@pytest.fixture(scope="module")
def served_board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("served") / "CIRCUITPY"
    folder.mkdir()
    (folder / "code.py").write_text("print('prêt')\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kit", "sim", "serve", "circuitpython", "--pty",
         "--board", "pico", "--dossier", str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=kit_env(),
        cwd=str(REPO_ROOT),
    )
    assert proc.stdout is not None
    path = proc.stdout.readline().strip()
    try:
        assert path.startswith("/dev/"), proc.stderr.read() if proc.stderr else ""
        yield path, folder
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def reopen_pause() -> None:
    # The server sees a host leave by polling the pty; let it notice before the next one.
    time.sleep(0.15)


def test_script_that_raises_over_the_pty(served_board: tuple[str, Path]) -> None:
    path, _ = served_board
    link = open_link(path, timeout_s=0.05)
    try:
        client = RawReplClient(link, port_name=path)
        client.enter_raw()
        printed: list[bytes] = []
        result = client.execute("x = 1\nprint('avant')\ny = x / 0\n", printed.append)
        client.leave_raw()
    finally:
        link.close()
        reopen_pause()
    assert b"".join(printed) == b"avant\r\n"
    assert 'Fichier "<stdin>", ligne 3' in result.error
    assert "ZeroDivisionError: division par zéro" in result.error


def test_long_output_streams_as_it_comes(served_board: tuple[str, Path]) -> None:
    path, _ = served_board
    link = open_link(path, timeout_s=0.05)
    arrivals: list[tuple[float, bytes]] = []
    try:
        client = RawReplClient(link, port_name=path)
        client.enter_raw()
        result = client.execute(LONG_PRINTER,
                                lambda data: arrivals.append((time.monotonic(), data)))
        done = time.monotonic()
        client.leave_raw()
    finally:
        link.close()
        reopen_pause()
    assert result.ok
    text = b"".join(d for _, d in arrivals).decode()
    assert text.splitlines() == [f"ligne {i}" for i in range(12)]
    # Served in real time, the 12 lines come over ~1.2 s: in many pieces, the first one
    # long before the program ends.
    assert len(arrivals) >= 3
    assert done - arrivals[0][0] > 0.5


def test_mpremote_runs_code_on_the_simulated_board(served_board: tuple[str, Path]) -> None:
    mpremote = shutil.which("mpremote") or str(Path(sys.executable).parent / "mpremote")
    if not os.path.exists(mpremote):
        pytest.skip("mpremote is not installed")
    path, _ = served_board
    ok = subprocess.run([mpremote, "connect", path, "exec", "print(6 * 7)"],
                        capture_output=True, text=True, timeout=60)
    reopen_pause()
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "42"
    failed = subprocess.run([mpremote, "connect", path, "exec", "import board\nboard.NOPE"],
                            capture_output=True, text=True, timeout=60)
    reopen_pause()
    assert failed.returncode == 1
    assert "la carte n'a pas de broche « NOPE »" in failed.stdout + failed.stderr


def test_kit_mcu_run_and_reset_over_the_pty(
    served_board: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = served_board
    script = tmp_path / "essai.py"
    script.write_text("import board\nprint(board.board_id)\n", encoding="utf-8")
    result = kit_here(capsys, "mcu", "run", str(script), "--port", path)
    reopen_pause()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "raspberry_pi_pico"
    result = kit_here(capsys, "mcu", "reset", "--port", path)
    reopen_pause()
    assert result.returncode == 0, result.stderr
    assert "redémarré" in result.stdout


def test_kit_mcu_run_error_and_timeout_on_sim_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "faute.py"
    script.write_text("import time\nprint('un')\ntime.sleep(2)\nprint(deux)\n",
                      encoding="utf-8")
    result = kit_here(capsys, "mcu", "run", str(script), "--port", "sim://circuitpython")
    assert result.returncode == 1
    assert result.stdout == "un\n"
    assert "ligne 4" in result.stderr and "le nom « deux » n'est pas défini" in result.stderr
    result = kit_here(capsys, "mcu", "run", "clignoter", "--port",
                      "sim://circuitpython?board=pico", "--timeout", "1.5")
    assert result.returncode == 1
    assert "tournait encore au bout de 1,5 s" in result.stderr


def test_kit_mcu_run_refuses_a_syntax_error_before_sending(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "faux.py"
    script.write_text("print('un')\nif True\n    print('deux')\n", encoding="utf-8")
    # The port is not even opened: the check comes first.
    result = kit_here(capsys, "mcu", "run", str(script), "--port", "/dev/ttyNOPE42")
    assert result.returncode == 2
    assert "Faute de syntaxe dans « faux.py », ligne 2" in result.stderr
    assert "rien n'a été envoyé à la carte" in result.stderr
    assert result.stdout == ""


def test_kit_mcu_repl_piped_lines(capsys: pytest.CaptureFixture[str]) -> None:
    read, write = os.pipe()
    os.write(write, b"a = 6\na * 7\n")
    os.close(write)
    saved = sys.stdin
    sys.stdin = os.fdopen(read, "r")
    try:
        result = kit_here(capsys, "mcu", "repl", "--port", "sim://circuitpython")
    finally:
        sys.stdin.close()
        sys.stdin = saved
    assert result.returncode == 0
    assert ">>> a = 6\r\n>>> a * 7\r\n42\r\n>>> " in result.stdout
    assert "Ctrl-D" in result.stderr


def test_board_that_says_nothing_gets_a_clear_message() -> None:
    master, slave = os.openpty()
    try:
        link = open_link(os.ttyname(slave), timeout_s=0.05)
        try:
            with pytest.raises(DeviceFault) as caught:
                RawReplClient(link, port_name="carte muette").enter_raw(timeout_s=0.3)
        finally:
            link.close()
    finally:
        os.close(master)
        os.close(slave)
    assert "n'a rien répondu en 0,3 s" in caught.value.message
    assert caught.value.exit_code == 2


def test_device_that_is_not_a_board_is_recognised() -> None:
    link = open_link("sim://echo", timeout_s=0.05)
    try:
        with pytest.raises(DeviceFault) as caught:
            RawReplClient(link, port_name="sim://echo").enter_raw(timeout_s=1.0)
    finally:
        link.close()
    assert "pas comme une carte CircuitPython" in caught.value.message


def test_console_states_in_virtual_time() -> None:
    link = open_link("sim://circuitpython?board=pico", timeout_s=0.5)
    try:
        boot = link.read(4096)
        assert boot.startswith(b"Auto-reload is on.")
        assert b"code.py output:\r\nHello World!\r\n" in boot
        assert boot.endswith(b"Press any key to enter the REPL. Use CTRL-D to reload.\r\n")
        link.write(b"\r")
        assert link.read(4096).endswith(b"Raspberry Pi Pico (RP2040) with rp2040\r\n>>> ")
        link.write(b"\x01")
        assert link.read(4096) == b"\r\n" + rawrepl.RAW_BANNER + rawrepl.RAW_PROMPT
        link.write(b"\x05A\x01")
        assert link.read(4) == b"R\x01\x80\x00"
        link.write("print('collé')\x04".encode())
        assert link.read(4096) == "\x04collé\r\n\x04\x04>".encode()
        link.write(b"\x04")  # soft reboot from raw: code.py runs, then raw REPL again
        reboot = link.read(4096)
        assert reboot.startswith(b"OK\r\nsoft reboot\r\n")
        assert reboot.endswith(b"Code done running.\r\n\r\n" + rawrepl.RAW_BANNER + b">")
    finally:
        link.close()


def test_running_code_py_is_interrupted_then_repl_runs(tmp_path: Path) -> None:
    folder = tmp_path / "CIRCUITPY"
    folder.mkdir()
    (folder / "code.py").write_text(
        "import time\nwhile True:\n    print('tic')\n    time.sleep(1)\n", encoding="utf-8"
    )
    link = open_link(f"sim://circuitpython?board=pico&dossier={folder}", timeout_s=0.05)
    try:
        client = RawReplClient(link)
        client.enter_raw()  # Ctrl-C stops the endless code.py first
        printed: list[bytes] = []
        result = client.execute("print(len('bonjour'))", printed.append)
    finally:
        link.close()
    assert result.ok and b"".join(printed) == b"7\r\n"


def test_time_limit_option_stops_an_endless_code_py(tmp_path: Path) -> None:
    folder = tmp_path / "CIRCUITPY"
    folder.mkdir()
    (folder / "code.py").write_text("while True:\n    pass\n", encoding="utf-8")
    link = open_link(f"sim://circuitpython?dossier={folder}&limite=3", timeout_s=5)
    try:
        text = link.read(8192).decode()
        assert "Arrêt : le programme tourne depuis 3 s" in text
        assert text.endswith("Press any key to enter the REPL. Use CTRL-D to reload.\r\n")
    finally:
        link.close()


def test_bad_board_option_in_url_is_refused() -> None:
    with pytest.raises(Exception) as caught:
        open_link("sim://circuitpython?board=arduino_uno")
    assert "Carte inconnue" in str(caught.value)


_FUZZ_DEVICE: list[object] = []


@settings(max_examples=12, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=5))
def test_console_survives_arbitrary_bytes(chunks: list[bytes]) -> None:
    from sim.circuitpython.device import CircuitPythonDevice

    if not _FUZZ_DEVICE:
        _FUZZ_DEVICE.append(CircuitPythonDevice({"board": "pico", "limite": "2"}))
    device = _FUZZ_DEVICE[0]
    assert isinstance(device, CircuitPythonDevice)
    now = getattr(device, "_now_s", 0.0)
    device.on_open(now)
    for chunk in chunks:
        now += 0.05
        device.feed(chunk, now)
        device.advance(now)
        assert isinstance(device.read_output(), bytes)
    # Whatever happened, Ctrl-C and Ctrl-B bring back a usable prompt.
    now += 3.0
    device.advance(now)
    device.feed(b"\x03\x03\r\x02", now)
    device.advance(now + 0.1)
    device.feed(b"\r", now + 0.1)
    device.advance(now + 0.2)
    assert device.mode == "friendly"
    assert device.read_output().endswith(b">>> ")


def test_board_reloads_when_a_program_is_deployed(tmp_path: Path) -> None:
    from firmware.deploy import deploy

    folder = tmp_path / "CIRCUITPY"
    folder.mkdir()
    link = open_link(f"sim://circuitpython?board=pico&dossier={folder}", timeout_s=1.0)
    try:
        assert b"Hello World!" in link.read(4096)  # the fresh board's code.py
        deploy(REPO_ROOT / "firmware" / "scripts" / "clignoter.py", drive=folder)
        text = link.read(4096).decode()
        text += link.read(4096).decode()  # the new program's output follows the reload
        assert "Code stopped by auto-reload" in text
        assert "code.py output:\r\nLa LED clignote !" in text
        assert link.device.timeline.digital["LED"][-1][1] in (True, False)
    finally:
        link.close()
