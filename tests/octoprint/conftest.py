# SPDX-License-Identifier: GPL-3.0-or-later
"""A real OctoPrint server for the whole session, stopped at the end even when a test fails."""

from __future__ import annotations

import pytest

from tests.octoprint.octoprint_server import OctoPrintServer, start_octoprint


@pytest.fixture(scope="session")
def octoprint_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> OctoPrintServer:
    server = start_octoprint(tmp_path_factory.mktemp("octoprint-base"))
    request.addfinalizer(server.stop)
    return server
