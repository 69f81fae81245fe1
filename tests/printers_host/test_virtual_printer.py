# SPDX-License-Identifier: GPL-3.0-or-later
"""Printing through OctoPrint's VirtualPrinter, a Marlin imitation the kit did not write.

VirtualPrinter runs in its own process on a pty (``tests/printers_host/virtual_printer.py``)
with its default settings unless a test says otherwise: 64-byte receive buffer, ``wait`` every
second when idle, no ``ok`` setting after resends beyond its own, and its simulated errors at
lines 100 (resend), 105 (resend with the next line unanswered), 110 (an error without any
resend request) and 115 (checksum mismatch). Its error texts are not Marlin's (``expected line
16 got 13``, ``Missing checksum``). The evidence of completion is VirtualPrinter's own counter:
its last accepted line is the host's last line.

With ``resend_ratio`` VirtualPrinter asks for the line *after* the one it pretends was damaged
(it counts that line as received first), so that line is not executed: a VirtualPrinter quirk
no host can see. Exactly-once is proven on the kit's own simulator (``test_exactly_once.py``).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from printers.print_file import check_print_file
from printers.print_job import JobState, PrintJob
from tests.printers_host.helpers import arc_lines, connect
from tests.printers_host.virtual_printer import serve_virtual_printer

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("octoprint") is None, reason="octoprint not installed"
)


def _sliced_file(path: Path, moves: int = 140) -> Path:
    """A file as a slicer writes it (absolute positioning: VirtualPrinter starts relative)."""
    body = ["G90", "M82", "G28", "G92 E0", "G1 Z0.2 F600", *arc_lines(moves), "M84"]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def virtual_printer(request: pytest.FixtureRequest) -> Iterator[Any]:
    settings: dict[str, Any] = getattr(request, "param", {})
    served = serve_virtual_printer(**settings)
    try:
        yield served
    finally:
        served.stop()


@pytest.mark.parametrize(
    "virtual_printer",
    [
        pytest.param({}, id="defaults-simulated-errors-64-byte-buffer-wait"),
        pytest.param({"resend_ratio": 5}, id="resend-ratio-5"),
        pytest.param({"resend_ratio": 10}, id="resend-ratio-10"),
        pytest.param({"brokenResend": True}, id="no-ok-after-resend"),
        pytest.param({"okAfterResend": False, "sendWait": False}, id="no-wait"),
        pytest.param({"resend_ratio": 10, "brokenResend": True}, id="ratio-10-no-ok"),
    ],
    indirect=True,
)
def test_a_file_prints_to_completion_through_virtual_printer(
    tmp_path: Path, virtual_printer: Any
) -> None:
    path = _sliced_file(tmp_path / "piece.gcode")
    host = connect(virtual_printer.port)
    try:
        assert host.identity.name == "Virtual Marlin 1.0"
        job = PrintJob(host, check_print_file(path))
        job.run()
        last_line = host.flow.next_number - 1
    finally:
        host.close()
    counters = virtual_printer.stop()
    assert job.state is JobState.DONE
    assert job.commands_done == job.checked.commands
    # VirtualPrinter cuts what overflows its receive buffer: a complete print also shows
    # that the host never had more in flight than it holds.
    assert counters["lastN"] == last_line
