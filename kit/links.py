# SPDX-License-Identifier: GPL-3.0-or-later
"""The one way to open a device: a pyserial URL or a device path in, an open port out.

Accepted: device paths (``/dev/ttyUSB0``, ``COM3``), every pyserial URL (``socket://host:port``,
``loop://``, ``rfc2217://…``) and the kit's simulators (``sim://KIND?option=value``). A driver
never knows whether it talks to hardware: switching to the simulator is changing the port.
"""

from __future__ import annotations

import errno
import os
import sys
import time
import urllib.parse
from collections.abc import Callable

import serial
from serial.tools import list_ports

from kit import messages
from kit.errors import KitError, LinkError

_HANDLER_PACKAGE = "kit.urlhandler"


def register_url_handlers() -> None:
    """Make ``sim://`` known to :func:`serial.serial_for_url` (idempotent).

    Called by :func:`open_link` and by the CLI. Also needed before handing a ``sim://`` URL
    to a third-party tool that opens ports with pyserial itself (esptool, for instance).
    """
    if _HANDLER_PACKAGE not in serial.protocol_handler_packages:
        serial.protocol_handler_packages.append(_HANDLER_PACKAGE)


def is_url(port: str) -> bool:
    return "://" in port


def visible_ports() -> list[str]:
    return sorted(p.device for p in list_ports.comports())


def _permission_group(port: str | None = None) -> str:
    """The group that may open serial ports: the one owning ``port`` when it can be read."""
    if port is not None and sys.platform != "win32":
        import grp

        try:
            name = grp.getgrgid(os.stat(port).st_gid).gr_name
        except (OSError, KeyError):
            name = ""
        if name and name not in ("root", "tty"):
            return name
    return "uucp" if os.path.exists("/etc/arch-release") else "dialout"


#: pyserial's network links: they need a host and a port number.
_NETWORK_SCHEMES = ("socket", "rfc2217")


def _check_network_url(port: str) -> None:
    """Refuse ``socket://bad`` before pyserial fails on it with a Python error."""
    scheme = port.split("://", 1)[0].lower()
    if scheme not in _NETWORK_SCHEMES:
        return
    parts = urllib.parse.urlsplit(port)
    try:
        number = parts.port
    except ValueError:
        number = None
    if not parts.hostname or number is None:
        raise LinkError(
            f"Adresse invalide : « {port} ». Écrivez {scheme}://HÔTE:PORT, par exemple "
            f"{scheme}://127.0.0.1:7000 (le port est un nombre entre 0 et 65535)."
        )


def open_link(
    port: str,
    *,
    baudrate: int = 115200,
    timeout_s: float | None = 1.0,
    write_timeout_s: float | None = 5.0,
    exclusive: bool = True,
) -> serial.SerialBase:
    """Open ``port`` and return the open pyserial object, or raise :class:`LinkError`.

    Errors are explained in French with the fix (cable, group membership, the program that
    holds the port). Exit code 2 for all of them.
    """
    if not port or not port.strip():
        raise LinkError(
            "Aucun port indiqué. Indiquez --port, par exemple /dev/ttyUSB0 ou sim://marlin."
        )
    register_url_handlers()
    kwargs: dict[str, object] = {
        "baudrate": baudrate,
        "timeout": timeout_s,
        "write_timeout": write_timeout_s,
    }
    _check_network_url(port)
    if not is_url(port):
        if sys.platform != "win32" and not os.path.exists(port):
            raise LinkError(messages.port_not_found(port, visible_ports()))
        if exclusive and sys.platform != "win32":
            kwargs["exclusive"] = True
    try:
        return serial.serial_for_url(port, **kwargs)
    except KitError:
        raise
    except ValueError as exc:
        if "not known" in str(exc):
            scheme = port.split("://", 1)[0]
            raise LinkError(
                f"Type d'adresse inconnu : « {scheme}:// ». Utilisez un chemin de port "
                "(/dev/ttyUSB0, COM3), socket://hôte:port, loop:// ou sim://SIMULATEUR."
            ) from exc
        raise LinkError(f"Paramètre de port invalide pour « {port} » : {exc}") from exc
    except serial.SerialException as exc:
        raise _explain(port, exc) from exc
    except OSError as exc:
        raise _explain(port, exc) from exc


#: What the C library says when a host name cannot be resolved (Linux, macOS, Windows).
_UNKNOWN_HOST_TEXTS = (
    "Name or service not known",
    "Temporary failure in name resolution",
    "No address associated with hostname",
    "nodename nor servname",
    "getaddrinfo failed",
)


def _explain(port: str, exc: BaseException) -> LinkError:
    err = getattr(exc, "errno", None)
    text = str(exc)
    if err in (errno.EACCES, errno.EPERM) or "Permission denied" in text:
        return LinkError(messages.port_permission(port, _permission_group(port)))
    if err == errno.EISDIR or "Is a directory" in text:
        return LinkError(
            f"« {port} » est un dossier, pas un port série.\n"
            + messages.port_not_found_hint(visible_ports())
        )
    if err == errno.ENOTTY or "Inappropriate ioctl" in text:
        return LinkError(
            f"« {port} » n'est pas un port série (fichier ordinaire ou autre périphérique).\n"
            + messages.port_not_found_hint(visible_ports())
        )
    if any(s in text for s in _UNKNOWN_HOST_TEXTS):
        host = urllib.parse.urlsplit(port).hostname or port
        return LinkError(
            f"Adresse inconnue : la machine « {host} » est introuvable (nom mal écrit, ou "
            "elle n'est pas sur le même réseau)."
        )
    if err == errno.EBUSY or "exclusively lock" in text or "busy" in text.lower():
        return LinkError(messages.port_busy(port))
    if err in (errno.ENOENT, errno.ENODEV, errno.ENXIO) or "No such file" in text:
        return LinkError(messages.port_not_found(port, visible_ports()))
    if "Connection refused" in text or err == errno.ECONNREFUSED:
        return LinkError(
            f"Connexion refusée par « {port} » : aucun programme n'écoute à cette adresse. "
            "Le simulateur ou le serveur est-il lancé ?"
        )
    if "timed out" in text.lower():
        return LinkError(f"Le délai de connexion à « {port} » est dépassé.")
    return LinkError(f"Impossible d'ouvrir le port « {port} » : {text}")


def link_clock(link: serial.SerialBase) -> Callable[[], float]:
    """The clock a host should use for timeouts on ``link``, in seconds.

    Simulated links run in virtual time (a 30 s silence is detected instantly); every other
    link uses :func:`time.monotonic`.
    """
    now = getattr(link, "now_s", None)
    if callable(now):
        return now  # type: ignore[no-any-return]
    return time.monotonic
