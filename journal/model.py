# SPDX-License-Identifier: GPL-3.0-or-later
"""What the journal holds, as typed data: sessions, their participants, attached events.

Event kinds and the figures each carries (written by the CLI through
``kit.commands.record.record_event``; docs/journal.md is the reference):

- ``print``: ``completed`` (bool), ``seconds``, ``filament_g``, ``cost_eur``, ``profile``;
- ``check``: ``printable`` (bool), ``estimated_s``, ``filament_g``, ``cost_eur``;
- ``robot_run``: ``challenge`` (a défi's name or None), ``passed`` (bool or None),
  ``seconds``, ``example`` (the kit's example program, or None for the learner's own);
- ``mcu_flash``: ``board``, ``format`` (``bin`` or ``uf2``);
- ``mcu_deploy``: ``board``, ``script`` (the kit's session program, or None), ``files``;
- ``badge``: ``badge`` (its identifier), ``count`` (1 when absent).

Names of people and of the user's own files are never stored: only figures and the kit's own
names (profiles, défis, boards, programs shipped with the kit).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from journal import coop
from kit.errors import KitError

#: What an event's figures may be.
Scalar = str | int | float | bool | None

#: Origins of a session: opened and closed with the kit, or added afterwards.
ORIGIN_KIT = "kit"
ORIGIN_ADDED = "ajout"

#: Longest text kept in an event (a défi or board name, never a paragraph).
MAX_EVENT_TEXT = 120


@dataclass(frozen=True)
class Participants:
    """The anonymous participants of an atelier: a total, and per Coop category the count of
    each value (« non communiqué » takes whatever the others leave)."""

    total: int
    counts: Mapping[str, Mapping[str, int]]

    @classmethod
    def build(
        cls, total: int, given: Mapping[str, Mapping[str, int]] | None = None
    ) -> Participants:
        """Check ``given`` (category → value → count) against ``total``; French errors."""
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise KitError(f"Le nombre de participants doit être un entier positif ({total}).")
        if total > 10_000:
            raise KitError(f"{total} participants : La Coop en accepte 10 000 au plus.")
        counts: dict[str, dict[str, int]] = {}
        for category, values in coop.PARTICIPANT_CATEGORIES.items():
            wanted = dict((given or {}).get(category, {}))
            for value, count in wanted.items():
                if value not in values:
                    raise KitError(
                        f"« {value} » n'est pas une valeur de {coop.CATEGORY_FR[category]} "
                        f"({coop.choices_fr(values)})."
                    )
                if count < 0:
                    raise KitError(f"Un nombre de participants est négatif ({value} : {count}).")
            known = sum(c for v, c in wanted.items() if v != coop.NON_COMMUNIQUE)
            if known > total:
                raise KitError(
                    f"Par {coop.CATEGORY_FR[category]}, {known} participants sont comptés, pour "
                    f"un total de {total}.",
                    hint="Corrigez le total (--participants) ou les nombres par catégorie.",
                )
            row = {value: wanted.get(value, 0) for value in values}
            row[coop.NON_COMMUNIQUE] = total - known
            counts[category] = row
        return cls(total=total, counts=counts)

    def count(self, category: str, value: str) -> int:
        return self.counts.get(category, {}).get(value, 0)

    def given(self) -> dict[str, dict[str, int]]:
        """The counts typed in (non-zero, « non communiqué » left out)."""
        return {
            category: {v: c for v, c in row.items() if c and v != coop.NON_COMMUNIQUE}
            for category, row in self.counts.items()
        }


@dataclass(frozen=True)
class Event:
    id: int
    at: dt.datetime
    kind: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Session:
    """One atelier, in the Coop's terms (``journal.coop``) plus what the kit saw."""

    id: int
    day: dt.date
    started_at: dt.datetime
    ended_at: dt.datetime | None
    duration_min: int | None
    origin: str
    lesson: str | None
    support: str | None
    title: str
    place_type: str
    commune: str
    postal_code: str
    insee_code: str
    themes: tuple[str, ...]
    equipment: tuple[str, ...]
    level: str | None
    notes: str
    participants: Participants
    events: tuple[Event, ...] = field(default=())

    @property
    def is_open(self) -> bool:
        return self.ended_at is None and self.origin == ORIGIN_KIT

    @property
    def activity(self) -> Activity:
        return Activity.of(self.events)


@dataclass
class Activity:
    """What the kit did in one or more sessions, summed from their events."""

    prints: int = 0
    prints_completed: int = 0
    print_seconds: float = 0.0
    filament_g: float = 0.0
    filament_cost_eur: float = 0.0
    checks: int = 0
    robot_runs: int = 0
    challenges_tried: int = 0
    challenges_passed: int = 0
    boards_flashed: int = 0
    deploys: int = 0
    badges: int = 0

    @classmethod
    def of(cls, events: tuple[Event, ...] | list[Event]) -> Activity:
        activity = cls()
        for event in events:
            activity.add(event)
        return activity

    def add(self, event: Event) -> None:
        data = event.data
        if event.kind == "print":
            self.prints += 1
            self.prints_completed += bool(data.get("completed"))
            self.print_seconds += _number(data.get("seconds"))
            self.filament_g += _number(data.get("filament_g"))
            self.filament_cost_eur += _number(data.get("cost_eur"))
        elif event.kind == "check":
            self.checks += 1
        elif event.kind == "robot_run":
            self.robot_runs += 1
            if data.get("challenge"):
                self.challenges_tried += 1
                self.challenges_passed += data.get("passed") is True
        elif event.kind == "mcu_flash":
            self.boards_flashed += 1
        elif event.kind == "mcu_deploy":
            self.deploys += 1
        elif event.kind == "badge":
            count = data.get("count", 1)
            self.badges += count if isinstance(count, int) and count > 0 else 1

    def merge(self, other: Activity) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary_fr(self) -> str:
        """« 2 impressions, défis 1/2, 1 carte » — what a row of ``kit journal liste`` shows."""
        parts = []
        if self.prints:
            parts.append(f"{self.prints} impression{'s' if self.prints > 1 else ''}")
        if self.challenges_tried:
            parts.append(f"défis {self.challenges_passed}/{self.challenges_tried}")
        elif self.robot_runs:
            parts.append(f"{self.robot_runs} programme{'s' if self.robot_runs > 1 else ''} robot")
        boards = self.boards_flashed + self.deploys
        if boards:
            parts.append(f"{boards} carte{'s' if boards > 1 else ''}")
        if self.badges:
            parts.append(f"{self.badges} badge{'s' if self.badges > 1 else ''}")
        return ", ".join(parts)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(value) if math.isfinite(value) else 0.0


def check_event(kind: str, data: Mapping[str, Any]) -> dict[str, Scalar]:
    """``data`` as it will be stored, or TypeError/ValueError for a caller's mistake.

    Keys are short lower-case identifiers; values are figures, booleans, None or a short text.
    """
    if not kind or not kind.replace("_", "").isalnum() or not kind.islower():
        raise ValueError(f"event kind {kind!r}: lower-case letters, digits and _ only")
    clean: dict[str, Scalar] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not key or not key.replace("_", "").isalnum():
            raise ValueError(f"event key {key!r}: letters, digits and _ only")
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        if isinstance(value, str) and len(value) > MAX_EVENT_TEXT:
            raise ValueError(f"event value for {key!r} is too long for a name")
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise TypeError(f"event value for {key!r} must be a figure, a bool or a short text")
        clean[key] = value
    return clean


@dataclass(frozen=True)
class SessionFields:
    """What describes an atelier, as typed in or taken from its lesson (Coop values)."""

    title: str
    place_type: str = "lieu_activite"
    lesson: str | None = None
    support: str | None = None
    commune: str = ""
    postal_code: str = ""
    insee_code: str = ""
    themes: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    level: str | None = None
    notes: str = ""
    participants: Participants = field(default_factory=lambda: Participants.build(0))

    def checked(self, *, complete: bool) -> SessionFields:
        """These fields, or a French error for a value La Coop would refuse.

        ``complete``: the atelier is being closed or added, so the CRA's required fields
        (at least one thématique) must be there. A commune is asked for an atelier
        « domicile » or « autre » from the start: closing it could not add one.
        """
        if not self.title.strip():
            raise KitError("Le titre de l'atelier est vide.")
        if len(self.title) > 200:
            raise KitError("Le titre de l'atelier est trop long (200 caractères au plus).")
        _check_values("un type de lieu", (self.place_type,), coop.TYPES_LIEU)
        _check_values("une thématique", self.themes, coop.THEMATIQUES)
        _check_values("un matériel", self.equipment, coop.MATERIELS)
        if self.level is not None:
            _check_values("un niveau", (self.level,), coop.NIVEAUX)
        if self.postal_code and not (len(self.postal_code) == 5 and self.postal_code.isdigit()):
            raise KitError(f"Code postal invalide : « {self.postal_code} » (5 chiffres).")
        if self.insee_code and not (len(self.insee_code) == 5 and self.insee_code.isalnum()):
            raise KitError(f"Code INSEE invalide : « {self.insee_code} » (5 caractères).")
        if self.place_type in ("domicile", "autre") and not self.commune.strip():
            raise KitError(
                f"Pour un atelier « {self.place_type} », La Coop demande la commune (--commune)."
            )
        if complete and not self.themes:
            raise KitError(
                "La Coop demande au moins une thématique.",
                hint=f"Thématiques possibles : {coop.choices_fr(coop.THEMATIQUES)}.",
            )
        return self


def _check_values(what: str, values: tuple[str, ...], options: dict[str, str]) -> None:
    for value in values:
        if value not in options:
            raise KitError(
                f"« {value} » n'est pas {what} de La Coop.",
                hint=f"Valeurs possibles : {coop.choices_fr(options)}.",
            )
