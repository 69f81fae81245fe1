# SPDX-License-Identifier: GPL-3.0-or-later
"""Both printer backends offer the one interface the CLI, the farm and the lessons use."""

from __future__ import annotations

import inspect

import pytest

from printers.backend import PrinterBackend
from printers.octoprint_backend import OctoPrintBackend
from printers.serial_backend import SerialBackend

pytestmark = pytest.mark.octoprint

METHODS = [
    name
    for name, member in inspect.getmembers(PrinterBackend, inspect.isfunction)
    if not name.startswith("_")
]


@pytest.mark.parametrize(
    "backend",
    [OctoPrintBackend("http://octopi.local", "KEY"), SerialBackend("sim://marlin")],
    ids=["octoprint", "serial"],
)
def test_backend_implements_the_printer_interface(backend: object) -> None:
    assert isinstance(backend, PrinterBackend)
    for name in METHODS:
        expected = inspect.signature(getattr(PrinterBackend, name))
        actual = inspect.signature(getattr(type(backend), name))
        assert list(actual.parameters) == list(expected.parameters), name


def test_octoprint_backend_repr_hides_the_key() -> None:
    backend = OctoPrintBackend("http://octopi.local", "SECRET-0123456789")
    assert "SECRET" not in repr(backend)
