# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``kit`` command itself: help, version, French usage errors, logging."""

from __future__ import annotations

from pathlib import Path

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


def test_out_of_range_values_are_explained_in_french() -> None:
    result = run_kit("printer", "check", "absent.gcode", "--creneau", "-5")
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert "'--creneau' : -5 est hors limites (il faut au moins 1)." in message
    assert "is not in the range" not in message


def test_nan_and_infinity_are_refused_where_a_number_is_expected() -> None:
    for value in ("nan", "inf", "-inf"):
        result = run_kit("printer", "check", "absent.gcode", "--creneau", value)
        assert result.returncode == 2, value
        assert f"« {value} » n'est pas un nombre utilisable" in " ".join(result.stderr.split())


def test_click_range_descriptions_in_french() -> None:
    from kit.clickfr import range_fr

    assert range_fr(1.0, None) == "au moins 1"
    assert range_fr(None, 5) == "au plus 5"
    assert range_fr(0.5, None, low_open=True) == "plus de 0,5"
    assert range_fr(0, 300) == "entre 0 et 300"
    assert range_fr(0.2, 3600, low_open=True) == "entre 0,2 et 3600 (0,2 exclu)"
    assert range_fr(0, 1, low_open=True, high_open=True) == "entre 0 et 1 (0 et 1 exclus)"
    result = run_kit("printer", "temp", "--port", "sim://marlin", "--buse", "9999")
    message = " ".join(result.stderr.split())
    assert "'--buse' : 9999 est hors limites (il faut entre 0 et 300)." in message


def test_finite_float_range_keeps_click_range_checks() -> None:
    import click
    import pytest

    from kit.clickfr import FiniteFloatRange

    kind = FiniteFloatRange(0, 10)
    assert kind.convert("2.5", None, None) == 2.5
    with pytest.raises(click.BadParameter):
        kind.convert("11", None, None)
    with pytest.raises(click.BadParameter, match="nombre utilisable"):
        kind.convert("nan", None, None)


def test_click_value_errors_are_french_whatever_the_parameter_type(tmp_path: Path) -> None:
    cases = {
        ("lesson", "export", "3d-porte-nom-ecole-art", "-o", str(tmp_path)): (
            f"« {tmp_path} » est un dossier (un fichier est attendu)."
        ),
        ("lesson", "export", "3d-porte-nom-ecole-art", "-o", "x.md", "--format", "docx"): (
            "« docx » ne fait pas partie des valeurs possibles : "
        ),
        ("rehearse", "--seed", "abc"): (
            "Valeur invalide pour '--seed' : « abc » n'est pas un nombre."
        ),
        ("lesson", "export", "3d-porte-nom-ecole-art"): (
            "Option obligatoire manquante : '-o' / '--output'."
        ),
        ("printer", "check"): "Argument manquant : 'FICHIER'.",
        ("printer", "check", "--nope", "x"): "Option inconnue : --nope.",
        ("printer", "chek"): "Commande inconnue : « chek ».",
    }
    for argv, french in cases.items():
        result = run_kit(*argv)
        assert result.returncode == 2, argv
        assert french in " ".join(result.stderr.split()), (argv, result.stderr)


def test_a_directory_given_for_an_output_file_is_refused_in_french(tmp_path: Path) -> None:
    result = run_kit(
        "lesson", "export", "3d-porte-nom-ecole-art", "--format", "md", "-o", str(tmp_path)
    )
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert "est un dossier (un fichier est attendu)" in message
    assert "is a directory" not in message


def test_kit_alone_shows_the_french_help_not_an_error() -> None:
    for args in ((), ("sim",)):
        result = run_kit(*args)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Utilisation : kit")
        assert "Commandes" in result.stdout
        assert "Erreur" not in result.stdout + result.stderr


def test_help_screens_say_defaults_in_french() -> None:
    result = run_kit("sim", "serve", "--help")
    assert result.returncode == 0
    assert "par défaut : 1.0" in result.stdout
    assert "default:" not in result.stdout


def test_a_port_typed_with_non_utf8_bytes_is_logged_without_a_logging_traceback() -> None:
    # "\udcff" is how Python receives the byte 0xFF of a command line that is not UTF-8.
    result = run_kit("printer", "status", "--port", "/dev/tty\udcff")
    assert result.returncode == 2
    assert "introuvable" in result.stderr
    assert "Logging error" not in result.stderr
    assert "Traceback" not in result.stderr
