# SPDX-License-Identifier: GPL-3.0-or-later
# kit-titre: Jouer une mélodie sur le haut-parleur
# kit-cartes: circuitplayground_express
"""Joue « Frère Jacques » sur le petit haut-parleur, puis se tait."""

import time

import board
import digitalio
import simpleio  # la bibliothèque qui sait jouer une note : simpleio.tone(broche, fréquence, durée)

# Sur la Circuit Playground, il faut d'abord allumer l'amplificateur du haut-parleur.
ampli = digitalio.DigitalInOut(board.SPEAKER_ENABLE)
ampli.direction = digitalio.Direction.OUTPUT
ampli.value = True

# Chaque note est une fréquence en hertz (vibrations par seconde).
DO = 262
RE = 294
MI = 330
FA = 349
SOL = 392

# La mélodie : (note, durée en secondes).
MELODIE = [
    (DO, 0.4), (RE, 0.4), (MI, 0.4), (DO, 0.4),
    (DO, 0.4), (RE, 0.4), (MI, 0.4), (DO, 0.4),
    (MI, 0.4), (FA, 0.4), (SOL, 0.8),
    (MI, 0.4), (FA, 0.4), (SOL, 0.8),
]

for note, duree in MELODIE:
    simpleio.tone(board.SPEAKER, note, duree)  # joue la note
    time.sleep(0.05)  # un tout petit silence entre deux notes

ampli.value = False  # on éteint l'amplificateur
print("Fin de la mélodie !")
