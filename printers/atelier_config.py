# SPDX-License-Identifier: GPL-3.0-or-later
"""The atelier's printers as the user configured them, and where OctoPrint keys come from.

The list lives in the user configuration (``kit config set``), one table per printer::

    [printers.ender1]
    backend = "serial"          # or "octoprint"; guessed from port/url when absent
    port = "/dev/ttyUSB0"       # serial printers: a device path or a pyserial URL (sim://marlin)
    profile = "ender3"

    [printers.prusa]
    backend = "octoprint"
    url = "http://octopi.local"
    profile = "mk3s"

API keys are secrets: ``kit config set printers.prusa.api_key …`` stores them in the 0600
secrets file. For an OctoPrint printer the key is, in this order, the printer's own
``api_key``, the ``KIT_OCTOPRINT_KEY`` environment variable, then ``octoprint.api_key``.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from kit import config as cfg
from kit.errors import KitError

#: Environment variable holding an OctoPrint API key (overrides ``octoprint.api_key``).
API_KEY_ENV = "KIT_OCTOPRINT_KEY"
#: Default HTTP timeout towards OctoPrint servers, in seconds (``octoprint.timeout_s``).
DEFAULT_TIMEOUT_S = 10.0


class BackendKind(enum.Enum):
    SERIAL = "serial"
    OCTOPRINT = "octoprint"


_BACKEND_NAMES = {
    "serial": BackendKind.SERIAL,
    "serie": BackendKind.SERIAL,
    "série": BackendKind.SERIAL,
    "usb": BackendKind.SERIAL,
    "octoprint": BackendKind.OCTOPRINT,
}


@dataclass(frozen=True)
class PrinterEntry:
    """One printer of the atelier. ``address`` is the port (serial) or the URL (OctoPrint)."""

    name: str
    backend: BackendKind
    address: str
    profile: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never shown, never logged


class ConfigEntryError(KitError):
    """A printer table in the configuration cannot be used."""


def normalise_url(url: str) -> str:
    """Check an OctoPrint address and return it without a trailing slash."""
    text = url.strip()
    if text and "://" not in text:
        text = "http://" + text
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise KitError(
            f"Adresse OctoPrint invalide : « {url} ». "
            "Exemple : http://octopi.local ou http://192.168.1.20:5000."
        )
    return text.rstrip("/")


def configured_timeout_s(config: Mapping[str, Any] | None = None) -> float:
    data = cfg.load_config() if config is None else config
    section = data.get("octoprint")
    value = section.get("timeout_s") if isinstance(section, Mapping) else None
    if value is None:
        return DEFAULT_TIMEOUT_S
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 600:
        raise KitError(
            "« octoprint.timeout_s » doit être un nombre de secondes entre 0 et 600 "
            f"(lu : {value})."
        )
    return float(value)


def resolve_api_key(
    url: str | None = None,
    *,
    own_key: str | None = None,
    config: Mapping[str, Any] | None = None,
) -> str | None:
    """The API key to use for the OctoPrint server at ``url`` (None when none is known).

    A printer of the list with the same URL lends its own key to ``--octoprint URL``.
    """
    if own_key:
        return own_key
    data = cfg.load_config() if config is None else config
    if url is not None:
        for entry in _entries(data):
            if entry.backend is BackendKind.OCTOPRINT and entry.address == url and entry.api_key:
                return entry.api_key
    env_key = os.environ.get(API_KEY_ENV, "").strip()
    if env_key:
        return env_key
    section = data.get("octoprint")
    if isinstance(section, Mapping):
        key = section.get("api_key")
        if isinstance(key, str) and key.strip():
            return key.strip()
    return None


def default_octoprint_url(config: Mapping[str, Any] | None = None) -> str | None:
    data = cfg.load_config() if config is None else config
    section = data.get("octoprint")
    if isinstance(section, Mapping) and isinstance(section.get("url"), str):
        return normalise_url(section["url"])
    return None


def _entry_from_table(name: str, table: Mapping[str, Any]) -> PrinterEntry:
    where = f"printers.{name}"
    raw_backend = table.get("backend")
    port = table.get("port")
    url = table.get("url")
    if raw_backend is None:
        if url and not port:
            backend = BackendKind.OCTOPRINT
        elif port and not url:
            backend = BackendKind.SERIAL
        else:
            raise ConfigEntryError(
                f"L'imprimante « {name} » doit avoir soit un port (USB), soit une url "
                f"(OctoPrint) : « kit config set {where}.port /dev/ttyUSB0 »."
            )
    else:
        found = _BACKEND_NAMES.get(str(raw_backend).strip().lower())
        if found is None:
            raise ConfigEntryError(
                f"« {where}.backend » vaut « {raw_backend} » : les valeurs possibles sont "
                "« serial » (USB) et « octoprint »."
            )
        backend = found
    if backend is BackendKind.SERIAL:
        if not isinstance(port, str) or not port.strip():
            raise ConfigEntryError(
                f"L'imprimante USB « {name} » n'a pas de port : "
                f"« kit config set {where}.port /dev/ttyUSB0 »."
            )
        address = port.strip()
    else:
        if not isinstance(url, str) or not url.strip():
            raise ConfigEntryError(
                f"L'imprimante OctoPrint « {name} » n'a pas d'adresse : "
                f"« kit config set {where}.url http://octopi.local »."
            )
        address = normalise_url(url)
    profile = table.get("profile")
    key = table.get("api_key")
    return PrinterEntry(
        name=name,
        backend=backend,
        address=address,
        profile=str(profile) if profile is not None else None,
        api_key=key.strip() if isinstance(key, str) and key.strip() else None,
    )


def _entries(config: Mapping[str, Any]) -> list[PrinterEntry]:
    printers = config.get("printers")
    if printers is None:
        return []
    if not isinstance(printers, Mapping):
        raise ConfigEntryError(
            "« printers » doit être une table d'imprimantes nommées, par exemple "
            "« kit config set printers.ender1.port /dev/ttyUSB0 »."
        )
    entries = []
    for name, table in printers.items():
        if not isinstance(table, Mapping):
            raise ConfigEntryError(
                f"« printers.{name} » doit être une table (port ou url, profile), "
                f"pas une valeur simple."
            )
        entries.append(_entry_from_table(str(name), table))
    return entries


def atelier_printers(config: Mapping[str, Any] | None = None) -> list[PrinterEntry]:
    """Every printer of the list, in the order of the configuration file."""
    return _entries(cfg.load_config() if config is None else config)


def with_api_key(entry: PrinterEntry, config: Mapping[str, Any] | None = None) -> PrinterEntry:
    """``entry`` with the API key it will use (own key, environment or ``octoprint.api_key``)."""
    if entry.backend is not BackendKind.OCTOPRINT:
        return entry
    key = resolve_api_key(entry.address, own_key=entry.api_key, config=config)
    return PrinterEntry(entry.name, entry.backend, entry.address, entry.profile, key)


#: Every key ``kit config set`` accepts (``NOM`` is a printer's name in the list).
KNOWN_SETTINGS = (
    "octoprint.url",
    "octoprint.api_key",
    "octoprint.timeout_s",
    "printers.NOM.port",
    "printers.NOM.url",
    "printers.NOM.backend",
    "printers.NOM.profile",
    "printers.NOM.api_key",
)


def _printer_name_ok(name: str) -> bool:
    return bool(name) and all(c.isalnum() or c in "-_" for c in name)


def setting_value(dotted: str, text: str) -> Any:
    """Check a value typed for ``kit config set`` and return what to store.

    Keys the kit does not read are refused (a typo such as ``octoprnt.url`` would otherwise be
    stored and ignored), and each known key's value is checked the way the kit will use it.
    """
    parts = [p.strip() for p in dotted.split(".")]
    shape = ".".join(parts[:1] + ["NOM"] + parts[2:]) if parts[0] == "printers" else dotted
    if shape not in KNOWN_SETTINGS or (parts[0] == "printers" and len(parts) != 3):
        known = ", ".join(cfg.french_key(setting) for setting in KNOWN_SETTINGS)
        raise KitError(
            f"Clé inconnue : « {cfg.french_key(dotted)} ». Clés possibles : {known} "
            "(NOM : le nom que vous donnez à l'imprimante, par exemple ender1)."
        )
    if parts[0] == "printers" and not _printer_name_ok(parts[1]):
        raise KitError(
            f"Nom d'imprimante invalide : « {parts[1]} ». Lettres, chiffres, « - » et « _ » "
            "seulement, par exemple ender1."
        )
    field_name = parts[-1]
    value = text.strip()
    if field_name == "timeout_s":
        try:
            seconds = float(value.replace(",", "."))
        except ValueError:
            seconds = float("nan")
        if not 0 < seconds <= 600:  # also refuses nan
            raise KitError(
                f"« {dotted} » doit être un nombre de secondes entre 0 et 600 (pas « {text} »)."
            )
        return int(seconds) if seconds.is_integer() else seconds
    if not value:
        raise KitError(f"« {dotted} » ne peut pas être vide : « kit config unset {dotted} ».")
    if field_name == "url":
        return normalise_url(value)
    if field_name == "backend":
        if value.lower() not in _BACKEND_NAMES:
            raise KitError(
                f"« {dotted} » vaut « {text} » : les valeurs possibles sont « serial » (USB) "
                "et « octoprint »."
            )
        return _BACKEND_NAMES[value.lower()].value
    if field_name == "profile":
        from printers.profile import load_profile

        load_profile(value)  # a French error naming the known profiles when it is unknown
        return value
    return value  # port, api_key: text as typed (a key made of digits stays text)
