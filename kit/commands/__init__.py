# SPDX-License-Identifier: GPL-3.0-or-later
"""One module per ``kit`` command group; each parses, calls the domain code, renders."""
