# SPDX-License-Identifier: GPL-3.0-or-later
"""The CircuitPython library bundles kept in the kit's cache, read as circup reads them.

Adafruit publishes every library of the CircuitPython ecosystem in one zip per CircuitPython
major version (``adafruit-circuitpython-bundle-9.x-mpy-20241128.zip``, compiled ``.mpy``)
plus one of sources (``adafruit-circuitpython-bundle-py-20241128.zip``); the Community bundle
follows the same naming (``circuitpython-community-bundle-…``). Inside, one top folder named
like the zip holds ``lib/`` (one ``NAME.mpy`` file or one ``NAME/`` package per library) and
``requirements/NAME/`` (the library's ``requirements.txt`` and ``pyproject.toml``). This is
the layout circuitpython-build-tools writes (``circuitpython_build_tools/build.py``) and
circup 3.x reads (``circup/bundle.py``, ``circup/command_utils.py``).

The zips stay whole in ``<cache>/circuitpython/bundles/``: a library is read from its zip
when it is deployed, nothing is extracted. ``kit mcu bundle update`` downloads the newest
release from GitHub when the machine is online (the URLs circup uses); ``kit mcu bundle add``
takes a zip downloaded elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kit import paths
from kit.errors import EXIT_FAILURE, InputFileError, KitError
from kit.files import atomic_write_bytes, require_input_file

#: The bundles the kit knows, in circup's order of priority (``circup/config/
#: bundle_config.json``): (short name, GitHub repository, file prefix).
BUNDLE_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("adafruit", "adafruit/Adafruit_CircuitPython_Bundle", "adafruit-circuitpython-bundle"),
    ("community", "adafruit/CircuitPython_Community_Bundle", "circuitpython-community-bundle"),
)
#: CircuitPython majors whose compiled bundles ``bundle update`` downloads (circup 3.1's
#: ``SUPPORTED_PLATFORMS`` minus the unreleased 11.x).
SUPPORTED_MAJORS = (9, 10)
#: Where the releases are (``KIT_GITHUB_URL`` replaces GitHub, for a mirror or the tests).
GITHUB_URL = "https://github.com"
DOWNLOAD_TIMEOUT_S = 30.0

_STEM = re.compile(
    r"^(?P<prefix>[a-z0-9]+(?:-[a-z0-9]+)*-bundle)-(?:(?P<major>\d+)\.x-mpy|py)-(?P<tag>\d{8})$"
)
_VERSION_PY = re.compile(r"""^__version__\s*(?::\s*\w+)?\s*=\s*['"]([^'"]+)['"]""", re.M)
_VERSION_MPY = re.compile(rb"(\d+\.\d+\.\d+)\x00")


def bundles_dir() -> Path:
    return paths.cache_dir() / "circuitpython" / "bundles"


@dataclass(frozen=True)
class Library:
    """One library of a bundle: its top-level module name and its zip members."""

    name: str
    is_package: bool
    #: Zip members under ``lib/`` (files only), with the path each takes on the board.
    members: tuple[tuple[str, str], ...]  # (zip member, board path "lib/…")


@dataclass(frozen=True)
class Bundle:
    """One cached bundle zip."""

    path: Path
    stem: str
    prefix: str  # "adafruit-circuitpython-bundle"
    major: int | None  # None for the source (py) variant
    tag: str  # release tag, a date "20241128"
    libraries: dict[str, Library] = field(compare=False, repr=False)
    requirements: dict[str, str] = field(compare=False, repr=False)
    pyprojects: dict[str, str] = field(compare=False, repr=False)

    @property
    def source_name(self) -> str:
        for short, _repo, prefix in BUNDLE_SOURCES:
            if prefix == self.prefix:
                return short
        return self.prefix.removesuffix("-bundle")

    @property
    def variant(self) -> str:
        return f"{self.major}.x-mpy" if self.major is not None else "py"

    @property
    def date_fr(self) -> str:
        return f"{self.tag[6:8]}/{self.tag[4:6]}/{self.tag[:4]}"

    @property
    def label(self) -> str:
        return f"{self.source_name} {self.variant} {self.tag}"

    def read(self, member: str) -> bytes:
        try:
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(member)
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise KitError(
                f"Le bundle « {self.path.name} » est illisible ({exc}).",
                hint="Retirez-le du cache et ajoutez-le à nouveau (kit mcu bundle add).",
            ) from exc

    def version_of(self, name: str) -> str | None:
        """The ``__version__`` of library ``name`` in this bundle (None if not found)."""
        lib = self.libraries.get(name)
        if lib is None:
            return None
        return version_from_files((m, self.read(m)) for m, _board in _init_first(lib.members))


def _init_first(members: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    # circup reads a package's version from its __init__ first.
    return sorted(members, key=lambda m: (not m[1].endswith(("__init__.py", "__init__.mpy")),
                                          m[1]))


def version_from_files(files: Iterator[tuple[str, bytes]] | list[tuple[str, bytes]]) -> str | None:
    """The first ``__version__`` found in ``.py`` sources or ``.mpy`` files.

    ``.mpy``: CircuitPython 9's format keeps strings null-terminated, so the version is the
    first ``x.y.z`` followed by a NUL, the rule circup uses (``circup/shared.py``).
    """
    for name, data in files:
        if name.endswith(".py"):
            match = _VERSION_PY.search(data.decode("utf-8", "replace"))
            if match and match.group(1) not in ("0.0.0-auto.0", "0.0.0+auto.0"):
                return match.group(1)
        elif name.endswith(".mpy"):
            found = _VERSION_MPY.search(data)
            if found:
                return found.group(1).decode("ascii")
    return None


def parse_stem(stem: str) -> tuple[str, int | None, str] | None:
    match = _STEM.match(stem)
    if match is None:
        return None
    major = int(match["major"]) if match["major"] else None
    return match["prefix"], major, match["tag"]


def _bad(path: Path, why: str) -> InputFileError:
    return InputFileError(
        f"« {path.name} » n'est pas un bundle de bibliothèques CircuitPython : {why}.",
        hint="Téléchargez le zip « adafruit-circuitpython-bundle-9.x-mpy-AAAAMMJJ.zip » (ou "
        "« …-py-… ») depuis circuitpython.org/libraries, sans le décompresser.",
    )


def read_bundle(path: Path) -> Bundle:
    """Read a bundle zip's table of contents (no member is decompressed)."""
    stat = path.stat()
    return _read_bundle(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _read_bundle(path_text: str, _mtime_ns: int, _size: int) -> Bundle:
    path = Path(path_text)
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            tops = {n.split("/", 1)[0] for n in names if n.strip("/")}
            if len(tops) != 1:
                raise _bad(path, "il doit contenir un seul dossier principal")
            stem = tops.pop()
            parsed = parse_stem(stem)
            if parsed is None:
                raise _bad(path, f"son dossier principal « {stem} » n'a pas le nom d'un bundle")
            grouped: dict[str, list[tuple[str, str]]] = {}
            packages: set[str] = set()
            requirements: dict[str, str] = {}
            pyprojects: dict[str, str] = {}
            for name in names:
                if name.endswith("/"):
                    continue
                parts = name.split("/")
                if ".." in parts or any(not p for p in parts):
                    raise _bad(path, f"chemin suspect « {name} »")
                if len(parts) >= 3 and parts[1] == "lib":
                    inner = parts[2:]
                    if len(inner) == 1:
                        if not inner[0].endswith((".py", ".mpy")):
                            continue
                        top = inner[0].rsplit(".", 1)[0]
                    else:
                        top = inner[0]
                        packages.add(top)
                    grouped.setdefault(top, []).append((name, "lib/" + "/".join(inner)))
                elif len(parts) == 4 and parts[1] == "requirements":
                    if parts[3] == "requirements.txt":
                        requirements[parts[2]] = archive.read(name).decode("utf-8", "replace")
                    elif parts[3] == "pyproject.toml":
                        pyprojects[parts[2]] = archive.read(name).decode("utf-8", "replace")
    except zipfile.BadZipFile as exc:
        raise _bad(path, "ce n'est pas un fichier zip valide") from exc
    except OSError as exc:
        raise InputFileError(f"Impossible de lire « {path} » : {exc.strerror or exc}.") from exc
    if not grouped:
        raise _bad(path, "il n'a pas de dossier lib/ avec des bibliothèques")
    libraries = {
        top: Library(top, top in packages, tuple(sorted(members)))
        for top, members in grouped.items()
    }
    prefix, major, tag = parsed
    return Bundle(path, stem, prefix, major, tag, libraries, requirements, pyprojects)


def list_bundles() -> list[Bundle]:
    """The cached bundles, newest first (then compiled before sources, Adafruit first)."""
    folder = bundles_dir()
    if not folder.is_dir():
        return []
    found: list[Bundle] = []
    for entry in folder.iterdir():
        if entry.suffix != ".zip" or not entry.is_file() or entry.name.startswith("."):
            continue
        try:
            found.append(read_bundle(entry))
        except KitError:
            continue  # a broken file in the cache is skipped, « bundle list » shows the rest
    order = [prefix for _short, _repo, prefix in BUNDLE_SOURCES]

    def key(b: Bundle) -> tuple[int, str, int]:
        rank = order.index(b.prefix) if b.prefix in order else len(order)
        return (rank, _negate(b.tag), -(b.major or 0))

    return sorted(found, key=key)


def _negate(tag: str) -> str:
    return "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in tag)


def compiled_bundles(major: int) -> list[Bundle]:
    """Cached ``.mpy`` bundles for CircuitPython ``major``, in the order they are searched."""
    return [b for b in list_bundles() if b.major == major]


def source_bundles() -> list[Bundle]:
    """Cached source (py) bundles, in the order they are searched."""
    return [b for b in list_bundles() if b.major is None]


def add_bundle(source: str | Path) -> Bundle:
    """Copy a bundle zip into the cache (checked first; an identical name is replaced)."""
    path = require_input_file(Path(source).expanduser(), what="bundle")
    bundle = read_bundle(path)
    target = bundles_dir() / f"{bundle.stem}.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.resolve() != path.resolve():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputFileError(f"Impossible de lire « {path} » : {exc.strerror or exc}.") from exc
        atomic_write_bytes(target, data)
    return read_bundle(target)


def _releases(repo: str) -> str:
    base = (os.environ.get("KIT_GITHUB_URL") or GITHUB_URL).rstrip("/")
    return f"{base}/{repo}/releases"


def _latest_tag(session: object, repo: str) -> str:
    """The tag GitHub's ``releases/latest`` redirects to (as circup finds it)."""
    import requests

    assert isinstance(session, requests.Session)
    response = session.head(
        _releases(repo) + "/latest", allow_redirects=False,
        timeout=DOWNLOAD_TIMEOUT_S,
    )
    location = response.headers.get("Location", "")
    tag = location.rstrip("/").rsplit("/", 1)[-1]
    if not re.fullmatch(r"\d{8}", tag):
        raise KitError(f"Réponse inattendue de GitHub pour {repo} (pas de version trouvée).",
                       exit_code=EXIT_FAILURE)
    return tag


def update_bundles(majors: tuple[int, ...] = SUPPORTED_MAJORS) -> list[Bundle]:
    """Download the newest bundles (compiled for each of ``majors``, and sources).

    Raises :class:`KitError` in French when GitHub cannot be reached; what is already cached
    stays as it is.
    """
    import requests

    added: list[Bundle] = []
    folder = bundles_dir()
    try:
        with requests.Session() as session:
            session.headers["User-Agent"] = "atelier-kit"
            for _short, repo, prefix in BUNDLE_SOURCES:
                tag = _latest_tag(session, repo)
                variants = [f"{m}.x-mpy" for m in majors] + ["py"]
                for variant in variants:
                    stem = f"{prefix}-{variant}-{tag}"
                    target = folder / f"{stem}.zip"
                    if target.is_file():
                        added.append(read_bundle(target))
                        continue
                    url = f"{_releases(repo)}/download/{tag}/{stem}.zip"
                    response = session.get(url, timeout=DOWNLOAD_TIMEOUT_S)
                    if response.status_code == 404:
                        continue  # not published for this version (circup skips it too)
                    response.raise_for_status()
                    folder.mkdir(parents=True, exist_ok=True)
                    atomic_write_bytes(target, response.content)
                    added.append(read_bundle(target))
    except requests.RequestException as exc:
        raise KitError(
            "Impossible de télécharger les bundles de bibliothèques depuis GitHub "
            f"({type(exc).__name__}) : l'ordinateur est-il connecté à Internet ?",
            hint="Les bundles déjà en cache restent utilisables (kit mcu bundle list). Sur un "
            "autre ordinateur, téléchargez le zip depuis circuitpython.org/libraries puis "
            "« kit mcu bundle add FICHIER.zip ».",
            exit_code=EXIT_FAILURE,
        ) from exc
    return added


def cached_source(module_path: str) -> str | None:
    """The Python source of a board file from the cache: ``lib/x.mpy`` -> text of ``x.py``.

    Looked up in the source bundles (newest first), then in the sources the kit fetched from
    PyPI. Used by the simulated board, which runs sources where a real board runs ``.mpy``.
    """
    wanted = module_path.removesuffix(".mpy").removesuffix(".py") + ".py"
    for bundle in source_bundles():
        top = wanted.split("/")[1].removesuffix(".py") if wanted.startswith("lib/") else None
        lib = bundle.libraries.get(top or "")
        if lib is None:
            continue
        for member, board in lib.members:
            if board == wanted:
                return bundle.read(member).decode("utf-8", "replace")
    pypi = pypi_sources_dir() / wanted.removeprefix("lib/")
    if pypi.is_file():
        try:
            return pypi.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    return None


def pypi_sources_dir() -> Path:
    """Library sources taken from PyPI sdists, laid out as on a board's ``lib/``."""
    return paths.cache_dir() / "circuitpython" / "pypi" / "lib"


def cached_library_sources(name: str) -> dict[str, str]:
    """Every source file of library ``name`` from the cache (``lib/…py`` -> text), or {}."""
    for bundle in source_bundles():
        lib = bundle.libraries.get(name)
        if lib is not None:
            return {
                board: bundle.read(member).decode("utf-8", "replace")
                for member, board in lib.members
                if board.endswith(".py")
            }
    folder = pypi_sources_dir()
    found: dict[str, str] = {}
    candidates = [folder / f"{name}.py", *sorted((folder / name).rglob("*.py"))]
    for path in candidates:
        if path.is_file():
            with contextlib.suppress(OSError, UnicodeDecodeError):
                found["lib/" + path.relative_to(folder).as_posix()] = path.read_text("utf-8")
    return found
