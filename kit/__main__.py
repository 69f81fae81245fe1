# SPDX-License-Identifier: GPL-3.0-or-later
"""Allow ``python -m kit``."""

from kit.cli import main

if __name__ == "__main__":
    main()
