# SPDX-License-Identifier: GPL-3.0-or-later
"""The rich consoles the CLI writes to (stdout for results, stderr for errors and progress)."""

from __future__ import annotations

from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)
