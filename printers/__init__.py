# SPDX-License-Identifier: GPL-3.0-or-later
"""3D printers: G-code analysis, the Marlin line protocol and host, OctoPrint."""
