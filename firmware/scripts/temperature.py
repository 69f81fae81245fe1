# SPDX-License-Identifier: GPL-3.0-or-later
# kit-titre: La température de la puce
# kit-cartes: circuitplayground_express, feather_esp32s3, feather_m4_express, pico, qtpy_esp32s2, xiao_rp2040
"""Affiche chaque seconde la température mesurée par la puce de la carte."""

import time

import microcontroller  # donne accès à la puce elle-même

while True:
    # La puce a un petit thermomètre intégré (en degrés Celsius).
    temperature = microcontroller.cpu.temperature
    print("Température de la puce :", round(temperature, 1), "°C")
    if temperature > 30:
        print("  Il fait chaud !")
    time.sleep(1)
