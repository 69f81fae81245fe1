# SPDX-License-Identifier: GPL-3.0-or-later
"""The dependency rules of docs/architecture.md, checked on every import of the code.

Each top-level package may import only what the table in docs/architecture.md allows; a new
dependency is either removed or written into the document (and here) on purpose.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGES = ("kit", "printers", "robots", "firmware", "sim", "lessons", "journal")

_KIT_FOR_DOMAIN = {
    "kit.errors",
    "kit.messages",
    "kit.python_errors",
    "kit.links",
    "kit.config",
    "kit.paths",
    "kit.files",
    "kit.drawing",
}

#: Modules of other top-level packages each package may import (a prefix allows its children).
ALLOWED: dict[str, set[str]] = {
    "printers": _KIT_FOR_DOMAIN,
    "robots": _KIT_FOR_DOMAIN | {"kit.worker"},
    "firmware": _KIT_FOR_DOMAIN | {"kit.discovery"},
    "sim": {
        "kit.errors",
        "kit.drawing",
        "kit.messages",
        "kit.python_errors",
        "kit.worker",
        # Protocol cores and the pure models beside them.
        "printers.marlin.framing",
        "printers.planner",
        "printers.arcs",
        "robots.protocol",
        "robots.arenas",
        "robots.record",
        "firmware.boards",
        # The cached library sources the simulated board runs instead of .mpy files.
        "firmware.bundles",
        "firmware.esp_protocol",
        "firmware.slip",
        "firmware.rawrepl",
        "firmware.uf2",
    },
    "lessons": {"kit", "printers", "robots", "firmware", "sim", "journal"},
    "journal": {"kit.errors", "kit.messages", "kit.paths", "kit.files"},
}

#: Modules of ``kit`` that may import the domain packages (the CLI, and the ``sim://`` handler
#: that looks simulators up in ``sim.registry``).
KIT_DOMAIN_IMPORTERS = ("kit.cli", "kit.commands.", "kit.urlhandler.protocol_sim")


def _imports(path: Path) -> Iterator[str]:
    """Every absolute module name ``path`` imports (``from a import b`` gives ``a.b``)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module in PACKAGES:
                yield from (f"{node.module}.{alias.name}" for alias in node.names)
            else:
                yield node.module


def _modules(package: str) -> Iterator[tuple[str, Path]]:
    for path in sorted((REPO_ROOT / package).rglob("*.py")):
        relative = path.relative_to(REPO_ROOT)
        # Learners' programs and on-board scripts are not part of the kit's code.
        if relative.parts[:2] in (("robots", "exemples"), ("firmware", "scripts")):
            continue
        yield ".".join(relative.with_suffix("").parts), path


def _allowed(name: str, allowed: set[str]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in allowed)


@pytest.mark.parametrize("package", [p for p in PACKAGES if p != "kit"])
def test_domain_packages_import_only_what_the_architecture_allows(package: str) -> None:
    wrong = [
        f"{module} imports {name}"
        for module, path in _modules(package)
        for name in _imports(path)
        if name.split(".")[0] in PACKAGES
        and name.split(".")[0] != package
        and not _allowed(name, ALLOWED[package])
    ]
    assert wrong == []


def test_only_the_cli_imports_the_domain_packages_from_kit() -> None:
    wrong = [
        f"{module} imports {name}"
        for module, path in _modules("kit")
        for name in _imports(path)
        if name.split(".")[0] in PACKAGES
        and name.split(".")[0] != "kit"
        and not module.startswith(KIT_DOMAIN_IMPORTERS)
    ]
    assert wrong == []


def test_the_rules_checked_here_are_the_documented_ones() -> None:
    text = (REPO_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for package in ALLOWED:
        assert f"| `{package}/` |" in text
    for exception in ("kit.python_errors", "kit.urlhandler"):
        assert exception in text
