# SPDX-License-Identifier: GPL-3.0-or-later
"""The board catalogue: one TOML file per board in ``firmware/boards/``, validated on load.

What varies between boards is data (chip, UF2 family, USB ids, pins, how to enter the
bootloader); code reads it. ``kit mcu boards`` lists the catalogue.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from kit.errors import KitError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Chips the kit knows, with the UF2 family id their bootloaders accept (from Microsoft's
#: uf2 repository, utils/uf2families.json) and how CircuitPython is installed on them.
CHIPS: dict[str, dict[str, object]] = {
    "esp32s2": {"uf2_family": 0xBFDD4EEE, "flash_method": "esptool"},
    "esp32s3": {"uf2_family": 0xC47E5767, "flash_method": "esptool"},
    "rp2040": {"uf2_family": 0xE48BFF56, "flash_method": "uf2"},
    "samd21": {"uf2_family": 0x68ED2B88, "flash_method": "uf2"},
    "samd51": {"uf2_family": 0x55114460, "flash_method": "uf2"},
}

#: Modules built into CircuitPython firmware (core modules of CircuitPython 8 and 9, all
#: ports together; from the "Core Modules" list of the CircuitPython documentation).
CORE_MODULES = frozenset(
    [
        "_asyncio", "_bleio", "_eve", "_pixelmap", "aesio", "alarm", "analogbufio", "analogio",
        "array", "atexit", "audiobusio", "audiocore", "audiodelays", "audiofilters", "audioio",
        "audiomixer", "audiomp3", "audiopwmio", "binascii", "bitbangio", "bitmapfilter",
        "bitmaptools", "bitops", "board", "builtins", "busdisplay", "busio", "camera", "canio",
        "codeop", "collections", "countio", "digitalio", "displayio", "dualbank", "epaperdisplay",
        "errno", "espcamera", "espidf", "espnow", "espulp", "floppyio", "fontio", "fourwire",
        "framebufferio", "frequencyio", "gc", "getpass", "gifio", "gnss", "hashlib", "heapq",
        "i2cdisplaybus", "i2ctarget", "imagecapture", "io", "ipaddress", "jpegio", "json", "keypad",
        "keypad_demux", "locale", "math", "mdns", "memorymap", "memorymonitor", "microcontroller",
        "micropython", "msgpack", "neopixel_write", "nvm", "onewireio", "os", "paralleldisplaybus",
        "ps2io", "pulseio", "pwmio", "qrio", "rainbowio", "random", "re", "rgbmatrix", "rotaryio",
        "rp2pio", "rtc", "samd", "sdcardio", "sdioio", "select", "sharpdisplay", "socketpool",
        "ssl", "storage", "struct", "supervisor", "synthio", "sys", "terminalio", "time", "touchio",
        "traceback", "ulab", "usb", "usb_cdc", "usb_hid", "usb_host", "usb_midi", "usb_video",
        "vectorio", "warnings", "watchdog", "wifi", "zlib"
    ]
)

_VIDPID = re.compile(r"^[0-9A-F]{4}:[0-9A-F]{4}$")


@dataclass(frozen=True)
class Board:
    """One board model of the catalogue."""

    id: str
    name: str
    chip: str
    uf2_family: int
    flash_method: str
    flash_offset: int
    usb_app: tuple[str, ...]
    usb_bootloader: tuple[str, ...]
    uf2_board_id: str
    bootloader_fr: str
    pins: frozenset[str]
    led: str | None = None
    neopixel: str | None = None
    neopixel_count: int = 0
    buttons: tuple[str, ...] = ()
    sensors: dict[str, str] = field(default_factory=dict)
    buzzer: str | None = None
    #: Ids CircuitPython writes in ``boot_out.txt`` ("Board ID:…") for this board.
    circuitpython_ids: tuple[str, ...] = ()
    #: Python libraries frozen into this board's firmware (``FROZEN_MPY_DIRS``).
    frozen: tuple[str, ...] = ()
    #: C modules of the firmware that have the name of a bundle library.
    core_libraries: tuple[str, ...] = ()

    def in_firmware(self, module: str) -> bool:
        """Whether the top-level ``module`` is frozen or built into this board's firmware."""
        top = module.split(".", 1)[0]
        return top in self.frozen or top in self.core_libraries

    def has_pin(self, name: str) -> bool:
        return name in self.pins


def _fail(board_file: str, message: str) -> KitError:
    return KitError(f"Fiche de carte « {board_file} » invalide : {message}")


def _parse(board_file: str, data: dict[str, object]) -> Board:
    def text(key: str, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value:
            raise _fail(board_file, f"le champ « {key} » doit être un texte non vide")
        return value

    chip = text("chip")
    assert chip is not None
    if chip not in CHIPS:
        raise _fail(board_file, f"puce inconnue « {chip} »")
    usb = data.get("usb", {})
    if not isinstance(usb, dict):
        raise _fail(board_file, "la section [usb] est mal formée")
    ids: dict[str, tuple[str, ...]] = {}
    for mode in ("application", "bootloader"):
        values = usb.get(mode, [])
        if not isinstance(values, list) or not all(
            isinstance(v, str) and _VIDPID.match(v.upper()) for v in values
        ):
            raise _fail(board_file, f"usb.{mode} doit être une liste de VID:PID hexadécimaux")
        ids[mode] = tuple(v.upper() for v in values)
    pins = data.get("pins", [])
    if not isinstance(pins, list) or not all(isinstance(p, str) for p in pins):
        raise _fail(board_file, "« pins » doit être une liste de noms de broches")
    sensors = data.get("sensors", {})
    if not isinstance(sensors, dict):
        raise _fail(board_file, "la section [sensors] est mal formée")
    buttons: tuple[str, ...] = tuple(data.get("buttons", []))  # type: ignore[arg-type]
    pin_set = frozenset(pins)
    for ref in [
        data.get("led"),
        data.get("neopixel"),
        data.get("buzzer"),
        *buttons,
        *sensors.values(),
    ]:
        if ref is not None and ref not in pin_set:
            raise _fail(board_file, f"la broche « {ref} » n'est pas dans la liste « pins »")
    offset = data.get("flash_offset", 0)
    if not isinstance(offset, int) or offset < 0:
        raise _fail(board_file, "« flash_offset » doit être un entier positif")
    return Board(
        id=text("id") or "",
        name=text("name") or "",
        chip=chip,
        uf2_family=int(CHIPS[chip]["uf2_family"]),  # type: ignore[call-overload]
        flash_method=str(CHIPS[chip]["flash_method"]),
        flash_offset=offset,
        usb_app=ids["application"],
        usb_bootloader=ids["bootloader"],
        uf2_board_id=text("uf2_board_id") or "",
        bootloader_fr=text("bootloader_fr") or "",
        pins=pin_set,
        led=text("led", required=False),
        neopixel=text("neopixel", required=False),
        neopixel_count=int(data.get("neopixel_count", 1 if data.get("neopixel") else 0)),  # type: ignore[call-overload]
        buttons=buttons,
        sensors={str(k): str(v) for k, v in sensors.items()},
        buzzer=text("buzzer", required=False),
        circuitpython_ids=_circuitpython_ids(board_file, data),
        frozen=_names(board_file, data, "frozen"),
        core_libraries=_names(board_file, data, "core_libraries"),
    )


def _names(board_file: str, data: dict[str, object], key: str) -> tuple[str, ...]:
    raw = data.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(v, str) and v.isidentifier() for v in raw):
        raise _fail(board_file, f"« {key} » doit être une liste de noms de modules")
    return tuple(raw)


def _circuitpython_ids(board_file: str, data: dict[str, object]) -> tuple[str, ...]:
    raw = data.get("circuitpython_ids", [data.get("id")])
    if not isinstance(raw, list) or not all(isinstance(v, str) and v for v in raw):
        raise _fail(board_file, "« circuitpython_ids » doit être une liste d'identifiants")
    return tuple(raw)


def board_for_circuitpython_id(cp_board_id: str) -> Board | None:
    """The catalogue board whose CircuitPython id (from ``boot_out.txt``) is ``cp_board_id``."""
    for board in load_catalogue().values():
        if cp_board_id in board.circuitpython_ids or cp_board_id == board.id:
            return board
    return None


@cache
def load_catalogue() -> dict[str, Board]:
    """All boards of the catalogue, by id."""
    boards: dict[str, Board] = {}
    folder = resources.files("firmware") / "boards"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        try:
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise _fail(entry.name, str(exc)) from exc
        board = _parse(entry.name, data)
        if board.id != entry.name.removesuffix(".toml"):
            raise _fail(entry.name, "l'identifiant doit être le nom du fichier")
        boards[board.id] = board
    return boards


def get_board(board_id: str) -> Board:
    """The board named ``board_id``, or a French error listing the known ones."""
    boards = load_catalogue()
    key = board_id.strip().lower().replace("-", "_")
    if key in boards:
        return boards[key]
    raise KitError(
        f"Carte inconnue : « {board_id} ». Cartes connues : {', '.join(sorted(boards))}.",
        hint="La liste détaillée : « kit mcu boards ».",
    )
