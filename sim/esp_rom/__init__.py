# SPDX-License-Identifier: GPL-3.0-or-later
"""Simulated ESP32-S2/S3 ROM bootloader (``sim://esp32s3``, ``sim://esp32s2``)."""
