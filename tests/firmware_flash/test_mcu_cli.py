# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit mcu boards/flash/erase/info/firmware`` as a user types them (subprocess)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from firmware import uf2
from firmware.boards import get_board
from kit.cli import cli
from sim.uf2_drive import Uf2Drive
from tests.conftest import run_kit
from tests.support.esp_images import combined_bin, payload

PICO = get_board("pico")


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("images")
    out = {}
    out["esp32s2"] = folder / "esp32s2.bin"
    out["esp32s2"].write_bytes(combined_bin("esp32s2", 100_000, compressible=True))
    out["small_s3"] = folder / "small_s3.bin"
    out["small_s3"].write_bytes(combined_bin("esp32s3", 100_000, compressible=True))
    return out


def test_boards_lists_the_catalogue() -> None:
    result = CliRunner().invoke(cli, ["mcu", "boards", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.output)}
    assert {"pico", "feather_esp32s3", "qtpy_esp32s2", "xiao_rp2040"} <= set(rows)
    assert rows["feather_esp32s3"]["methode"] == "esptool"
    table = CliRunner().invoke(cli, ["mcu", "boards"])
    assert "RP2040" in table.output and "ESP32-S3" in table.output
    # What the animateur types after --board is never cut, even at 80 columns.
    for board_id in rows:
        assert board_id in table.output
    assert "BOOTSEL" in table.output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("board_id", "kind"), [("feather_esp32s3", "esp32s3"), ("qtpy_esp32s2", "esp32s2")]
)
def test_flash_a_circuitpython_sized_bin_through_the_command_line(
    tmp_path: Path, board_id: str, kind: str
) -> None:
    # The simulated flash itself is inspected in test_esp_flash_driver; here the user's
    # command writes 1.5 MB and reports the MD5 the chip computed over what it holds.
    image = combined_bin(kind, 1_500_000, compressible=True)
    path = tmp_path / f"{kind}.bin"
    path.write_bytes(image)
    result = run_kit("mcu", "flash", str(path), "--board", board_id, "--port", f"sim://{kind}")
    assert result.returncode == 0, result.stderr
    assert "CircuitPython installé" in result.stdout
    assert "1,5 Mo écrits à 0x0" in result.stdout and "(compressés)" in result.stdout
    assert f"empreinte MD5 vérifiée ({hashlib.md5(image).hexdigest()})" in result.stdout
    assert "Écriture" in result.stderr  # the progress bar


def test_flash_without_stub_nor_compression(images: dict[str, Path]) -> None:
    small = images["small_s3"].with_name("small_s2.bin")
    small.write_bytes(combined_bin("esp32s2", 60_000))
    result = run_kit(
        "mcu",
        "flash",
        str(small),
        "--board",
        "qtpy_esp32s2",
        "--port",
        "sim://esp32s2",
        "--no-stub",
        "--no-compress",
        "--baud",
        "921600",
    )
    assert result.returncode == 0, result.stderr
    assert "0,1 Mo écrits" in result.stdout and "compressés" not in result.stdout


def test_wrong_chip_image_is_refused_before_writing(images: dict[str, Path]) -> None:
    result = run_kit(
        "mcu", "flash", str(images["esp32s2"]), "--board", "feather_esp32s3", "--port", "/dev/null"
    )
    assert result.returncode == 2
    assert "prévu pour la puce ESP32-S2" in result.stderr and "Rien n'a été écrit" in result.stderr


def test_corrupted_packet_is_reported(images: dict[str, Path]) -> None:
    port = "sim://esp32s3?corrupt_packet=2"
    result = run_kit(
        "mcu", "flash", str(images["small_s3"]), "--board", "feather_esp32s3", "--port", port
    )
    assert result.returncode == 1
    assert "Le bloc n° 2 est arrivé abîmé" in result.stderr
    assert "Traceback" not in result.stderr


def test_silent_chip_gets_the_boot_button_instructions(images: dict[str, Path]) -> None:
    result = run_kit(
        "mcu",
        "flash",
        str(images["small_s3"]),
        "--board",
        "feather_esp32s3",
        "--port",
        "sim://esp32s3?boot=app",
        "--attente",
        "1",
    )
    assert result.returncode == 2
    assert "Maintenez le bouton BOOT" in result.stderr
    assert "ne répond toujours pas" in result.stderr


def test_info_and_erase() -> None:
    info = run_kit("mcu", "info", "--port", "sim://esp32s3")
    assert info.returncode == 0, info.stderr
    assert "ESP32-S3" in info.stdout and "f4:12:fa:43:7a:10" in info.stdout, info.stdout
    assert "4 Mo" in info.stdout, info.stdout
    erase = run_kit(
        "mcu", "erase", "--board", "feather_esp32s3", "--port", "sim://esp32s3", "--oui"
    )
    assert erase.returncode == 0, erase.stderr
    assert "Mémoire flash effacée" in erase.stdout, erase.stdout + erase.stderr
    refused = CliRunner().invoke(cli, ["mcu", "erase", "--board", "pico", "--port", "sim://x"])
    assert refused.exit_code != 0 and "ESP32" in str(refused.exception), refused.output


def test_firmware_cache_listing_and_default_choice(isolated_user_dirs: Path) -> None:
    cache = isolated_user_dirs / "cache" / "firmware"
    cache.mkdir(parents=True)
    old = cache / "adafruit-circuitpython-adafruit_feather_esp32s3_4mbflash_2mbpsram-fr-9.1.0.bin"
    new = cache / "adafruit-circuitpython-adafruit_feather_esp32s3_4mbflash_2mbpsram-fr-9.2.1.bin"
    old.write_bytes(combined_bin("esp32s2", 64_000))  # would be refused if chosen
    new.write_bytes(combined_bin("esp32s3", 64_000, compressible=True))
    listing = run_kit("mcu", "firmware", "list")
    assert "9.2.1" in listing.stdout and "feather_esp32s3" in listing.stdout
    result = run_kit("mcu", "flash", "--board", "feather_esp32s3", "--port", "sim://esp32s3")
    assert result.returncode == 0, result.stderr


def test_toutes_over_a_url_asks_for_enter_between_boards(images: dict[str, Path]) -> None:
    result = run_kit(
        "mcu",
        "flash",
        str(images["small_s3"]),
        "--board",
        "feather_esp32s3",
        "--port",
        "sim://esp32s3",
        "--toutes",
        input_text="\n\n",
    )
    assert result.returncode == 0, result.stderr
    assert "Carte 2 terminée — branchez la suivante" in result.stderr
    assert "appuyez sur Entrée" in result.stderr
    assert "Bilan : 3 cartes installées, 0 en échec." in result.stdout


def test_missing_file_is_refused_in_french() -> None:
    missing = run_kit("mcu", "flash", "nulle-part.uf2", "--board", "pico")
    assert missing.returncode == 2 and "introuvable" in missing.stderr
    assert "Traceback" not in missing.stderr


# -- UF2 ------------------------------------------------------------------------------------


@pytest.fixture
def uf2_file(tmp_path: Path) -> Path:
    path = tmp_path / "adafruit-circuitpython-raspberry_pi_pico-fr-9.2.1.uf2"
    body = b"Adafruit CircuitPython 9.2.1 " + payload(40_000, seed=2)
    path.write_bytes(uf2.build(body, PICO.flash_offset, PICO.uf2_family))
    return path


def _serve(drive: Uf2Drive, stop: threading.Event, replug_times: int) -> None:
    """Run the drive; after each flash, 'plug the next board' (bootloader again)."""
    replugged = 0
    while not stop.is_set():
        drive.poll()
        if drive.state == "circuitpy" and replugged < replug_times:
            time.sleep(0.3)
            drive.enter_bootloader()
            replugged += 1
        stop.wait(0.01)


@pytest.fixture
def pico_drive(tmp_path: Path) -> Iterator[tuple[Uf2Drive, threading.Event]]:
    drive = Uf2Drive(tmp_path / "RPI-RP2", PICO)
    drive.enter_bootloader()
    stop = threading.Event()
    yield drive, stop
    stop.set()


def test_uf2_lands_on_the_drive(
    uf2_file: Path, pico_drive: tuple[Uf2Drive, threading.Event]
) -> None:
    drive, stop = pico_drive
    threading.Thread(target=_serve, args=(drive, stop, 0), daemon=True).start()
    # No --drive: the kit finds the bootloader drive among the mounted ones.
    result = run_kit(
        "mcu", "flash", str(uf2_file), "--board", "pico", KIT_DRIVE_ROOTS=str(drive.folder)
    )
    assert result.returncode == 0, result.stderr
    assert "Board-ID : RPI-RP2" in result.stderr
    assert "La carte a redémarré" in result.stdout
    assert "Lecteur CIRCUITPY" in result.stdout and "CircuitPython 9.2.1" in result.stdout
    assert (drive.folder / "boot_out.txt").exists() and drive.flash_count == 1


def test_uf2_family_mismatch_copies_nothing(
    tmp_path: Path, pico_drive: tuple[Uf2Drive, threading.Event]
) -> None:
    drive, _ = pico_drive
    samd = tmp_path / "cpx.uf2"
    samd.write_bytes(uf2.build(b"x" * 5000, 0x2000, 0x68ED2B88))
    result = run_kit("mcu", "flash", str(samd), "--board", "pico", "--drive", str(drive.folder))
    assert result.returncode == 2
    assert "SAMD21, pas pour la RP2040" in result.stderr
    assert sorted(p.name for p in drive.folder.iterdir()) == ["INDEX.HTM", "INFO_UF2.TXT"]


def test_toutes_flashes_board_after_board(
    uf2_file: Path, pico_drive: tuple[Uf2Drive, threading.Event]
) -> None:
    drive, stop = pico_drive
    threading.Thread(target=_serve, args=(drive, stop, 2), daemon=True).start()
    result = run_kit(
        "mcu",
        "flash",
        str(uf2_file),
        "--board",
        "pico",
        "--drive",
        str(drive.folder),
        "--toutes",
        "--nombre",
        "3",
        "--attente",
        "10",
    )
    assert result.returncode == 0, result.stderr
    assert "Carte 1 terminée — branchez la suivante" in result.stderr
    assert "Carte 2 terminée — branchez la suivante" in result.stderr
    assert "Bilan : 3 cartes installées, 0 en échec." in result.stdout
    assert drive.flash_count == 3


def test_toutes_goes_on_after_a_failed_board_and_exits_1(images: dict[str, Path]) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "mcu",
            "flash",
            str(images["small_s3"]),
            "--board",
            "feather_esp32s3",
            "--port",
            "sim://esp32s3?corrupt_packet=1",
            "--toutes",
            "--nombre",
            "2",
        ],
        input="\n",
    )
    assert result.exit_code == 1, result.output
    assert result.output.count("est arrivé abîmé") == 2
    assert "Bilan : 0 carte installée, 2 en échec." in result.output


def test_bin_for_a_uf2_board_is_refused(images: dict[str, Path]) -> None:
    result = CliRunner().invoke(cli, ["mcu", "flash", str(images["small_s3"]), "--board", "pico"])
    assert result.exit_code != 0
    assert "fichier .uf2" in str(result.exception)


def test_circuitpy_drive_given_for_a_uf2_says_why_and_copies_nothing(
    uf2_file: Path, tmp_path: Path
) -> None:
    drive = tmp_path / "CIRCUITPY"
    drive.mkdir()
    (drive / "boot_out.txt").write_text(
        "Adafruit CircuitPython 9.2.1 on 2024-11-20; Raspberry Pi Pico with rp2040\n"
        "Board ID:raspberry_pi_pico\n",
        encoding="utf-8",
    )
    result = run_kit(
        "mcu", "flash", str(uf2_file), "--board", "pico", "--drive", str(drive),
        "--attente", "0.5",
    )  # fmt: skip
    assert result.returncode == 2
    assert "C'est un lecteur CIRCUITPY : la carte n'est pas en mode démarrage" in result.stderr
    assert "Maintenez" in result.stderr or "BOOTSEL" in result.stderr
    assert "n'est apparu en 0,5 s" in result.stderr
    assert [p.name for p in drive.iterdir()] == ["boot_out.txt"]


def test_write_durations_read_in_french() -> None:
    from kit.commands.mcu_flash import _duration

    assert _duration(0.42) == "0,4 s"
    assert _duration(3) == "3 s"
    assert _duration(65) == "1 min 05 s"


def test_a_count_without_a_series_is_refused() -> None:
    result = run_kit("mcu", "flash", "--board", "pico", "--nombre", "3")
    assert result.returncode == 2
    assert "ajoutez --toutes" in result.stderr
