# SPDX-License-Identifier: GPL-3.0-or-later
"""Start and stop a real OctoPrint server for the tests (a separate process, never imported).

The server gets a temporary base folder whose ``config.yaml`` and ``users.yaml`` are written
before it starts: first-run wizard done, no network (online check, plugin blacklist,
announcements, tracking, software update and plugin repository all off), pty ports allowed,
short serial timeouts, and one admin user whose API key is known to the tests.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

#: Plugins that would reach the internet or do work the tests do not need.
DISABLED_PLUGINS = [
    "achievements",
    "announcements",
    "backup",
    "discovery",
    "errortracking",
    "firmware_check",
    "gcodeviewer",
    "health_check",
    "pluginmanager",
    "softwareupdate",
    "tracking",
]
STARTUP_TIMEOUT_S = 60.0


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _yaml_list(items: list[str], indent: str) -> str:
    return "".join(f"{indent}- {item}\n" for item in items)


def write_config(basedir: Path, api_key: str) -> None:
    """config.yaml and users.yaml for a server the tests can drive with ``api_key``."""
    basedir.mkdir(parents=True, exist_ok=True)
    (basedir / "config.yaml").write_text(
        "server:\n"
        "  firstRun: false\n"
        "  onlineCheck:\n"
        "    enabled: false\n"
        "  pluginBlacklist:\n"
        "    enabled: false\n"
        "accessControl:\n"
        "  autologinLocal: false\n"
        # OctoPrint analyses every upload in a new Python process; the kit has its own analysis.
        "gcodeAnalysis:\n"
        "  runAt: never\n"
        "feature:\n"
        "  sdSupport: false\n"
        "serial:\n"
        "  autoconnect: false\n"
        "  autorefresh: false\n"  # no port scan every second
        "  additionalPorts:\n"
        "  - /dev/pts/*\n"
        "  baudrate: 115200\n"
        "  timeout:\n"
        "    connection: 5\n"
        "    detectionFirst: 5\n"
        "    communication: 10\n"
        "    temperature: 1\n"
        "    temperatureAutoreport: 1\n"
        "  maxCommunicationTimeouts:\n"
        "    idle: 2\n"
        "    printing: 3\n"
        "plugins:\n"
        "  _disabled:\n" + _yaml_list(DISABLED_PLUGINS, "  ") + "",
        encoding="utf-8",
    )
    # users.yaml version 2 (octoprint.access.users.FilebasedUserManager.FILE_VERSION).
    # The password hash "!" matches no password: the user only exists for its API key.
    (basedir / "users.yaml").write_text(
        "_version: 2\n"
        "atelier:\n"
        "  active: true\n"
        "  password: '!'\n"
        f"  apikey: {api_key}\n"
        "  groups:\n"
        "  - admins\n"
        "  - users\n"
        "  permissions: []\n"
        "  settings: {}\n",
        encoding="utf-8",
    )


@dataclass
class OctoPrintServer:
    url: str
    api_key: str
    basedir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server's whole process group (SIGTERM, then SIGKILL)."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        """Stop the server without closing its socket (SIGSTOP): requests time out."""
        os.killpg(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.killpg(self.process.pid, signal.SIGCONT)


def start_octoprint(basedir: Path) -> OctoPrintServer:
    api_key = secrets.token_hex(16).upper()
    write_config(basedir, api_key)
    port = free_loopback_port()
    log_path = basedir / "server-output.log"
    command = [
        sys.executable,
        "-m",
        "octoprint",
        "serve",
        "--basedir",
        str(basedir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--iknowwhatimdoing")  # containers and CI run as root
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole
        )
    server = OctoPrintServer(f"http://127.0.0.1:{port}", api_key, basedir, process, log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"OctoPrint exited at startup:\n{server.log_tail()}")
        try:
            answer = requests.get(
                f"{server.url}/api/version", headers={"X-Api-Key": api_key}, timeout=2
            )
            if answer.status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(
        f"OctoPrint did not start within {STARTUP_TIMEOUT_S:g} s:\n{server.log_tail()}"
    )
