# SPDX-License-Identifier: GPL-3.0-or-later
"""The sample files ``kit exemples`` copies into a folder, so the README and the lesson fiches
name files that exist on any machine where the kit is installed.

The samples are collected, not listed: every file of ``lessons/exemples/`` (G-code for the
lessons' printers), every learner program of ``robots/exemples/`` (one per défi) and every
on-board script of ``firmware/scripts/``, plus an exercise ``.bin`` built here for the simulated
ESP32-S3 (:func:`firmware.esp_image.exercise_image`). A sample added to one of those folders is
copied without touching this module. Names must be unique across the folders, since all land
in one folder (a test checks it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from firmware.esp_image import exercise_image
from firmware.lesson_scripts import read_tags, scripts_folder
from kit.errors import KitError
from kit.files import atomic_write_bytes, ensure_folder
from kit.messages import os_error_fr
from lessons.catalog import EXAMPLES_DIR
from robots.challenges import EXAMPLES_DIR as ROBOT_EXAMPLES_DIR
from robots.challenges import available_challenges, load_challenge

#: The exercise image's file name and chip (the README's simulated flash uses it).
EXERCISE_BIN = "exercice-esp32s3.bin"
EXERCISE_CHIP = "esp32s3"


@dataclass(frozen=True)
class Sample:
    name: str
    kind: str  # what it is, in French, for the listing
    description: str
    source: Path | None  # None for a file the kit builds (the exercise image)

    def content(self) -> bytes:
        if self.source is None:
            return exercise_image(EXERCISE_CHIP)
        try:
            return self.source.read_bytes()
        except OSError as exc:
            raise KitError(
                f"Impossible de lire l'exemple « {self.source} » : {os_error_fr(exc)}."
            ) from exc


class Outcome(Enum):
    WRITTEN = "copié"
    UP_TO_DATE = "déjà à jour"
    KEPT = "gardé (modifié depuis, --remplacer pour l'écraser)"
    REPLACED = "remplacé"


#: What the files of ``lessons/exemples/`` are, by suffix; a ``.md`` there documents the
#: samples for developers (in English) and is not copied.
_LESSON_FILE_KINDS = {
    ".gcode": ("G-code", "à vérifier et imprimer (déroulés d'impression 3D)"),
    ".scad": ("OpenSCAD", "le modèle 3D de ce G-code"),
    ".ini": ("PrusaSlicer", "les réglages du trancheur de ces G-code"),
}


def _gcode_samples() -> Iterator[Sample]:
    for path in sorted(EXAMPLES_DIR.iterdir()):
        if not path.is_file() or path.name.startswith(".") or path.suffix.lower() == ".md":
            continue
        kind, text = _LESSON_FILE_KINDS.get(path.suffix.lower(), ("fichier", "exemple de leçon"))
        yield Sample(path.name, kind, text, path)


def _robot_samples() -> Iterator[Sample]:
    solves: dict[str, list[str]] = {}
    for name in available_challenges():
        challenge = load_challenge(name)
        if challenge.example:
            solves.setdefault(challenge.example, []).append(challenge.name)
    for path in sorted(ROBOT_EXAMPLES_DIR.glob("*.py")):
        defis = solves.get(path.name)
        text = f"solution du défi {', '.join(defis)}" if defis else "programme d'exemple"
        yield Sample(path.name, "robot mBot", text, path)


def _board_samples() -> Iterator[Sample]:
    for path in sorted(scripts_folder().glob("*.py")):
        title = read_tags(path).get("titre", "programme de séance")
        yield Sample(path.name, "CircuitPython", title, path)


def collect() -> list[Sample]:
    """Every sample, in a stable order; two samples of the same name are a packaging error."""
    samples = [*_gcode_samples(), *_robot_samples(), *_board_samples()]
    samples.append(
        Sample(
            EXERCISE_BIN,
            "ESP32-S3",
            "image d'exercice pour la carte simulée (pas un micrologiciel)",
            None,
        )
    )
    seen: dict[str, Sample] = {}
    for sample in samples:
        if sample.name in seen:
            raise ValueError(
                f"two samples named {sample.name}: {seen[sample.name].source} and {sample.source}"
            )
        seen[sample.name] = sample
    return samples


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def copy_samples(
    folder: Path, *, replace: bool = False
) -> list[tuple[Sample, Path, Outcome]]:
    """Copy every sample into ``folder`` (created if needed).

    A file already there with other content is the user's (a learner edited the program):
    it is kept unless ``replace``. Each copy is atomic, so an interrupted run leaves whole
    files only.
    """
    ensure_folder(folder)
    if not folder.is_dir():
        raise KitError(f"« {folder} » n'est pas un dossier.")
    results = []
    for sample in collect():
        target = folder / sample.name
        data = sample.content()
        if target.is_dir():
            raise KitError(f"« {target} » est un dossier : impossible d'y copier l'exemple.")
        if target.exists():
            try:
                same = _digest(target.read_bytes()) == _digest(data)
            except OSError as exc:
                raise KitError(f"Impossible de lire « {target} » : {os_error_fr(exc)}.") from exc
            if same:
                results.append((sample, target, Outcome.UP_TO_DATE))
                continue
            if not replace:
                results.append((sample, target, Outcome.KEPT))
                continue
            atomic_write_bytes(target, data)
            results.append((sample, target, Outcome.REPLACED))
            continue
        atomic_write_bytes(target, data)
        results.append((sample, target, Outcome.WRITTEN))
    return results
