# SPDX-License-Identifier: GPL-3.0-or-later
"""The journal tests: a fresh journal per test (``KIT_DATA_DIR`` is per test, see the suite's
conftest), and the in-process CLI runner of the lesson tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from journal.store import Journal, open_journal
from tests.lessons.conftest import kit_inproc  # noqa: F401  (a fixture, shared)


@pytest.fixture
def journal() -> Iterator[Journal]:
    with open_journal() as opened:
        yield opened
