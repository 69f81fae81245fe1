# SPDX-License-Identifier: GPL-3.0-or-later
"""Wire compatibility with Makeblock's own client code (the ``makeblock`` 0.1.8 package).

``import makeblock`` crashes without a robot (its ``__init__`` talks to a CyberPi), so the
test loads only the two files that matter — the frame builder ``protocols/PackData.py`` and
the reply parser ``protocols/Protocols.py`` — plus ``utils/__init__.py`` they import, under a
bare stand-in ``makeblock`` package: the package's ``__init__`` never runs. Frames built by
Makeblock's code go to the simulator served on a pty (``kit sim serve mbot --pty``), and
Makeblock's parser reads the simulator's replies.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

import pytest
import serial

from tests.conftest import REPO_ROOT, kit_env
from tests.robots.serve import served_mbot

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="no pty on Windows"),
    pytest.mark.slow,
]


def _load(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def makeblock(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    spec = importlib.util.find_spec("makeblock")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("makeblock 0.1.8 (test extra) is not installed")
    base = Path(next(iter(spec.submodule_search_locations)))
    for name in list(sys.modules):
        if name == "makeblock" or name.startswith("makeblock."):
            monkeypatch.delitem(sys.modules, name)
    package = types.ModuleType("makeblock")
    package.__path__ = [str(base)]
    protocols_package = types.ModuleType("makeblock.protocols")
    protocols_package.__path__ = [str(base / "protocols")]
    monkeypatch.setitem(sys.modules, "makeblock", package)
    monkeypatch.setitem(sys.modules, "makeblock.protocols", protocols_package)
    utils = _load("makeblock.utils", base / "utils" / "__init__.py")
    packdata = _load("makeblock.protocols.PackData", base / "protocols" / "PackData.py")
    protocols = _load("makeblock.protocols.Protocols", base / "protocols" / "Protocols.py")
    for name in (
        "makeblock.utils",
        "makeblock.protocols.PackData",
        "makeblock.protocols.Protocols",
    ):
        monkeypatch.setitem(sys.modules, name, sys.modules[name])
    return types.SimpleNamespace(utils=utils, PackData=packdata, Protocols=protocols)


class Engine:
    """What Makeblock's board object does with parsed replies: keep them."""

    def __init__(self) -> None:
        self.packs: list[Any] = []

    def on_response(self, pack: Any) -> None:
        self.packs.append(pack)


def request(mb: types.SimpleNamespace, idx: int, action: int, module: int, data: list[int]) -> Any:
    pack = mb.PackData.MegaPiPackData()
    pack.idx = idx
    pack.action = action
    pack.module = module
    pack.data = data
    return pack


def exchange(port: serial.Serial, mb: types.SimpleNamespace, pack: Any) -> Any:
    """Send Makeblock's frame, feed the answer to Makeblock's parser, return the parsed pack."""
    engine = Engine()
    parser = mb.Protocols.MegaPiProtocol()
    parser.setup(engine)
    frame = bytes(pack.to_buffer())
    assert frame.endswith(b"\x0a")  # the client's extra byte, counted in the length
    port.write(frame)
    deadline = time.monotonic() + 5
    while not engine.packs and time.monotonic() < deadline:
        for byte in port.read(1):
            parser.on_parse(byte)
    assert engine.packs, f"no reply to {frame.hex(' ')}"
    return engine.packs[0]


def test_makeblock_frames_are_answered_and_its_parser_accepts_the_replies(
    makeblock: types.SimpleNamespace,
) -> None:
    mb = makeblock
    GET, RUN = mb.PackData.MegaPiPackData.ACTION_GET, mb.PackData.MegaPiPackData.ACTION_RUN
    with served_mbot("--arena", "ovale", "--demarrage", "0", "--speed", "10") as path:
        port = serial.Serial(path, 115200, timeout=0.2)
        try:
            # Ultrasonic on port 3, as Makeblock's Ultrasonic module asks for it.
            sent = request(mb, 5, GET, 0x01, [3])
            reply = exchange(port, mb, sent)
            assert mb.Protocols.MegaPiProtocol().check_response(reply, sent)
            before = mb.utils.bytes2float(reply.data, 1)
            assert 3 <= before < 400

            # Line follower on port 2: the oval arena's robot starts on the line (0).
            reply = exchange(port, mb, request(mb, 6, GET, 0x11, [2]))
            assert reply.idx == 6 and mb.utils.bytes2float(reply.data, 1) == 0.0

            # Onboard light sensor (port 6), as Makeblock's Light module reads it.
            reply = exchange(port, mb, request(mb, 7, GET, 0x03, [6]))
            assert 0 <= int(mb.utils.bytes2float(reply.data, 1)) <= 1023

            # Onboard button: Makeblock's ButtonOnBoard sends [7, 0] and reads data[1].
            reply = exchange(port, mb, request(mb, 8, GET, 0x23, [7, 0]))
            assert reply.idx == 8 and reply.data[1] == 0

            # Both motors forward (RUN device 5), with Makeblock's short encoder: the ack
            # « ff 55 0d 0a » goes through Makeblock's parser too.
            data = mb.utils.short2bytes(-255) + mb.utils.short2bytes(255)
            ack = exchange(port, mb, request(mb, 9, RUN, 0x05, data))
            assert ack.data == []
            time.sleep(0.3)  # 3 s of simulated time at --speed 10
            exchange(port, mb, request(mb, 10, RUN, 0x05, [0, 0, 0, 0]))

            reply = exchange(port, mb, request(mb, 11, GET, 0x01, [3]))
            assert reply.idx == 11
            after = mb.utils.bytes2float(reply.data, 1)
            assert after < before - 20  # the robot did drive towards the table's edge
        finally:
            port.close()


def test_the_kit_never_imports_makeblock_at_run_time() -> None:
    """docs/mbot.md: ``import makeblock`` crashes without a robot and hooks SIGINT."""
    code = (
        "import sys\n"
        "from robots.session import run_program\n"
        "import kit.cli, kit.commands.robot, robots.picture, robots.selftest\n"
        "report = run_program('exemple:arret_mur', 'sim://mbot', defi='arret-mur')\n"
        "assert report.result is not None and report.result.passed\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] == 'makeblock']\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=kit_env(),
        cwd=str(REPO_ROOT),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
