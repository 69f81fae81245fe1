# SPDX-License-Identifier: GPL-3.0-or-later
"""The local firmware folder: listing, names understood, the default choice per board."""

from __future__ import annotations

import pytest

from firmware import firmware_cache
from firmware.boards import get_board
from kit.errors import InputFileError


def test_empty_cache_lists_nothing_and_says_where_to_put_files() -> None:
    assert firmware_cache.list_firmware() == []
    with pytest.raises(InputFileError, match="Aucun micrologiciel .uf2"):
        firmware_cache.resolve(None, get_board("pico"))


def test_newest_version_for_the_board_is_chosen() -> None:
    folder = firmware_cache.firmware_dir()
    folder.mkdir(parents=True)
    for name in (
        "adafruit-circuitpython-raspberry_pi_pico-fr-9.1.4.uf2",
        "adafruit-circuitpython-raspberry_pi_pico-fr-10.0.0-beta.2.uf2",
        "adafruit-circuitpython-circuitplayground_express-fr-9.2.1.uf2",
        "notes.txt",
        "mystere.bin",
    ):
        (folder / name).write_bytes(b"\x00" * 512)
    items = firmware_cache.list_firmware()
    assert len(items) == 4
    pico = [i for i in items if i.board is not None and i.board.id == "pico"]
    assert [i.version for i in pico] == ["10.0.0-beta.2", "9.1.4"]
    chosen = firmware_cache.resolve(None, get_board("pico"))
    assert chosen.name.endswith("10.0.0-beta.2.uf2")
    by_name = firmware_cache.resolve("mystere.bin", get_board("feather_esp32s3"))
    assert by_name == folder / "mystere.bin"
