# SPDX-License-Identifier: GPL-3.0-or-later
# kit-titre: Faire clignoter la LED de la carte
# kit-cartes: circuitplayground_express, feather_esp32s3, feather_m4_express, pico, xiao_rp2040
"""Fait clignoter la petite LED de la carte : une demi-seconde allumée, une demi-seconde éteinte."""

import time  # pour attendre

import board  # les noms des broches de la carte
import digitalio  # pour allumer ou éteindre une broche

# On prépare la broche de la LED en « sortie » : c'est la carte qui décide si elle s'allume.
led = digitalio.DigitalInOut(board.LED)
led.direction = digitalio.Direction.OUTPUT

print("La LED clignote ! (Ctrl-C pour arrêter)")

# Une boucle qui ne s'arrête jamais : c'est normal sur une carte.
while True:
    led.value = True  # allume la LED
    time.sleep(0.5)  # attend une demi-seconde
    led.value = False  # éteint la LED
    time.sleep(0.5)  # attend encore une demi-seconde
