# SPDX-License-Identifier: GPL-3.0-or-later
"""Install a UF2 firmware by copying it onto the board's bootloader drive.

Every block is validated (:func:`firmware.uf2.parse`, family id against the board's chip)
before a single byte is copied. The drive is recognised by its ``INFO_UF2.TXT``; its
``Board-ID`` is reported. The copy is written in chunks, flushed and fsynced: the bootloader
flashes sectors as they arrive and reboots after the last one, so the drive may vanish right
after the data is on it — that is success, not an error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from firmware import uf2
from firmware.boards import Board
from kit import discovery
from kit.errors import DeviceFault, KitError

ProgressFn = Callable[[int, int], None]
COPY_CHUNK = 64 * uf2.BLOCK_SIZE


@dataclass(frozen=True)
class BootDrive:
    path: Path
    board_id: str | None
    details: dict[str, str]


@dataclass(frozen=True)
class Uf2FlashResult:
    drive: BootDrive
    target: Path
    blocks: int
    family: int | None
    rebooted: bool  # the drive disappeared or turned into CIRCUITPY afterwards
    seconds: float


def validate(data: bytes, board: Board) -> uf2.Uf2Image:
    return uf2.parse(data, family=board.uf2_family)


def inspect(path: str | os.PathLike[str]) -> BootDrive:
    """The UF2 drive at ``path``, or a French error saying what the folder is instead."""
    folder = Path(path)
    if not folder.is_dir():
        raise KitError(f"Le lecteur « {folder} » est introuvable (carte débranchée ?).")
    report = discovery.inspect_drive(folder)
    if report is None or report.kind != "uf2":
        extra = (
            " C'est un lecteur CIRCUITPY : la carte n'est pas en mode démarrage."
            if (report is not None and report.kind == "circuitpy")
            else ""
        )
        raise KitError(
            f"« {folder} » n'est pas un lecteur de démarrage UF2 (pas de INFO_UF2.TXT).{extra}"
        )
    return BootDrive(folder, report.board_id, dict(report.details))


def find_drives() -> list[BootDrive]:
    return [
        BootDrive(Path(d.path), d.board_id, dict(d.details))
        for d in discovery.scan_drives()
        if d.kind == "uf2"
    ]


def pick_drive(board: Board, drives: list[BootDrive]) -> BootDrive | None:
    """The drive to use among those found: the one with the board's Board-ID, or the only
    one. None when there is none; a French error when the choice is ambiguous."""
    if not drives:
        return None
    matching = [d for d in drives if d.board_id == board.uf2_board_id]
    if len(matching) == 1:
        return matching[0]
    if len(drives) == 1:
        return drives[0]
    listed = ", ".join(f"{d.path} ({d.board_id or '?'})" for d in drives)
    raise KitError(
        f"Plusieurs lecteurs UF2 sont branchés : {listed}.",
        hint="Indiquez celui à utiliser avec --drive CHEMIN.",
    )


def wait_for_drive(
    board: Board,
    drive: str | None,
    timeout_s: float,
    *,
    poll_s: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
) -> BootDrive | None:
    """Wait until a UF2 drive for ``board`` is present (``drive`` or any found)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if drive is not None:
            try:
                return inspect(drive)
            except KitError:
                found = None
        else:
            found = pick_drive(board, find_drives())
            if found is not None:
                return found
        if time.monotonic() >= deadline:
            return None
        sleep(poll_s)


def _drive_gone_or_booted(folder: Path) -> bool:
    try:
        return not (folder / "INFO_UF2.TXT").exists()
    except OSError:
        return True


def copy_to_drive(
    data: bytes,
    drive: BootDrive,
    name: str,
    *,
    progress: ProgressFn | None = None,
    reboot_timeout_s: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[Path, bool]:
    """Write ``data`` as ``name`` on the drive, fsync, then wait for the board to reboot."""
    target = drive.path / name
    written = 0
    total = len(data)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except OSError as exc:
        raise _copy_error(target, exc) from exc
    try:
        while written < total:
            chunk = data[written : written + COPY_CHUNK]
            view = memoryview(chunk)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            written += len(chunk)
            if progress is not None:
                progress(written, total)
        os.fsync(fd)
    except OSError as exc:
        # The bootloader reboots as soon as it has the last block; its drive can vanish
        # under the final fsync. Only an error before all data was written is a failure.
        if written < total or exc.errno not in (errno.EIO, errno.ENODEV, errno.ENOENT):
            raise _copy_error(target, exc) from exc
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
    deadline = time.monotonic() + reboot_timeout_s
    while time.monotonic() < deadline:
        if _drive_gone_or_booted(drive.path):
            return target, True
        sleep(0.05)
    return target, False


def _copy_error(target: Path, exc: OSError) -> KitError:
    if exc.errno == errno.ENOSPC:
        return DeviceFault(f"Le lecteur est plein : impossible d'écrire « {target} ».")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return DeviceFault(f"Le lecteur refuse l'écriture de « {target} » (lecture seule ?).")
    return DeviceFault(
        f"La copie vers « {target} » a échoué : {exc.strerror or exc}. La carte a-t-elle été "
        "débranchée ?"
    )


def find_circuitpy(
    near: Path, timeout_s: float = 5.0, *, poll_s: float = 0.2
) -> discovery.DriveReport | None:
    """After a reboot: the CIRCUITPY drive, at the same place or among the mounted drives."""
    deadline = time.monotonic() + timeout_s
    while True:
        here = discovery.inspect_drive(near) if near.is_dir() else None
        if here is not None and here.kind == "circuitpy":
            return here
        # Elsewhere only if unambiguous (other boards of the group may still be plugged in).
        mounted = [d for d in discovery.scan_drives() if d.kind == "circuitpy"]
        if len(mounted) == 1:
            return mounted[0]
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll_s)


def flash(
    data: bytes,
    board: Board,
    drive: BootDrive,
    *,
    name: str = "firmware.uf2",
    progress: ProgressFn | None = None,
    reboot_timeout_s: float = 10.0,
) -> Uf2FlashResult:
    """Validate ``data`` for ``board`` (nothing copied if it fails), then copy it."""
    started = time.monotonic()
    image = validate(data, board)
    target, rebooted = copy_to_drive(
        data, drive, name, progress=progress, reboot_timeout_s=reboot_timeout_s
    )
    return Uf2FlashResult(
        drive, target, len(image.blocks), image.family, rebooted, time.monotonic() - started
    )
