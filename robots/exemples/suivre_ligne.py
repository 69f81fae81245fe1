# SPDX-License-Identifier: GPL-3.0-or-later
# Défis « tour-ovale » et « virage-serre » : suivre la ligne noire.
# robot.ligne() vaut 0 (les deux capteurs sur la ligne), 1 (seulement le gauche),
# 2 (seulement le droit) ou 3 (aucun : la ligne est perdue).


def chercher(sens, duree):
    """Tourne sur place d'un côté jusqu'à retrouver la ligne, pendant « duree » secondes."""
    if sens == "gauche":
        robot.tourner_a_gauche(vitesse=70)
    else:
        robot.tourner_a_droite(vitesse=70)
    debut = robot.temps()
    while robot.temps() - debut < duree:
        if robot.ligne() != 3:
            return True
        robot.attendre(0.01)
    return False


dernier_cote = "gauche"
# Chaque ordre au robot prend du temps (quelques millisecondes en USB, plusieurs dizaines
# en Bluetooth) : on n'envoie aux moteurs que ce qui change.
vitesses = None
while True:
    capteurs = robot.ligne()
    if capteurs == 0:
        voulu = (80, 80)
    elif capteurs == 1:
        voulu = (0, 80)
        dernier_cote = "gauche"
    elif capteurs == 2:
        voulu = (80, 0)
        dernier_cote = "droite"
    else:
        # Ligne perdue (virage serré) : on cherche du côté où on l'a vue en dernier,
        # puis de l'autre côté.
        robot.arreter()
        autre_cote = "droite" if dernier_cote == "gauche" else "gauche"
        if not chercher(dernier_cote, 0.5):
            chercher(autre_cote, 2.5)
        vitesses = None
        continue
    if voulu != vitesses:
        robot.moteurs(*voulu)
        vitesses = voulu
