# SPDX-License-Identifier: GPL-3.0-or-later
# kit-titre: Un bouton qui allume la LED
# kit-cartes: circuitplayground_express, feather_esp32s3
# kit-entrees: BUTTON_A@1=1 BUTTON_A@2=0 BUTTON_A@3=1 BUTTON_A@3.5=0 BUTTON@1=1 BUTTON@2=0 BUTTON@3=1 BUTTON@3.5=0
"""Tant qu'on appuie sur le bouton, la LED s'allume ; on relâche, elle s'éteint."""

import time

import board
import digitalio

# La LED, en sortie.
led = digitalio.DigitalInOut(board.LED)
led.direction = digitalio.Direction.OUTPUT

# Le bouton, en entrée. Selon la carte, il n'est pas câblé pareil :
# - Circuit Playground : le bouton A donne True quand on appuie (résistance « pull down ») ;
# - Feather ESP32-S3 : le bouton BUTTON donne False quand on appuie (résistance « pull up »).
if hasattr(board, "BUTTON_A"):
    bouton = digitalio.DigitalInOut(board.BUTTON_A)
    bouton.switch_to_input(pull=digitalio.Pull.DOWN)
    APPUYE = True
else:
    bouton = digitalio.DigitalInOut(board.BUTTON)
    bouton.switch_to_input(pull=digitalio.Pull.UP)
    APPUYE = False

print("Appuyez sur le bouton !")

while True:
    # La LED recopie l'état du bouton : allumée si le bouton est appuyé.
    led.value = bouton.value == APPUYE
    time.sleep(0.01)  # on regarde le bouton 100 fois par seconde
