# SPDX-License-Identifier: GPL-3.0-or-later
"""La Coop de la médiation numérique's « CRA collectif » vocabulary, value for value.

A conseiller numérique reports each atelier in La Coop (« compte rendu d'activité » collectif).
The field names and enum values below are the Coop's own, read in its open-source code,
repository ``inclusion-numerique/coop-mediation-numerique`` at commit
``46aa33bdf21c42c2d5bbb2913f5c453cca5a9542`` (2026-06-30):

- ``apps/web/prisma/schema.prisma``: model ``Activite`` (columns ``type``, ``date``,
  ``duree`` « Durée en minutes », ``type_lieu``, ``lieu_code_postal``, ``lieu_commune``,
  ``lieu_code_insee``, ``materiel``, ``thematiques``, ``titre_atelier``, ``niveau``, ``notes``,
  ``accompagnements_count``), enums ``TypeActivite``, ``TypeLieu``, ``Materiel``,
  ``Thematique``, ``NiveauAtelier``; the anonymous participants' enums ``Genre``,
  ``TrancheAge``, ``StatutSocial`` (columns ``genre``, ``tranche_age``, ``statut_social`` of
  model ``Beneficiaire``). The values are the database values (each enum member's ``@map``),
  which are also those of the Coop's public API (``apps/web/src/app/api/v1/activites/route.ts``).
- ``apps/web/src/features/activites/use-cases/cra/collectif/validation/``
  ``ParticipantsAnonymesCraCollectifValidation.ts``: the CRA collectif counts its anonymous
  participants by genre, by tranche d'âge and by statut social, each set summing to at most
  the total (the rest is « non communiqué »).
- ``apps/web/src/features/activites/use-cases/cra/validation/CraDureeValidation.ts``: a
  duration is at most 23 h 59 min.

The French labels are ours (shown in the report and the prompts); the values are the Coop's
and are what the exports write. ``tests/journal/test_coop.py`` pins every list.
"""

from __future__ import annotations

#: The commit of the Coop's repository these lists were read from.
COOP_COMMIT = "46aa33bdf21c42c2d5bbb2913f5c453cca5a9542"

#: ``TypeActivite``: the kit records ateliers, the Coop's « collectif » activities.
TYPE_ACTIVITE_COLLECTIF = "collectif"

#: ``TypeLieu``.
TYPES_LIEU: dict[str, str] = {
    "lieu_activite": "Lieu d'activité",
    "domicile": "À domicile",
    "a_distance": "À distance",
    "autre": "Autre lieu",
}

#: ``Materiel``.
MATERIELS: dict[str, str] = {
    "ordinateur": "Ordinateur",
    "telephone": "Téléphone",
    "tablette": "Tablette",
    "autre": "Autre matériel",
    "aucun": "Pas de matériel",
}

#: ``Thematique``, in the schema's order (the first nineteen are the « médiation numérique »
#: themes, the last eleven the « démarches administratives » ones; a CRA collectif may use all).
THEMATIQUES: dict[str, str] = {
    "diagnostic_numerique": "Diagnostic numérique",
    "prendre_en_main_du_materiel": "Prendre en main du matériel",
    "maintenance_de_materiel": "Maintenance de matériel",
    "gere_ses_contenus_numeriques": "Gérer ses contenus numériques",
    "navigation_sur_internet": "Navigation sur Internet",
    "email": "Courriel",
    "bureautique": "Bureautique",
    "reseaux_sociaux": "Réseaux sociaux",
    "sante": "Santé",
    "banque_et_achats_en_ligne": "Banque et achats en ligne",
    "entrepreneuriat": "Entrepreneuriat",
    "insertion_professionnelle": "Insertion professionnelle",
    "securite_numerique": "Sécurité numérique",
    "parentalite": "Parentalité",
    "scolarite_et_numerique": "Scolarité et numérique",
    "creer_avec_le_numerique": "Créer avec le numérique",
    "culture_numerique": "Culture numérique",
    "intelligence_artificielle": "Intelligence artificielle",
    "aide_aux_demarches_administratives": "Aide aux démarches administratives",
    "papiers_elections_citoyennete": "Papiers, élections, citoyenneté",
    "famille_scolarite": "Famille, scolarité",
    "social_sante": "Social, santé",
    "travail_formation": "Travail, formation",
    "logement": "Logement",
    "transports_mobilite": "Transports, mobilité",
    "argent_impots": "Argent, impôts",
    "justice": "Justice",
    "etrangers_europe": "Étrangers, Europe",
    "loisirs_sports_culture": "Loisirs, sports, culture",
    "associations": "Associations",
}

#: ``NiveauAtelier``.
NIVEAUX: dict[str, str] = {
    "debutant": "Débutant",
    "intermediaire": "Intermédiaire",
    "avance": "Avancé",
}

#: ``Genre``.
GENRES: dict[str, str] = {
    "masculin": "Masculin",
    "feminin": "Féminin",
    "non_communique": "Non communiqué",
}

#: ``TrancheAge``, youngest first.
TRANCHES_AGE: dict[str, str] = {
    "moins_de_douze": "Moins de 12 ans",
    "douze_dix_huit": "12 à 18 ans",
    "dix_huit_vingt_quatre": "18 à 24 ans",
    "vingt_cinq_trente_neuf": "25 à 39 ans",
    "quarante_cinquante_neuf": "40 à 59 ans",
    "soixante_soixante_neuf": "60 à 69 ans",
    "soixante_dix_plus": "70 ans et plus",
    "non_communique": "Non communiqué",
}

#: ``StatutSocial``.
STATUTS_SOCIAUX: dict[str, str] = {
    "scolarise": "Scolarisé",
    "sans_emploi": "Sans emploi",
    "en_emploi": "En emploi",
    "retraite": "Retraité",
    "non_communique": "Non communiqué",
}

NON_COMMUNIQUE = "non_communique"

#: The three ways the Coop counts anonymous participants: the ``Beneficiaire`` column each
#: one fills, and its values.
PARTICIPANT_CATEGORIES: dict[str, dict[str, str]] = {
    "genre": GENRES,
    "tranche_age": TRANCHES_AGE,
    "statut_social": STATUTS_SOCIAUX,
}

#: Longest duration the CRA form accepts: 23 h 59 min.
MAX_DUREE_MIN = 23 * 60 + 59

#: The export's columns: the ``Activite`` columns a CRA collectif fills (``structure_id`` is
#: the Coop's own identifier of a place, which the kit cannot know), then the anonymous
#: participants, one column per ``Beneficiaire`` column and value (``genre_feminin``…).
ACTIVITE_COLUMNS: tuple[str, ...] = (
    "type",
    "date",
    "duree",
    "type_lieu",
    "lieu_code_postal",
    "lieu_commune",
    "lieu_code_insee",
    "titre_atelier",
    "thematiques",
    "materiel",
    "niveau",
    "notes",
    "accompagnements_count",
)
PARTICIPANT_COLUMNS: tuple[str, ...] = tuple(
    f"{category}_{value}" for category, values in PARTICIPANT_CATEGORIES.items() for value in values
)
CSV_COLUMNS: tuple[str, ...] = ACTIVITE_COLUMNS + PARTICIPANT_COLUMNS

#: Short forms accepted on the command line (« --ages 12-18=6 »), beside the Coop's values.
AGE_ALIASES: dict[str, str] = {
    "-12": "moins_de_douze",
    "moins-12": "moins_de_douze",
    "12-18": "douze_dix_huit",
    "18-24": "dix_huit_vingt_quatre",
    "25-39": "vingt_cinq_trente_neuf",
    "40-59": "quarante_cinquante_neuf",
    "60-69": "soixante_soixante_neuf",
    "70+": "soixante_dix_plus",
    "nc": "non_communique",
}
GENRE_ALIASES: dict[str, str] = {"f": "feminin", "m": "masculin", "nc": "non_communique"}
STATUT_ALIASES: dict[str, str] = {
    "sans-emploi": "sans_emploi",
    "en-emploi": "en_emploi",
    "nc": "non_communique",
}
ALIASES: dict[str, dict[str, str]] = {
    "genre": GENRE_ALIASES,
    "tranche_age": AGE_ALIASES,
    "statut_social": STATUT_ALIASES,
}

#: What a category is called in a French message.
CATEGORY_FR: dict[str, str] = {
    "genre": "genre",
    "tranche_age": "tranche d'âge",
    "statut_social": "statut social",
}


def canonical(category: str, text: str) -> str | None:
    """The Coop value ``text`` names in ``category`` (its own value or a short form), or None."""
    key = text.strip().lower().replace(" ", "")
    values = PARTICIPANT_CATEGORIES[category]
    if key in values:
        return key
    underscored = key.replace("-", "_")
    if underscored in values:
        return underscored
    return ALIASES[category].get(key)


def choices_fr(values: dict[str, str]) -> str:
    """« a », « b », … for an error message listing the accepted values."""
    return ", ".join(f"« {value} »" for value in values)
