# SPDX-License-Identifier: GPL-3.0-or-later
"""French rendering of click's usage errors (unknown option, missing argument, bad value)."""

from __future__ import annotations

import math
import re
from typing import Any

import click

from kit.console import err_console, print_error
from kit.messages import number_fr

_TRANSLATIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"No such option:? '?([^'\s]+)'?"), "Option inconnue : {0}."),
    (re.compile(r"No such command '([^']+)'\."), "Commande inconnue : « {0} »."),
    (re.compile(r"Missing argument '([^']+)'\."), "Argument manquant : {0}."),
    (re.compile(r"Missing option '([^']+)'\."), "Option obligatoire manquante : {0}."),
    (re.compile(r"Option '([^']+)' requires an argument\."), "L'option {0} attend une valeur."),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), "Argument(s) en trop : {0}."),
]

#: ``Invalid value for '-o' / '--output': DETAIL`` (one or more names of the parameter).
_INVALID_VALUE = re.compile(r"Invalid value for ((?:'[^']+'(?: / )?)+): (.+)$", re.DOTALL)
#: A value as click quotes it (``repr``: single quotes, or double when it holds one).
_QUOTED = r"(?:'(?P<q1>[^']*)'|\"(?P<q2>[^\"]*)\")"
_PATH_KINDS = {"File": "Le fichier", "Directory": "Le dossier", "Path": "Le chemin"}
_PATH_PROBLEMS = {
    "does not exist": "n'existe pas",
    "is a file": "est un fichier (un dossier est attendu)",
    "is a directory": "est un dossier (un fichier est attendu)",
    "is not readable": "ne peut pas être lu (droits insuffisants)",
    "is not writable": "n'est pas accessible en écriture (droits insuffisants)",
    "is not executable": "n'est pas exécutable",
}
_DETAILS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            rf"^(?P<kind>File|Directory|Path) {_QUOTED} "
            rf"(?P<problem>{'|'.join(_PATH_PROBLEMS)})\.$"
        ),
        "path",
    ),
    (re.compile(rf"^{_QUOTED} is not one of (?P<choices>.+)\.$"), "« {value} » ne fait pas "
     "partie des valeurs possibles : {choices}."),
    (
        re.compile(rf"^{_QUOTED} is not a valid (?:integer|float|integer range|float range)\.?$"),
        "« {value} » n'est pas un nombre.",
    ),
    (re.compile(rf"^{_QUOTED} is not a valid boolean\.?$"), "« {value} » n'est ni oui ni non."),
    (
        re.compile(r"^(?P<number>\S+) is not in the range (?P<range>.+)\.$"),
        "range",
    ),
]


def _detail_fr(detail: str) -> str:
    """The part after ``Invalid value for …:`` in French (our own messages pass unchanged)."""
    for pattern, template in _DETAILS:
        match = pattern.match(detail)
        if not match:
            continue
        groups = match.groupdict()
        value = groups.get("q1") if groups.get("q1") is not None else groups.get("q2")
        if template == "path":
            problem = groups["problem"]
            # « File 'd' is a directory »: the kind names what was expected, not what it is.
            subject = "" if problem in ("is a file", "is a directory") else _PATH_KINDS[
                groups["kind"]
            ] + " "
            return f"{subject}« {value} » {_PATH_PROBLEMS[problem]}."
        if template == "range":
            return (
                f"{_number_fr(groups['number'])} est hors limites "
                f"(il faut {_range_fr(groups['range'])})."
            )
        return template.format(value=value, choices=groups.get("choices", ""))
    return detail


_BETWEEN = re.compile(r"^(\S+?)(<=?)x(<=?)(\S+)$")
_ONE_SIDED = re.compile(r"^x([<>]=?)(\S+)$")


def _number_fr(text: str) -> str:
    """« 1.0 » → « 1 », « 0.2 » → « 0,2 »: numbers as a French reader writes them."""
    try:
        value = float(text)
    except ValueError:
        return text
    return number_fr(value, 6)


def _range_fr(description: str) -> str:
    """click's range description (``x>=1.0``, ``0<=x<=300``, ``0.2<x<=3600``) in French."""
    between = _BETWEEN.match(description)
    if between:
        low, low_op, high_op, high = between.groups()
        text = f"entre {_number_fr(low)} et {_number_fr(high)}"
        if low_op == "<" or high_op == "<":
            excluded = [_number_fr(v) for v, op in ((low, low_op), (high, high_op)) if op == "<"]
            text += f" ({' et '.join(excluded)} exclu{'s' if len(excluded) > 1 else ''})"
        return text
    one_sided = _ONE_SIDED.match(description)
    if one_sided:
        op, bound = one_sided.groups()
        words = {">=": "au moins", ">": "plus de", "<=": "au plus", "<": "moins de"}[op]
        return f"{words} {_number_fr(bound)}"
    return description


def translate(message: str) -> str:
    invalid = _INVALID_VALUE.search(message)
    if invalid:
        names = " / ".join(re.findall(r"'([^']+)'", invalid.group(1)))
        return f"Valeur invalide pour {names} : {_detail_fr(invalid.group(2).strip())}"
    for pattern, template in _TRANSLATIONS:
        match = pattern.search(message)
        if match:
            return template.format(*match.groups())
    return message


def render_usage_error(exc: click.ClickException) -> None:
    message = translate(exc.format_message())
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        err_console.print(ctx.get_usage(), highlight=False, markup=False)
    print_error(message)
    if ctx is not None:
        err_console.print(f"Aide : « {ctx.command_path} --help ».", highlight=False)


#: click's own fixed strings (help headings, built-in options), in French.
_CLICK_STRINGS = {
    "Usage:": "Utilisation :",
    "Options": "Options",
    "Commands": "Commandes",
    "Arguments": "Arguments",
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "Show the version and exit.": "Affiche la version et quitte.",
    "Error": "Erreur",
    "Try '{command} {option}' for help.": "Aide : « {command} {option} ».",
    "required": "obligatoire",
    "default": "par défaut",
    "default: {default}": "par défaut : {default}",
    "env var: {var}": "variable d'environnement : {var}",
    "(dynamic)": "(calculée)",
    "Aborted!": "Interrompu.",
    "Missing command.": "Commande manquante.",
}


def _french(message: str) -> str:
    return _CLICK_STRINGS.get(message, message)


def install_french_help() -> None:
    """Make click's help screens French.

    click looks its fixed strings up through ``gettext`` bound at import time in each of its
    modules; pointing those names at our small table is the documented way to localise click
    without shipping a compiled catalogue.
    """
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting

    for module in (click.core, click.decorators, click.exceptions, click.formatting):
        if hasattr(module, "_"):
            module._ = _french  # type: ignore[attr-defined]


class FiniteFloatRange(click.FloatRange):
    """``click.FloatRange`` that also refuses ``nan`` and ``inf``.

    ``float()`` accepts both and a range check lets ``nan`` through (every comparison with it
    is false), so ``--creneau nan`` would otherwise reach the analysis.
    """

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"« {value} » n'est pas un nombre utilisable.", param, ctx)
        return super().convert(number, param, ctx)
