# SPDX-License-Identifier: GPL-3.0-or-later
"""Microcontroller boards: catalogue, flashing, CircuitPython deploy and REPL, lesson scripts."""
