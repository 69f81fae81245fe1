# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``kit`` command: parses arguments, renders results in French, maps errors to exit codes.

Command groups live in :mod:`kit.commands`, one module each; a group appears here only once its
issue has landed (no placeholder commands).
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from typing import Any

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

#: What click (>= 8.2) raises for a group typed without a command (``kit``, ``kit sim``);
#: older click prints the help itself (KitError stands in: a ClickException never is one).
_NO_ARGS_IS_HELP: type[Exception] = getattr(click.exceptions, "NoArgsIsHelpError", KitError)


def _printer_group() -> click.Command:
    from kit.commands import (
        printer_check,
        printer_console,
        printer_farm,
        printer_octoprint,
        printer_print,
        printer_tools,
    )
    from kit.commands.printer import printer

    printer.add_command(printer_farm.farm)
    printer_octoprint.add_octoprint_path(printer_print.print_cmd)
    printer_octoprint.add_octoprint_path(printer_tools.status_cmd)
    printer_check.register(printer)
    for command in (
        printer_print.print_cmd,
        printer_console.console_cmd,
        printer_tools.temp_cmd,
        printer_tools.home_cmd,
        printer_tools.status_cmd,
    ):
        printer.add_command(command)
    return printer


def _mcu_group() -> click.Command:
    from kit.commands import mcu_bundle, mcu_deploy, mcu_flash, mcu_repl, mcu_sim
    from kit.commands.mcu import mcu

    for module in (mcu_flash, mcu_deploy, mcu_sim, mcu_repl, mcu_bundle):
        module.register(mcu)
    return mcu


#: Top-level commands, loaded only when used: ``kit printer check`` imports the printer
#: modules and nothing of the robot, the boards or the lessons (start-up time matters for a
#: command typed dozens of times in an atelier, and for the test suite's hundreds of calls).
#: Each value is "module:attribute" or a function that builds the group.
LAZY_COMMANDS: dict[str, str | Callable[[], click.Command]] = {
    "badge": "kit.commands.badge:badge",
    "atelier": "kit.commands.atelier:atelier",
    "bilan": "kit.commands.bilan:bilan",
    "config": "kit.commands.config:config",
    "demo": "kit.commands.demo:demo",
    "doctor": "kit.commands.doctor:doctor",
    "journal": "kit.commands.journal_cmd:journal_group",
    "lesson": "kit.commands.lesson:lesson",
    "mcu": _mcu_group,
    "printer": _printer_group,
    "rehearse": "kit.commands.rehearse:rehearse",
    "robot": "kit.commands.robot:robot",
    "sim": "kit.commands.sim:sim",
    "tableau": "kit.commands.tableau:tableau",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported the first time they are asked for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: dict[str, click.Command] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._loaded:
            return self._loaded[cmd_name]
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        if isinstance(target, str):
            module_name, _, attribute = target.partition(":")
            command = getattr(importlib.import_module(module_name), attribute)
        else:
            command = target()
        if not isinstance(command, click.Command):
            raise TypeError(f"{cmd_name}: {target!r} is not a click command")
        self._loaded[cmd_name] = command
        return command


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(
    __version__, "--version", "-V", prog_name="kit", message="%(prog)s %(version)s"
)
@click.option("-v", "--verbose", is_flag=True, help="Affiche le journal détaillé dans le terminal.")
def cli(verbose: bool) -> None:
    """atelier-kit : imprimantes 3D, robots mBot et cartes CircuitPython pour vos ateliers.

    Commencez par « kit doctor » pour voir ce qui est branché.
    """
    setup_logging(verbose=verbose)


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
        ctx = getattr(exc, "ctx", None)
        if isinstance(exc, _NO_ARGS_IS_HELP) and ctx is not None:
            # « kit » or « kit sim » alone: the help is the answer, not an error (click >= 8.2
            # raises it as a usage error whose message is the whole help text).
            click.echo(ctx.get_help())
            sys.exit(0)
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
