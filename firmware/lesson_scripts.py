# SPDX-License-Identifier: GPL-3.0-or-later
"""The on-board lesson scripts shipped in ``firmware/scripts/``, with their tags.

Each script starts with comment tags the kit reads::

    # kit-titre: Faire clignoter la LED de la carte
    # kit-cartes: circuitplayground_express, pico
    # kit-entrees: BUTTON_A@1=1 BUTTON_A@2=0      (optional: inputs for the simulator)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from firmware.boards import load_catalogue
from kit.errors import InputFileError, KitError

_TAG = re.compile(r"^#\s*kit-([a-z]+)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class LessonScript:
    name: str  # "clignoter"
    path: Path
    title: str
    boards: tuple[str, ...]
    inputs: str  # scripted inputs for the simulator ("" when none)

    def runs_on(self, board_id: str) -> bool:
        return board_id in self.boards


def read_tags(path: Path) -> dict[str, str]:
    tags: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.startswith("#"):
                    break
                match = _TAG.match(line.strip())
                if match:
                    tags[match.group(1)] = match.group(2)
    except (OSError, UnicodeDecodeError):
        return {}
    return tags


def scripts_folder() -> Path:
    return Path(str(resources.files("firmware") / "scripts"))


@cache
def lesson_scripts() -> dict[str, LessonScript]:
    """Every shipped script, by name; tags are checked against the board catalogue."""
    catalogue = load_catalogue()
    found: dict[str, LessonScript] = {}
    for path in sorted(scripts_folder().glob("*.py")):
        tags = read_tags(path)
        boards = tuple(b.strip() for b in tags.get("cartes", "").split(",") if b.strip())
        unknown = [b for b in boards if b not in catalogue]
        if not boards or unknown or "titre" not in tags:
            raise KitError(
                f"Programme de séance « {path.name} » mal étiqueté : il faut « # kit-titre: » "
                "et « # kit-cartes: » avec des cartes du catalogue"
                + (f" (inconnues : {', '.join(unknown)})" if unknown else "")
                + "."
            )
        found[path.stem] = LessonScript(
            name=path.stem,
            path=path,
            title=tags["titre"],
            boards=boards,
            inputs=tags.get("entrees", ""),
        )
    return found


def resolve_script(name_or_path: str | os.PathLike[str]) -> tuple[Path, LessonScript | None]:
    """A path as given, or the shipped script of that name (« clignoter », « servo.py »)."""
    path = Path(name_or_path)
    scripts = lesson_scripts()
    if path.exists():
        for script in scripts.values():
            if script.path.resolve() == path.resolve():
                return path, script
        return path, None
    key = path.name.removesuffix(".py")
    if str(name_or_path) == path.name and key in scripts:
        return scripts[key].path, scripts[key]
    if str(name_or_path) == path.name and not path.suffix:
        raise InputFileError(
            f"Ni fichier ni programme du kit nommé « {name_or_path} ». Programmes du kit : "
            f"{', '.join(sorted(scripts))}."
        )
    return path, None
