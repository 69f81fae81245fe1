# SPDX-License-Identifier: GPL-3.0-or-later
"""Every OctoPrint refusal ends with a clear French message, against a real server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kit.errors import EXIT_FAILURE, EXIT_USAGE, KitError
from printers.backend import PrinterState
from printers.octoprint_backend import OctoPrintBackend, OctoPrintError
from tests.conftest import run_kit
from tests.octoprint.octoprint_server import OctoPrintServer, free_loopback_port

pytestmark = pytest.mark.octoprint


def test_right_key_reaches_the_server(octoprint_server: OctoPrintServer) -> None:
    backend = OctoPrintBackend(octoprint_server.url, octoprint_server.api_key)
    backend.connect()
    try:
        assert backend.server_version().startswith("1.")
    finally:
        backend.close()


def test_wrong_key_is_refused_with_403_explained(octoprint_server: OctoPrintServer) -> None:
    backend = OctoPrintBackend(octoprint_server.url, "CLE-FAUSSE-0123456789")
    with pytest.raises(OctoPrintError) as caught:
        backend.connect()
    assert "refuse la clé d'API (erreur 403)" in caught.value.message
    assert caught.value.hint is not None and "Application Keys" in caught.value.hint
    assert caught.value.exit_code == EXIT_USAGE
    assert "CLE-FAUSSE" not in str(caught.value)


def test_missing_key_is_explained_before_any_request(octoprint_server: OctoPrintServer) -> None:
    with pytest.raises(OctoPrintError, match="Aucune clé d'API"):
        OctoPrintBackend(octoprint_server.url, None).connect()


def test_server_down_is_explained() -> None:
    url = f"http://127.0.0.1:{free_loopback_port()}"  # nothing listens there
    with pytest.raises(OctoPrintError) as caught:
        OctoPrintBackend(url, "ABC").connect()
    assert "ne répond pas" in caught.value.message
    assert url in caught.value.message


def test_printer_not_connected_on_the_server(
    octoprint_server: OctoPrintServer, tmp_path: Path
) -> None:
    gcode = tmp_path / "cube.gcode"
    gcode.write_text("G28\nG1 X10 Y10 F3000\n", encoding="utf-8")
    backend = OctoPrintBackend(octoprint_server.url, octoprint_server.api_key)
    try:
        if backend.connection_state()[0] not in ("Offline", "Closed"):
            backend.disconnect_printer()  # left in error by an earlier unplug test
        assert backend.status().state is PrinterState.OFFLINE
        for action in (
            lambda: backend.start_print(gcode),
            backend.pause,
            lambda: backend.set_temperatures(hotend_c=200),
        ):
            with pytest.raises(OctoPrintError) as caught:
                action()
            assert "n'est pas connectée au serveur OctoPrint" in caught.value.message
    finally:
        backend.close()


def test_file_of_an_unknown_type_is_rejected_by_the_server(
    octoprint_server: OctoPrintServer, tmp_path: Path
) -> None:
    model = tmp_path / "vase.stl"
    model.write_text("solid vase\nendsolid vase\n", encoding="utf-8")
    backend = OctoPrintBackend(octoprint_server.url, octoprint_server.api_key)
    try:
        with pytest.raises(OctoPrintError) as caught:
            backend.upload(model)
    finally:
        backend.close()
    assert caught.value.message == (
        "OctoPrint a refusé le fichier « vase.stl » : ce type de fichier n'est pas accepté."
    )
    assert caught.value.exit_code == EXIT_FAILURE


def test_binary_file_is_refused_before_upload(
    octoprint_server: OctoPrintServer, tmp_path: Path
) -> None:
    junk = tmp_path / "photo.gcode"
    junk.write_bytes(bytes(range(256)) * 8)
    backend = OctoPrintBackend(octoprint_server.url, octoprint_server.api_key)
    try:
        with pytest.raises(KitError, match="données binaires"):
            backend.upload(junk)
        files = backend.client.files()
    finally:
        backend.close()
    assert all(item.get("name") != "photo.gcode" for item in files.get("files", []))


def test_frozen_server_times_out(octoprint_server: OctoPrintServer) -> None:
    backend = OctoPrintBackend(octoprint_server.url, octoprint_server.api_key, timeout_s=0.5)
    octoprint_server.freeze()
    try:
        started = time.monotonic()
        with pytest.raises(OctoPrintError) as caught:
            backend.connect()
        waited_s = time.monotonic() - started
    finally:
        octoprint_server.thaw()
    assert "n'a pas répondu dans les 0,5 s" in caught.value.message
    assert waited_s < 5


def test_print_command_when_the_server_has_no_printer(
    octoprint_server: OctoPrintServer, tmp_path: Path
) -> None:
    gcode = tmp_path / "cube.gcode"
    gcode.write_text("G28\nG90\nG1 X10 Y10 F3000\n", encoding="utf-8")
    backend = OctoPrintBackend(octoprint_server.url, octoprint_server.api_key)
    try:
        if backend.status().state is not PrinterState.OFFLINE:
            backend.disconnect_printer()
    finally:
        backend.close()
    result = run_kit(
        "printer",
        "print",
        str(gcode),
        "--octoprint",
        octoprint_server.url,
        KIT_OCTOPRINT_KEY=octoprint_server.api_key,
    )
    assert result.returncode == 2
    assert "L'imprimante n'est pas connectée au serveur OctoPrint" in result.stderr
    assert "panneau « Connexion »" in result.stderr
    assert "Traceback" not in result.stderr
