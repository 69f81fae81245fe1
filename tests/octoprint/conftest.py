# SPDX-License-Identifier: GPL-3.0-or-later
"""A real OctoPrint server for this area's tests, stopped after them even when a test fails.

Package scope: the server and the served printer live while tests/octoprint runs, not while
the rest of the suite does."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

from printers.octoprint_backend import OctoPrintBackend
from tests.octoprint.octoprint_server import OctoPrintServer, start_octoprint
from tests.octoprint.sim_printer import ServedPrinter, serve_marlin


@pytest.fixture(scope="package")
def octoprint_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> OctoPrintServer:
    if importlib.util.find_spec("octoprint") is None:  # not installable on every Python
        pytest.skip("OctoPrint is not installed (test extra)")
    server = start_octoprint(tmp_path_factory.mktemp("octoprint-base"))
    request.addfinalizer(server.stop)
    return server


@pytest.fixture(scope="package")
def served_printer(request: pytest.FixtureRequest) -> ServedPrinter:
    """The kit's simulated Marlin printer on a pty, sped up, for OctoPrint to connect to."""
    printer = serve_marlin()
    request.addfinalizer(printer.unplug)
    return printer


@pytest.fixture(scope="module")
def octoprint_printer(
    octoprint_server: OctoPrintServer, served_printer: ServedPrinter
) -> Iterator[OctoPrintBackend]:
    """The server connected to the simulated printer for one test module, disconnected after
    (so the other modules find a server without a printer)."""
    backend = OctoPrintBackend(octoprint_server.url, octoprint_server.api_key, timeout_s=5)
    backend.connect_printer(served_printer.port, baudrate=115200)
    try:
        yield backend
    finally:
        try:
            backend.disconnect_printer()
        finally:
            backend.close()
