# SPDX-License-Identifier: GPL-3.0-or-later
"""A UF2 bootloader drive in a folder: what is copied onto it is flashed, then it becomes
CIRCUITPY.

A real UF2 bootloader (RP2040 BOOTSEL, the SAMD "…BOOT" drives) shows a small FAT drive with
``INFO_UF2.TXT`` and ``INDEX.HTM``. It does not store files: it looks at every 512-byte sector
the computer writes and flashes those that are UF2 blocks it accepts — right magics, payload
of at most 476 bytes, not flagged "not main flash", family id equal to its own when present,
target address inside the application flash. Everything else is silently ignored (a wrong
file "copies" fine and nothing happens). When it has seen every block number of a file it
reboots into the new firmware, and with CircuitPython the CIRCUITPY drive appears.

This simulator does the same with a folder: :meth:`Uf2Drive.poll` reads the files copied into
it as sectors, keeps the accepted blocks, and once a file is complete replaces the folder's
content with a CIRCUITPY drive (``boot_out.txt``, ``code.py``, ``lib/``). :meth:`enter_bootloader`
is the double-tap on RESET (or BOOTSEL): the CIRCUITPY files are kept aside, as the board
keeps its filesystem, and come back after the next flash.

Run it beside a test or a demo: ``python -m sim.uf2_drive FOLDER --board pico``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import threading
import zlib
from pathlib import Path
from types import FrameType

from firmware import uf2
from firmware.boards import Board, get_board

POLL_S = 0.05
_VERSION = re.compile(rb"CircuitPython (\d+\.\d+\.\d+[0-9A-Za-z.\-]*)")
#: How far past the flash start a UF2 block may write (the largest supported flash, 16 MiB).
FLASH_WINDOW = 16 * 1024 * 1024


class Uf2Drive:
    def __init__(self, folder: str | Path, board: Board) -> None:
        self.folder = Path(folder)
        self.board = board
        self.memory: dict[int, bytes] = {}  # target address -> payload
        self.state = "off"
        self.flash_count = 0
        self.ignored_blocks = 0
        self._received: dict[int, bytes] = {}
        self._expected: int | None = None
        self._seen_files: dict[str, tuple[int, float]] = {}
        self._kept: dict[str, bytes] = {}

    # -- modes ------------------------------------------------------------------------------
    def enter_bootloader(self) -> None:
        """The animateur double-taps RESET: the drive shows the bootloader's files."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.state == "circuitpy":
            self._kept = self._snapshot()
        self._clear()
        info = (
            "UF2 Bootloader v3.0 (simulateur atelier-kit)\n"
            f"Model: {self.board.name}\n"
            f"Board-ID: {self.board.uf2_board_id}\n"
        )
        (self.folder / "INFO_UF2.TXT").write_text(info, encoding="utf-8")
        (self.folder / "INDEX.HTM").write_text(
            '<html><head><meta http-equiv="refresh" content="0;URL=\'https://circuitpython.org/'
            f"board/{self.board.id}/'\"/></head><body>{self.board.name}</body></html>\n",
            encoding="utf-8",
        )
        self._received.clear()
        self._expected = None
        self._seen_files = {}
        self.state = "bootloader"

    def _snapshot(self) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for path in self.folder.rglob("*"):
            if path.is_file():
                files[str(path.relative_to(self.folder))] = path.read_bytes()
        return files

    def _clear(self) -> None:
        for path in self.folder.iterdir():
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def _become_circuitpy(self) -> None:
        self.flash_count += 1
        firmware = b"".join(self.memory[a] for a in sorted(self.memory))
        found = _VERSION.search(firmware)
        version = found.group(1).decode("ascii", "replace") if found else "inconnue"
        self._clear()
        files = dict(self._kept)
        files.setdefault("code.py", b'print("Hello World!")\n')
        files.setdefault("settings.toml", b"")
        for name, content in files.items():
            target = self.folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (self.folder / "lib").mkdir(exist_ok=True)
        chip = self.board.chip
        board_id = (self.board.circuitpython_ids or (self.board.id,))[0]
        # boot_out.txt comes last and whole: a reader seeing it sees a booted CIRCUITPY drive.
        partial = self.folder / ".boot_out.txt.tmp"
        partial.write_text(
            f"Adafruit CircuitPython {version} on simulateur; {self.board.name} with {chip}\n"
            f"Board ID:{board_id}\nUID:{zlib.crc32(self.board.id.encode()):012X}\n",
            encoding="utf-8",
        )
        partial.replace(self.folder / "boot_out.txt")
        self.state = "circuitpy"

    # -- the bootloader ---------------------------------------------------------------------
    def _accept(self, raw: bytes) -> uf2.Uf2Block | None:
        try:
            block = uf2.parse_block(raw, 0)
        except uf2.Uf2Error:
            return None
        if block.flags & uf2.FLAG_NOT_MAIN_FLASH:
            return None
        if block.family is not None and block.family != self.board.uf2_family:
            return None
        start = self.board.flash_offset
        if not start <= block.address <= start + FLASH_WINDOW - len(block.payload):
            return None
        return block

    def poll(self) -> bool:
        """Look at the files copied since the last poll; True when a firmware was flashed."""
        if self.state != "bootloader" or not self.folder.is_dir():
            return False
        for path in sorted(self.folder.iterdir()):
            if not path.is_file() or path.name in ("INFO_UF2.TXT", "INDEX.HTM"):
                continue
            try:
                stat = path.stat()
                key = (stat.st_size, stat.st_mtime)
                if self._seen_files.get(path.name) == key:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            self._seen_files[path.name] = key
            for pos in range(0, len(data) - uf2.BLOCK_SIZE + 1, uf2.BLOCK_SIZE):
                block = self._accept(data[pos : pos + uf2.BLOCK_SIZE])
                if block is None:
                    self.ignored_blocks += 1
                    continue
                if self._expected != block.count:
                    # A block of another file: the bootloader starts counting anew.
                    self._expected = block.count
                    self._received.clear()
                self._received[block.number] = block.payload
                self.memory[block.address] = block.payload
                if len(self._received) >= block.count:
                    self._become_circuitpy()
                    return True
        return False

    def serve(self, stop: threading.Event, poll_s: float = POLL_S) -> None:
        while not stop.is_set():
            self.poll()
            stop.wait(poll_s)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Lecteur UF2 simulé dans un dossier.")
    parser.add_argument("folder")
    parser.add_argument("--board", required=True)
    args = parser.parse_args(argv)
    drive = Uf2Drive(args.folder, get_board(args.board))
    drive.enter_bootloader()
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(drive.folder, flush=True)
    drive.serve(stop)


if __name__ == "__main__":
    main()
