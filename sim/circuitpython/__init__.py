# SPDX-License-Identifier: GPL-3.0-or-later
"""A simulated CircuitPython board: CIRCUITPY folder, serial console and raw REPL, code.py
running in a separate CPython process in virtual time."""
