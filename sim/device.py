# SPDX-License-Identifier: GPL-3.0-or-later
"""The contract every simulator fulfils, and the virtual clock that drives it.

A simulator never does I/O and never reads the wall clock: whoever drives it (the in-process
``sim://`` serial link, or the pty/socket server) passes the current virtual time to every
call. This keeps simulators deterministic and lets a one-hour print run in seconds.

Driving loop, as implemented by :mod:`kit.urlhandler.protocol_sim` and :mod:`sim.serving`::

    device.on_open(now)
    while running:
        device.feed(bytes_from_host, now)          # when the host writes
        device.advance(now)                        # run the model up to ``now``
        bytes_to_host = device.read_output()       # what is due by ``now``
        wake = device.next_event_s()               # when to come back at the latest
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping

from kit.errors import KitError
from kit.messages import number_fr


class SimOptionError(KitError):
    """A simulator option in a ``sim://`` URL or on ``kit sim serve`` is invalid."""


class VirtualClock:
    """A monotonic clock in seconds that only moves when told to."""

    def __init__(self, start_s: float = 0.0) -> None:
        self._now_s = start_s

    def now(self) -> float:
        return self._now_s

    def advance_to(self, t_s: float) -> None:
        if t_s > self._now_s:
            self._now_s = t_s


class SimulatedDevice(ABC):
    """A device model that exchanges bytes with one host, in virtual time.

    Subclasses receive their options as strings (from the URL query or the command line)
    and must reject unknown or invalid ones with :class:`SimOptionError` (French message).
    """

    #: Short name used in ``sim://KIND`` and ``kit sim serve KIND``.
    kind: str = ""

    def __init__(self, options: Mapping[str, str] | None = None) -> None:
        self.options: dict[str, str] = dict(options or {})

    # -- host side -----------------------------------------------------------------------
    @abstractmethod
    def feed(self, data: bytes, now_s: float) -> None:
        """Bytes written by the host arrive at the device at virtual time ``now_s``."""

    @abstractmethod
    def read_output(self) -> bytes:
        """Return (and forget) the bytes due to the host by the last :meth:`advance` time."""

    @abstractmethod
    def advance(self, now_s: float) -> None:
        """Run the model up to virtual time ``now_s`` (never called with a smaller time)."""

    def next_event_s(self) -> float | None:
        """Earliest future time at which output may appear or the state changes by itself.

        ``None`` means the device is idle until the host writes something. The driver uses
        this to jump over idle virtual time instead of polling.
        """
        return None

    # -- line events ---------------------------------------------------------------------
    def on_open(self, now_s: float) -> None:  # noqa: B027 - optional hook
        """The host opened the port (boards that reset on open start their boot here)."""

    def on_close(self, now_s: float) -> None:  # noqa: B027 - optional hook
        """The host closed the port."""

    def set_control_lines(self, dtr: bool, rts: bool, now_s: float) -> None:  # noqa: B027
        """DTR/RTS changed (auto-reset circuits of Arduino and ESP boards react to this)."""

    def set_baudrate(self, baudrate: int, now_s: float) -> None:  # noqa: B027
        """The host changed the line speed."""


def option_float(
    options: Mapping[str, str],
    name: str,
    default: float,
    *,
    minimum: float = -math.inf,
    maximum: float = math.inf,
) -> float:
    """Read a numeric simulator option, with a French error when it is not usable."""
    raw = options.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SimOptionError(f"L'option « {name} » attend un nombre, pas « {raw} ».") from None
    if not math.isfinite(value) or not minimum <= value <= maximum:
        raise SimOptionError(
            f"L'option « {name} » doit être comprise entre {number_fr(minimum, 6)} et "
            f"{number_fr(maximum, 6)} "
            f"(reçu : {raw})."
        )
    return value


def option_int(
    options: Mapping[str, str],
    name: str,
    default: int,
    *,
    minimum: int = -(2**63),
    maximum: int = 2**63,
) -> int:
    raw = options.get(name)
    if raw is None:
        return default
    try:
        value = int(raw, 0)
    except ValueError:
        raise SimOptionError(f"L'option « {name} » attend un entier, pas « {raw} ».") from None
    if not minimum <= value <= maximum:
        raise SimOptionError(
            f"L'option « {name} » doit être comprise entre {minimum} et {maximum} (reçu : {raw})."
        )
    return value


def option_bool(options: Mapping[str, str], name: str, default: bool) -> bool:
    raw = options.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "oui", "on", ""}:
        return True
    if lowered in {"0", "false", "no", "non", "off"}:
        return False
    raise SimOptionError(f"L'option « {name} » attend oui/non (1/0), pas « {raw} ».")


def reject_unknown_options(options: Mapping[str, str], known: set[str], kind: str) -> None:
    unknown = sorted(set(options) - known)
    if unknown:
        raise SimOptionError(
            f"Option inconnue pour le simulateur « {kind} » : {', '.join(unknown)}. "
            f"Options possibles : {', '.join(sorted(known)) or 'aucune'}."
        )
