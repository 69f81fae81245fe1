# SPDX-License-Identifier: GPL-3.0-or-later
"""Simulated devices (printer, mBot, ESP ROM loader, CircuitPython board).

Each simulator is a :class:`sim.device.SimulatedDevice`: a byte-level model driven in
virtual time. The same object can sit behind a ``sim://KIND`` pyserial URL (in-process,
as fast as possible) or be served on a pty or TCP socket (real time, or ``--speed N``).
"""
