# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulated mBot: firmware protocol (:mod:`sim.mbot.device`) over 2D physics
(:mod:`sim.mbot.physics`) in an arena of :mod:`robots.arenas`."""
