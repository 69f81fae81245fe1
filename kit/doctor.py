# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit doctor``'s findings: what is plugged in and what will not work, as data.

The CLI renders :class:`DoctorReport` in French (or as JSON); nothing here prints.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from serial.tools.list_ports_common import ListPortInfo

from kit import __version__, messages
from kit.discovery import DriveReport, PortReport, scan_drives, scan_ports

#: Packages whose versions matter when something goes wrong in an atelier.
KEY_PACKAGES = ("pyserial", "esptool", "octorest")

#: Where a serial device node usually lives on Linux, to learn which group owns them.
_TTY_GLOBS = ("/dev/ttyUSB0", "/dev/ttyACM0", "/dev/ttyS0")


@dataclass(frozen=True)
class PermissionReport:
    ok: bool
    group: str | None
    message: str
    fix: str | None = None


@dataclass
class DoctorReport:
    kit_version: str
    python_version: str
    platform: str
    packages: dict[str, str | None]
    ports: list[PortReport]
    drives: list[DriveReport]
    permission: PermissionReport | None
    advice: list[str] = field(default_factory=list)
    #: What will fail in the kit's own files (configuration, secrets, journal, cache), each
    #: a French sentence; any of them makes ``kit doctor`` exit with 1.
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def package_versions(names: Iterable[str] = KEY_PACKAGES) -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _serial_group() -> str:
    import grp

    for node in _TTY_GLOBS:
        try:
            return grp.getgrgid(os.stat(node).st_gid).gr_name
        except (OSError, KeyError):
            continue
    try:
        grp.getgrnam("uucp")
        if not _group_exists("dialout"):
            return "uucp"
    except KeyError:
        pass
    return "dialout"


def _group_exists(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def check_serial_permission() -> PermissionReport | None:
    """Linux only: may this user open serial ports? ``None`` on other systems."""
    if not sys.platform.startswith("linux"):
        return None
    import grp
    import pwd

    group = _serial_group()
    try:
        entry = grp.getgrnam(group)
        gid, members = entry.gr_gid, list(entry.gr_mem)
    except KeyError:
        gid, members = None, []
    return permission_report(
        group,
        gid,
        members,
        user=pwd.getpwuid(os.getuid()).pw_name,
        process_gids=os.getgroups(),
        as_root=os.geteuid() == 0,
    )


def permission_report(
    group: str,
    gid: int | None,
    members: Iterable[str],
    *,
    user: str,
    process_gids: Iterable[int],
    as_root: bool,
) -> PermissionReport:
    """What the ports' group (``gid`` None: no such group) means for ``user``, whose current
    session holds ``process_gids``."""
    if as_root:
        return PermissionReport(True, group, "Administrateur (root) : accès aux ports autorisé.")
    if gid is None:
        return PermissionReport(
            True, None, "Aucun groupe « dialout » ou « uucp » sur ce système : rien à régler."
        )
    if gid in set(process_gids):
        return PermissionReport(True, group, f"Votre compte fait partie du groupe « {group} ».")
    if user in set(members):
        return PermissionReport(
            False,
            group,
            f"Votre compte a été ajouté au groupe « {group} », mais la session actuelle ne le "
            "sait pas encore : fermez la session puis rouvrez-la (ou redémarrez).",
        )
    return PermissionReport(
        False,
        group,
        f"Votre compte ne fait pas partie du groupe « {group} » : les ports série seront refusés.",
        fix=messages.PERMISSION_FIX_LINUX.format(group=group),
    )


def _advice(ports: list[PortReport]) -> list[str]:
    advice: list[str] = []
    if not ports:
        advice.append(
            "Aucun port série : branchez l'appareil avec un câble de données (certains câbles "
            "ne font que charger) ; pour s'entraîner sans matériel, utilisez les simulateurs "
            "(--port sim://marlin, sim://mbot…)."
        )
    return advice


#: The mBot's 2.4G dongle (0416:ffff) is a HID device: without such a rule, only root may
#: open it on Linux. « uaccess » gives it to the user sitting at the machine.
MBOT_DONGLE_UDEV_RULE = (
    'SUBSYSTEM=="hidraw", ATTRS{idVendor}=="0416", ATTRS{idProduct}=="ffff", '
    'MODE="0660", TAG+="uaccess"'
)
_UDEV_RULE_DIRS = ("etc/udev/rules.d", "usr/lib/udev/rules.d", "lib/udev/rules.d")


def _mentions(root: Path, dirs: Iterable[str], *needles: str) -> bool:
    for folder in dirs:
        for rules in sorted((root / folder).glob("*.rules")):
            try:
                text = rules.read_text(encoding="utf-8", errors="replace").lower()
            except OSError:
                continue
            if all(n in text for n in needles):
                return True
    return False


def robot_advice(
    ports: list[PortReport], root: Path = Path("/"), *, as_root: bool | None = None
) -> list[str]:
    """Linux pitfalls of the mBot: the dongle's udev rule, and brltty taking CH340 ports."""
    if not sys.platform.startswith("linux"):
        return []
    if as_root is None:
        as_root = os.geteuid() == 0
    advice: list[str] = []
    dongle = False
    for vendor_file in (root / "sys/bus/usb/devices").glob("*/idVendor"):
        try:
            vendor = vendor_file.read_text().strip().lower()
            product = (vendor_file.parent / "idProduct").read_text().strip().lower()
        except OSError:
            continue
        dongle = dongle or (vendor, product) == ("0416", "ffff")
    if dongle and not as_root and not _mentions(root, _UDEV_RULE_DIRS[:1], "0416"):
        advice.append(
            "Clé 2.4G du mBot branchée, mais sans règle udev : seul l'administrateur peut "
            "l'ouvrir. Créez la règle puis rebranchez la clé :\n"
            f"  echo '{MBOT_DONGLE_UDEV_RULE}' | sudo tee /etc/udev/rules.d/70-mbot-2g4.rules\n"
            "  sudo udevadm control --reload-rules"
        )
    ch340_seen = any(p.vid_pid == "1A86:7523" for p in ports)
    brltty = any((root / d / "brltty").exists() for d in ("usr/bin", "bin", "usr/sbin"))
    if brltty and not ch340_seen and _mentions(root, _UDEV_RULE_DIRS[1:], "brltty", "1a86"):
        advice.append(
            "Le service brltty (afficheurs braille) est installé : sur Ubuntu il s'empare des "
            "adaptateurs CH340 du mBot et des imprimantes, et /dev/ttyUSB0 disparaît aussitôt "
            "branché. Si vous n'utilisez pas d'afficheur braille :\n"
            "  sudo systemctl mask brltty-udev.service brltty.service\n"
            "  sudo apt remove brltty   (puis rebranchez le câble)"
        )
    return advice


def _folder_problem(folder: Path, what: str) -> str | None:
    """A folder the kit writes in: absent is fine (created on first use), else it must be a
    folder the user may write into."""
    if not folder.exists():
        return None
    if not folder.is_dir():
        return f"Le dossier {what} « {folder} » est un fichier : le kit ne peut rien y écrire."
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"Le dossier {what} « {folder} » n'est pas accessible en écriture pour votre compte "
            "(droits insuffisants)."
        )
    return None


def check_kit_files() -> list[str]:
    """Load what the kit keeps (configuration, secrets, journal and cache folders) as the kit
    will: each problem is a French sentence."""
    from kit import config as cfg
    from kit.errors import KitError
    from kit.logs import log_file_path
    from kit.paths import cache_dir

    problems: list[str] = []
    for path in (cfg.config_path(), cfg.secrets_path()):
        try:
            cfg.read_toml_file(path)
        except KitError as exc:
            problems.append(exc.message)
    secrets = cfg.secrets_path()
    if os.name == "posix" and secrets.is_file():
        mode = secrets.stat().st_mode & 0o777
        if mode & 0o077:
            problems.append(
                f"Le fichier des secrets « {secrets} » est lisible par d'autres comptes "
                f"(droits {mode:o}) : « chmod 600 {secrets} »."
            )
    log_path = log_file_path()
    for problem in (
        _folder_problem(log_path.parent, "du journal"),
        _folder_problem(cache_dir(), "du cache"),
    ):
        if problem:
            problems.append(problem)
    if log_path.exists() and not os.access(log_path, os.W_OK):
        problems.append(f"Le journal « {log_path} » ne peut pas être écrit (droits insuffisants).")
    return problems


def run_doctor(ports: Iterable[ListPortInfo] | None = None) -> DoctorReport:
    """Collect the report. ``ports`` defaults to pyserial's view of the machine."""
    port_reports = scan_ports(ports)
    return DoctorReport(
        kit_version=__version__,
        python_version=platform.python_version(),
        platform=f"{platform.system()} {platform.release()}",
        packages=package_versions(),
        ports=port_reports,
        drives=scan_drives(),
        permission=check_serial_permission(),
        advice=_advice(port_reports) + robot_advice(port_reports),
        problems=check_kit_files(),
    )
