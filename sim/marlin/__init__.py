# SPDX-License-Identifier: GPL-3.0-or-later
"""A Marlin 2.x printer simulated in virtual time (``sim://marlin``).

One module per concern: :mod:`.config` (options), :mod:`.link` (the USB-serial wire and the
UART receive buffer that drops bytes when full), :mod:`.thermal` (first-order heater model),
:mod:`.motion` (the 16-block planner queue, timed by :mod:`printers.planner`), :mod:`.dialects`
(what Marlin, Prusa firmware, Klipper and RepRapFirmware say differently), :mod:`.faults`
(fault injection) and :mod:`.firmware` (the main loop: line checks, command queue, G-code
handlers).
"""

from sim.marlin.firmware import MarlinPrinter

__all__ = ["MarlinPrinter"]
