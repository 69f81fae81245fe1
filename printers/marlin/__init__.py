# SPDX-License-Identifier: GPL-3.0-or-later
"""The Marlin serial line protocol, sans I/O: framing, responses, flow control.

Shared by the serial host (:mod:`printers.host`) and the simulated printer (:mod:`sim.marlin`).
Nothing here touches a port or reads a clock: bytes and times go in, events and bytes come out.
"""
