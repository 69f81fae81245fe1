# SPDX-License-Identifier: GPL-3.0-or-later
"""The atelier journal: every session in SQLite, La Coop's categories, exports and the report.

- :mod:`journal.coop`: La Coop de la médiation numérique's « CRA collectif » vocabulary;
- :mod:`journal.periods`: « 2026 », « 2026-T4 », « 2026-11 » as date ranges;
- :mod:`journal.schema`: the SQLite schema and its forward migrations;
- :mod:`journal.store`: opening the journal safely, sessions, attached events, backup, erasure;
- :mod:`journal.export`: CSV, ODS and JSON in the Coop's field names and values;
- :mod:`journal.report`: the yearly activity report (HTML or PDF, with charts).

The journal stores counts, never a participant's name (see README, « Données personnelles »).
"""
