# SPDX-License-Identifier: GPL-3.0-or-later
"""click speaks French through the kit's gettext catalogue; help placeholders are French;
a group's help lists its commands without importing them."""

from __future__ import annotations

import gettext
import string
from collections.abc import Iterator
from pathlib import Path

import click
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kit.cli import LAZY_COMMANDS, LAZY_HELP, LazyGroup, cli
from kit.clickfr import LOCALE_DIR

PO = LOCALE_DIR / "fr" / "LC_MESSAGES" / "click.po"
MO = PO.with_suffix(".mo")
#: Words of click's English placeholders, and English names a parameter could leak.
ENGLISH_METAVAR_WORDS = {
    "TEXT", "INTEGER", "FLOAT", "RANGE", "DIRECTORY", "FILE", "PATH", "BOOLEAN", "KIND",
    "KEY", "VALUE", "COMMAND", "ARGS", "FIRMWARE", "FILENAME",
}  # fmt: skip


def _catalogue_ids() -> set[str]:
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_the_shipped_mo_holds_every_translation_of_the_po() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    with MO.open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    hint = f"recompile: pybabel compile -i {PO} -o {MO} -l fr"
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, str):
            assert shipped.gettext(message.id) == message.string, hint
        else:
            singular, plural = message.id[0], message.id[1]
            assert shipped.ngettext(singular, plural, 1) == message.string[0], hint
            assert shipped.ngettext(singular, plural, 2) == message.string[1], hint


def test_every_message_of_the_installed_click_is_translated() -> None:
    source = Path(click.__file__).parent
    keywords = {"_": None, "ngettext": (1, 2)}
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(source), keywords=keywords
        )
    }
    found.add("Usage:")  # marked inside an f-string, which the extractor does not read
    missing = found - _catalogue_ids()
    assert not missing, f"click messages without French: {sorted(missing)}"


def test_translations_use_only_the_placeholders_click_fills() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    formatter = string.Formatter()
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        allowed = {
            field.split("!")[0].split(".")[0]
            for text in ids
            for _, field, _, _ in formatter.parse(text)
            if field
        }
        for text in strings:
            assert text, f"untranslated: {message.id!r}"
            used = {f.split("!")[0].split(".")[0] for _, f, _, _ in formatter.parse(text) if f}
            assert used <= allowed, (message.id, text)


def _commands() -> Iterator[tuple[str, click.Command, click.Context]]:
    def walk(
        command: click.Command, path: str, ctx: click.Context
    ) -> Iterator[tuple[str, click.Command, click.Context]]:
        yield path, command, ctx
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                sub_ctx = click.Context(sub, parent=ctx, info_name=name)
                yield from walk(sub, f"{path} {name}", sub_ctx)

    yield from walk(cli, "kit", click.Context(cli, info_name="kit"))


def test_help_placeholders_and_headings_are_french() -> None:
    for path, command, ctx in _commands():
        for param in command.params:
            if isinstance(param, click.Option) and (param.is_flag or param.count):
                continue
            words = set(param.make_metavar(ctx).replace("|", " ").replace(".", " ").split())
            words = {word.strip("[]:") for word in words}
            assert not words & ENGLISH_METAVAR_WORDS, (path, param.name, param.make_metavar(ctx))
        text = command.get_help(ctx)
        for english in ("Usage:", "Commands:", "Show this message", "COMMAND ", "[default"):
            assert english not in text, (path, english)


def test_the_help_lists_every_command_from_the_lazy_tables_without_importing_it() -> None:
    assert set(LAZY_HELP) == set(LAZY_COMMANDS)
    for path, group, ctx in _commands():
        if not isinstance(group, LazyGroup):
            continue
        assert set(group.lazy_help) == set(group.lazy_commands), path
        for name in group.lazy_commands:
            command = group.get_command(ctx, name)
            assert command is not None
            for limit in (40, 60, 200):
                assert click.utils.make_default_short_help(group.lazy_help[name], limit) == (
                    command.get_short_help_str(limit)
                ), f"{path} {name}"


def test_french_words_are_accepted_with_their_accents() -> None:
    from tests.conftest import run_kit

    for typed in ("microcontrôleur", "Microcontroleur", "MICROCONTRÔLEUR"):
        result = run_kit("lesson", "list", "--support", typed)
        assert result.returncode == 0, (typed, result.stderr)
        assert "mcu-veilleuse-familles" in result.stdout
    shown = run_kit("lesson", "show", "3d-porte-clés-collèges")
    assert shown.returncode == 0, shown.stderr
    defi = run_kit(
        "robot", "run", "exemple:arret_mur", "--port", "sim://mbot", "--defi", "arrêt-mur"
    )
    assert defi.returncode == 0, defi.stderr
    refused = run_kit("lesson", "list", "--support", "imprimante")
    assert refused.returncode == 2
    assert "Support inconnu : « imprimante »" in " ".join(refused.stderr.split())
