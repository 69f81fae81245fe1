# SPDX-License-Identifier: GPL-3.0-or-later
# kit-titre: Mesurer la lumière
# kit-cartes: circuitplayground_express
"""Lit le capteur de lumière deux fois par seconde et affiche la mesure dans la console."""

import time

import analogio  # pour lire une tension (une valeur « analogique »)
import board

# Le capteur de lumière de la Circuit Playground est branché sur la broche LIGHT.
capteur = analogio.AnalogIn(board.LIGHT)

while True:
    mesure = capteur.value  # un nombre de 0 (noir complet) à 65535 (plein soleil)
    pourcentage = mesure * 100 // 65535
    if pourcentage < 20:
        ambiance = "sombre"
    elif pourcentage < 50:
        ambiance = "normal"
    else:
        ambiance = "lumineux"
    print("Lumière :", mesure, "soit", pourcentage, "% :", ambiance)
    time.sleep(0.5)
