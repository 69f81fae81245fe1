# SPDX-License-Identifier: GPL-3.0-or-later
"""Put a lesson script and exactly the libraries it imports on a CIRCUITPY drive.

Two steps, so that ``--dry-run`` and the real copy share every check:

* :func:`plan_deploy` reads and checks everything (script syntax, drive, board, libraries,
  free space, write access) and returns a :class:`DeployPlan`; nothing is written.
* :func:`apply_plan` writes each file under a temporary name, flushes and fsyncs it, then
  renames it over the target (:mod:`kit.files`), libraries first and ``code.py`` last:
  CircuitPython reloads on every write, and ``code.py`` must find its libraries in place.

Libraries are resolved as circup does (:mod:`firmware.libraries`): ``.mpy`` files from the
cached bundle of the board's CircuitPython major version, with their dependencies. A library
already in ``lib/`` at the same version is kept; another version is kept too unless
``update`` is asked (``--mettre-a-jour``); libraries of the board's firmware are never copied.

What is never done: deleting a file the kit did not put there. The only removals are the
other-format twins (``.py`` beside a new ``.mpy``, or the reverse) of the very library files
being written (CircuitPython imports ``x.py`` before ``x.mpy``) and the kit's own temporary
files left by an earlier interrupted copy.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from firmware.boards import Board, board_for_circuitpython_id, get_board
from firmware.bundles import version_from_files
from firmware.libraries import Closure, Library, LibraryFinder, library_closure, pins_used
from kit.discovery import DriveReport, inspect_drive, scan_drives
from kit.errors import EXIT_FAILURE, InputFileError, KitError
from kit.files import atomic_write_bytes, read_text_input
from kit.messages import os_error_fr
from kit.python_errors import syntax_message

#: CircuitPython tries these names in order; the first that exists runs at boot.
CODE_FILE_NAMES = ("code.txt", "code.py", "main.txt", "main.py")
#: The libraries of the current bundles need CircuitPython 8 or later.
MIN_CIRCUITPYTHON_MAJOR = 8
#: The version libraries are chosen for when boot_out.txt does not tell (the current stable).
DEFAULT_CIRCUITPYTHON_MAJOR = 9
#: FAT allocates whole clusters; keep a margin when comparing sizes with the free space.
SPACE_MARGIN_BYTES = 16 * 1024

_TMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")


@dataclass(frozen=True)
class SourceScript:
    """The learner's script, read and checked."""

    path: Path
    text: str
    tree: ast.AST
    #: Modules next to the script that it imports (copied to the drive's root).
    local_modules: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class FileAction:
    board_path: str  # relative to the drive, posix separators
    data: bytes
    action: str  # "ajouté", "remplacé", "inchangé"
    origin: str  # "votre programme", "bundle adafruit 9.x-mpy 20241128"


@dataclass(frozen=True)
class LibraryAction:
    """What the deploy does with one library: « ajoutée », « mise à jour », « gardée »,
    « intégrée » (in the board's firmware) or « simulée » (provided by the simulator)."""

    name: str
    status: str
    version: str | None  # the version written (or available)
    on_board: str | None  # the version found on the board
    origin: str


@dataclass(frozen=True)
class DeployPlan:
    script: Path
    drive: Path
    board: Board
    circuitpython_version: str | None
    closure: Closure
    libraries: tuple[LibraryAction, ...]
    files: tuple[FileAction, ...]
    #: Files to delete: stale ``.mpy`` copies and the kit's own leftover temporary files.
    removals: tuple[str, ...]
    #: Files already on the drive that the copy does not touch.
    left_alone: tuple[str, ...]
    warnings: tuple[str, ...]
    #: Those warnings that predict the program will stop on this board (a pin it lacks).
    failures: tuple[str, ...] = ()

    @property
    def replaces_code(self) -> bool:
        """Whether the board's current ``code.py`` would be overwritten by another one."""
        return any(f.board_path == "code.py" and f.action == "remplacé" for f in self.files)

    @property
    def to_write(self) -> tuple[FileAction, ...]:
        return tuple(f for f in self.files if f.action != "inchangé")


# -- the script ------------------------------------------------------------------------


def read_script(
    path: str | os.PathLike[str], *, nothing_done: str = "rien n'a été copié"
) -> SourceScript:
    """Read a learner's script, refusing binary files and syntax errors (in French);
    ``nothing_done`` tells the learner what the refusal spared (copy, run…)."""
    source, text = read_text_input(
        path,
        what="programme",
        not_text="n'est pas un programme Python (fichier binaire). "
        "Indiquez le fichier .py de la séance.",
        hint="Enregistrez-le en UTF-8 depuis votre éditeur (Mu, Thonny…).",
    )
    tree = parse_learner_code(text, source.name, nothing_done=nothing_done)
    local: dict[str, Path] = {}
    folder = source.parent
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module.split(".")[0]]
        for name in names:
            sibling = folder / f"{name}.py"
            if sibling.is_file() and sibling.resolve() != source.resolve() and name != "code":
                local[name] = sibling
    return SourceScript(source, text, tree, local)


def parse_learner_code(
    text: str, filename: str, *, nothing_done: str = "rien n'a été copié"
) -> ast.AST:
    try:
        return ast.parse(text, filename=filename)
    except SyntaxError as exc:
        line = exc.lineno or 0
        where = f"ligne {line}" if line else "position inconnue"
        shown = (exc.text or "").rstrip("\n")
        detail = f"\n  {line} | {shown}" if shown.strip() else ""
        raise InputFileError(
            f"Faute de syntaxe dans « {filename} », {where} : {explain_syntax_error(exc)}."
            f"{detail}",
            hint=f"Corrigez le programme puis relancez la commande ; {nothing_done}.",
        ) from exc
    except ValueError as exc:  # NUL bytes and the like
        raise InputFileError(f"« {filename} » contient des caractères invalides : {exc}.") from exc


def explain_syntax_error(exc: SyntaxError) -> str:
    """A French wording for the most frequent beginner syntax errors."""
    return syntax_message(exc.msg or "")


# -- the drive ---------------------------------------------------------------------------


def find_circuitpy_drive(drive: str | os.PathLike[str] | None = None) -> DriveReport:
    """The CIRCUITPY drive given by ``drive``, or the only one plugged in."""
    if drive is not None:
        path = Path(drive)
        if not path.exists():
            raise KitError(f"Le lecteur « {path} » est introuvable.")
        if not path.is_dir():
            raise KitError(f"« {path} » n'est pas un dossier de lecteur.")
        report = inspect_drive(path)
        if report is not None and report.kind == "uf2":
            raise KitError(
                f"« {path} » est le lecteur d'installation (mode UF2), pas CIRCUITPY.",
                hint="Installez d'abord CircuitPython (« kit mcu flash »), puis attendez que "
                "le lecteur CIRCUITPY apparaisse.",
            )
        if report is None and path.resolve().name.upper() == "CIRCUITPY":
            # The volume name says CIRCUITPY but the board has not written boot_out.txt yet
            # (fresh file system): usable, the board then comes from --board.
            return DriveReport(path=str(path), kind="circuitpy")
        if report is None:
            raise KitError(
                f"« {path} » n'est pas un lecteur CIRCUITPY : il n'y a pas de boot_out.txt.",
                hint="Branchez la carte avec un câble de données et indiquez le lecteur "
                "CIRCUITPY avec --drive.",
            )
        return report
    found = [d for d in scan_drives() if d.kind == "circuitpy"]
    if not found:
        raise KitError(
            "Aucun lecteur CIRCUITPY n'est branché.",
            hint="Branchez la carte (câble de données), attendez le lecteur CIRCUITPY, ou "
            "indiquez-le avec --drive.",
        )
    if len(found) > 1:
        listed = ", ".join(d.path for d in found)
        raise KitError(
            f"Plusieurs lecteurs CIRCUITPY sont branchés ({listed}).",
            hint="Choisissez-en un avec --drive.",
        )
    return found[0]


def resolve_board(report: DriveReport, board_name: str | None) -> Board:
    if board_name:
        return get_board(board_name)
    if not report.board_id:
        raise KitError(
            f"Impossible de savoir quelle carte est branchée sur « {report.path} » "
            "(boot_out.txt absent ou incomplet).",
            hint="Indiquez-la avec --board (liste : « kit mcu boards »).",
        )
    board = board_for_circuitpython_id(report.board_id)
    if board is None:
        raise KitError(
            f"Carte inconnue du kit : « {report.board_id} » (d'après boot_out.txt).",
            hint="Indiquez une carte du catalogue avec --board (liste : « kit mcu boards »).",
        )
    return board


def _version_major(version: str | None) -> int | None:
    if not version:
        return None
    match = re.match(r"(\d+)", version)
    return int(match.group(1)) if match else None


# -- the plan ----------------------------------------------------------------------------


def _twins_of(board_path: str) -> list[str]:
    """Files that would be imported instead of (or clash with) ``board_path``."""
    if not board_path.startswith("lib/") or not board_path.endswith((".py", ".mpy")):
        return []
    inner, _, suffix = board_path[len("lib/") :].rpartition(".")
    other = "mpy" if suffix == "py" else "py"
    twins = [f"lib/{inner}.{other}"]
    if "/" not in inner:
        twins.append(f"{inner}.{other}")  # the drive's root comes before lib/ in sys.path
    elif inner.endswith("/__init__"):
        package = inner.split("/")[0]
        twins += [f"lib/{package}.{other}", f"{package}.{other}"]
    return twins


def _installed_version(drive: Path, name: str) -> tuple[bool, str | None]:
    """Whether library ``name`` is in the drive's ``lib/``, and its ``__version__``."""
    lib = drive / "lib"
    for suffix in (".py", ".mpy"):
        single = lib / f"{name}{suffix}"
        if single.is_file():
            with contextlib.suppress(OSError):
                return True, version_from_files([(single.name, single.read_bytes())])
            return True, None
    package = lib / name
    if package.is_dir():
        files = sorted(
            (p for p in package.rglob("*") if p.suffix in (".py", ".mpy") and p.is_file()),
            key=lambda p: (p.stem != "__init__", p.as_posix()),
        )
        found: list[tuple[str, bytes]] = []
        for path in files[:20]:
            with contextlib.suppress(OSError):
                found.append((path.name, path.read_bytes()))
        return True, version_from_files(found)
    return False, None


def _existing_files(drive: Path) -> list[str]:
    names: list[str] = []
    for root, dirs, files in os.walk(drive):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            names.append(Path(root, name).relative_to(drive).as_posix())
    return sorted(names)


def plan_deploy(
    script_path: str | os.PathLike[str],
    *,
    drive: str | os.PathLike[str] | None = None,
    board_name: str | None = None,
    update: bool = False,
    download: bool = True,
    simulator_modules: frozenset[str] = frozenset(),
) -> DeployPlan:
    """Check everything and decide what to write; raises :class:`KitError` on bad input.

    ``update`` replaces libraries of the board whose version differs from the cache's;
    ``download`` allows fetching a library missing from the cache from PyPI;
    ``simulator_modules`` are libraries the simulated board provides when the cache has none.
    """
    script = read_script(script_path)
    report = find_circuitpy_drive(drive)
    drive_path = Path(report.path)
    board = resolve_board(report, board_name)
    warnings: list[str] = []
    failures: list[str] = []
    if board_name and report.board_id:
        detected = board_for_circuitpython_id(report.board_id)
        if detected is None or detected.id != board.id:
            warnings.append(
                f"boot_out.txt indique la carte « {report.board_id} », pas {board.id} "
                "(--board) : vérifiez que c'est le bon lecteur."
            )

    major = _version_major(report.circuitpython_version)
    if major is not None and major < MIN_CIRCUITPYTHON_MAJOR:
        warnings.append(
            f"La carte a CircuitPython {report.circuitpython_version} : les bibliothèques "
            f"actuelles visent la version {MIN_CIRCUITPYTHON_MAJOR} ou plus récente. "
            "Mettez la carte à jour avec « kit mcu flash »."
        )
    if major is None:
        major = DEFAULT_CIRCUITPYTHON_MAJOR
    local_trees = {name: _parse_local(path) for name, path in script.local_modules.items()}
    closure = library_closure(
        script.tree,
        board=board,
        finder=LibraryFinder(major, download=download),
        local_modules=script.local_modules,
        extra_trees=local_trees.values(),
        simulator_modules=simulator_modules,
    )
    if closure.missing:
        names = ", ".join(f"« {m} » (ligne {line})" for m, line in closure.missing)
        why = " ".join(closure.notes)
        raise KitError(
            f"Module introuvable pour {script.path.name} : {names}. Ce n'est ni un module de "
            f"CircuitPython ni une bibliothèque des bundles en cache pour CircuitPython "
            f"{major}.x{' (' + why + ')' if why else ''}.",
            hint="Vérifiez l'orthographe de l'import ; sinon ajoutez le bundle qui la contient "
            "(« kit mcu bundle update » avec Internet, ou « kit mcu bundle add FICHIER.zip »). "
            "Rien n'a été copié.",
            exit_code=EXIT_FAILURE if closure.notes else None,
        )
    warnings.extend(closure.notes)
    for pin, line in pins_used(script.tree):
        if not board.has_pin(pin):
            failures.append(
                f"Ligne {line} : la carte {board.name} n'a pas de broche « {pin} » "
                "(le programme s'arrêtera sur une AttributeError)."
            )
    warnings += failures

    library_actions: list[LibraryAction] = []
    wanted: list[tuple[str, bytes, str]] = []
    for lib in closure.libraries:
        status = _library_status(drive_path, lib, update)
        library_actions.append(status)
        if status.status in ("ajoutée", "mise à jour"):
            wanted.extend((f.board_path, f.data, lib.origin) for f in lib.files)
        elif status.version and status.on_board != status.version:
            warnings.append(
                f"« {lib.name} » {status.on_board or '(version inconnue)'} est gardée sur la "
                f"carte ; la version {status.version} est disponible (--mettre-a-jour)."
            )
    for name in closure.in_firmware:
        library_actions.append(LibraryAction(name, "intégrée", None, None, "micrologiciel"))
    for name in closure.simulated:
        library_actions.append(LibraryAction(name, "simulée", None, None, "simulateur"))
    for name, path in script.local_modules.items():
        wanted.append((f"{name}.py", path.read_bytes(), "votre module"))
    wanted.append(("code.py", script.text.encode("utf-8"), "votre programme"))

    actions: list[FileAction] = []
    for board_path, data, origin in wanted:
        target = drive_path / board_path
        if target.is_file():
            try:
                same = target.read_bytes() == data
            except OSError:
                same = False
            action = "inchangé" if same else "remplacé"
        else:
            action = "ajouté"
        actions.append(FileAction(board_path, data, action, origin))

    removals: list[str] = []
    for act in actions:
        for twin in _twins_of(act.board_path):
            if (drive_path / twin).is_file() and twin not in removals:
                removals.append(twin)
    for folder in {drive_path, *(drive_path / Path(a.board_path).parent for a in actions)}:
        with contextlib.suppress(OSError):
            for entry in folder.iterdir():
                if entry.is_file() and _TMP_NAME.match(entry.name):
                    removals.append(entry.relative_to(drive_path).as_posix())

    for name in CODE_FILE_NAMES[:1]:
        if (drive_path / name).exists():
            warnings.append(
                f"Le fichier « {name} » sur la carte passe avant code.py : CircuitPython le "
                "lancera à la place. Renommez-le ou supprimez-le vous-même."
            )
    for lib in closure.libraries:
        root_copy = [f"{lib.name}.py", f"{lib.name}.mpy", lib.name]
        if any((drive_path / n).exists() for n in root_copy) and lib.name not in (
            script.local_modules
        ):
            warnings.append(
                f"« {lib.name} » à la racine de la carte masque la bibliothèque de lib/ : "
                "renommez ou supprimez ce fichier."
            )

    written = {a.board_path for a in actions}
    left_alone = tuple(
        f for f in _existing_files(drive_path) if f not in written and f not in removals
    )
    plan = DeployPlan(
        script=script.path,
        drive=drive_path,
        board=board,
        circuitpython_version=report.circuitpython_version,
        closure=closure,
        libraries=tuple(library_actions),
        files=tuple(actions),
        removals=tuple(removals),
        left_alone=left_alone,
        warnings=tuple(warnings),
        failures=tuple(failures),
    )
    _check_writable(plan)
    return plan


def _library_status(drive: Path, lib: Library, update: bool) -> LibraryAction:
    present, on_board = _installed_version(drive, lib.name)
    if not present:
        return LibraryAction(lib.name, "ajoutée", lib.version, None, lib.origin)
    current = on_board is not None and on_board == lib.version
    if current or not update:
        return LibraryAction(lib.name, "gardée", lib.version, on_board, lib.origin)
    return LibraryAction(lib.name, "mise à jour", lib.version, on_board, lib.origin)


def _parse_local(path: Path) -> ast.AST:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"Impossible de lire le module « {path} » : {exc}.") from exc
    return parse_learner_code(text, path.name)


def _check_writable(plan: DeployPlan) -> None:
    """Refuse before the first byte when the drive is read-only or too full."""
    drive = plan.drive
    if not plan.to_write and not plan.removals:
        return
    if not os.access(drive, os.W_OK):
        raise KitError(
            f"Le lecteur « {drive} » est en lecture seule : rien n'a été copié.",
            hint="Vérifiez que la carte n'est pas protégée (boot.py qui appelle "
            "storage.remount) et que le lecteur est bien monté en écriture.",
        )
    try:
        statvfs = os.statvfs(drive)
        read_only = bool(statvfs.f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):
        read_only = False
    if read_only:
        raise KitError(
            f"Le lecteur « {drive} » est monté en lecture seule : rien n'a été copié.",
            hint="Débranchez et rebranchez la carte ; si boot.py appelle storage.remount, "
            "la carte s'est réservé l'écriture.",
        )
    needed = 0
    for act in plan.to_write:
        target = drive / act.board_path
        old = target.stat().st_size if target.is_file() else 0
        needed += max(0, len(act.data) - old)
    freed = 0
    for rel in plan.removals:
        with contextlib.suppress(OSError):
            freed += (drive / rel).stat().st_size
    try:
        free = shutil.disk_usage(drive).free
    except OSError:
        return
    # The temporary copy of the largest file exists beside the old one until the rename.
    largest = max((len(a.data) for a in plan.to_write), default=0)
    if needed + largest + SPACE_MARGIN_BYTES > free + freed:
        raise KitError(
            f"Place insuffisante sur « {drive} » : il faut environ "
            f"{(needed + largest) // 1024 + 1} Kio, il reste {free // 1024} Kio. "
            "Rien n'a été copié.",
            hint="Supprimez des fichiers inutiles de la carte (anciens .mpy, sons, images).",
        )


# -- applying ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeployResult:
    plan: DeployPlan
    written: tuple[str, ...]
    removed: tuple[str, ...]


def apply_plan(plan: DeployPlan) -> DeployResult:
    """Write the plan to the drive: removals, then libraries, then ``code.py`` last."""
    removed: list[str] = []
    for rel in plan.removals:
        try:
            (plan.drive / rel).unlink()
            removed.append(rel)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise KitError(
                f"Impossible de supprimer « {rel} » sur la carte : {os_error_fr(exc)}."
            ) from exc
    written: list[str] = []
    ordered = sorted(plan.to_write, key=lambda a: a.board_path == "code.py")
    for act in ordered:
        target = plan.drive / act.board_path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise KitError(
                f"Impossible de créer le dossier « {target.parent} » : {exc.strerror or exc}."
            ) from exc
        atomic_write_bytes(target, act.data)
        written.append(act.board_path)
    return DeployResult(plan, tuple(written), tuple(removed))


def deploy(
    script_path: str | os.PathLike[str],
    *,
    drive: str | os.PathLike[str] | None = None,
    board_name: str | None = None,
    dry_run: bool = False,
    update: bool = False,
    download: bool = True,
    simulator_modules: frozenset[str] = frozenset(),
) -> DeployResult:
    plan = plan_deploy(
        script_path, drive=drive, board_name=board_name, update=update, download=download,
        simulator_modules=simulator_modules,
    )
    if dry_run:
        return DeployResult(plan, (), ())
    return apply_plan(plan)
