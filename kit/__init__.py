# SPDX-License-Identifier: GPL-3.0-or-later
"""atelier-kit: run maker ateliers (3D printers, mBot robots, CircuitPython boards).

Importing this package has no side effects; the CLI lives in :mod:`kit.cli`.
"""

__version__ = "0.1.0"
