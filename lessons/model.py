# SPDX-License-Identifier: GPL-3.0-or-later
"""What a lesson plan (déroulé) is, as typed data.

The vocabulary (supports, formats, phase kinds, CCP1 activities) is data here, in one place; the
schema (:mod:`lessons.schema`) turns a lesson file into these classes and the checks
(:mod:`lessons.checks`) judge them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The five supports of the certification's atelier simulation, keyed by the name used on the
#: command line and in lesson files.
SUPPORTS: dict[str, str] = {
    "impression-3d": "Impression 3D",
    "tablette-smartphone": "Tablette / smartphone",
    "pc": "Ordinateur (PC)",
    "robot": "Robot pédagogique",
    "microcontroleur": "Microcontrôleur",
}

#: Formats: the 40-minute simulation in front of the jury, or a real atelier.
FORMATS: dict[str, str] = {
    "certification": "Format certification (40 min)",
    "atelier": "Format atelier",
}
CERTIFICATION_MINUTES = 40
#: Real ateliers last 60 to 120 minutes (the issue's « ateliers réels »).
ATELIER_MIN_MINUTES = 60
ATELIER_MAX_MINUTES = 120

#: Kinds of phase, in the order a déroulé usually follows them.
PHASE_KINDS: dict[str, str] = {
    "accueil": "Accueil",
    "brise-glace": "Brise-glace",
    "demonstration": "Démonstration de l'objet fini",
    "apport": "Apport",
    "tache-guidee": "Tâche guidée",
    "defi": "Défi pour les plus rapides",
    "bilan": "Bilan et évaluation",
    "prolongement": "Prolongements",
}

#: The activities of the first CCP of the titre professionnel, as the issue lists them.
COMPETENCES: dict[str, str] = {
    "programmes": "Élaborer des programmes d'actions",
    "ressources": "Concevoir des ressources pédagogiques",
    "accueil": "Accueillir et informer les publics",
    "animation": "Préparer et animer des actions individuelles et collectives",
}

#: Who a piece of equipment is for.
MATERIAL_FOR: dict[str, str] = {
    "personne": "par personne",
    "binome": "par binôme",
    "groupe": "pour le groupe",
    "animateur": "pour l'animateur",
}


@dataclass(frozen=True)
class KitCommand:
    """A runnable step: ``kit ARGV…`` run against the simulators by the lesson check.

    ``argv`` may hold placeholders: ``{kit}`` (the folder holding the kit's packages),
    ``{exemples}`` (the sample files shipped with the lessons), ``{sortie}`` (a folder for the
    pictures the command writes), ``{circuitpy_BOARD}`` (the CIRCUITPY drive of a simulated
    board of that model, created for the step).
    """

    argv: tuple[str, ...]
    purpose: str
    expected_code: int = 0
    expected_fragments: tuple[str, ...] = ()
    picture: str | None = None
    #: Set when the lesson says the command does not exist yet (the check then fails on it).
    pending: str = ""
    line: int = 0


@dataclass(frozen=True)
class Public:
    who: str
    age: str
    level: str


@dataclass(frozen=True)
class Objective:
    ident: str
    text: str
    evaluation: str


@dataclass(frozen=True)
class Material:
    what: str
    for_whom: str
    quantity: str
    plan_b: str = ""


@dataclass(frozen=True)
class PreparationItem:
    text: str
    command: KitCommand | None = None


@dataclass(frozen=True)
class Phase:
    kind: str
    title: str
    minutes: int
    animateur: str
    participants: str
    verify: str = ""
    commands: tuple[KitCommand, ...] = ()
    line: int = 0

    @property
    def kind_label(self) -> str:
        return PHASE_KINDS[self.kind]


@dataclass(frozen=True)
class Adaptation:
    public: str
    text: str


@dataclass(frozen=True)
class CoopDefaults:
    """What the atelier journal proposes for this lesson in La Coop's « CRA collectif »:
    thématiques, matériel and niveau, as the Coop's values (:mod:`journal.coop`)."""

    thematiques: tuple[str, ...]
    materiel: tuple[str, ...]
    niveau: str


#: A lesson without a ``[coop]`` table gets its support's defaults.
COOP_DEFAULTS_FOR_SUPPORT: dict[str, CoopDefaults] = {
    "impression-3d": CoopDefaults(
        ("creer_avec_le_numerique",), ("ordinateur", "autre"), "debutant"
    ),
    "tablette-smartphone": CoopDefaults(
        ("prendre_en_main_du_materiel",), ("telephone", "tablette"), "debutant"
    ),
    "pc": CoopDefaults(("prendre_en_main_du_materiel",), ("ordinateur",), "debutant"),
    "robot": CoopDefaults(("creer_avec_le_numerique",), ("ordinateur", "autre"), "debutant"),
    "microcontroleur": CoopDefaults(
        ("creer_avec_le_numerique",), ("ordinateur", "autre"), "debutant"
    ),
}


@dataclass(frozen=True)
class PrintClaim:
    """A print the lesson relies on and what its text says of it (``[[affirmations.impressions]]``).

    ``start_minute`` is the minute of the session the print starts (negative: before the group
    arrives); ``phase`` names the phase that waits for it, ``expected`` whether the print is still
    running when that phase begins (``"en-cours"``) or finished by then (``"finie"``).
    ``copies`` are printed on ``printers`` machines, one after the other on each.
    """

    file: str
    profile: str
    phase: str
    expected: str
    start_minute: float = 0.0
    printers: int = 1
    copies: int = 1
    layer_mm: float | None = None
    infill_percent: float | None = None
    hotend_c: float | None = None
    bed_c: float | None = None
    max_size_mm: tuple[float, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class ScriptClaim:
    """An on-board program a phase uses (``[[affirmations.scripts]]``): it must be put on the
    board (``kit mcu deploy`` or ``kit mcu run``) in an earlier step and run on the simulated
    board ``board``."""

    name: str
    board: str
    phase: str
    line: int = 0


@dataclass(frozen=True)
class RobotClaim:
    """A robot program the lesson uses and the défi it passes (``[[affirmations.robots]]``)."""

    program: str
    challenge: str
    phase: str
    arena: str = ""
    line: int = 0


@dataclass(frozen=True)
class Claims:
    """The measurable claims of a déroulé, proved by ``kit lesson check`` with the kit itself."""

    prints: tuple[PrintClaim, ...] = ()
    scripts: tuple[ScriptClaim, ...] = ()
    robots: tuple[RobotClaim, ...] = ()
    line: int = 0

    @property
    def empty(self) -> bool:
        return not (self.prints or self.scripts or self.robots)


#: When a print claim expects its print relative to the phase that waits for it.
PRINT_EXPECTATIONS: dict[str, str] = {
    "en-cours": "en train d'imprimer au début de la phase",
    "finie": "terminée au début de la phase",
}


@dataclass(frozen=True)
class Lesson:
    ident: str
    title: str
    support: str
    format: str
    minutes: int
    public: Public
    group_size: str
    prerequisites: tuple[str, ...]
    objectives: tuple[Objective, ...]
    competences: tuple[str, ...]
    materials: tuple[Material, ...]
    plan_b: tuple[str, ...]
    preparation: tuple[PreparationItem, ...]
    phases: tuple[Phase, ...]
    vigilance: tuple[str, ...]
    adaptations: tuple[Adaptation, ...]
    resources: tuple[str, ...]
    participant_steps: tuple[str, ...]
    introduction: str
    path: Path
    claims: Claims = Claims()
    coop: CoopDefaults | None = None

    @property
    def coop_defaults(self) -> CoopDefaults:
        """The lesson's ``[coop]`` table, or its support's defaults."""
        return self.coop or COOP_DEFAULTS_FOR_SUPPORT[self.support]

    @property
    def support_label(self) -> str:
        return SUPPORTS[self.support]

    @property
    def format_label(self) -> str:
        if self.format == "certification":
            return FORMATS["certification"]
        return f"{FORMATS['atelier']} ({self.minutes} min)"

    @property
    def phase_minutes(self) -> int:
        return sum(phase.minutes for phase in self.phases)

    def phase_start(self, title: str) -> int | None:
        """Minute of the session the phase titled ``title`` begins (None: no such phase)."""
        start = 0
        for phase in self.phases:
            if phase.title == title:
                return start
            start += phase.minutes
        return None

    def texts(self) -> list[str]:
        """Every piece of prose of the lesson, for checks that read what it says."""
        found = [self.title, self.introduction, *self.plan_b, *self.vigilance, *self.resources]
        found += [*self.participant_steps, *self.prerequisites]
        found += [item.text for item in self.preparation]
        found += [f"{o.text} {o.evaluation}" for o in self.objectives]
        found += [f"{m.what} {m.plan_b}" for m in self.materials]
        found += [f"{a.public} {a.text}" for a in self.adaptations]
        for phase in self.phases:
            found += [phase.title, phase.animateur, phase.participants, phase.verify]
        return found

    def commands(self) -> list[KitCommand]:
        """Every runnable step of the lesson, preparation first, in reading order."""
        found = [item.command for item in self.preparation if item.command is not None]
        for phase in self.phases:
            found.extend(phase.commands)
        return found
