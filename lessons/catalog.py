# SPDX-License-Identifier: GPL-3.0-or-later
"""Finding and loading the lesson files shipped in ``lessons/plans/``."""

from __future__ import annotations

import difflib
import unicodedata
from pathlib import Path

from kit.errors import KitError
from kit.files import read_text_input
from lessons.model import SUPPORTS, Lesson
from lessons.schema import parse_lesson

PACKAGE_DIR = Path(__file__).resolve().parent
PLANS_DIR = PACKAGE_DIR / "plans"
EXAMPLES_DIR = PACKAGE_DIR / "exemples"
#: The folder holding the kit's top-level packages (robots/, firmware/…), for sample files.
KIT_ROOT = PACKAGE_DIR.parent


def load_file(path: Path) -> Lesson:
    """Read and validate one lesson file, or raise a French error naming the line."""
    source, text = read_text_input(
        path,
        what="fichier de leçon",
        not_text="n'est pas un fichier texte : ce n'est pas une leçon.",
    )
    return parse_lesson(text, source)


def lesson_files(folder: Path = PLANS_DIR) -> list[Path]:
    return sorted(folder.glob("*.md"))


def load_all(folder: Path = PLANS_DIR) -> list[Lesson]:
    """Every lesson of ``folder``, ordered by support then duration."""
    lessons = [load_file(path) for path in lesson_files(folder)]
    order = list(SUPPORTS)
    lessons.sort(key=lambda lesson: (order.index(lesson.support), lesson.minutes, lesson.ident))
    return lessons


def resolve(name: str, folder: Path = PLANS_DIR) -> Lesson:
    """A lesson by its identifiant, or by the path of a lesson file (``…/x.md``)."""
    candidate = Path(name)
    if name.endswith(".md") and (candidate.exists() or "/" in name or "\\" in name):
        return load_file(candidate)
    path = folder / f"{name}.md"
    if path.is_file():
        return load_file(path)
    known = [file.stem for file in lesson_files(folder)]
    for ident in known:  # typed with accents or capitals: « 3d-porte-clés-collèges »
        if _folded(ident) == _folded(name):
            return load_file(folder / f"{ident}.md")
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = (
        "Vouliez-vous dire : " + ", ".join(close) + " ?"
        if close
        else "« kit lesson list » affiche les leçons disponibles."
    )
    raise KitError(f"Leçon inconnue : « {name} ».", hint=hint)


def check_support(support: str | None) -> str | None:
    """The support's identifier if ``support`` names one of the five (accents and capitals
    optional: « microcontrôleur »), else a French error (exit 2)."""
    if support is None or support in SUPPORTS:
        return support
    for ident in SUPPORTS:
        if _folded(ident) == _folded(support):
            return ident
    known = ", ".join(SUPPORTS)
    raise KitError(f"Support inconnu : « {support} ».", hint=f"Supports possibles : {known}.")


def _folded(text: str) -> str:
    """Lower case without accents: « collegiens » finds « Collégiens », as typed in a terminal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def select(
    lessons: list[Lesson],
    *,
    support: str | None = None,
    public: str | None = None,
    max_minutes: int | None = None,
) -> list[Lesson]:
    """The lessons matching every given filter (public: a word search ignoring case and accents)."""
    support = check_support(support)
    chosen = []
    for lesson in lessons:
        if support and lesson.support != support:
            continue
        if max_minutes is not None and lesson.minutes > max_minutes:
            continue
        if public:
            haystack = f"{lesson.public.who} {lesson.public.age} {lesson.public.level}"
            if _folded(public) not in _folded(haystack):
                continue
        chosen.append(lesson)
    return chosen
