# SPDX-License-Identifier: GPL-3.0-or-later
"""French wording of the exceptions a beginner meets, with the line of their program.

Shared by the simulated board (its worker process), the mBot script runner and the deploy
check. The simulated board prints tracebacks the way a French build of CircuitPython does
("Traceback (appels les plus récents en dernier) :", "Fichier …, ligne …"), and the kit
shows the learner's own line with the message translated. Exception *names* stay as
Python spells them (``NameError``): they are what the learner will search for.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"name '([^']+)' is not defined"),
        lambda m: f"le nom « {m.group(1)} » n'est pas défini (faute de frappe ? variable "
        "créée plus bas ?)",
    ),
    (
        re.compile(r"module 'board' has no attribute '([^']+)'"),
        lambda m: f"la carte n'a pas de broche « {m.group(1)} » (les broches de chaque carte : "
        "« kit mcu boards »)",
    ),
    (
        re.compile(r"module '([^']+)' has no attribute '([^']+)'"),
        lambda m: f"le module « {m.group(1)} » n'a pas d'attribut « {m.group(2)} »",
    ),
    (
        re.compile(r"'([^']+)' object has no attribute '([^']+)'"),
        lambda m: f"un objet de type « {m.group(1)} » n'a pas d'attribut « {m.group(2)} »",
    ),
    (
        # The simulated board explains in French why (hardware module, .mpy without sources).
        re.compile(r"[Nn]o module named '([^']+)' \((.+)\)$"),
        lambda m: f"aucun module nommé « {m.group(1)} » ({m.group(2)})",
    ),
    (
        re.compile(r"[Nn]o module named '([^']+)'"),
        lambda m: f"aucun module nommé « {m.group(1)} » sur la carte "
        "(bibliothèque manquante dans lib/ ? « kit mcu deploy » la copie)",
    ),
    (re.compile(r"division by zero|divide by zero"), lambda m: "division par zéro"),
    (
        re.compile(r"\[Errno 13\] Permission denied: '([^']+)'"),
        lambda m: f"accès refusé à « {m.group(1)} » (droits insuffisants ; sur un simulateur, un "
        "programme ne peut ni écrire de fichier ni lancer de commande)",
    ),
    (
        re.compile(r"(list|tuple|string|str) index out of range"),
        lambda m: "indice hors limites (la liste est plus courte que ça)",
    ),
    (
        re.compile(r"can only concatenate str \(not \"(.+)\"\) to str"),
        lambda m: f"on ne peut coller qu'un texte à un texte (pas un « {m.group(1)} ») : "
        "utilisez str(…)",
    ),
    (
        re.compile(r"unsupported operand type\(s\) for (.+): '(.+)' and '(.+)'"),
        lambda m: f"opération « {m.group(1)} » impossible entre « {m.group(2)} » et "
        f"« {m.group(3)} »",
    ),
    (
        re.compile(r"'(.+)' not supported between instances of '(.+)' and '(.+)'"),
        lambda m: f"comparaison « {m.group(1)} » impossible entre « {m.group(2)} » et "
        f"« {m.group(3)} »",
    ),
    (
        re.compile(r"'(.+)' object is not callable"),
        lambda m: f"un objet de type « {m.group(1)} » ne s'appelle pas comme une fonction",
    ),
    (
        re.compile(r"(.+)\(\) takes (\d+) positional arguments? but (\d+) (?:was|were) given"),
        lambda m: f"{m.group(1)}() attend {m.group(2)} argument(s) mais en a reçu {m.group(3)}",
    ),
    (
        re.compile(r"maximum recursion depth exceeded"),
        lambda m: "trop d'appels imbriqués (une fonction s'appelle sans fin ?)",
    ),
    (
        re.compile(r"invalid literal for int\(\) with base \d+: (.+)"),
        lambda m: f"{m.group(1)} n'est pas un nombre entier",
    ),
]

_TYPE_ONLY = {
    "KeyboardInterrupt": "programme interrompu (Ctrl-C)",
    "MemoryError": "mémoire insuffisante",
    "RecursionError": "trop d'appels imbriqués (une fonction s'appelle sans fin ?)",
}


def french_message(type_name: str, message: str) -> str:
    """The French explanation of an exception ``type_name: message``."""
    if type_name in _TYPE_ONLY and not message:
        return _TYPE_ONLY[type_name]
    for pattern, render in _PATTERNS:
        match = pattern.search(message)
        if match:
            return render(match)
    if type_name == "KeyError":
        return f"clé introuvable : {message}"
    if type_name in _TYPE_ONLY:
        return _TYPE_ONLY[type_name]
    return message


def format_frame(filename: str, line: int, function: str) -> str:
    where = "<module>" if function == "<module>" else function
    return f'  Fichier "{filename}", ligne {line}, dans {where}'


TRACEBACK_HEADER = "Traceback (appels les plus récents en dernier) :"


def syntax_message(msg: str) -> str:
    """The French wording of a syntax error's message (``SyntaxError.msg``)."""
    lowered = msg.lower()
    for needle, french in _SYNTAX:
        if needle in lowered:
            return french
    return f"syntaxe invalide ({msg})"


_SYNTAX = [
    ("expected ':'", "il manque « : » à la fin de la ligne"),
    ("unexpected indent", "indentation inattendue (espaces en trop en début de ligne)"),
    ("expected an indented block", "il faut indenter le bloc qui suit (4 espaces)"),
    ("unindent does not match", "l'indentation ne correspond à aucun bloc ouvert"),
    ("was never closed", "une parenthèse ou un crochet n'est jamais refermé"),
    ("unterminated string", "un texte entre guillemets n'est pas refermé"),
    ("unmatched", "une parenthèse fermante n'a pas d'ouvrante"),
    ("inconsistent use of tabs", "mélange de tabulations et d'espaces dans l'indentation"),
    ("invalid syntax", "syntaxe invalide"),
]


_SUGGESTION = re.compile(r"Did you mean:? '?([^'?]+)'?\?")


def python_suggestion(exc: BaseException) -> str:
    """Python's own hint for ``exc`` (« Did you mean: 'robot'? »), in French, or "".

    Python 3.10+ computes it while formatting the exception (it is not in ``str(exc)``), for
    misspelt names and attributes and some syntax errors.
    """
    import traceback

    try:
        # from_exception: NameError's hint needs the frames of the traceback.
        text = "".join(traceback.TracebackException.from_exception(exc).format_exception_only())
    except Exception:  # noqa: BLE001 - a hint is optional
        return ""
    match = _SUGGESTION.search(text)
    if match:
        return f"vouliez-vous dire « {match.group(1).strip()} » ?"
    if "Perhaps you forgot a comma?" in text:
        return "il manque peut-être une virgule ?"
    close = _close_name(exc)
    return f"vouliez-vous dire « {close} » ?" if close else ""


def _close_name(exc: BaseException) -> str:
    """Python 3.10/3.11 compute « Did you mean » only when printing to the console: the same
    search (names of the failing frame, or the object's attributes) with difflib."""
    import builtins
    import difflib

    name = getattr(exc, "name", None)
    if not isinstance(name, str):
        return ""
    if isinstance(exc, NameError):
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is None:
            return ""
        frame = tb.tb_frame
        names = [*frame.f_locals, *frame.f_globals, *dir(builtins)]
    elif isinstance(exc, AttributeError):
        names = dir(getattr(exc, "obj", None))
    else:
        return ""
    names = [n for n in names if not n.startswith("__")]
    matches = difflib.get_close_matches(name, names, n=1, cutoff=0.7)
    return matches[0] if matches else ""
