# SPDX-License-Identifier: GPL-3.0-or-later
# kit-titre: Faire tourner un servomoteur
# kit-cartes: circuitplayground_express, feather_esp32s3, feather_m4_express, pico, qtpy_esp32s2, xiao_rp2040
"""Fait balayer un servomoteur de 0° à 180° puis revenir, sans fin.

Branchement : fil marron (ou noir) sur GND, fil rouge sur 3.3V (ou VOUT), fil orange (ou
jaune) sur la broche A2.
"""

import time

import board
import pwmio  # pour envoyer des impulsions au servomoteur
from adafruit_motor import servo  # la bibliothèque qui transforme un angle en impulsions

# Un servomoteur attend 50 impulsions par seconde (50 Hz).
impulsions = pwmio.PWMOut(board.A2, duty_cycle=2**15, frequency=50)
moteur = servo.Servo(impulsions)

while True:
    # Aller : de 0° à 180°, 5° à la fois.
    for angle in range(0, 181, 5):
        moteur.angle = angle
        time.sleep(0.05)
    # Retour : de 180° à 0°.
    for angle in range(180, -1, -5):
        moteur.angle = angle
        time.sleep(0.05)
