# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``kit`` command: parses arguments, renders results in French, maps errors to exit codes.

Command groups live in :mod:`kit.commands`, one module each; a group appears here only once its
issue has landed (no placeholder commands).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

import click

from kit import __version__
from kit.clickfr import french, install_french_help
from kit.errors import EXIT_FAILURE, EXIT_INTERRUPTED, KitError

# Start-up matters (``kit --help`` and ``kit --version`` within 0.1 s of CPU, a test pins what
# ``kit printer check`` imports): this module imports click and the kit's small modules only;
# rich, logging and the device links are imported where they are first used.

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


install_french_help()

#: What click (>= 8.2) raises for a group typed without a command (``kit``, ``kit sim``);
#: older click prints the help itself (KitError stands in: a ClickException never is one).
_NO_ARGS_IS_HELP: type[Exception] = getattr(click.exceptions, "NoArgsIsHelpError", KitError)


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
    "exemples": "kit.commands.exemples:exemples",
    "lesson": "kit.commands.lesson:lesson",
    "mcu": _mcu_group,
    "printer": "kit.commands.printer:printer",
    "rehearse": "kit.commands.rehearse:rehearse",
    "robot": "kit.commands.robot:robot",
    "sim": "kit.commands.sim:sim",
    "tableau": "kit.commands.tableau:tableau",
}

#: Each top-level command's help text (its docstring's first paragraph; a test keeps them
#: equal), so that ``kit --help`` lists the commands without importing any of them.
LAZY_HELP: dict[str, str] = {
    "atelier": "Le journal des ateliers : ouvrir, fermer, ajouter un atelier fait sans le kit.",
    "badge": "Open Badges 3.0 : délivrer, vérifier et révoquer les badges de l'atelier.",
    "bilan": "Bilan d'activité de la période : ateliers, participants (âges, supports), heures, "
    "thématiques, impressions (heures, filament, coût), défis, cartes et badges, avec des "
    "graphiques. Seuls des nombres : aucun nom de participant.",
    "config": "Configuration de l'utilisateur (fichier TOML ; les clés d'API restent masquées).",
    "demo": "Trois minutes pour découvrir le kit, entièrement sur les simulateurs.",
    "doctor": "Ce qui est branché, et ce qui ne marchera pas, avant l'arrivée du groupe.",
    "journal": "Le journal des ateliers : liste, export pour La Coop, sauvegarde, effacement.",
    "exemples": "Copie les fichiers d'exemple du kit dans DOSSIER (par défaut : le dossier "
    "courant).",
    "lesson": "Déroulés d'ateliers : lister, afficher, vérifier, exporter en fiches.",
    "mcu": "Microcontrôleurs : installer CircuitPython, déposer un programme, le lancer.",
    "printer": "Imprimantes 3D : vérifier un fichier, imprimer, suivre l'atelier.",
    "rehearse": "Répéter l'oral : dossier, présentation de sa pratique, simulation d'atelier, "
    "questions du jury, auto-évaluation ; le rapport est écrit même sur Ctrl-C.",
    "robot": "Robots mBot : lancer un programme, piloter au clavier, tester avant l'atelier.",
    "sim": "Simulateurs : imprimante, robot, cartes, pour s'entraîner sans matériel.",
    "tableau": "L'atelier au vidéoprojecteur, dans le navigateur.",
}


#: The usage line's placeholder for a group's subcommand, in French.
SUBCOMMAND_METAVAR = "COMMANDE [ARGUMENTS]..."


def _french_usage(command: click.Command) -> None:
    """Give a group and the groups under it the French subcommand placeholder."""
    if isinstance(command, click.Group):
        if command.subcommand_metavar in (None, "COMMAND [ARGS]...", "COMMAND1 [ARGS]..."):
            command.subcommand_metavar = SUBCOMMAND_METAVAR
        for sub in command.commands.values():
            _french_usage(sub)


class LazyGroup(click.Group):
    """A click group whose commands are imported the first time they are asked for.

    ``lazy_commands`` maps a name to "module:attribute" or to a function building the command
    (the top level's is :data:`LAZY_COMMANDS`); ``lazy_help`` gives each one's help text, so
    that the group's help lists them without importing them.
    """

    def __init__(
        self,
        *args: Any,
        lazy_commands: dict[str, str | Callable[[], click.Command]] | None = None,
        lazy_help: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)
        self.lazy_commands = LAZY_COMMANDS if lazy_commands is None else lazy_commands
        self.lazy_help = LAZY_HELP if lazy_help is None else lazy_help
        self._loaded: dict[str, click.Command] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._loaded:
            return self._loaded[cmd_name]
        target = self.lazy_commands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        if isinstance(target, str):
            module_name, _, attribute = target.partition(":")
            command = getattr(importlib.import_module(module_name), attribute)
        else:
            command = target()
        if not isinstance(command, click.Command):
            raise TypeError(f"{cmd_name}: {target!r} is not a click command")
        _french_usage(command)
        self._loaded[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of the help, from :data:`LAZY_HELP` (nothing is imported); a
        command without an entry there is imported for its help."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            text = self.lazy_help.get(name) if name not in self._loaded else None
            if text is not None:
                rows.append((name, click.utils.make_default_short_help(text, limit)))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section(french("Commands")):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(
    __version__, "--version", "-V", prog_name="kit", message="%(prog)s %(version)s"
)
@click.option("-v", "--verbose", is_flag=True, help="Affiche le journal détaillé dans le terminal.")
def cli(verbose: bool) -> None:
    """atelier-kit : imprimantes 3D, robots mBot et cartes CircuitPython pour vos ateliers.

    Commencez par « kit doctor » pour voir ce qui est branché.
    """
    from kit.links import register_url_handlers
    from kit.logs import setup_logging

    setup_logging(verbose=verbose)
    register_url_handlers()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        cli.main(args=argv, prog_name="kit", standalone_mode=False)
    except click.exceptions.Abort:
        _interrupted()
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
        import logging

        from kit.console import print_error

        logging.getLogger(__name__).info(
            "KitError: %s", exc.message, exc_info=exc.__cause__ is not None
        )
        print_error(exc.message, exc.hint)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _interrupted()
    except BrokenPipeError:
        sys.exit(EXIT_FAILURE)
    except Exception as exc:  # last resort: never show a bare traceback to a participant
        import logging

        from rich.markup import escape

        from kit.console import err_console
        from kit.logs import log_file_path

        logging.getLogger(__name__).exception("internal error")

        err_console.print(
            "[bold red]Erreur interne du kit[/bold red] : "
            + escape(
                f"{type(exc).__name__}: {exc}\nLe détail est dans le journal : {log_file_path()}"
            ),
            highlight=False,
        )
        sys.exit(EXIT_FAILURE)


def _interrupted() -> None:
    from kit.console import err_console

    err_console.print("[yellow]Interrompu.[/yellow]")
    sys.exit(EXIT_INTERRUPTED)
