# SPDX-License-Identifier: GPL-3.0-or-later
"""The demonstration image: the flashing gesture rehearsed on the simulator, never a board."""

from __future__ import annotations

from pathlib import Path

from firmware import esp_flash
from firmware.boards import get_board
from firmware.demo_firmware import DEMO_SIZE_BYTES, demo_image
from tests.conftest import run_kit


def flat(text: str) -> str:
    return " ".join(text.split())


def test_demo_image_is_a_valid_image_for_the_board_chip() -> None:
    board = get_board("feather_esp32s3")
    name, data = demo_image(board)
    assert name.endswith(".bin") and len(data) == DEMO_SIZE_BYTES
    header = esp_flash.check_image(data, board)
    assert header.chip == "esp32s3"


def test_flash_without_firmware_rehearses_on_the_simulated_board() -> None:
    result = run_kit("mcu", "flash", "--board", "feather_esp32s3", "--port", "sim://esp32s3")
    assert result.returncode == 0, result.stderr
    assert "image de démonstration" in flat(result.stderr)
    assert "Image d'exercice écrite" in flat(result.stdout)
    assert "MD5 vérifiée" in result.stdout


def test_demo_image_is_never_offered_for_a_real_port() -> None:
    result = run_kit("mcu", "flash", "--board", "feather_esp32s3", "--port", "/dev/ttyACM0")
    assert result.returncode == 2
    assert "Aucun micrologiciel .bin" in flat(result.stderr)
    assert "démonstration" not in result.stderr


def test_a_saved_demo_image_is_refused_on_a_real_port(tmp_path: Path) -> None:
    # Kept from a rehearsal and renamed, it is still the exercise image: never written to a board.
    _, data = demo_image(get_board("feather_esp32s3"))
    saved = tmp_path / "circuitpython-feather.bin"
    saved.write_bytes(data)
    result = run_kit(
        "mcu", "flash", str(saved), "--board", "feather_esp32s3", "--port", "/dev/ttyACM0"
    )
    assert result.returncode != 0
    assert "image d'exercice du kit" in flat(result.stderr)
