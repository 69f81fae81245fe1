# SPDX-License-Identifier: GPL-3.0-or-later
"""Test helpers shared by the suite (no mocks of the kit's own code live here)."""
