# SPDX-License-Identifier: GPL-3.0-or-later
"""The one way to open a device: paths, pyserial URLs and sim:// simulators."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import serial

from kit.errors import KitError, LinkError
from kit.links import link_clock, open_link
from tests.support.echo_sim import EchoDevice


def test_loop_url_opens_and_echoes() -> None:
    link = open_link("loop://", timeout_s=0.1)
    link.write(b"abc")
    assert link.read(3) == b"abc"
    link.close()


def test_sim_url_reaches_the_registered_simulator() -> None:
    link = open_link("sim://echo?delay=0.5", timeout_s=2)
    assert isinstance(link.device, EchoDevice)
    assert link.readline() == b"hello\n"
    link.write(b"ping")
    assert link.read(4) == b"ping"
    link.close()


def test_sim_link_runs_in_virtual_time() -> None:
    link = open_link("sim://echo?delay=30", timeout_s=60)
    clock = link_clock(link)
    link.readline()
    start = clock()
    link.write(b"x")
    assert link.read(1) == b"x"
    assert clock() - start == pytest.approx(30, abs=1e-3)


def test_sim_read_timeout_is_virtual() -> None:
    link = open_link("sim://echo", timeout_s=5)
    link.readline()
    clock = link_clock(link)
    start = clock()
    assert link.read(1) == b""
    assert clock() - start == pytest.approx(5)


def test_sim_options_are_passed_to_the_device() -> None:
    link = open_link("sim://echo?upper=1&delay=0", timeout_s=1)
    link.readline()
    link.write(b"abc")
    assert link.read(3) == b"ABC"


def test_sim_bad_option_is_explained_in_french() -> None:
    with pytest.raises(KitError, match="Option inconnue"):
        open_link("sim://echo?volume=11")
    with pytest.raises(KitError, match="attend un nombre"):
        open_link("sim://echo?delay=vite")


def test_unknown_simulator_lists_the_known_ones() -> None:
    with pytest.raises(KitError, match="Simulateur inconnu.*echo"):
        open_link("sim://tardis")


def test_missing_device_path_names_the_fix() -> None:
    with pytest.raises(LinkError) as info:
        open_link("/dev/ttyDOESNOTEXIST")
    assert "introuvable" in info.value.message
    assert info.value.exit_code == 2


def test_unknown_url_scheme_is_refused() -> None:
    with pytest.raises(LinkError, match="Type d'adresse inconnu"):
        open_link("gopher://printer")


def test_refused_socket_says_nothing_listens() -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(LinkError, match="Connexion refusée"):
        open_link(f"socket://127.0.0.1:{port}")


def test_empty_port_is_refused() -> None:
    with pytest.raises(LinkError, match="Aucun port"):
        open_link("  ")


def test_sim_link_is_a_pyserial_object() -> None:
    link = open_link("sim://echo")
    assert isinstance(link, serial.SerialBase)
    assert link.is_open
    link.close()
    assert not link.is_open


@pytest.mark.skipif(sys.platform == "win32", reason="no pty on Windows")
def test_busy_port_names_the_programs_to_close() -> None:
    import os
    import pty

    master, slave = pty.openpty()
    path = os.ttyname(slave)
    try:
        first = open_link(path)
        with pytest.raises(LinkError) as info:
            open_link(path)
        assert "déjà utilisé" in info.value.message
        assert info.value.exit_code == 2
        first.close()
    finally:
        os.close(slave)
        os.close(master)


@pytest.mark.skipif(sys.platform == "win32", reason="device paths are Unix ones")
def test_a_folder_or_an_ordinary_file_is_not_a_port(tmp_path: Path) -> None:
    with pytest.raises(LinkError) as info:
        open_link(str(tmp_path))
    assert "est un dossier, pas un port série" in info.value.message
    assert info.value.exit_code == 2
    plain = tmp_path / "imprimante.txt"
    plain.write_text("G28\n", encoding="utf-8")
    with pytest.raises(LinkError) as info:
        open_link(str(plain))
    assert "n'est pas un port série" in info.value.message
    assert "Ports visibles" in info.value.message


@pytest.mark.parametrize(
    "url", ["socket://imprimante", "socket://hote:abc", "socket://hote:99999", "rfc2217://x"]
)
def test_network_url_without_a_port_number_is_explained(url: str) -> None:
    with pytest.raises(LinkError) as info:
        open_link(url)
    assert "Adresse invalide" in info.value.message
    assert "HÔTE:PORT" in info.value.message
    assert info.value.exit_code == 2


def test_unknown_host_is_said_in_french() -> None:
    # .invalid never resolves (RFC 6761).
    with pytest.raises(LinkError) as info:
        open_link("socket://imprimante.invalid:7000")
    assert "Adresse inconnue" in info.value.message
    assert "imprimante.invalid" in info.value.message


@pytest.mark.skipif(sys.platform == "win32", reason="no pty on Windows")
def test_permission_error_names_the_group_to_join() -> None:
    import errno
    import os
    import pty

    from kit.links import _explain

    master, slave = pty.openpty()
    path = os.ttyname(slave)
    try:
        refused = serial.SerialException(errno.EACCES, f"could not open port {path}")
        message = _explain(path, refused).message
    finally:
        os.close(slave)
        os.close(master)
    assert "pas le droit d'ouvrir" in message
    # A pty belongs to the « tty » group, which is not the serial ports' group.
    assert "sudo usermod -aG dialout $USER" in message or "-aG uucp" in message
