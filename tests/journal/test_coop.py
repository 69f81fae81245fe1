# SPDX-License-Identifier: GPL-3.0-or-later
"""La Coop's « CRA collectif » vocabulary, pinned value for value to the cited source.

Every list below was read in inclusion-numerique/coop-mediation-numerique at commit
46aa33bdf21c42c2d5bbb2913f5c453cca5a9542, apps/web/prisma/schema.prisma (enums TypeLieu,
Materiel, Thematique, NiveauAtelier, Genre, TrancheAge, StatutSocial: each member's @map, the
value stored and served by the Coop's API v1) and model Activite (@map column names). A
change of the kit's lists must be a change of that source, with a new commit cited.
"""

from __future__ import annotations

import csv
import io

from journal import coop
from journal.export import LIST_SEPARATOR, csv_text
from journal.model import Participants, SessionFields
from journal.store import Journal

SOURCE_COMMIT = "46aa33bdf21c42c2d5bbb2913f5c453cca5a9542"

TYPE_LIEU = ["lieu_activite", "domicile", "a_distance", "autre"]
MATERIEL = ["ordinateur", "telephone", "tablette", "autre", "aucun"]
THEMATIQUE = [
    "diagnostic_numerique", "prendre_en_main_du_materiel", "maintenance_de_materiel",
    "gere_ses_contenus_numeriques", "navigation_sur_internet", "email", "bureautique",
    "reseaux_sociaux", "sante", "banque_et_achats_en_ligne", "entrepreneuriat",
    "insertion_professionnelle", "securite_numerique", "parentalite", "scolarite_et_numerique",
    "creer_avec_le_numerique", "culture_numerique", "intelligence_artificielle",
    "aide_aux_demarches_administratives", "papiers_elections_citoyennete", "famille_scolarite",
    "social_sante", "travail_formation", "logement", "transports_mobilite", "argent_impots",
    "justice", "etrangers_europe", "loisirs_sports_culture", "associations",
]  # fmt: skip
NIVEAU_ATELIER = ["debutant", "intermediaire", "avance"]
GENRE = ["masculin", "feminin", "non_communique"]
TRANCHE_AGE = [
    "moins_de_douze", "douze_dix_huit", "dix_huit_vingt_quatre", "vingt_cinq_trente_neuf",
    "quarante_cinquante_neuf", "soixante_soixante_neuf", "soixante_dix_plus", "non_communique",
]  # fmt: skip
STATUT_SOCIAL = ["scolarise", "sans_emploi", "en_emploi", "retraite", "non_communique"]
#: model Activite: the @map names of the columns a CRA collectif fills.
ACTIVITE_COLUMNS = [
    "type", "date", "duree", "type_lieu", "lieu_code_postal", "lieu_commune", "lieu_code_insee",
    "titre_atelier", "thematiques", "materiel", "niveau", "notes", "accompagnements_count",
]  # fmt: skip


def test_the_kit_cites_the_commit_its_lists_come_from() -> None:
    assert coop.COOP_COMMIT == SOURCE_COMMIT


def test_every_enum_is_the_coops_value_for_value_in_its_order() -> None:
    assert list(coop.TYPES_LIEU) == TYPE_LIEU
    assert list(coop.MATERIELS) == MATERIEL
    assert list(coop.THEMATIQUES) == THEMATIQUE
    assert list(coop.NIVEAUX) == NIVEAU_ATELIER
    assert list(coop.GENRES) == GENRE
    assert list(coop.TRANCHES_AGE) == TRANCHE_AGE
    assert list(coop.STATUTS_SOCIAUX) == STATUT_SOCIAL


def test_the_csv_columns_are_the_activite_columns_then_one_per_participant_value() -> None:
    expected = ACTIVITE_COLUMNS + [
        f"{column}_{value}"
        for column, values in (
            ("genre", GENRE),
            ("tranche_age", TRANCHE_AGE),
            ("statut_social", STATUT_SOCIAL),
        )
        for value in values
    ]
    assert list(coop.CSV_COLUMNS) == expected


def test_every_short_form_typed_on_the_command_line_names_a_coop_value() -> None:
    for category, aliases in coop.ALIASES.items():
        for alias, value in aliases.items():
            assert coop.canonical(category, alias) == value
            assert value in coop.PARTICIPANT_CATEGORIES[category]
    assert coop.canonical("tranche_age", "douze-dix-huit") == "douze_dix_huit"
    assert coop.canonical("tranche_age", "13-17") is None


def test_a_csv_export_holds_only_coop_columns_and_coop_values(journal: Journal) -> None:
    """Every kind of value the kit writes, across several ateliers, is one the Coop knows."""
    import datetime as dt

    for index, (place, commune) in enumerate(
        (("lieu_activite", ""), ("domicile", "Rezé"), ("autre", "Nantes"), ("a_distance", ""))
    ):
        people = Participants.build(
            10,
            {
                "genre": {"feminin": 4, "masculin": 3},
                "tranche_age": {TRANCHE_AGE[index]: 5, "soixante_dix_plus": 2},
                "statut_social": {"retraite": 2, "scolarise": 5},
            },
        )
        fields = SessionFields(
            title=f"Atelier, « n° {index} »",
            place_type=place,
            commune=commune,
            postal_code="44400" if commune else "",
            themes=tuple(THEMATIQUE[index : index + 3]),
            equipment=(MATERIEL[index],),
            level=NIVEAU_ATELIER[index % 3] if index < 3 else None,
            participants=people,
        )
        journal.add_session(fields, dt.datetime(2026, 10, 1 + index, 14), 90)
    rows = list(csv.DictReader(io.StringIO(csv_text(journal.sessions()))))
    assert len(rows) == 4
    enums = {
        "type": ["collectif"],
        "type_lieu": TYPE_LIEU,
        "niveau": NIVEAU_ATELIER + [""],
    }
    for row in rows:
        assert list(row) == list(coop.CSV_COLUMNS)
        for column, allowed in enums.items():
            assert row[column] in allowed
        for column, allowed in (("thematiques", THEMATIQUE), ("materiel", MATERIEL)):
            values = row[column].split(LIST_SEPARATOR.strip())
            assert values and all(value.strip() in allowed for value in values)
        assert dt.date.fromisoformat(row["date"])
        assert 1 <= int(row["duree"]) <= 23 * 60 + 59
        total = int(row["accompagnements_count"])
        for prefix, values in (
            ("genre", GENRE),
            ("tranche_age", TRANCHE_AGE),
            ("statut_social", STATUT_SOCIAL),
        ):
            assert sum(int(row[f"{prefix}_{value}"]) for value in values) == total
    assert rows[1]["lieu_commune"] == "Rezé" and rows[1]["lieu_code_postal"] == "44400"
    assert rows[0]["titre_atelier"] == "Atelier, « n° 0 »"
