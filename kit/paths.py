# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the kit keeps its files: the platform's folders, overridable for tests and kiosks.

``KIT_CONFIG_DIR``, ``KIT_DATA_DIR``, ``KIT_STATE_DIR`` and ``KIT_CACHE_DIR`` replace the
platform folders (platformdirs) when set.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "atelier-kit"


def config_dir() -> Path:
    return Path(os.environ.get("KIT_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    """The user's own records (the atelier journal): kept, backed up, never a cache."""
    return Path(os.environ.get("KIT_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def state_dir() -> Path:
    return Path(os.environ.get("KIT_STATE_DIR") or platformdirs.user_state_dir(APP_NAME))


def cache_dir() -> Path:
    return Path(os.environ.get("KIT_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME))
