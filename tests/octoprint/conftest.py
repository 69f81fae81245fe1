# SPDX-License-Identifier: GPL-3.0-or-later
"""A real OctoPrint server for the whole session, stopped at the end even when a test fails."""

from __future__ import annotations

import pytest

from tests.octoprint.octoprint_server import OctoPrintServer, start_octoprint
from tests.octoprint.sim_printer import ServedPrinter, serve_marlin


@pytest.fixture(scope="session")
def octoprint_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> OctoPrintServer:
    server = start_octoprint(tmp_path_factory.mktemp("octoprint-base"))
    request.addfinalizer(server.stop)
    return server


@pytest.fixture(scope="session")
def served_printer(request: pytest.FixtureRequest) -> ServedPrinter:
    """The kit's simulated Marlin printer on a pty, sped up, for OctoPrint to connect to."""
    printer = serve_marlin()
    request.addfinalizer(printer.unplug)
    return printer
