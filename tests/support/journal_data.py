# SPDX-License-Identifier: GPL-3.0-or-later
"""A year of generated ateliers, for the report's test and benchmark.

Deterministic (seeded): a realistic mix of lessons, sizes, age bands and attached results
(prints with filament, robot défis passed or not, boards, badges), written through the
journal's own API as the CLI would.
"""

from __future__ import annotations

import datetime as dt
import random

from journal import coop
from journal.model import Participants, SessionFields
from journal.store import Journal
from lessons.catalog import resolve

#: Lessons of the kit, one per support: their own [coop] defaults are used.
_LESSONS = (
    "3d-porte-cles-colleges",
    "robot-obstacles-college",
    "mcu-veilleuse-familles",
    "mobile-sms-frauduleux",
    "pc-adresse-mail-emploi",
)


def fill_year(journal: Journal, year: int, count: int, *, seed: int = 23) -> None:
    """Add ``count`` closed ateliers spread over ``year``, each with its attached results."""
    rng = random.Random(seed)
    lessons = [resolve(name) for name in _LESSONS]
    ages = [v for v in coop.TRANCHES_AGE if v != coop.NON_COMMUNIQUE]
    for index in range(count):
        plan = lessons[index % len(lessons)]
        lesson, support = plan.ident, plan.support
        day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        started = dt.datetime.combine(day, dt.time(rng.choice((10, 14, 16)), 0))
        total = rng.randint(4, 14)
        band = rng.choice(ages)
        counted = rng.randint(0, total)
        women = rng.randint(0, total)
        people = Participants.build(
            total,
            {
                "tranche_age": {band: counted},
                "genre": {"feminin": women, "masculin": total - women},
            },
        )
        fields = SessionFields(
            title=f"Atelier {index + 1} — {lesson}",
            lesson=lesson,
            support=support,
            commune="Nantes",
            postal_code="44000",
            themes=plan.coop_defaults.thematiques,
            equipment=plan.coop_defaults.materiel,
            level=rng.choice(tuple(coop.NIVEAUX)),
            participants=people,
        )
        session = journal.open_session(fields, now=started)
        moment = started + dt.timedelta(minutes=5)
        if support == "impression-3d":
            for _ in range(rng.randint(1, 3)):
                done = rng.random() < 0.9
                grams = rng.uniform(3, 25)
                journal.attach_event(
                    "print",
                    {
                        "completed": done,
                        "seconds": rng.uniform(600, 3600),
                        "filament_g": grams,
                        "cost_eur": grams * 0.025,
                    },
                    now=moment,
                )
        elif support == "robot":
            for _ in range(rng.randint(2, 6)):
                journal.attach_event(
                    "robot_run",
                    {"challenge": "arret-mur", "passed": rng.random() < 0.6, "seconds": 12.0},
                    now=moment,
                )
            journal.attach_event(
                "badge", {"badge": "arret-mur", "count": rng.randint(1, 4)}, now=moment
            )
        elif support == "microcontroleur":
            for _ in range(rng.randint(1, 4)):
                journal.attach_event(
                    "mcu_deploy",
                    {"board": "circuitplayground_express", "script": "veilleuse", "files": 2},
                    now=moment,
                )
        journal.close_session(
            session.id, fields, rng.choice((60, 90, 120)), now=started + dt.timedelta(hours=2)
        )
