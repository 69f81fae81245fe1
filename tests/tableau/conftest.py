# SPDX-License-Identifier: GPL-3.0-or-later
"""A real browser for kit tableau's tests: Playwright driving the system's Chromium.

Debian's ``chromium`` package (``.ci/run`` installs it); ``KIT_CHROMIUM`` names another
executable. Screenshots of each view go to ``tests/output/tableau/`` (``KIT_TEST_OUTPUT``
moves it) for a human to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from tests.lessons.conftest import kit_inproc  # noqa: F401  (a fixture, shared)


def chromium_path() -> str | None:
    wanted = os.environ.get("KIT_CHROMIUM")
    if wanted:
        return wanted
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def output_dir() -> Path:
    folder = Path(os.environ.get("KIT_TEST_OUTPUT", REPO_ROOT / "tests" / "output")) / "tableau"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):  # .ci/run installs it: a missing browser there is a failure
            pytest.fail("Chromium is not installed although .ci/run installs it")
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    try:
        yield context.new_page()
    finally:
        context.close()
