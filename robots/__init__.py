# SPDX-License-Identifier: GPL-3.0-or-later
"""Makeblock mBot robots: the mBlock firmware protocol, the driver, arenas and challenges."""
