# SPDX-License-Identifier: GPL-3.0-or-later
"""The lesson schema: checks every key and type of a lesson file and builds a :class:`Lesson`.

Errors raise :class:`LessonFileError` with the file's line, found by
:func:`lessons.frontmatter.locate`. Unknown keys are refused too: a misspelt ``vérifier`` would
otherwise silently drop a check from the déroulé.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from journal import coop as coop_vocabulary
from lessons.frontmatter import LessonFileError, SplitFile, locate, split
from lessons.model import (
    COMPETENCES,
    FORMATS,
    MATERIAL_FOR,
    PHASE_KINDS,
    SUPPORTS,
    Adaptation,
    CoopDefaults,
    KitCommand,
    Lesson,
    Material,
    Objective,
    Phase,
    PreparationItem,
    Public,
)

Path_ = tuple[str | int, ...]
IDENT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_TOP_KEYS = {
    "identifiant", "titre", "support", "format", "duree_min", "effectif", "prerequis",
    "competences", "plan_b", "vigilance", "ressources", "fiche_participant", "public",
    "objectifs", "materiel", "preparation", "phases", "adaptations", "coop",
}  # fmt: skip


def _choices(options: dict[str, str]) -> str:
    return ", ".join(f"« {key} »" for key in options)


class _Reader:
    """Typed access to the parsed TOML, raising located French errors."""

    def __init__(self, split_file: SplitFile, source: str):
        self.split_file = split_file
        self.source = source

    def fail(self, path: Path_, reason: str) -> LessonFileError:
        return LessonFileError(self.source, locate(self.split_file, path), reason)

    @staticmethod
    def name(path: Path_) -> str:
        text = ""
        for part in path:
            text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text

    def table(self, value: Any, path: Path_, keys: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"« {self.name(path)} » doit être une table.")
        for key in value:
            if key not in keys:
                known = ", ".join(sorted(keys))
                raise self.fail((*path, key), f"clé inconnue « {key} » (clés possibles : {known}).")
        return value

    def get(self, table: dict[str, Any], path: Path_, key: str, default: Any = ...) -> Any:
        if key not in table:
            if default is not ...:
                return default
            raise self.fail(
                path, f"la clé « {key} » est obligatoire dans « {self.name(path) or 'l’en-tête'} »."
            )
        return table[key]

    def text(self, table: dict[str, Any], path: Path_, key: str, *, optional: bool = False) -> str:
        value = self.get(table, path, key, "" if optional else ...)
        if not isinstance(value, str):
            raise self.fail((*path, key), f"« {key} » doit être un texte entre guillemets.")
        if not optional and not value.strip():
            raise self.fail((*path, key), f"« {key} » ne doit pas être vide.")
        return value.strip()

    def integer(self, table: dict[str, Any], path: Path_, key: str, default: Any = ...) -> int:
        value = self.get(table, path, key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail((*path, key), f"« {key} » doit être un nombre entier.")
        return value

    def texts(
        self, table: dict[str, Any], path: Path_, key: str, *, minimum: int = 1
    ) -> tuple[str, ...]:
        value = self.get(table, path, key, [] if minimum == 0 else ...)
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            raise self.fail((*path, key), f"« {key} » doit être une liste de textes non vides.")
        if len(value) < minimum:
            raise self.fail((*path, key), f"« {key} » doit contenir au moins {minimum} élément(s).")
        return tuple(item.strip() for item in value)

    def tables(
        self, table: dict[str, Any], path: Path_, key: str, *, minimum: int = 1
    ) -> list[dict[str, Any]]:
        value = self.get(table, path, key, [] if minimum == 0 else ...)
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.fail(
                (*path, key), f"« {key} » doit être une liste de tables (« [[{key}]] »)."
            )
        if len(value) < minimum:
            raise self.fail((*path, key), f"« {key} » doit contenir au moins {minimum} élément(s).")
        return value

    def choice(self, table: dict[str, Any], path: Path_, key: str, options: dict[str, str]) -> str:
        value = self.text(table, path, key)
        if value not in options:
            raise self.fail(
                (*path, key), f"« {value} » n'est pas une valeur possible ({_choices(options)})."
            )
        return value


_COMMAND_KEYS = {"kit", "but", "code", "contient", "image", "en_attente"}


def _command(reader: _Reader, raw: Any, path: Path_) -> KitCommand:
    table = reader.table(raw, path, _COMMAND_KEYS)
    argv = reader.texts(table, path, "kit")
    code = reader.integer(table, path, "code", 0)
    if code not in (0, 1, 2):
        raise reader.fail((*path, "code"), "« code » est le code de sortie attendu : 0, 1 ou 2.")
    picture = reader.text(table, path, "image", optional=True) or None
    if picture is not None and "{sortie}" not in picture:
        raise reader.fail((*path, "image"), "« image » doit être écrite dans « {sortie} ».")
    if picture is not None and picture not in argv:
        raise reader.fail(
            (*path, "image"), "« image » doit être le chemin donné à la commande (--picture)."
        )
    return KitCommand(
        argv=argv,
        purpose=reader.text(table, path, "but"),
        expected_code=code,
        expected_fragments=reader.texts(table, path, "contient", minimum=0),
        picture=picture,
        pending=reader.text(table, path, "en_attente", optional=True),
        line=locate(reader.split_file, (*path, "kit")),
    )


def _coop(reader: _Reader, raw: Any) -> CoopDefaults:
    """The ``[coop]`` table: the Coop's values for the atelier journal (journal.coop)."""
    path: Path_ = ("coop",)
    table = reader.table(raw, path, {"thematiques", "materiel", "niveau"})
    lists = {}
    for key, options in (
        ("thematiques", coop_vocabulary.THEMATIQUES),
        ("materiel", coop_vocabulary.MATERIELS),
    ):
        values = reader.texts(table, path, key)
        for value in values:
            if value not in options:
                raise reader.fail(
                    (*path, key),
                    f"« {value} » n'est pas une valeur de La Coop ({_choices(options)}).",
                )
        lists[key] = values
    return CoopDefaults(
        thematiques=lists["thematiques"],
        materiel=lists["materiel"],
        niveau=reader.choice(table, path, "niveau", coop_vocabulary.NIVEAUX),
    )


def build(split_file: SplitFile, source: Path) -> Lesson:
    """Validate the parsed front-matter of ``source`` and build the lesson."""
    r = _Reader(split_file, str(source))
    top = r.table(split_file.data, (), _TOP_KEYS)
    root: Path_ = ()

    ident = r.text(top, root, "identifiant")
    if not IDENT.match(ident):
        raise r.fail(
            ("identifiant",),
            "l'identifiant s'écrit en minuscules sans accents, mots séparés par « - ».",
        )
    if source.stem != ident:
        raise r.fail(
            ("identifiant",),
            f"l'identifiant « {ident} » doit être le nom du fichier ({source.stem}).",
        )

    public_raw = r.table(r.get(top, root, "public"), ("public",), {"qui", "age", "niveau"})
    public = Public(
        who=r.text(public_raw, ("public",), "qui"),
        age=r.text(public_raw, ("public",), "age"),
        level=r.text(public_raw, ("public",), "niveau"),
    )

    objectives = []
    for i, raw in enumerate(r.tables(top, root, "objectifs")):
        path: Path_ = ("objectifs", i)
        item = r.table(raw, path, {"id", "texte", "evaluation"})
        objectives.append(
            Objective(
                ident=r.text(item, path, "id"),
                text=r.text(item, path, "texte"),
                evaluation=r.text(item, path, "evaluation"),
            )
        )

    competences = r.texts(top, root, "competences")
    for competence in competences:
        if competence not in COMPETENCES:
            raise r.fail(
                ("competences",),
                f"compétence inconnue « {competence} » ({_choices(COMPETENCES)}).",
            )

    materials = []
    for i, raw in enumerate(r.tables(top, root, "materiel")):
        path = ("materiel", i)
        item = r.table(raw, path, {"quoi", "pour", "quantite", "plan_b"})
        quantity = r.get(item, path, "quantite", "")
        if isinstance(quantity, bool) or not isinstance(quantity, (str, int)):
            raise r.fail((*path, "quantite"), "« quantite » est un nombre ou un texte court.")
        materials.append(
            Material(
                what=r.text(item, path, "quoi"),
                for_whom=r.choice(item, path, "pour", MATERIAL_FOR),
                quantity=str(quantity),
                plan_b=r.text(item, path, "plan_b", optional=True),
            )
        )

    preparation = []
    for i, raw in enumerate(r.tables(top, root, "preparation")):
        path = ("preparation", i)
        item = r.table(raw, path, {"texte", "commande"})
        command = None
        if "commande" in item:
            command = _command(r, item["commande"], (*path, "commande"))
        preparation.append(PreparationItem(text=r.text(item, path, "texte"), command=command))

    phases = []
    for i, raw in enumerate(r.tables(top, root, "phases", minimum=3)):
        path = ("phases", i)
        item = r.table(
            raw,
            path,
            {"type", "titre", "minutes", "animateur", "participants", "verifier", "commandes"},
        )
        minutes = r.integer(item, path, "minutes")
        if minutes <= 0:
            raise r.fail((*path, "minutes"), "la durée d'une phase doit être d'au moins 1 minute.")
        commands = tuple(
            _command(r, command, (*path, "commandes", j))
            for j, command in enumerate(r.tables(item, path, "commandes", minimum=0))
        )
        phases.append(
            Phase(
                kind=r.choice(item, path, "type", PHASE_KINDS),
                title=r.text(item, path, "titre"),
                minutes=minutes,
                animateur=r.text(item, path, "animateur"),
                participants=r.text(item, path, "participants"),
                verify=r.text(item, path, "verifier", optional=True),
                commands=commands,
                line=locate(split_file, path),
            )
        )

    adaptations = []
    for i, raw in enumerate(r.tables(top, root, "adaptations")):
        path = ("adaptations", i)
        item = r.table(raw, path, {"public", "texte"})
        adaptations.append(
            Adaptation(public=r.text(item, path, "public"), text=r.text(item, path, "texte"))
        )

    minutes = r.integer(top, root, "duree_min")
    if minutes <= 0:
        raise r.fail(("duree_min",), "la durée totale doit être positive.")

    return Lesson(
        ident=ident,
        title=r.text(top, root, "titre"),
        support=r.choice(top, root, "support", SUPPORTS),
        format=r.choice(top, root, "format", FORMATS),
        minutes=minutes,
        public=public,
        group_size=r.text(top, root, "effectif"),
        prerequisites=r.texts(top, root, "prerequis", minimum=0),
        objectives=tuple(objectives),
        competences=competences,
        materials=tuple(materials),
        plan_b=r.texts(top, root, "plan_b"),
        preparation=tuple(preparation),
        phases=tuple(phases),
        vigilance=r.texts(top, root, "vigilance"),
        adaptations=tuple(adaptations),
        resources=r.texts(top, root, "ressources"),
        participant_steps=r.texts(top, root, "fiche_participant"),
        introduction=split_file.body,
        path=source,
        coop=_coop(r, top["coop"]) if "coop" in top else None,
    )


def parse_lesson(text: str, source: Path) -> Lesson:
    """Parse and validate the content of a lesson file."""
    return build(split(text, str(source)), source)
