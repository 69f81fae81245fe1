# SPDX-License-Identifier: GPL-3.0-or-later
"""Lesson plans (déroulés) for the five certification supports, export and rehearsal."""
