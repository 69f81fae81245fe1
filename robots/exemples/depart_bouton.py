# SPDX-License-Identifier: GPL-3.0-or-later
# Défi « depart-bouton » : attendre le bouton, puis s'arrêter devant le mur.
# Sur le simulateur, le défi appuie sur le bouton à 3 s (ou --appui 5).

robot.leds(255, 120, 0)          # orange : « j'attends le signal »
robot.attendre_bouton()
robot.leds(0, 255, 0)
robot.avancer(vitesse=100)
while robot.distance() > 11:
    robot.attendre(0.02)
robot.arreter()
