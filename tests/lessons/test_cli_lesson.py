# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit lesson`` as a user types it: list, show, check and export, and the bad inputs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lessons import catalog
from tests.conftest import run_kit

IDENT = "robot-obstacles-college"


def test_list_shows_every_lesson(kit_inproc) -> None:  # type: ignore[no-untyped-def]
    result = kit_inproc("lesson", "list")
    assert result.returncode == 0, result.stderr
    for path in catalog.lesson_files():
        assert path.stem in result.stdout


def test_list_filters_by_support_and_duration(kit_inproc) -> None:  # type: ignore[no-untyped-def]
    result = kit_inproc("lesson", "list", "--support", "pc", "--duree", "60")
    assert result.returncode == 0, result.stderr
    assert "pc-adresse-mail-emploi" in result.stdout
    assert "pc-franceconnect-demarches" not in result.stdout  # 120 min
    assert "robot-" not in result.stdout


def test_unknown_support_is_a_french_error_with_exit_2(kit_inproc) -> None:  # type: ignore[no-untyped-def]
    result = kit_inproc("lesson", "list", "--support", "drone")
    assert result.returncode == 2
    assert "Support inconnu : « drone »" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_lesson_is_a_french_error_with_exit_2_and_a_suggestion() -> None:
    result = run_kit("lesson", "show", "robot-obstacle-college")
    assert result.returncode == 2
    assert "Leçon inconnue" in result.stderr
    assert IDENT in result.stderr  # « Vouliez-vous dire »


def test_show_renders_the_phases_with_their_timings_and_checks(kit_inproc) -> None:  # type: ignore[no-untyped-def]
    result = kit_inproc("lesson", "show", IDENT)
    assert result.returncode == 0, result.stderr
    lesson = catalog.resolve(IDENT)
    for phase in lesson.phases:
        assert phase.title in result.stdout
    assert "0–4 min" in result.stdout and "Vérifier" in result.stdout
    assert "Points de vigilance" in result.stdout


def test_check_of_a_malformed_file_names_the_line_and_exits_2(tmp_path: Path) -> None:
    text = (catalog.PLANS_DIR / f"{IDENT}.md").read_text(encoding="utf-8")
    broken = text.replace("duree_min = 40", "duree_min = 40 min", 1)
    line = text[: text.index("duree_min = 40")].count("\n") + 1
    path = tmp_path / f"{IDENT}.md"
    path.write_text(broken, encoding="utf-8")
    result = run_kit("lesson", "check", str(path), COLUMNS="300")
    assert result.returncode == 2
    assert f"ligne {line}" in result.stderr
    assert "Leçon mal formée" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_without_commands_passes_on_the_whole_catalogue(kit_inproc) -> None:  # type: ignore[no-untyped-def]
    result = kit_inproc("lesson", "check", "--sans-commandes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tout est bon" in result.stdout


def test_export_markdown_and_html_hold_both_fiches(tmp_path: Path, kit_inproc) -> None:  # type: ignore[no-untyped-def]
    md = tmp_path / "fiche.md"
    result = kit_inproc("lesson", "export", IDENT, "--format", "md", "-o", str(md))
    assert result.returncode == 0, result.stderr
    text = md.read_text(encoding="utf-8")
    # The robot path drawn by « kit robot run --picture » is written beside the fiche.
    assert "](fiche-trajet-parcours.png)" in text
    assert (tmp_path / "fiche-trajet-parcours.png").read_bytes()[:4] == b"\x89PNG"
    assert "Fiche animateur" in text and "# Fiche participant" in text
    assert "| 11–18 min" not in text and "### 11–18 min" in text
    assert "Vérifier" in text and "Points de vigilance" in text
    html = tmp_path / "fiche.html"
    result = kit_inproc("lesson", "export", IDENT, "-o", str(html), "--sans-images")
    assert result.returncode == 0, result.stderr
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'class="participant"' in page
    assert "@page" in page and "break-before: page" in page  # print CSS
    # The stylesheet is copied as is: escaped quotes (&#34;) would void the fonts and footer.
    style = page[page.index("<style>") : page.index("</style>")]
    assert 'font-family: "DejaVu Sans"' in style and "&#34;" not in style
    # French typography: no line break between « and its word, nor before « : ».
    assert "«\u00a0votre robot" in page and "Vérifier&nbsp;:" in page
    assert "« " not in page.replace("<style>", "").split("</style>", 1)[1]


def test_export_refuses_an_unknown_format_and_a_missing_folder(tmp_path: Path, kit_inproc) -> None:  # type: ignore[no-untyped-def]
    result = kit_inproc("lesson", "export", IDENT, "-o", str(tmp_path / "fiche.docx"))
    assert result.returncode == 2 and "Format d'export inconnu" in result.stderr
    result = kit_inproc("lesson", "export", IDENT, "-o", str(tmp_path / "absent" / "f.html"))
    assert result.returncode == 2 and "n'existe pas" in result.stderr


@pytest.mark.slow
def test_pdf_export_opens_with_the_announced_pages_and_the_participant_fiche_on_its_own_page(
    tmp_path: Path,
) -> None:
    import pypdfium2 as pdfium

    pdf_path = tmp_path / "fiche.pdf"
    result = run_kit("lesson", "export", IDENT, "--format", "pdf", "-o", str(pdf_path))
    assert result.returncode == 0, result.stderr
    announced = int(re.search(r"\((\d+) pages A4\)", result.stdout).group(1))  # type: ignore[union-attr]
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        assert len(pdf) == announced >= 2
        texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        assert "Fiche animateur" in texts[0]
        starts = [i for i, text in enumerate(texts) if "Fiche participant" in text]
        assert starts and starts[0] > 0
        assert starts[0] == len(pdf) - 1  # one page to hand out
        # The participant fiche starts a page: its title is the first text of that page.
        assert texts[starts[0]].lstrip().startswith(catalog.resolve(IDENT).title[:20])
        # The print stylesheet applies: its page footer is on every page.
        for number, text in enumerate(texts, 1):
            assert f"page {number} / {len(pdf)}" in text
        image = pdf[0].render(scale=1).to_pil().convert("L")
        assert image.size[0] > 500
        low, high = image.getextrema()
        assert low < 100 and high > 200  # ink on paper, not a blank page
        assert sum(1 for px in image.tobytes() if px < 128) > 2000
    finally:
        pdf.close()


def test_check_runs_the_lesson_commands_and_keeps_their_pictures(
    tmp_path: Path,
    kit_inproc,  # type: ignore[no-untyped-def]
) -> None:
    result = kit_inproc("lesson", "check", "mcu-neopixels-tiers-lieu", "--sortie", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    # This test is where the steps of this lesson are run (see test_steps.py).
    lesson = catalog.resolve("mcu-neopixels-tiers-lieu")
    assert result.stdout.count("✓ kit mcu ") == len(lesson.commands()) == 5
    assert "✓ kit mcu deploy clignoter" in result.stdout
    drive = tmp_path / "mcu-neopixels-tiers-lieu" / "CIRCUITPY-circuitplayground_express"
    assert (drive / "code.py").is_file()
    kept = sorted(p.name for p in (tmp_path / "mcu-neopixels-tiers-lieu").glob("*.png"))
    assert kept == ["chronogramme-clignoter.png", "chronogramme-neopixels.png"]


def test_check_refuses_an_output_folder_it_cannot_create(tmp_path: Path, kit_inproc) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    result = kit_inproc(
        "lesson", "check", "mcu-veilleuse-familles", "--sortie", str(blocker / "images")
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Impossible de créer le dossier" in result.stderr
    assert "Erreur interne" not in result.stderr


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("« voit » ?", "«\u00a0voit\u00a0»\u00a0?"),
        ("Buse à 200 °C : 15 %", "Buse à 200\u00a0°C\u00a0: 15\u00a0%"),
        ("3 min 05 s puis 20 cm", "3\u00a0min\u00a005\u00a0s puis 20\u00a0cm"),
        ("https://mblock.makeblock.com, 2 mBot", "https://mblock.makeblock.com, 2 mBot"),
    ],
)
def test_printed_fiches_keep_french_spaces_unbreakable(text: str, printed: str) -> None:
    from lessons.export import french_spaces

    assert french_spaces(text) == printed


def test_a_pipe_in_a_lesson_text_stays_inside_its_markdown_cell(tmp_path: Path, kit_inproc) -> None:  # type: ignore[no-untyped-def]
    text = (catalog.PLANS_DIR / f"{IDENT}.md").read_text(encoding="utf-8")
    mine = tmp_path / f"{IDENT}.md"
    mine.write_text(
        text.replace('quoi = "mBot avec piles chargées', 'quoi = "mBot | piles chargées', 1),
        encoding="utf-8",
    )
    md = tmp_path / "fiche.md"
    result = kit_inproc("lesson", "export", str(mine), "--format", "md", "-o", str(md),
                        "--sans-images")
    assert result.returncode == 0, result.stderr
    row = next(line for line in md.read_text("utf-8").splitlines() if "piles chargées" in line)
    assert row.startswith("| mBot \\| piles chargées") and row.count(" | ") == 3, row
