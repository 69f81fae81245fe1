# SPDX-License-Identifier: GPL-3.0-or-later
# kit-titre: Les couleurs des NeoPixels, puis un arc-en-ciel
# kit-cartes: circuitplayground_express, feather_esp32s3, feather_m4_express, qtpy_esp32s2, xiao_rp2040
"""Allume les NeoPixels (LED de couleur) en rouge, vert, bleu, jaune, violet, puis fait
tourner un arc-en-ciel."""

import time

import board
import neopixel  # la bibliothèque qui pilote les LED de couleur
from rainbowio import colorwheel  # donne une couleur de l'arc-en-ciel pour un nombre de 0 à 255

# Combien de NeoPixels ? 10 en cercle sur la Circuit Playground, 1 seul sur les autres cartes.
if board.board_id == "circuitplayground_express":
    NOMBRE = 10
else:
    NOMBRE = 1

# brightness = luminosité (de 0 à 1) : 0.2 suffit, les NeoPixels éblouissent !
# auto_write=False : les couleurs ne changent qu'au moment de pixels.show().
pixels = neopixel.NeoPixel(board.NEOPIXEL, NOMBRE, brightness=0.2, auto_write=False)

# Une couleur = (rouge, vert, bleu), chaque valeur de 0 (éteint) à 255 (à fond).
ROUGE = (255, 0, 0)
VERT = (0, 255, 0)
BLEU = (0, 0, 255)
JAUNE = (255, 150, 0)
VIOLET = (180, 0, 255)
COULEURS = [ROUGE, VERT, BLEU, JAUNE, VIOLET]

while True:
    # 1) Chaque couleur pendant une seconde.
    for couleur in COULEURS:
        pixels.fill(couleur)  # toutes les LED de la même couleur
        pixels.show()  # on envoie les couleurs aux LED
        time.sleep(1)

    # 2) L'arc-en-ciel : on décale un peu les couleurs à chaque tour.
    for decalage in range(0, 256, 4):
        for numero in range(NOMBRE):
            position = (numero * 256 // NOMBRE + decalage) % 256
            pixels[numero] = colorwheel(position)
        pixels.show()
        time.sleep(0.05)
