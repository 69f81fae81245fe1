# SPDX-License-Identifier: GPL-3.0-or-later
# Défi « parcours » : le couloir en U ne tourne qu'à gauche.
# On avance tant que la voie est libre ; devant un obstacle, on tourne à gauche
# jusqu'à voir loin devant, puis on repart.

while True:
    if robot.distance() > 20:
        robot.avancer(vitesse=100)
    else:
        robot.arreter()
        robot.tourner_a_gauche(vitesse=70)
        while robot.distance() < 60:
            robot.attendre(0.02)
        robot.arreter()
    robot.attendre(0.02)
