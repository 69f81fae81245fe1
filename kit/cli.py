# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``kit`` command: parses arguments, renders results in French, maps errors to exit codes.

Command groups live in :mod:`kit.commands`, one module each; a group appears here only once its
issue has landed (no placeholder commands).
"""

from __future__ import annotations

import logging
import sys

import click
from rich.markup import escape

from kit import __version__
from kit.clickfr import install_french_help
from kit.console import err_console, print_error
from kit.errors import EXIT_FAILURE, EXIT_INTERRUPTED, KitError
from kit.logs import setup_logging

log = logging.getLogger(__name__)

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


install_french_help()


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(
    __version__, "--version", "-V", prog_name="kit", message="%(prog)s %(version)s"
)
@click.option("-v", "--verbose", is_flag=True, help="Affiche le journal détaillé dans le terminal.")
def cli(verbose: bool) -> None:
    """atelier-kit : imprimantes 3D, robots mBot et cartes CircuitPython pour vos ateliers.

    Commencez par « kit doctor » pour voir ce qui est branché.
    """
    setup_logging(verbose=verbose)


def _register_commands() -> None:
    from kit.commands import config as config_cmd
    from kit.commands import demo as demo_cmd
    from kit.commands import doctor as doctor_cmd
    from kit.commands import lesson as lesson_cmd
    from kit.commands import mcu as mcu_cmd
    from kit.commands import (
        mcu_deploy,
        mcu_flash,
        mcu_repl,
        mcu_sim,
        printer_check,
        printer_console,
        printer_farm,
        printer_octoprint,
        printer_print,
        printer_tools,
    )
    from kit.commands import printer as printer_cmd
    from kit.commands import rehearse as rehearse_cmd
    from kit.commands import robot as robot_cmd
    from kit.commands import sim as sim_cmd

    cli.add_command(doctor_cmd.doctor)
    cli.add_command(config_cmd.config)
    cli.add_command(sim_cmd.sim)
    cli.add_command(lesson_cmd.lesson)
    cli.add_command(demo_cmd.demo)
    cli.add_command(rehearse_cmd.rehearse)
    printer_cmd.printer.add_command(printer_farm.farm)
    printer_octoprint.add_octoprint_path(printer_print.print_cmd)
    printer_octoprint.add_octoprint_path(printer_tools.status_cmd)
    printer_check.register(printer_cmd.printer)
    for command in (
        printer_print.print_cmd,
        printer_console.console_cmd,
        printer_tools.temp_cmd,
        printer_tools.home_cmd,
        printer_tools.status_cmd,
    ):
        printer_cmd.printer.add_command(command)
    cli.add_command(printer_cmd.printer)
    cli.add_command(robot_cmd.robot)
    mcu_flash.register(mcu_cmd.mcu)
    mcu_deploy.register(mcu_cmd.mcu)
    mcu_sim.register(mcu_cmd.mcu)
    mcu_repl.register(mcu_cmd.mcu)
    cli.add_command(mcu_cmd.mcu)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    from kit.links import register_url_handlers

    register_url_handlers()
    try:
        cli.main(args=argv, prog_name="kit", standalone_mode=False)
    except click.exceptions.Abort:
        err_console.print("[yellow]Interrompu.[/yellow]")
        sys.exit(EXIT_INTERRUPTED)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        from kit.clickfr import render_usage_error

        render_usage_error(exc)
        sys.exit(exc.exit_code)
    except KitError as exc:
        log.info("KitError: %s", exc.message, exc_info=exc.__cause__ is not None)
        print_error(exc.message, exc.hint)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("[yellow]Interrompu.[/yellow]")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.exit(EXIT_FAILURE)
    except Exception as exc:  # last resort: never show a bare traceback to a participant
        log.exception("internal error")
        from kit.logs import log_file_path

        err_console.print(
            "[bold red]Erreur interne du kit[/bold red] : "
            + escape(
                f"{type(exc).__name__}: {exc}\nLe détail est dans le journal : {log_file_path()}"
            ),
            highlight=False,
        )
        sys.exit(EXIT_FAILURE)
