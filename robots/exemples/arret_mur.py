# SPDX-License-Identifier: GPL-3.0-or-later
# Défi « arret-mur » : avancer vers le mur et s'arrêter à moins de 10 cm sans le toucher.
# Le robot met un peu de temps à freiner : on s'arrête donc un peu avant 10 cm.

robot.avancer(vitesse=100)
while robot.distance() > 11:
    robot.attendre(0.02)
robot.arreter()
robot.leds(0, 255, 0)
robot.note(880, 0.3)
