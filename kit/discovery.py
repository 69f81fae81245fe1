# SPDX-License-Identifier: GPL-3.0-or-later
"""What is plugged in: serial ports with their likely identity, CIRCUITPY and UF2 drives.

Ports come from :func:`serial.tools.list_ports.comports`; their identity from the USB ids in
``kit/data/usb_ids.toml``. Drives are found among mount points (``/proc/mounts``, ``/media``,
``/run/media``, ``/Volumes``, Windows drive letters) plus the folders listed in
``KIT_DRIVE_ROOTS`` (``os.pathsep``-separated), which also serves kiosks and tests.
"""

from __future__ import annotations

import os
import re
import string
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from serial.tools import list_ports
from serial.tools.list_ports_common import ListPortInfo

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class UsbIdentity:
    vid: str
    pid: str  # "*" for any product of the vendor
    label: str
    detail: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class PortReport:
    device: str
    description: str
    vid_pid: str | None  # "1A86:7523"
    serial_number: str | None
    label: str  # what it most likely is, in French
    detail: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class DriveReport:
    path: str
    kind: str  # "circuitpy" or "uf2"
    circuitpython_version: str | None = None
    board_id: str | None = None
    details: dict[str, str] = field(default_factory=dict)


@cache
def usb_identities() -> tuple[UsbIdentity, ...]:
    text = (resources.files("kit") / "data" / "usb_ids.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return tuple(
        UsbIdentity(
            vid=d["vid"].upper(),
            pid=d["pid"].upper(),
            label=d["label"],
            detail=d["detail"],
            kinds=tuple(d["kinds"]),
        )
        for d in data["device"]
    )


def identify_usb(vid: int | None, pid: int | None) -> UsbIdentity | None:
    """The most specific known identity for a USB id, exact product first."""
    if vid is None:
        return None
    vid_text = f"{vid:04X}"
    pid_text = f"{pid or 0:04X}"
    vendor_match = None
    for ident in usb_identities():
        if ident.vid != vid_text:
            continue
        if ident.pid == pid_text:
            return ident
        if ident.pid == "*" and vendor_match is None:
            vendor_match = ident
    return vendor_match


def describe_port(info: ListPortInfo) -> PortReport:
    ident = identify_usb(info.vid, info.pid)
    vid_pid = f"{info.vid:04X}:{info.pid or 0:04X}" if info.vid is not None else None
    description = info.description if info.description not in (None, "n/a") else ""
    if ident is not None:
        label, detail, kinds = ident.label, ident.detail, ident.kinds
    elif info.vid is not None:
        label, detail, kinds = "Périphérique USB série inconnu", description or "", ()
    else:
        label, detail, kinds = "Port série sans USB", description or "", ()
    return PortReport(
        device=info.device,
        description=description or "",
        vid_pid=vid_pid,
        serial_number=info.serial_number,
        label=label,
        detail=detail,
        kinds=kinds,
    )


def scan_ports(ports: Iterable[ListPortInfo] | None = None) -> list[PortReport]:
    """Every serial port with what it most likely is; USB ports first."""
    found = list(list_ports.comports() if ports is None else ports)
    reports = [describe_port(p) for p in found]
    return sorted(reports, key=lambda r: (r.vid_pid is None, r.device))


# -- drives -----------------------------------------------------------------------------

_BOOT_OUT_VERSION = re.compile(r"CircuitPython\s+(\S+)")
_BOOT_OUT_BOARD = re.compile(r"^Board ID:\s*(\S+)", re.MULTILINE)


def _candidate_roots() -> list[Path]:
    roots: list[Path] = []
    extra = os.environ.get("KIT_DRIVE_ROOTS", "")
    roots.extend(Path(p) for p in extra.split(os.pathsep) if p)
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/mounts", encoding="utf-8", errors="replace") as mounts:
                for line in mounts:
                    fields = line.split()
                    if len(fields) >= 3 and fields[2] in {
                        "vfat",
                        "msdos",
                        "fat",
                        "exfat",
                        "fuseblk",
                    }:
                        roots.append(Path(fields[1].replace("\\040", " ")))
        except OSError:
            pass
        user = os.environ.get("USER", "")
        for base in (Path("/media") / user, Path("/run/media") / user, Path("/media")):
            roots.extend(_children(base))
    elif sys.platform == "darwin":
        roots.extend(_children(Path("/Volumes")))
    elif sys.platform == "win32":
        roots.extend(Path(f"{letter}:\\") for letter in string.ascii_uppercase[3:])
    return roots


def _children(base: Path) -> list[Path]:
    try:
        return [p for p in base.iterdir() if p.is_dir()]
    except OSError:
        return []


def inspect_drive(path: Path) -> DriveReport | None:
    """A CIRCUITPY or UF2 bootloader drive at ``path``, or None if it is neither."""
    try:
        info_uf2 = path / "INFO_UF2.TXT"
        if info_uf2.is_file():
            details = parse_info_uf2(info_uf2.read_text(encoding="utf-8", errors="replace"))
            return DriveReport(
                path=str(path), kind="uf2", board_id=details.get("Board-ID"), details=details
            )
        boot_out = path / "boot_out.txt"
        if boot_out.is_file():
            text = boot_out.read_text(encoding="utf-8", errors="replace")
            version = _BOOT_OUT_VERSION.search(text)
            board = _BOOT_OUT_BOARD.search(text)
            return DriveReport(
                path=str(path),
                kind="circuitpy",
                circuitpython_version=version.group(1) if version else None,
                board_id=board.group(1) if board else None,
            )
    except OSError:
        return None
    return None


def parse_info_uf2(text: str) -> dict[str, str]:
    """``INFO_UF2.TXT`` lines ``Key: value`` (the first line is the bootloader banner)."""
    details: dict[str, str] = {}
    for i, line in enumerate(text.splitlines()):
        if ":" in line:
            key, value = line.split(":", 1)
            details[key.strip()] = value.strip()
        elif i == 0 and line.strip():
            details["Bootloader"] = line.strip()
    return details


def scan_drives() -> list[DriveReport]:
    seen: set[str] = set()
    drives: list[DriveReport] = []
    for root in _candidate_roots():
        key = os.path.realpath(root)
        if key in seen:
            continue
        seen.add(key)
        report = inspect_drive(root)
        if report is not None:
            drives.append(report)
    return drives
