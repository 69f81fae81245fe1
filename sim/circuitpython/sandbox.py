# SPDX-License-Identifier: GPL-3.0-or-later
"""What learner code may touch inside the worker: the board folder and nothing else.

Layers, from the inside out:

* code loaded from the board folder (``code.py``, ``lib/…``, REPL input) is checked before
  it runs: attribute names that lead from an object to the interpreter's internals
  (``__globals__``, ``__subclasses__``, frames…) are refused;
* it runs with its own builtins: ``open`` and ``__import__`` resolve names inside the board
  folder only (``/`` is the folder, as on the board), the filesystem is read-only as it is on
  a real board plugged into a computer, ``os`` and ``sys`` are CircuitPython-sized fakes;
* imports resolve like CircuitPython's ``sys.path`` (the folder's root, the firmware's
  modules, ``lib/``) plus a few pure standard modules, copied without their private names;
* the worker process itself cannot write any file (``RLIMIT_FSIZE`` = 0), has a memory cap
  and runs with the board folder as its working directory.

This keeps a learner's mistakes (and curiosity) inside the board; it is not meant to
contain a hostile program, which CPython cannot do from the inside.
"""

from __future__ import annotations

import ast
import builtins as _builtins
import contextlib
import errno
import sys as _sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.circuitpython.settings_toml import parse_settings

#: Attribute names that lead from ordinary objects to the interpreter's internals.
FORBIDDEN_ATTRIBUTES = frozenset(
    [
        "__globals__", "__builtins__", "__subclasses__", "__bases__", "__base__", "__mro__",
        "__code__", "__closure__", "__func__", "__self__", "__dict__", "__getattribute__",
        "__import__", "__loader__", "__spec__", "__reduce__", "__reduce_ex__", "__objclass__",
        "__wrapped__", "__traceback__", "__class_getitem__", "__init_subclass__",
        "__subclasshook__", "__getstate__", "__setstate__", "mro", "f_globals", "f_locals",
        "f_back", "f_builtins", "f_code", "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame",
        "ag_code", "tb_frame", "tb_next", "co_code", "co_consts"
    ]
)
FORBIDDEN_NAMES = frozenset({"__builtins__", "__loader__", "__spec__", "__import__"})

#: Pure standard modules CircuitPython also has (same API for what lessons use).
STDLIB_COPIES = ("math", "random", "struct", "array", "collections", "re", "json", "errno",
                 "binascii")

#: Names removed from the learner's builtins (no equivalent on the board, or an escape).
_REMOVED_BUILTINS = ("open", "__import__", "breakpoint", "input", "exit", "quit", "help",
                     "copyright", "credits", "license", "vars", "exec", "eval", "compile",
                     "getattr", "setattr", "delattr", "hasattr", "globals", "locals")


class SandboxViolation(Exception):
    """Learner code used something the simulated board does not allow."""


def check_source_tree(tree: ast.AST, filename: str) -> None:
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            name = node.attr
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            name = node.id
        if name is not None:
            error = SandboxViolation(
                f"« {name} » n'est pas autorisé dans le simulateur ({filename}, ligne "
                f"{getattr(node, 'lineno', '?')})"
            )
            raise error


def _copy_public(module: types.ModuleType) -> types.ModuleType:
    copy = types.ModuleType(module.__name__)
    for key, value in vars(module).items():
        if not key.startswith("_") and not isinstance(value, types.ModuleType):
            setattr(copy, key, value)
    return copy


class BoardFiles:
    """The board folder seen from the program: ``/`` is the folder, read-only."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def resolve(self, path: object) -> Path:
        if not isinstance(path, str):
            raise TypeError("le chemin doit être un texte")
        relative = path.lstrip("/")
        target = (self.root / relative).resolve()
        if target != self.root and self.root not in target.parents:
            raise OSError(f"[Errno 2] pas de fichier « {path} » sur la carte")
        return target

    def open(self, path: object, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(flag in mode for flag in "wax+"):
            raise OSError(errno.EROFS, "Read-only filesystem")
        target = self.resolve(path)
        if not target.is_file():
            raise OSError(f"[Errno 2] pas de fichier « {path} » sur la carte")
        return _builtins.open(target, mode, *args, **kwargs)

    def os_module(self, board_name: str, settings: dict[str, str | int]) -> types.ModuleType:
        files = self

        def listdir(path: str = "/") -> list[str]:
            target = files.resolve(path)
            if not target.is_dir():
                raise OSError(f"[Errno 2] pas de dossier « {path} » sur la carte")
            return sorted(p.name for p in target.iterdir() if not p.name.startswith("."))

        def stat(path: str) -> tuple[int, ...]:
            target = files.resolve(path)
            if not target.exists():
                raise OSError(f"[Errno 2] pas de fichier « {path} » sur la carte")
            mode = 0x4000 if target.is_dir() else 0x8000
            size = 0 if target.is_dir() else target.stat().st_size
            return (mode, 0, 0, 0, 0, 0, size, 0, 0, 0)

        def read_only(*_args: object, **_kwargs: object) -> None:
            raise OSError(errno.EROFS, "Read-only filesystem")

        def getenv(key: str, default: Any = None) -> Any:
            return settings.get(key, default)

        def uname() -> Any:
            return (board_name, board_name, "9.2.1", "9.2.1", board_name)

        counter = [0]

        def urandom(n: int) -> bytes:
            counter[0] += 1
            return bytes((i * 37 + counter[0] * 11) & 0xFF for i in range(int(n)))

        module = types.ModuleType("os")
        module.__dict__.update(
            listdir=listdir, stat=stat, remove=read_only, rename=read_only, mkdir=read_only,
            rmdir=read_only, getcwd=lambda: "/", chdir=lambda p: None, sync=lambda: None,
            getenv=getenv, uname=uname, urandom=urandom, sep="/",
        )
        return module


def read_settings(root: Path) -> dict[str, str | int]:
    """``settings.toml`` values for ``os.getenv`` (a missing or unreadable file gives none).

    As on CircuitPython 9, an integer setting comes back as an ``int``, a string as a ``str``.
    """
    path = root / "settings.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    return parse_settings(text)


class Importer:
    """``__import__`` for learner code: board folder root, firmware modules, then lib/."""

    def __init__(
        self,
        files: BoardFiles,
        firmware: dict[str, types.ModuleType],
        frozen: frozenset[str],
        make_globals: Callable[[str, str | None], dict[str, Any]],
        compile_source: Callable[[str, str], types.CodeType],
        sources: dict[str, str] | None = None,
        core_modules: frozenset[str] = frozenset(),
    ) -> None:
        self.files = files
        self.firmware = firmware
        self.frozen = frozen
        self.make_globals = make_globals
        self.compile_source = compile_source
        #: Sources of the drive's ``.mpy`` files and of the firmware's libraries
        #: (``.frozen/…``), read from the kit's cache by the parent process.
        self.sources = dict(sources or {})
        #: CircuitPython's core modules, to name a hardware module the simulator lacks.
        self.core_modules = core_modules
        self.modules: dict[str, types.ModuleType] = {}

    def _find_source(self, dotted: str) -> tuple[Path, str, bool, str | None] | None:
        """Where ``dotted`` comes from: (path, name on the board, is a package, source text
        when it is not read from the path)."""
        parts = dotted.split(".")
        # CircuitPython's sys.path: the drive's root, the frozen libraries, then lib/.
        found = self._find_in(self.files.root, parts)
        if found is None:
            found = self._find_frozen(parts)
        if found is None:
            found = self._find_in(self.files.root / "lib", parts)
        return found

    def _find_in(self, base: Path, parts: list[str]) -> tuple[Path, str, bool, str | None] | None:
        folder = base.joinpath(*parts)
        if (folder / "__init__.py").is_file():
            return folder / "__init__.py", self._board_name(folder / "__init__.py"), True, None
        if folder.with_suffix(".py").is_file():
            source = folder.with_suffix(".py")
            return source, self._board_name(source), False, None
        for compiled, is_package in ((folder / "__init__.mpy", True),
                                     (folder.with_suffix(".mpy"), False)):
            if compiled.is_file():
                name = compiled.relative_to(self.files.root).as_posix()
                text = self.sources.get(name)
                if text is None and ".".join(parts) in self.firmware:
                    return None  # the simulator's own module stands in for it
                if text is None:
                    raise ImportError(
                        f"no module named '{'.'.join(parts)}' (« {name} » est compilé pour "
                        "une vraie carte et le cache du kit n'a pas ses sources .py : "
                        "ajoutez le bundle de sources, « kit mcu bundle add "
                        "adafruit-circuitpython-bundle-py-….zip »)"
                    )
                return compiled, "/" + name, is_package, text
        if folder.is_dir() and len(parts) == 1 and (
            any(folder.glob("*.py")) or any(folder.glob("*.mpy"))
        ):
            return folder, self._board_name(folder), True, None  # namespace package
        return None

    def _find_frozen(self, parts: list[str]) -> tuple[Path, str, bool, str | None] | None:
        base = "/".join(parts)
        for key, is_package in ((f".frozen/{base}/__init__.py", True),
                                (f".frozen/{base}.py", False)):
            if key in self.sources:
                return self.files.root / key, key, is_package, self.sources[key]
        return None

    def _board_name(self, path: Path) -> str:
        relative = path.relative_to(self.files.root).as_posix()
        return relative if relative == "code.py" else "/" + relative

    def load(self, dotted: str) -> types.ModuleType:
        if dotted in self.modules:
            return self.modules[dotted]
        if dotted in STDLIB_COPIES:
            __import__(dotted)
            if dotted == "random":
                # A fixed seed: the same program gives the same timeline on every run.
                _sys.modules["random"].seed(2024)
            self.modules[dotted] = _copy_public(_sys.modules[dotted])
            return self.modules[dotted]
        if dotted in self.firmware and dotted not in self.frozen:
            return self.firmware[dotted]
        if dotted == "os" or dotted == "sys" or dotted == "builtins":
            return self.firmware[dotted]
        if "." in dotted:
            parent = self.load(dotted.rpartition(".")[0])
            if not hasattr(parent, "__path__"):
                raise ImportError(f"no module named '{dotted}'")
        found = self._find_source(dotted)
        if found is None:
            if dotted in self.firmware:
                return self.firmware[dotted]
            top = dotted.split(".")[0]
            if top in self.core_modules:
                raise ImportError(
                    f"no module named '{dotted}' (« {top} » est un module matériel de "
                    "CircuitPython que le simulateur n'a pas : ce programme ou sa "
                    "bibliothèque a besoin d'une vraie carte)"
                )
            raise ImportError(f"no module named '{dotted}'")
        path, board_name, is_package, text = found
        module = types.ModuleType(dotted)
        package = dotted if is_package else (dotted.rpartition(".")[0] or None)
        namespace = self.make_globals(dotted, package)
        module.__dict__.update(namespace)
        module.__file__ = board_name
        if is_package:
            module.__path__ = [board_name]
            module.__package__ = dotted
        self.modules[dotted] = module
        if path.is_dir() and text is None:
            return module
        try:
            if text is None:
                text = path.read_text(encoding="utf-8")
            code = self.compile_source(text, board_name)
            exec(code, module.__dict__)  # noqa: S102 - the sandboxed learner module
        except BaseException:
            self.modules.pop(dotted, None)
            raise
        return module

    def __call__(
        self,
        name: str,
        globals: dict[str, Any] | None = None,  # noqa: A002 - __import__'s signature
        locals: Any = None,  # noqa: A002
        fromlist: tuple[str, ...] | list[str] | None = (),
        level: int = 0,
    ) -> types.ModuleType:
        if level:
            package = (globals or {}).get("__package__") or ""
            base = package.split(".")
            if level > 1:
                base = base[: len(base) - (level - 1)]
            name = ".".join([p for p in base if p] + ([name] if name else []))
        module = self.load(name)
        if fromlist:
            for item in fromlist:
                if item != "*" and not hasattr(module, item) and hasattr(module, "__path__"):
                    with contextlib.suppress(ImportError):
                        setattr(module, item, self.load(f"{name}.{item}"))
            return module
        if "." in name:
            return self.load(name.split(".")[0])
        return module


def safe_builtins(
    importer: Importer,
    files: BoardFiles,
    compile_source: Callable[[str, str], types.CodeType],
) -> dict[str, Any]:
    """The builtins learner code sees."""
    table = dict(vars(_builtins))
    for name in _REMOVED_BUILTINS:
        table.pop(name, None)

    def check_name(name: object) -> None:
        if isinstance(name, str) and (name in FORBIDDEN_ATTRIBUTES or name in FORBIDDEN_NAMES):
            raise SandboxViolation(f"« {name} » n'est pas autorisé dans le simulateur")

    def guarded_getattr(obj: object, name: str, *default: Any) -> Any:
        check_name(name)
        return getattr(obj, name, *default)

    def guarded_hasattr(obj: object, name: str) -> bool:
        check_name(name)
        return hasattr(obj, name)

    def guarded_setattr(obj: object, name: str, value: Any) -> None:
        check_name(name)
        setattr(obj, name, value)

    def guarded_delattr(obj: object, name: str) -> None:
        check_name(name)
        delattr(obj, name)

    def with_builtins(namespace: dict[str, Any] | None) -> dict[str, Any]:
        if namespace is None:
            namespace = {"__name__": "__main__"}
        namespace["__builtins__"] = table
        return namespace

    def guarded_exec(source: Any, namespace: dict[str, Any] | None = None,
                     local: Any = None) -> None:
        code = source if isinstance(source, types.CodeType) else compile_source(
            str(source), "<string>")
        exec(code, with_builtins(namespace), local)  # noqa: S102

    def guarded_eval(source: Any, namespace: dict[str, Any] | None = None,
                     local: Any = None) -> Any:
        if isinstance(source, types.CodeType):
            code = source
        else:
            tree = ast.parse(str(source), "<string>", mode="eval")
            check_source_tree(tree, "<string>")
            code = compile(tree, "<string>", "eval")
        return eval(code, with_builtins(namespace), local)  # noqa: S307

    def guarded_compile(source: Any, filename: str, mode: str, *args: Any, **kw: Any) -> Any:
        tree = ast.parse(str(source), filename, mode=mode)
        check_source_tree(tree, filename)
        return compile(tree, filename, mode)  # type: ignore[call-overload]

    def no_input(prompt: object = "") -> str:
        raise RuntimeError(
            "input() n'est pas simulé : le simulateur ne lit pas le clavier pendant le "
            "programme ; utilisez des entrées simulées (--entree BUTTON_A@2=1…)"
        )

    table.update(
        input=no_input, open=files.open, __import__=importer, getattr=guarded_getattr,
        hasattr=guarded_hasattr, setattr=guarded_setattr, delattr=guarded_delattr,
        exec=guarded_exec, eval=guarded_eval, compile=guarded_compile,
    )
    return table
