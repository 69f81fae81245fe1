# SPDX-License-Identifier: GPL-3.0-or-later
"""A déroulé's measurable claims, proved with the kit itself.

A lesson declares in ``[affirmations]`` what its text relies on (see :class:`lessons.model.Claims`)
and :func:`check_claims` proves each claim:

- a print (``[[affirmations.impressions]]``) is analysed by :mod:`printers.analysis`: its time
  with heating, times the batches its copies need on the group's printers, fits the phase that
  waits for it (still printing when the phase begins, or finished by then); the layer height,
  infill and temperatures the lesson states are those of the file; the object (apart from purge
  line and skirt) fits the size the lesson states; every « NN °C » of the text is a
  temperature of one of the lesson's files;
- an on-board program (``[[affirmations.scripts]]``) is put on the board by an earlier step
  (``kit mcu deploy`` or ``kit mcu run``) and runs on the simulated board; a program drawing
  NeoPixels with ``auto_write=False`` needs the lesson to mention ``pixels.show()``;
- a robot program (``[[affirmations.robots]]``) passes its défi on the simulated mBot;
- every step's ``kit …`` line parses, and every « kit … » the prose mentions names a command.

Commands are parsed and run through callables given by the caller, so that ``lessons`` does
not import the CLI (see :mod:`lessons.steps`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from kit.errors import KitError
from kit.messages import format_duration_fr, number_fr
from lessons.checks import Finding
from lessons.model import KitCommand, Lesson, PrintClaim, ScriptClaim
from lessons.steps import CommandResolver, expand, run_step

#: ``problem(argv, complete)``: None when ``kit ARGV`` is a command (and, when ``complete``,
#: its arguments parse), else a French reason.
CommandParser = Callable[[Sequence[str], bool], "str | None"]

#: How a parser's reason begins when the first word after ``kit`` names no command at all.
UNKNOWN_COMMAND = "commande inconnue"

#: What a lesson on each hardware support must declare: (Claims attribute, TOML table).
CLAIMS_BY_SUPPORT = {
    "impression-3d": ("prints", "[[affirmations.impressions]]"),
    "microcontroleur": ("scripts", "[[affirmations.scripts]]"),
    "robot": ("robots", "[[affirmations.robots]]"),
}

#: Simulated seconds a program is run for on the simulated board.
SCRIPT_RUN_S = 3
#: Tolerances: layer heights and sizes are written with one decimal, percentages and
#: temperatures whole.
LAYER_TOLERANCE_MM = 0.01
INFILL_TOLERANCE_PERCENT = 0.5
SIZE_TOLERANCE_MM = 0.5
TEMPERATURE_TOLERANCE_C = 0.5

_DEGREES = re.compile(r"(\d+(?:[,.]\d+)?)\s*°C")
_KIT_MENTION = re.compile(r"\bkit ([a-z][a-z0-9-]*(?: [a-z][a-z0-9_-]*)*)")


def _f(value: float) -> str:
    return number_fr(value, 2)


def _duration(minutes: float) -> str:
    return format_duration_fr(minutes * 60.0)


def check_prints(lesson: Lesson, output_dir: Path) -> list[Finding]:
    """Prove every print claim with the G-code analysis (no device is used)."""
    from printers.analysis import analyse_file
    from printers.profile import load_profile

    found: list[Finding] = []
    temperatures: set[float] = set()
    for claim in lesson.claims.prints:

        def add(message: str, claim: PrintClaim = claim) -> None:
            found.append(Finding(lesson.ident, claim.line, message))

        path = Path(expand([claim.file], output_dir)[0])
        try:
            analysis = analyse_file(path, load_profile(claim.profile))
        except KitError as exc:
            add(f"le fichier d'impression « {claim.file} » ne s'analyse pas : {exc.message}")
            continue
        name = path.name
        facts = analysis.facts
        temperatures.update(
            round(t) for t in (*facts.hotend_targets_c, *facts.bed_targets_c) if t > 0
        )
        temperatures.update(round(t) for t in (facts.max_hotend_c, facts.max_bed_c) if t > 0)
        found.extend(_print_timing(lesson, claim, name, analysis.total_seconds / 60.0))
        slicer = analysis.slicer
        for wanted, got, what, tolerance in (
            (claim.layer_mm, slicer.layer_height_mm, "hauteur de couche (mm)", LAYER_TOLERANCE_MM),
            (
                claim.infill_percent,
                slicer.infill_percent,
                "remplissage (%)",
                INFILL_TOLERANCE_PERCENT,
            ),
        ):
            if wanted is None:
                continue
            if got is None:
                add(
                    f"{name} ne dit pas son réglage « {what} » : impossible de vérifier "
                    f"{_f(wanted)}."
                )
            elif abs(got - wanted) > tolerance:
                add(f"{what} : la leçon dit {_f(wanted)}, mais {name} a été tranché à {_f(got)}.")
        for wanted, got, what in (
            (claim.hotend_c, analysis.facts.max_hotend_c, "la buse"),
            (claim.bed_c, analysis.facts.max_bed_c, "le plateau"),
        ):
            if wanted is not None and abs(got - wanted) > TEMPERATURE_TOLERANCE_C:
                add(
                    f"la leçon dit {what} à {_f(wanted)} °C, mais {name} chauffe {what} "
                    f"à {_f(got)} °C."
                )
        size = analysis.object_size_mm
        if claim.max_size_mm and size is not None:
            labels = ("largeur", "profondeur", "hauteur")
            for limit, got, label in zip(claim.max_size_mm, size, labels, strict=False):
                if got > limit + SIZE_TOLERANCE_MM:
                    add(
                        f"{label} de l'objet : {_f(got)} mm dans {name} (hors jupe et ligne de "
                        f"purge), plus que les {_f(limit)} mm annoncés par la leçon."
                    )
            shown = " × ".join(number_fr(v, 1) for v in claim.max_size_mm)
            if shown not in " ".join(lesson.texts()):
                add(f"la taille annoncée ({shown} mm) n'apparaît pas dans le texte de la leçon.")
        if claim.layer_mm is not None:
            shown = f"{number_fr(claim.layer_mm, 2)} mm"
            if shown not in " ".join(lesson.texts()):
                add(f"la hauteur de couche ({shown}) n'apparaît pas dans le texte de la leçon.")
    if lesson.claims.prints:
        found.extend(_text_temperatures(lesson, temperatures))
    return found


def _print_timing(
    lesson: Lesson, claim: PrintClaim, name: str, minutes_each: float
) -> list[Finding]:
    batches = math.ceil(claim.copies / claim.printers)
    total = minutes_each * batches
    end = claim.start_minute + total
    begin = lesson.phase_start(claim.phase)
    assert begin is not None  # the schema refuses unknown phase titles
    how = f"≈ {_duration(minutes_each)} chauffe comprise"
    if batches > 1:
        how = (
            f"{claim.copies} exemplaires sur {claim.printers} imprimante(s), soit {batches} "
            f"impressions de ≈ {_duration(minutes_each)} à la suite, chauffe comprise"
        )
    started = f"lancée à la minute {number_fr(claim.start_minute, 0)}"
    if claim.start_minute < 0:
        started = f"lancée {number_fr(-claim.start_minute, 0)} min avant l'arrivée du groupe"
    problem = ""
    if claim.expected == "en-cours":
        if claim.start_minute > begin:
            problem = f"elle n'a pas commencé au début de « {claim.phase} » (minute {begin})"
        elif end <= begin:
            problem = (
                f"elle est finie à la minute {number_fr(end, 0)}, avant « {claim.phase} » "
                f"(minute {begin}) qui la montre en train d'imprimer"
            )
    elif end > begin:
        problem = (
            f"elle finit vers la minute {number_fr(end, 0)}, après le début de « {claim.phase} » "
            f"(minute {begin}) qui l'attend"
        )
    if not problem:
        return []
    return [
        Finding(lesson.ident, claim.line, f"impression de {name} ({how}) {started} : {problem}.")
    ]


def _text_temperatures(lesson: Lesson, temperatures: set[float]) -> list[Finding]:
    found = []
    known = ", ".join(f"{number_fr(t, 0)} °C" for t in sorted(temperatures)) or "aucune"
    for text in lesson.texts():
        for match in _DEGREES.finditer(text):
            value = float(match.group(1).replace(",", "."))
            if round(value) not in temperatures:
                found.append(
                    Finding(
                        lesson.ident,
                        lesson.claims.line,
                        f"le texte annonce {match.group(0)}, mais les fichiers d'impression de la "
                        f"leçon ne chauffent qu'à : {known}.",
                    )
                )
    return found


def _puts_on_board(command: KitCommand, name: str) -> bool:
    argv = command.argv
    if len(argv) < 3 or tuple(argv[:2]) not in (("mcu", "deploy"), ("mcu", "run")):
        return False
    target = argv[2]
    return target == name or Path(target).name in (name, f"{name}.py")


def _commands_until(lesson: Lesson, phase_title: str) -> list[KitCommand]:
    """The steps run before the learners use the phase ``phase_title`` (that phase's included)."""
    found = [item.command for item in lesson.preparation if item.command is not None]
    for phase in lesson.phases:
        found.extend(phase.commands)
        if phase.title == phase_title:
            break
    return found


def check_scripts(
    lesson: Lesson, output_dir: Path, resolver: CommandResolver, *, run: bool
) -> list[Finding]:
    """Each on-board program is put on the board before it is used and runs on the simulator."""
    from firmware.lesson_scripts import resolve_script

    found: list[Finding] = []
    prose = " ".join(lesson.texts())
    for claim in lesson.claims.scripts:

        def add(message: str, claim: ScriptClaim = claim) -> None:
            found.append(Finding(lesson.ident, claim.line, message))

        if not any(_puts_on_board(c, claim.name) for c in _commands_until(lesson, claim.phase)):
            add(
                f"le programme « {claim.name} » sert dans « {claim.phase} », mais aucune étape "
                f"avant ne le dépose sur la carte (« kit mcu deploy {claim.name} »)."
            )
        try:
            path, _ = resolve_script(expand([claim.name], output_dir)[0])
            source = path.read_text(encoding="utf-8")
        except (KitError, OSError) as exc:
            add(f"le programme « {claim.name} » est introuvable : {exc}")
            continue
        if "auto_write=False" in source.replace(" ", "") and "pixels.show()" not in prose:
            add(
                f"« {claim.name} » crée les NeoPixels avec auto_write=False : la leçon doit dire "
                "que rien ne s'affiche avant « pixels.show() »."
            )
        if run:
            argv = ("mcu", "sim", claim.name, "--board", claim.board, "--duree", str(SCRIPT_RUN_S))
            _run(found, lesson, claim.line, argv, output_dir, resolver, "sur la carte simulée")
    return found


def check_robots(
    lesson: Lesson, output_dir: Path, resolver: CommandResolver, *, run: bool
) -> list[Finding]:
    """Each robot program passes its défi on the simulated mBot."""
    found: list[Finding] = []
    if not run:
        return found
    for claim in lesson.claims.robots:
        port = "sim://mbot" + (f"?arena={claim.arena}" if claim.arena else "")
        argv = ("robot", "run", claim.program, "--port", port, "--defi", claim.challenge)
        _run(
            found, lesson, claim.line, argv, output_dir, resolver, f"au défi « {claim.challenge} »"
        )
    return found


def _run(
    found: list[Finding],
    lesson: Lesson,
    line: int,
    argv: tuple[str, ...],
    output_dir: Path,
    resolver: CommandResolver,
    where: str,
) -> None:
    command = KitCommand(argv=argv, purpose="affirmation de la leçon", line=line)
    result = run_step(command, output_dir, resolver)
    if not result.ok:
        tail = result.output.strip().splitlines()[-1:] or [""]
        found.append(
            Finding(
                lesson.ident,
                line,
                f"« kit {' '.join(argv)} » échoue {where} : {'; '.join(result.problems)} "
                f"{tail[0]}".strip(),
            )
        )


def check_command_lines(lesson: Lesson, output_dir: Path, parser: CommandParser) -> list[Finding]:
    """Every step's ``kit …`` parses; every « kit … » of the prose names a command."""
    found: list[Finding] = []
    for command in lesson.commands():
        if command.pending:
            continue
        problem = parser(expand(command.argv, output_dir), True)
        if problem:
            found.append(
                Finding(lesson.ident, command.line, f"« kit {' '.join(command.argv)} » : {problem}")
            )
    for text in lesson.texts():
        for match in _KIT_MENTION.finditer(text):
            words = match.group(1).split()
            first = parser(words[:1], False)
            if first is not None and first.startswith(UNKNOWN_COMMAND):
                continue  # prose (« le kit installé »), not a command
            problem = parser(words, False)
            if problem:
                found.append(
                    Finding(lesson.ident, 0, f"le texte cite « kit {match.group(1)} » : {problem}")
                )
    return found


def check_claims(
    lesson: Lesson,
    output_dir: Path,
    resolver: CommandResolver,
    parser: CommandParser,
    *,
    run: bool = True,
) -> list[Finding]:
    """Everything the lesson claims that the kit contradicts (empty when every claim holds).

    ``run=False`` skips what needs a simulator run (programs on the board, robot défis).
    """
    found = check_command_lines(lesson, output_dir, parser)
    needed = CLAIMS_BY_SUPPORT.get(lesson.support)
    if needed is not None and not getattr(lesson.claims, needed[0]):
        found.append(
            Finding(
                lesson.ident,
                0,
                f"la leçon ne déclare aucune affirmation « {needed[1]} » : ce qu'elle dit "
                "de ses fichiers et programmes ne peut pas être vérifié.",
            )
        )
    found += check_prints(lesson, output_dir)
    found += check_scripts(lesson, output_dir, resolver, run=run)
    found += check_robots(lesson, output_dir, resolver, run=run)
    return found
