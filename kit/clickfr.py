# SPDX-License-Identifier: GPL-3.0-or-later
"""click in French: its own messages through a French gettext catalogue, ranges in words.

click marks every string it shows (help headings, usage errors, prompts) for ``gettext``; the
kit ships their French translation as a compiled catalogue, ``kit/locale/fr/LC_MESSAGES/
click.mo`` (from ``click.po`` beside it), and points click's ``_``/``ngettext`` at it. The kit is
French whatever the machine's locale, so the catalogue is loaded for French explicitly rather
than through the ``LANGUAGE`` variables.
"""

from __future__ import annotations

import gettext
import math
from pathlib import Path
from typing import Any

import click

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CLICK_DOMAIN = "click"

#: click's modules that bind ``_`` (and ``ngettext``) from ``gettext`` at import time.
_CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.shell_completion",
    "click._termui_impl",
)

#: French names of click's value types: a help placeholder is the type's name in capitals
#: (``--duree NOMBRE``) unless the option gives its own metavar.
_TYPE_NAMES = {
    "StringParamType": "texte",
    "IntParamType": "entier",
    "IntRange": "entier",
    "FloatParamType": "nombre",
    "FloatRange": "nombre",
    "BoolParamType": "oui|non",
    "DateTime": "date",
    "File": "fichier",
}

_catalogue: gettext.NullTranslations | None = None


def catalogue() -> gettext.NullTranslations:
    """The French catalogue of click's messages (read once; English if it is missing)."""
    global _catalogue
    if _catalogue is None:
        _catalogue = gettext.translation(
            CLICK_DOMAIN, localedir=LOCALE_DIR, languages=["fr"], fallback=True
        )
    return _catalogue


def french(message: str) -> str:
    """One of click's messages in French."""
    return catalogue().gettext(message)


def install_french_help() -> None:
    """Make click French: its messages from the catalogue, range descriptions in words.

    Modules of click not imported yet are imported here (they are small) so that no message
    escapes the catalogue.
    """
    import importlib

    translations = catalogue()
    for name in _CLICK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a module another click version does not have
            continue
        if hasattr(module, "_"):
            module._ = translations.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = translations.ngettext  # type: ignore[attr-defined]
    for class_name, french_name in _TYPE_NAMES.items():
        kind = getattr(click.types, class_name, None)
        if isinstance(kind, type) and issubclass(kind, click.ParamType):
            kind.name = french_name
    number_range = getattr(click.types, "_NumberRangeBase", None)
    if number_range is not None and hasattr(number_range, "_describe_range"):
        number_range._describe_range = _describe_range_fr


def render_usage_error(exc: click.ClickException) -> None:
    """A usage error (already French, through the catalogue) with the usage line and where
    to find help."""
    from kit.console import err_console, print_error

    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        err_console.print(ctx.get_usage(), highlight=False, markup=False)
    print_error(exc.format_message())
    if ctx is not None:
        err_console.print(f"Aide : « {ctx.command_path} --help ».", highlight=False)


def _number_fr(value: float) -> str:
    from kit.messages import number_fr

    return number_fr(value, 6)


def range_fr(
    low: float | None, high: float | None, *, low_open: bool = False, high_open: bool = False
) -> str:
    """A range in words: « au moins 1 », « entre 0,2 et 3600 (0,2 exclu) »."""
    if low is not None and high is not None:
        text = f"entre {_number_fr(low)} et {_number_fr(high)}"
        excluded = [_number_fr(v) for v, is_open in ((low, low_open), (high, high_open)) if is_open]
        if excluded:
            text += f" ({' et '.join(excluded)} exclu{'s' if len(excluded) > 1 else ''})"
        return text
    if low is not None:
        return f"{'plus de' if low_open else 'au moins'} {_number_fr(low)}"
    if high is not None:
        return f"{'moins de' if high_open else 'au plus'} {_number_fr(high)}"
    return "un nombre"


def _describe_range_fr(self: Any) -> str:
    """click's ``_NumberRangeBase._describe_range`` in French (help and range errors)."""
    return range_fr(self.min, self.max, low_open=self.min_open, high_open=self.max_open)


class FiniteFloatRange(click.FloatRange):
    """``click.FloatRange`` that also refuses ``nan`` and ``inf``.

    ``float()`` accepts both and a range check lets ``nan`` through (every comparison with it
    is false), so ``--creneau nan`` would otherwise reach the analysis.
    """

    name = "nombre"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"« {value} » n'est pas un nombre utilisable.", param, ctx)
        low, high = self.min, self.max
        below = low is not None and (number < low or (self.min_open and number == low))
        above = high is not None and (number > high or (self.max_open and number == high))
        if (below or above) and not self.clamp:
            self.fail(
                f"{_number_fr(number)} est hors limites (il faut {_describe_range_fr(self)}).",
                param,
                ctx,
            )
        return super().convert(number, param, ctx)


def folded(text: str) -> str:
    """Lower case without accents, as a word may be typed in a terminal (« Microcontrôleur »
    and « microcontroleur » are the same word)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class FoldedChoice(click.ParamType):
    """One of ``choices`` (the kit's identifiers), typed with or without accents or capitals;
    the value is the identifier itself."""

    name = "choix"

    def __init__(self, choices: Any, *, what: str = "Valeur") -> None:
        self.choices = [str(choice) for choice in choices]
        self.what = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        wanted = folded(str(value))
        for choice in self.choices:
            if folded(choice) == wanted:
                return choice
        self.fail(
            f"{self.what} inconnu : « {value} ». Possibles : {', '.join(self.choices)}.", param, ctx
        )
