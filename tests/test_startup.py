# SPDX-License-Identifier: GPL-3.0-or-later
"""What the kit imports to start: ``kit --help`` and ``kit --version`` load no command, and
``kit printer check`` loads the analysis, the checks and the renderer only (the times are
measured by tests/benchmarks/startup.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, kit_env

OUR_PACKAGES = ("kit", "printers", "robots", "firmware", "sim", "lessons", "journal")
#: The kit's modules ``kit printer check FILE`` may import. A new one here is a deliberate
#: choice: the check is typed dozens of times before an atelier and must start fast.
PRINTER_CHECK_MODULES = {
    "kit", "kit.cli", "kit.clickfr", "kit.commands", "kit.commands.printer",
    "kit.commands.printer_check", "kit.commands.record", "journal", "journal.location",
    "kit.console", "kit.errors", "kit.files",
    "kit.links", "kit.logs", "kit.messages", "kit.paths",
    "printers", "printers.analysis", "printers.arcs", "printers.checks", "printers.estimator",
    "printers.findings", "printers.gcode", "printers.marlin", "printers.marlin.framing",
    "printers.print_file", "printers.interpreter",
    "printers.planner", "printers.profile", "printers.slicer_comments",
}  # fmt: skip
#: Libraries only printing, OctoPrint, boards, lessons or pictures need.
NEVER_FOR_A_CHECK = (
    "requests", "urllib3", "octorest", "websocket", "esptool", "PIL", "jinja2", "weasyprint",
    "hid", "printers.host", "printers.farm", "printers.octoprint_backend",
)  # fmt: skip


def _modules_after(argv: list[str], cwd: Path) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    probe = (
        "import sys\n"
        "from kit.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('MODULES', ' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True, text=True, env=kit_env(), timeout=60, cwd=cwd,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:]), result


@pytest.mark.parametrize("argv", [["--help"], ["--version"]])
def test_help_and_version_import_no_command_and_no_rich(argv: list[str]) -> None:
    modules, _ = _modules_after(argv, REPO_ROOT)
    ours = {m for m in modules if m.split(".")[0] in OUR_PACKAGES}
    assert ours <= {"kit", "kit.cli", "kit.clickfr", "kit.errors"}, sorted(ours)
    assert not {m for m in modules if m.split(".")[0] in ("rich", "serial", "logging")}


def test_printer_check_imports_the_analysis_checks_and_renderer_only() -> None:
    sample = REPO_ROOT / "lessons" / "exemples" / "porte-nom-ender3.gcode"
    modules, result = _modules_after(["printer", "check", str(sample)], REPO_ROOT)
    assert "Verdict" in result.stdout
    ours = {m for m in modules if m.split(".")[0] in OUR_PACKAGES}
    assert ours == PRINTER_CHECK_MODULES, (
        f"new: {sorted(ours - PRINTER_CHECK_MODULES)}, gone: {sorted(PRINTER_CHECK_MODULES - ours)}"
    )
    for name in NEVER_FOR_A_CHECK:
        assert not {m for m in modules if m == name or m.startswith(name + ".")}, name
