# SPDX-License-Identifier: GPL-3.0-or-later
"""The exact set of CircuitPython library files a script needs, from the installed packages.

The kit ships the Adafruit CircuitPython libraries as ordinary PyPI packages
(``adafruit-circuitpython-*``). Their Python sources run unchanged on every CircuitPython
version, unlike the version-bound ``.mpy`` bundles, and need no download at the atelier.

The closure starts from the script's ``import`` statements (read with :mod:`ast`, never
executed) and follows each library's own imports recursively. Modules the board provides
(``board``, ``digitalio``, ``time``…) and CPython-only helpers the packages declare for
desktop use (Blinka, pyserial, typing helpers) are skipped. An import inside
``try: … except ImportError:`` is optional: taken when available, ignored otherwise, which
is how the libraries themselves mark their typing-only imports.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kit.errors import KitError

#: Modules built into CircuitPython firmware (core modules of CircuitPython 8 and 9, all
#: ports together; from the "Core Modules" list of the CircuitPython documentation).
CIRCUITPYTHON_BUILTINS = frozenset(
    [
        "_asyncio", "_bleio", "_eve", "_pixelmap", "aesio", "alarm", "analogbufio", "analogio",
        "array", "atexit", "audiobusio", "audiocore", "audiodelays", "audiofilters", "audioio",
        "audiomixer", "audiomp3", "audiopwmio", "binascii", "bitbangio", "bitmapfilter",
        "bitmaptools", "bitops", "board", "builtins", "busdisplay", "busio", "camera", "canio",
        "codeop", "collections", "countio", "digitalio", "displayio", "dualbank", "epaperdisplay",
        "errno", "espcamera", "espidf", "espnow", "espulp", "floppyio", "fontio", "fourwire",
        "framebufferio", "frequencyio", "gc", "getpass", "gifio", "gnss", "hashlib", "heapq",
        "i2cdisplaybus", "i2ctarget", "imagecapture", "io", "ipaddress", "jpegio", "json", "keypad",
        "keypad_demux", "locale", "math", "mdns", "memorymap", "memorymonitor", "microcontroller",
        "micropython", "msgpack", "neopixel_write", "nvm", "onewireio", "os", "paralleldisplaybus",
        "ps2io", "pulseio", "pwmio", "qrio", "rainbowio", "random", "re", "rgbmatrix", "rotaryio",
        "rp2pio", "rtc", "samd", "sdcardio", "sdioio", "select", "sharpdisplay", "socketpool",
        "ssl", "storage", "struct", "supervisor", "synthio", "sys", "terminalio", "time", "touchio",
        "traceback", "ulab", "usb", "usb_cdc", "usb_hid", "usb_host", "usb_midi", "usb_video",
        "vectorio", "warnings", "watchdog", "wifi", "zlib"
    ]
)

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

_SKIP_DISTS = {"adafruit-circuitpython-typing"}


@dataclass(frozen=True)
class LibraryFile:
    """One file of the closure: where it goes on the board and where it comes from."""

    board_path: str  # "lib/neopixel.py", "lib/adafruit_motor/servo.py"
    source: Path
    module: str  # dotted module name
    distribution: str  # "adafruit-circuitpython-neopixel 6.4.2"


@dataclass(frozen=True)
class ImportRef:
    module: str  # absolute dotted name
    names: tuple[str, ...]  # for "from X import a, b"
    optional: bool
    line: int


@dataclass(frozen=True)
class Closure:
    files: tuple[LibraryFile, ...]
    #: Top-level library modules, in discovery order ("neopixel", "adafruit_pixelbuf").
    libraries: tuple[str, ...]
    #: Board-provided modules the script and its libraries use.
    builtins_used: tuple[str, ...]
    #: Imports of the script that nothing provides: (module, line).
    missing: tuple[tuple[str, int], ...] = field(default=())


@dataclass(frozen=True)
class _Installed:
    name: str  # top-level module
    root: Path  # the .py file or the package folder
    is_package: bool
    distribution: str


def _is_library_dist(name: str) -> bool:
    lowered = name.lower().replace("_", "-")
    return lowered.startswith(("adafruit-circuitpython-", "circuitpython-")) and (
        lowered not in _SKIP_DISTS
    )


@cache
def installed_libraries() -> dict[str, _Installed]:
    """Top-level module name -> where its sources are, for every installed library package."""
    found: dict[str, _Installed] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"] or ""
        if not _is_library_dist(name):
            continue
        label = f"{name} {dist.version}"
        for entry in dist.files or ():
            parts = entry.parts
            if not parts or parts[0].endswith((".dist-info", ".egg-info")) or ".." in parts:
                continue
            if "__pycache__" in parts or not parts[-1].endswith(".py"):
                continue
            top = parts[0].removesuffix(".py")
            if top in found or not top.isidentifier():
                continue
            located = Path(str(dist.locate_file(entry)))
            if len(parts) == 1:
                found[top] = _Installed(top, located, False, label)
            else:
                package_root = Path(str(dist.locate_file(parts[0])))
                found[top] = _Installed(top, package_root, True, label)
    return found


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


def _module_file(lib: _Installed, module: str) -> Path | None:
    """The source file of ``module`` (dotted, inside ``lib``), or None."""
    parts = module.split(".")[1:]
    if not lib.is_package:
        return lib.root if not parts else None
    base = lib.root.joinpath(*parts)
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    candidate = base.with_suffix(".py") if parts else None
    if candidate is not None and candidate.is_file():
        return candidate
    return None


def _board_path(lib: _Installed, source: Path) -> str:
    if not lib.is_package:
        return f"lib/{source.name}"
    relative = source.relative_to(lib.root.parent)
    return "lib/" + relative.as_posix()


def _parse(source: Path) -> ast.AST:
    try:
        return ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError) as exc:
        raise KitError(
            f"La bibliothèque installée « {source} » est illisible ({exc}). "
            "Réinstallez le kit : pip install --force-reinstall atelier-kit."
        ) from exc


def classify(module: str) -> str:
    """'builtin', 'cpython', 'library' or 'unknown' for a top-level module name."""
    top = _top(module)
    if top in CIRCUITPYTHON_BUILTINS:
        return "builtin"
    if top in CPYTHON_ONLY:
        return "cpython"
    if top in installed_libraries():
        return "library"
    return "unknown"


def library_closure(
    script_tree: ast.AST, *, local_modules: Iterable[str] = (), extra_trees: Iterable[ast.AST] = ()
) -> Closure:
    """The library files a script needs, following every library's imports recursively.

    ``local_modules`` are modules that sit beside the script (copied with it, not searched
    in the libraries); ``extra_trees`` are their parsed sources, scanned like the script.
    """
    libs = installed_libraries()
    local = set(local_modules)
    files: dict[str, LibraryFile] = {}
    libraries: list[str] = []
    builtins_used: list[str] = []
    missing: list[tuple[str, int]] = []
    pending: list[tuple[ImportRef, bool]] = []  # (reference, from the learner's own code)
    done_modules: set[str] = set()

    for tree in (script_tree, *extra_trees):
        pending.extend((ref, True) for ref in scan_imports(tree))

    while pending:
        ref, own = pending.pop(0)
        top = _top(ref.module)
        if top in local:
            continue
        kind = classify(ref.module)
        if kind == "builtin":
            if top not in builtins_used:
                builtins_used.append(top)
            continue
        if kind == "cpython":
            continue
        if kind == "unknown":
            if own and not ref.optional and (top, ref.line) not in missing:
                missing.append((top, ref.line))
            continue
        lib = libs[top]
        wanted = [ref.module] + [f"{ref.module}.{n}" for n in ref.names]
        for module in wanted:
            chain = module.split(".")
            for depth in range(1, len(chain) + 1):
                name = ".".join(chain[:depth])
                if name in done_modules:
                    continue
                source = _module_file(lib, name)
                if source is None:
                    continue  # "from pkg import attribute": not a submodule
                done_modules.add(name)
                if top not in libraries:
                    libraries.append(top)
                path = _board_path(lib, source)
                files[path] = LibraryFile(path, source, name, lib.distribution)
                package = name if source.name == "__init__.py" else name.rpartition(".")[0]
                pending.extend((r, False) for r in scan_imports(_parse(source), package))
    return Closure(
        files=tuple(files[p] for p in sorted(files)),
        libraries=tuple(libraries),
        builtins_used=tuple(sorted(builtins_used)),
        missing=tuple(missing),
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
