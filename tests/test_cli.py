# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``kit`` command itself: help, version, French usage errors, logging."""

from __future__ import annotations

from kit import __version__
from kit.logs import log_file_path
from tests.conftest import run_kit


def test_help_is_french_and_lists_built_groups() -> None:
    result = run_kit("--help")
    assert result.returncode == 0
    assert "Utilisation" in result.stdout
    for group in ("doctor", "config", "sim"):
        assert group in result.stdout


def test_version() -> None:
    result = run_kit("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_unknown_command_is_a_french_usage_error() -> None:
    result = run_kit("imprimer-tout")
    assert result.returncode == 2
    assert "Commande inconnue" in result.stderr


def test_unknown_option_is_a_french_usage_error() -> None:
    result = run_kit("doctor", "--couleur")
    assert result.returncode == 2
    assert "Option inconnue" in result.stderr


def test_commands_write_to_the_log_file_and_verbose_to_console() -> None:
    result = run_kit("-v", "sim", "serve", "inexistant", "--pty")
    assert result.returncode == 2
    assert log_file_path().exists()
    assert "inexistant" in log_file_path().read_text(encoding="utf-8")
