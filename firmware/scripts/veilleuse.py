# SPDX-License-Identifier: GPL-3.0-or-later
# kit-titre: Une veilleuse qui s'allume dans le noir
# kit-cartes: circuitplayground_express
# kit-entrees: LIGHT@0=30000 LIGHT@2=3000 LIGHT@4=30000
"""Les NeoPixels s'allument en orange doux quand la pièce devient sombre, et s'éteignent
quand la lumière revient."""

import time

import analogio
import board
import neopixel

capteur = analogio.AnalogIn(board.LIGHT)  # le capteur de lumière
pixels = neopixel.NeoPixel(board.NEOPIXEL, 10, brightness=0.2)

SEUIL = 10000  # en dessous de cette mesure, on considère qu'il fait sombre
ORANGE_DOUX = (255, 80, 0)
ETEINT = (0, 0, 0)

while True:
    mesure = capteur.value
    if mesure < SEUIL:
        pixels.fill(ORANGE_DOUX)  # il fait sombre : on allume
    else:
        pixels.fill(ETEINT)  # il fait clair : on éteint
    print("Lumière :", mesure)
    time.sleep(0.5)
