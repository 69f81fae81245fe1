# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit mcu deploy`` onto CIRCUITPY folders: what is written, kept, removed and refused."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from firmware.deploy import deploy, plan_deploy
from kit.errors import KitError
from tests.conftest import REPO_ROOT, kit_env, run_kit
from tests.firmware_deploy.helpers import KitRun, kit_here

SCRIPTS = REPO_ROOT / "firmware" / "scripts"


def make_drive(root: Path, board_id: str = "circuitplayground_express",
               version: str = "9.2.1") -> Path:
    drive = root / "CIRCUITPY"
    drive.mkdir()
    (drive / "boot_out.txt").write_text(
        f"Adafruit CircuitPython {version} on 2024-11-20; Some board with chip\n"
        f"Board ID:{board_id}\nUID:0102030405\n",
        encoding="utf-8",
    )
    (drive / "lib").mkdir()
    return drive


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def bundle_member(test_bundles: tuple[Path, ...], name: str) -> bytes:
    """A file of the tests' compiled bundle (``lib/…``)."""
    with zipfile.ZipFile(test_bundles[0]) as archive:
        stem = test_bundles[0].stem
        return archive.read(f"{stem}/{name}")


def test_deploy_copies_code_and_mpy_closure_and_keeps_user_files(
    tmp_path: Path, test_bundles: tuple[Path, ...]
) -> None:
    drive = make_drive(tmp_path, board_id="feather_m4_express")
    (drive / "code.py").write_text("print('ancien')\n", encoding="utf-8")
    (drive / "settings.toml").write_text('CIRCUITPY_WIFI_SSID = "atelier"\n', encoding="utf-8")
    (drive / "lib" / "adafruit_display_text.mpy").write_bytes(b"C\x06user library")
    (drive / "photo.bmp").write_bytes(b"BM" + bytes(50))

    result = run_kit("mcu", "deploy", "neopixel_arc_en_ciel", "--drive", str(drive))

    assert result.returncode == 0, result.stderr
    assert (drive / "code.py").read_bytes() == (SCRIPTS / "neopixel_arc_en_ciel.py").read_bytes()
    assert (drive / "lib" / "neopixel.mpy").read_bytes() == bundle_member(
        test_bundles, "lib/neopixel.mpy"
    )
    # adafruit_pixelbuf, neopixel's dependency, is a C module of this board's firmware.
    assert not (drive / "lib" / "adafruit_pixelbuf.mpy").exists()
    assert (drive / "lib" / "adafruit_display_text.mpy").read_bytes() == b"C\x06user library"
    assert (drive / "photo.bmp").is_file()
    assert (drive / "settings.toml").read_text(encoding="utf-8").startswith("CIRCUITPY_WIFI")
    assert not list(drive.rglob("*.tmp"))
    out = result.stdout
    assert "remplacé" in out and "code.py" in out
    assert "ajouté" in out and "lib/neopixel.mpy" in out
    assert "ajoutée" in out and "intégrée" in out and "adafruit_pixelbuf" in out
    assert "Laissés tels quels" in out and "photo.bmp" in out
    assert "CircuitPython 9.2.1" in out


def test_library_of_another_version_is_kept_unless_update_is_asked(tmp_path: Path) -> None:
    drive = make_drive(tmp_path, board_id="feather_m4_express")
    old = b'__version__ = "3.0.0"\n'
    (drive / "lib" / "simpleio.py").write_bytes(old)
    kept = deploy(SCRIPTS / "melodie.py", drive=drive)
    [status] = [lib for lib in kept.plan.libraries if lib.name == "simpleio"]
    assert (status.status, status.on_board) == ("gardée", "3.0.0")
    assert any("--mettre-a-jour" in w for w in kept.plan.warnings)
    assert (drive / "lib" / "simpleio.py").read_bytes() == old
    assert not (drive / "lib" / "simpleio.mpy").exists()

    updated = deploy(SCRIPTS / "melodie.py", drive=drive, update=True)
    [status] = [lib for lib in updated.plan.libraries if lib.name == "simpleio"]
    assert status.status == "mise à jour" and status.version not in (None, "3.0.0")
    # The .py would be imported before the new .mpy: it goes.
    assert "lib/simpleio.py" in updated.removed
    assert (drive / "lib" / "simpleio.mpy").read_bytes()[:2] == b"C\x06"


def test_second_deploy_changes_nothing(tmp_path: Path) -> None:
    drive = make_drive(tmp_path)
    deploy(SCRIPTS / "servo.py", drive=drive)
    before = {p: p.stat().st_mtime_ns for p in drive.rglob("*") if p.is_file()}
    result = deploy(SCRIPTS / "servo.py", drive=drive)
    assert result.written == ()
    assert {f.action for f in result.plan.files} == {"inchangé"}
    assert [(lib.name, lib.status) for lib in result.plan.libraries] == [
        ("adafruit_motor", "gardée")
    ]
    assert {p: p.stat().st_mtime_ns for p in drive.rglob("*") if p.is_file()} == before


def test_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drive = make_drive(tmp_path)
    (drive / "lib" / "simpleio.py").write_bytes(b'__version__ = "1.0.0"\n')
    before = snapshot(drive)
    result = kit_here(capsys, "mcu", "deploy", str(SCRIPTS / "melodie.py"), "--drive",
                      str(drive), "--dry-run", "--mettre-a-jour")
    assert result.returncode == 0, result.stderr
    assert snapshot(drive) == before
    assert "à mettre à jour" in result.stdout and "lib/simpleio.mpy" in result.stdout
    assert "à supprimer" in result.stdout and "rien n'a été écrit" in result.stdout


def test_drive_is_found_by_its_boot_out_txt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drive = make_drive(tmp_path, board_id="raspberry_pi_pico")
    result = kit_here(capsys, "mcu", "deploy", "clignoter", KIT_DRIVE_ROOTS=str(drive))
    assert result.returncode == 0, result.stderr
    assert "Raspberry Pi Pico" in result.stdout
    assert (drive / "code.py").read_bytes() == (SCRIPTS / "clignoter.py").read_bytes()


def test_pin_the_board_lacks_is_warned(tmp_path: Path) -> None:
    drive = make_drive(tmp_path, board_id="raspberry_pi_pico")
    script = tmp_path / "prog.py"
    script.write_text(
        "import board\nimport digitalio\nb = digitalio.DigitalInOut(board.BUTTON_A)\n",
        encoding="utf-8",
    )
    plan = plan_deploy(script, drive=drive)
    assert any("Ligne 3" in w and "BUTTON_A" in w for w in plan.warnings)


def test_leftover_temporary_file_of_an_interrupted_copy_is_cleaned(tmp_path: Path) -> None:
    drive = make_drive(tmp_path)
    (drive / ".code.py.abc123.tmp").write_bytes(b"half a prog")
    result = deploy(SCRIPTS / "clignoter.py", drive=drive)
    assert ".code.py.abc123.tmp" in result.removed
    assert not (drive / ".code.py.abc123.tmp").exists()


def _limit_file_size() -> None:
    # Writing fails once a file passes 2 KiB, in the middle of the copy of code.py.
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_copy_interrupted_midway_leaves_previous_code_usable(tmp_path: Path) -> None:
    drive = make_drive(tmp_path)
    previous = "import time\nwhile True:\n    print('ancien programme')\n    time.sleep(1)\n"
    (drive / "code.py").write_text(previous, encoding="utf-8")
    big = tmp_path / "gros.py"
    big.write_text("# " + "commentaire " * 800 + "\nprint('nouveau')\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "kit", "mcu", "deploy", str(big), "--drive", str(drive)],
        env=kit_env(), cwd=str(REPO_ROOT), capture_output=True, text=True, timeout=60,
        preexec_fn=_limit_file_size,
    )
    # The write failed in the middle of the temporary copy (EFBIG, as EIO when a cable is
    # pulled): French message, and the drive still holds the previous program.
    assert proc.returncode == 2, proc.stderr
    assert "Impossible d'écrire" in proc.stderr
    assert (drive / "code.py").read_text(encoding="utf-8") == previous
    compile(previous, "code.py", "exec")
    # The next copy completes and cleans the half-written temporary file.
    deploy(big, drive=drive)
    assert (drive / "code.py").read_text(encoding="utf-8").endswith("print('nouveau')\n")
    assert not [p for p in drive.iterdir() if p.name.endswith(".tmp")]


# -- refused, nothing written -------------------------------------------------------------

def _refused(
    result: subprocess.CompletedProcess[str] | KitRun,
    drive: Path,
    before: dict[str, bytes],
    words: str,
) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(drive) == before


def test_syntax_error_is_refused_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drive = make_drive(tmp_path)
    script = tmp_path / "faux.py"
    script.write_text("import board\nwhile True\n    pass\n", encoding="utf-8")
    before = snapshot(drive)
    result = kit_here(capsys, "mcu", "deploy", str(script), "--drive", str(drive))
    _refused(result, drive, before, "Faute de syntaxe")
    assert "ligne 2" in result.stderr and "il manque « : »" in result.stderr


def test_folder_that_is_not_circuitpy_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "CLE_USB"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(b"\xff\xd8")
    before = snapshot(folder)
    result = kit_here(capsys, "mcu", "deploy", "clignoter", "--drive", str(folder))
    _refused(result, folder, before, "n'est pas un lecteur CIRCUITPY")


def test_unknown_board_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drive = make_drive(tmp_path, board_id="unexpected_maker_feathers3")
    before = snapshot(drive)
    result = kit_here(capsys, "mcu", "deploy", "clignoter", "--drive", str(drive))
    _refused(result, drive, before, "Carte inconnue du kit")
    assert "--board" in result.stderr


def test_missing_library_is_refused(tmp_path: Path) -> None:
    drive = make_drive(tmp_path)
    script = tmp_path / "prog.py"
    script.write_text("import board\nimport adafruit_n_existe_pas\n", encoding="utf-8")
    before = snapshot(drive)
    with pytest.raises(KitError) as caught:
        deploy(script, drive=drive)
    assert "adafruit_n_existe_pas" in caught.value.message and "ligne 2" in caught.value.message
    assert snapshot(drive) == before


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare to mount a tmpfs")
def test_read_only_drive_is_refused(tmp_path: Path) -> None:
    mount_point = tmp_path / "CIRCUITPY"
    mount_point.mkdir()
    # A real read-only file system (EROFS), in a private mount namespace: a tmpfs filled
    # like a CIRCUITPY drive, then remounted read-only, then the kit runs against it.
    script = (
        f"mount -t tmpfs -o size=1m tmpfs {mount_point} && "
        f"printf 'Adafruit CircuitPython 9.2.1 on 2024-11-20; x\\nBoard ID:raspberry_pi_pico\\n'"
        f" > {mount_point}/boot_out.txt && echo 'print(1)' > {mount_point}/code.py && "
        f"mount -o remount,ro {mount_point} && "
        f"{sys.executable} -m kit mcu deploy clignoter --drive {mount_point}; "
        f"echo \"rc=$?\"; cat {mount_point}/code.py"
    )
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    proc = subprocess.run([*unshare, "sh", "-c", script], env=kit_env(), cwd=str(REPO_ROOT),
                          capture_output=True, text=True, timeout=60)
    if "rc=" not in proc.stdout:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    assert "rc=2" in proc.stdout
    assert "lecture seule" in proc.stderr
    assert proc.stdout.rstrip().endswith("print(1)")  # the old code.py, untouched


def test_sibling_module_and_old_version_warning(tmp_path: Path) -> None:
    drive = make_drive(tmp_path, version="7.3.3")
    project = tmp_path / "projet"
    project.mkdir()
    (project / "couleurs.py").write_text("ROUGE = (255, 0, 0)\n", encoding="utf-8")
    (project / "prog.py").write_text("import couleurs\nprint(couleurs.ROUGE)\n",
                                     encoding="utf-8")
    result = deploy(project / "prog.py", drive=drive)
    assert (drive / "couleurs.py").read_text(encoding="utf-8") == "ROUGE = (255, 0, 0)\n"
    assert "couleurs.py" in result.written and result.written[-1] == "code.py"
    assert any("CircuitPython 7.3.3" in w for w in result.plan.warnings)


def test_drive_named_circuitpy_without_boot_out_needs_board(tmp_path: Path) -> None:
    drive = tmp_path / "CIRCUITPY"
    drive.mkdir()
    with pytest.raises(KitError) as caught:
        plan_deploy(SCRIPTS / "clignoter.py", drive=drive)
    assert "quelle carte" in caught.value.message and "--board" in str(caught.value)
    result = deploy(SCRIPTS / "clignoter.py", drive=drive, board_name="pico")
    assert result.written == ("code.py",)


def test_board_option_that_contradicts_boot_out_is_warned(tmp_path: Path) -> None:
    drive = make_drive(tmp_path, board_id="raspberry_pi_pico")
    plan = plan_deploy(SCRIPTS / "clignoter.py", drive=drive, board_name="xiao_rp2040")
    assert plan.board.id == "xiao_rp2040"
    assert any("raspberry_pi_pico" in w for w in plan.warnings)
