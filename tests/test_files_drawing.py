# SPDX-License-Identifier: GPL-3.0-or-later
"""Atomic writes and the shared drawing surface."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from kit.drawing import Drawing, Viewport, check_picture_target, speed_color
from kit.errors import InputFileError, KitError
from kit.files import (
    atomic_write,
    atomic_write_text,
    looks_binary,
    read_text_input,
    require_input_file,
)


def test_atomic_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "code.py"
    target.write_text("ancien")
    atomic_write_text(target, "nouveau")
    assert target.read_text() == "nouveau"
    assert [p.name for p in tmp_path.iterdir()] == ["code.py"]


def test_a_failing_writer_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "code.py"
    target.write_text("ancien")

    def boom(handle: object) -> None:
        handle.write(b"moiti")  # type: ignore[attr-defined]
        raise RuntimeError("câble arraché")

    with pytest.raises(RuntimeError):
        atomic_write(target, boom)
    assert target.read_text() == "ancien"
    assert [p.name for p in tmp_path.iterdir()] == ["code.py"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder_gives_a_french_error(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(KitError, match="lecture seule"):
            atomic_write_text(tmp_path / "x.txt", "x")
    finally:
        tmp_path.chmod(0o700)


def test_missing_folder_gives_a_french_error(tmp_path: Path) -> None:
    with pytest.raises(KitError, match="n'existe pas"):
        atomic_write_text(tmp_path / "absent" / "x.txt", "x")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_folder_that_takes_no_file_is_not_called_missing() -> None:
    with pytest.raises(KitError, match="ce dossier n'accepte pas de fichiers"):
        atomic_write_text(Path("/proc/fiche.html"), "x")


def test_secret_mode_is_set(tmp_path: Path) -> None:
    target = atomic_write_text(tmp_path / "secrets.toml", "k = 1", mode=0o600)
    assert target.stat().st_mode & 0o777 == 0o600


def test_an_ordinary_file_gets_the_permissions_open_would_give(tmp_path: Path) -> None:
    """A fiche or a picture is readable by the others who print it (not mkstemp's 0600)."""
    old_umask = os.umask(0o022)
    try:
        fiche = atomic_write_text(tmp_path / "fiche.html", "<p>bonjour</p>")
    finally:
        os.umask(old_umask)
    assert fiche.stat().st_mode & 0o777 == 0o644


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "code.py"
    target.write_text("print(1)\n", encoding="utf-8")
    target.chmod(0o640)
    atomic_write_text(target, "print(2)\n")
    assert target.stat().st_mode & 0o777 == 0o640
    assert target.read_text(encoding="utf-8") == "print(2)\n"


def test_require_input_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="introuvable"):
        require_input_file(tmp_path / "absent.gcode")
    (tmp_path / "vide.gcode").write_bytes(b"")
    with pytest.raises(InputFileError, match="vide"):
        require_input_file(tmp_path / "vide.gcode")
    with pytest.raises(InputFileError, match="dossier"):
        require_input_file(tmp_path)


def test_read_text_input_drops_a_bom_and_names_the_bad_line(tmp_path: Path) -> None:
    good = tmp_path / "lecon.md"
    good.write_bytes("\ufeffDéroulé\n".encode())
    assert read_text_input(good, what="fichier", not_text="binaire")[1] == "Déroulé\n"

    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes("titre\nséance\n".encode("latin-1"))
    with pytest.raises(InputFileError, match=r"ligne 2 : ce n'est pas du texte UTF-8") as caught:
        read_text_input(latin1, what="fichier", not_text="binaire", hint="Réenregistrez.")
    assert caught.value.hint == "Réenregistrez."

    image = tmp_path / "photo.py"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(InputFileError, match="n'est pas un programme"):
        read_text_input(image, what="programme", not_text="n'est pas un programme.")


def test_looks_binary() -> None:
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert not looks_binary("G1 X10 ; déplacement\n".encode())


def _picture() -> Drawing:
    view = Viewport((0.0, 0.0), (100.0, 50.0), (220, 140), margin_px=10)
    drawing = Drawing(220, 140)
    drawing.polyline([view.to_px((0, 0)), view.to_px((100, 50))], color=speed_color(1.0), width=3)
    drawing.rect((5, 5), (30, 30), fill="#00aa00")
    drawing.circle(view.to_px((50, 25)), 6, fill="#ff0000")
    drawing.text((40, 5), "Été & <hiver>", size=12)
    return drawing


def test_png_is_drawn(tmp_path: Path) -> None:
    path = _picture().save(tmp_path / "vue.png")
    with Image.open(path) as image:
        assert image.size == (220, 140)
        assert image.getpixel((15, 15)) == (0, 170, 0)
        assert image.getpixel((110, 80)) == (255, 0, 0)


def test_svg_is_well_formed(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    path = _picture().save(tmp_path / "vue.svg")
    root = ET.parse(path).getroot()
    texts = [el.text for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["Été & <hiver>"]


def test_unknown_picture_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KitError, match=".png ou .svg"):
        _picture().save(tmp_path / "vue.jpg")
    assert not list(tmp_path.iterdir())


def test_viewport_keeps_y_up() -> None:
    view = Viewport((0.0, 0.0), (10.0, 10.0), (120, 120), margin_px=10)
    assert view.to_px((0, 0)) == (10, 110)
    assert view.to_px((10, 10)) == (110, 10)


def test_system_errors_are_said_in_french() -> None:
    import errno
    import socket

    from kit.messages import os_error_fr

    assert os_error_fr(PermissionError(errno.EACCES, "Permission denied")) == "permission refusée"
    assert os_error_fr(OSError(errno.ENOSPC, "No space left on device")) == "le support est plein"
    assert os_error_fr(socket.gaierror(-2, "Name or service not known")) == (
        "adresse inconnue (nom de machine introuvable)"
    )
    # An error the table does not know keeps the system's own words, without a final dot.
    assert os_error_fr(OSError(errno.ELOOP, "Too many levels of symbolic links.")) == (
        "Too many levels of symbolic links"
    )


def test_toml_errors_name_line_and_column() -> None:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    from kit.messages import toml_error_fr, toml_position

    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads('a = 1\nb = "sans fin\n')
    assert toml_position(caught.value) == (2, 14)
    assert toml_error_fr(caught.value).startswith("syntaxe TOML invalide ligne 2, colonne 14")
    assert "ligne 3," in toml_error_fr(caught.value, first_line=2)


def test_read_toml_input_refuses_binary_and_names_the_bad_line(tmp_path: Path) -> None:
    from kit.files import read_toml_input

    good = tmp_path / "bon.toml"
    good.write_text('nom = "Ender"\n', encoding="utf-8")
    assert read_toml_input(good, what="profil") == {"nom": "Ender"}
    broken = tmp_path / "casse.toml"
    broken.write_text('nom = "Ender"\n[limites\n', encoding="utf-8")
    with pytest.raises(InputFileError, match="mal formé : syntaxe TOML invalide ligne 2"):
        read_toml_input(broken, what="profil")
    binary = tmp_path / "image.toml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(InputFileError, match="n'est pas un profil"):
        read_toml_input(binary, what="profil")


def test_data_errors_are_said_in_french() -> None:
    from kit.files import data_error_fr

    assert data_error_fr(KeyError("titre")) == "la clé « titre » manque"
    try:
        float("beaucoup")
    except ValueError as exc:
        assert data_error_fr(exc) == "« beaucoup » n'est pas un nombre"
    assert "bon type" in data_error_fr(TypeError("'NoneType' object is not iterable"))
    own = "« x_mm » doit être un nombre"
    assert data_error_fr(ValueError(own)) == own


def test_ensure_folder_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    from kit.files import ensure_folder

    assert ensure_folder(tmp_path / "a" / "b").is_dir()
    (tmp_path / "fichier").write_text("x", encoding="utf-8")
    with pytest.raises(KitError, match="c'est un fichier"):
        ensure_folder(tmp_path / "fichier")


def test_a_picture_that_cannot_be_written_is_refused_before_any_work(tmp_path: Path) -> None:
    assert check_picture_target(tmp_path / "ok.PNG") == tmp_path / "ok.PNG"
    with pytest.raises(KitError, match="le dossier n'existe pas"):
        check_picture_target(tmp_path / "absent" / "x.png")
    (tmp_path / "dossier.svg").mkdir()
    with pytest.raises(KitError, match="c'est un dossier"):
        check_picture_target(tmp_path / "dossier.svg")
    with pytest.raises(KitError, match="Format d'image non pris en charge : « x.jpg »"):
        check_picture_target(tmp_path / "x.jpg")
    assert [p.name for p in tmp_path.iterdir()] == ["dossier.svg"]  # the probe left nothing


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_folder_that_takes_no_files_is_refused_even_for_root() -> None:
    # os.access() says « writable » to root; the kit tries for real.
    with pytest.raises(KitError, match="« /proc/x.png » : ce dossier n'accepte pas de fichiers"):
        check_picture_target("/proc/x.png")


def test_the_commands_refuse_an_unwritable_picture_before_running(tmp_path: Path) -> None:
    from tests.conftest import run_kit

    missing = str(tmp_path / "absent" / "x.png")
    for argv in (
        ("mcu", "sim", "clignoter", "--board", "pico", "--duree", "600", "--picture", missing),
        ("robot", "run", "exemple:carre", "--port", "sim://mbot", "--picture", missing),
    ):
        result = run_kit(*argv, timeout_s=30)
        assert result.returncode == 2, result.stderr
        assert "le dossier n'existe pas" in " ".join(result.stderr.split())
