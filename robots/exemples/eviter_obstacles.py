# SPDX-License-Identifier: GPL-3.0-or-later
# Se promener sans rien toucher : reculer un peu et tourner dès qu'un obstacle approche.
# (Utilisé aussi par la mesure de performance du simulateur.)

while True:
    if robot.distance() < 35:
        robot.reculer(vitesse=80, duree=0.3)
        robot.tourner_a_droite(vitesse=80, duree=0.6)
    else:
        robot.avancer(vitesse=100)
    robot.attendre(0.05)
