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
    PRINT_EXPECTATIONS,
    SUPPORTS,
    Adaptation,
    Claims,
    CoopDefaults,
    KitCommand,
    Lesson,
    Material,
    Objective,
    Phase,
    PreparationItem,
    PrintClaim,
    Public,
    RobotClaim,
    ScriptClaim,
)

Path_ = tuple[str | int, ...]
IDENT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_TOP_KEYS = {
    "identifiant", "titre", "support", "format", "duree_min", "effectif", "prerequis",
    "competences", "plan_b", "vigilance", "ressources", "fiche_participant", "public",
    "objectifs", "materiel", "preparation", "phases", "adaptations", "coop",
}  # fmt: skip
# The measurable claims of the déroulé (issue 25), checked by lessons.claims.
_TOP_KEYS.add("affirmations")


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


def _number(
    reader: _Reader, table: dict[str, Any], path: Path_, key: str, *, minimum: float = 0.0
) -> float | None:
    """An optional number (int or float) of at least ``minimum``, or None when absent."""
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise reader.fail((*path, key), f"« {key} » doit être un nombre.")
    if value < minimum:
        raise reader.fail((*path, key), f"« {key} » doit valoir au moins {minimum:g}.")
    return float(value)


_PRINT_KEYS = {
    "fichier", "profil", "phase", "attendu", "debut_min", "imprimantes", "exemplaires",
    "couche_mm", "remplissage_pct", "buse_c", "plateau_c", "taille_max_mm",
}  # fmt: skip


def _claims(reader: _Reader, top: dict[str, Any], phase_titles: set[str]) -> Claims:
    """The ``[affirmations]`` table: prints, on-board scripts and robot programs."""
    if "affirmations" not in top:
        return Claims()
    root: Path_ = ("affirmations",)
    table = reader.table(top["affirmations"], root, {"impressions", "scripts", "robots"})

    def phase_of(item: dict[str, Any], path: Path_) -> str:
        title = reader.text(item, path, "phase")
        if title not in phase_titles:
            raise reader.fail(
                (*path, "phase"), f"aucune phase ne s'intitule « {title} » (titre exact attendu)."
            )
        return title

    prints = []
    for i, raw in enumerate(reader.tables(table, root, "impressions", minimum=0)):
        path: Path_ = (*root, "impressions", i)
        item = reader.table(raw, path, _PRINT_KEYS)
        size = item.get("taille_max_mm", [])
        if (
            not isinstance(size, list)
            or not 2 <= len(size) <= 3
            or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in size
            )
        ):
            raise reader.fail(
                (*path, "taille_max_mm"),
                "« taille_max_mm » est [largeur, profondeur] ou [largeur, profondeur, hauteur].",
            )
        start = _number(reader, item, path, "debut_min", minimum=-240.0)
        prints.append(
            PrintClaim(
                file=reader.text(item, path, "fichier"),
                profile=reader.text(item, path, "profil"),
                phase=phase_of(item, path),
                expected=reader.choice(item, path, "attendu", PRINT_EXPECTATIONS),
                start_minute=start if start is not None else 0.0,
                printers=reader.integer(item, path, "imprimantes", 1),
                copies=reader.integer(item, path, "exemplaires", 1),
                layer_mm=_number(reader, item, path, "couche_mm"),
                infill_percent=_number(reader, item, path, "remplissage_pct"),
                hotend_c=_number(reader, item, path, "buse_c"),
                bed_c=_number(reader, item, path, "plateau_c"),
                max_size_mm=tuple(float(v) for v in size),
                line=locate(reader.split_file, path),
            )
        )
        if prints[-1].printers < 1 or prints[-1].copies < 1:
            raise reader.fail(path, "« imprimantes » et « exemplaires » valent au moins 1.")

    scripts = []
    for i, raw in enumerate(reader.tables(table, root, "scripts", minimum=0)):
        path = (*root, "scripts", i)
        item = reader.table(raw, path, {"nom", "carte", "phase"})
        scripts.append(
            ScriptClaim(
                name=reader.text(item, path, "nom"),
                board=reader.text(item, path, "carte"),
                phase=phase_of(item, path),
                line=locate(reader.split_file, path),
            )
        )

    robots = []
    for i, raw in enumerate(reader.tables(table, root, "robots", minimum=0)):
        path = (*root, "robots", i)
        item = reader.table(raw, path, {"programme", "defi", "arene", "phase"})
        robots.append(
            RobotClaim(
                program=reader.text(item, path, "programme"),
                challenge=reader.text(item, path, "defi"),
                phase=phase_of(item, path),
                arena=reader.text(item, path, "arene", optional=True),
                line=locate(reader.split_file, path),
            )
        )
    return Claims(
        prints=tuple(prints),
        scripts=tuple(scripts),
        robots=tuple(robots),
        line=min(
            [c.line for c in prints] + [c.line for c in scripts] + [c.line for c in robots],
            default=0,
        ),
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
        claims=_claims(r, top, {phase.title for phase in phases}),
        coop=_coop(r, top["coop"]) if "coop" in top else None,
    )


def parse_lesson(text: str, source: Path) -> Lesson:
    """Parse and validate the content of a lesson file."""
    return build(split(text, str(source)), source)
