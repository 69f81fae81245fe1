# SPDX-License-Identifier: GPL-3.0-or-later
"""Judging an analysed file against a printer profile: each check explained in French.

Severities: ``"error"`` forbids the print (``kit printer check`` exits 1), ``"warning"``
deserves a look, ``"info"`` is for the record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.messages import format_duration_fr, number_fr
from printers.findings import Check
from printers.profile import PrinterProfile

if TYPE_CHECKING:
    from printers.analysis import Analysis


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers)
    return f"ligne {shown}" if len(numbers) == 1 else f"lignes {shown}"


def _mm(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " mm"


def evaluate(analysis: Analysis, profile: PrinterProfile) -> list[Check]:
    """Every check that applies, errors first."""
    facts = analysis.facts
    found: list[Check] = []
    # "l'imprimante « Creality Ender-3 »": reads right whatever the printer's name.
    printer = f"l'imprimante « {profile.display_name} »"

    def add(code: str, severity: str, message: str) -> None:
        found.append(Check(code, severity, message))

    # -- absurd values in the file ---------------------------------------------------------
    if facts.invalid_value_lines:
        details = " ; ".join(f"ligne {n} : {what}" for n, what in facts.invalid_value_lines)
        add(
            "invalid_value",
            "error",
            f"Le fichier contient des valeurs impossibles ({details}). "
            "L'imprimante pourrait se comporter de façon imprévisible : retranchez le modèle.",
        )
    if facts.zero_feedrate_lines:
        add(
            "zero_feedrate",
            "error",
            f"Vitesse nulle ou négative (F0) demandée ({_lines(facts.zero_feedrate_lines)}) : "
            "l'imprimante resterait bloquée ou irait à sa vitesse minimale.",
        )
    if facts.negative_temperature_lines:
        details = ", ".join(
            f"ligne {n} : {number_fr(value)} °C" for n, value in facts.negative_temperature_lines
        )
        add(
            "negative_temperature",
            "error",
            f"Température négative demandée ({details}) : le fichier est abîmé.",
        )

    # -- build volume ----------------------------------------------------------------------
    tol = profile.tolerance_mm
    box = facts.move_box
    if box is not None:
        problems: list[str] = []
        (x0, x1), (y0, y1), (z0, z1) = profile.x_range_mm, profile.y_range_mm, profile.z_range_mm
        if box.min_x < x0 - tol:
            problems.append(f"X descend à {_mm(box.min_x)} (minimum {_mm(x0)})")
        if box.max_x > x1 + tol:
            problems.append(f"X monte à {_mm(box.max_x)} (maximum {_mm(x1)})")
        if box.min_y < y0 - tol:
            problems.append(f"Y descend à {_mm(box.min_y)} (minimum {_mm(y0)})")
        if box.max_y > y1 + tol:
            problems.append(f"Y monte à {_mm(box.max_y)} (maximum {_mm(y1)})")
        if box.min_z < z0 - tol:
            problems.append(f"Z descend à {_mm(box.min_z)} (minimum {_mm(z0)})")
        if box.max_z > z1 + tol:
            problems.append(f"Z monte à {_mm(box.max_z)} (maximum {_mm(z1)})")
        if problems:
            add(
                "outside_build_volume",
                "error",
                f"Des déplacements sortent du volume d'impression de {printer} : "
                + " ; ".join(problems)
                + ".",
            )

    # -- temperatures ----------------------------------------------------------------------
    if facts.max_hotend_c > profile.hotend_max_c:
        add(
            "hotend_too_hot",
            "error",
            f"La buse est réglée à {number_fr(facts.max_hotend_c)} °C, au-delà du maximum de "
            f"{printer} ({number_fr(profile.hotend_max_c)} °C).",
        )
    if facts.max_bed_c > profile.bed_max_c:
        add(
            "bed_too_hot",
            "error",
            f"Le plateau est réglé à {number_fr(facts.max_bed_c)} °C, au-delà du maximum de "
            f"{printer} ({number_fr(profile.bed_max_c)} °C).",
        )
    material = profile.material(analysis.material)
    printing = [t for t in facts.hotend_targets_c if t >= profile.extrude_min_c]
    outside = sorted(t for t in printing if not material.hotend_min_c <= t <= material.hotend_max_c)
    if outside:
        add(
            "hotend_outside_material_range",
            "warning",
            f"Buse à {', '.join(number_fr(t) for t in outside)} °C : hors de la plage du "
            f"{material.name} ({number_fr(material.hotend_min_c)}–"
            f"{number_fr(material.hotend_max_c)} °C). "
            "Vérifiez le filament chargé.",
        )
    bed_outside = sorted(
        t for t in facts.bed_targets_c if not material.bed_min_c <= t <= material.bed_max_c
    )
    if bed_outside:
        add(
            "bed_outside_material_range",
            "warning",
            f"Plateau à {', '.join(number_fr(t) for t in bed_outside)} °C : hors de la plage du "
            f"{material.name} ({number_fr(material.bed_min_c)}–"
            f"{number_fr(material.bed_max_c)} °C).",
        )

    # -- order of operations ---------------------------------------------------------------
    if facts.extrusion_cold_lines:
        add(
            "extrusion_before_heating",
            "error",
            "Le fichier extrude avant d'avoir chauffé la buse "
            f"({_lines(facts.extrusion_cold_lines)}) : le firmware refusera ou la buse se "
            "bouchera.",
        )
    elif facts.allowed_cold_extrusion_line is not None:
        add(
            "cold_extrusion_allowed",
            "warning",
            "Le fichier autorise l'extrusion à froid (M302) et extrude buse froide (ligne "
            f"{facts.allowed_cold_extrusion_line}) : normal pour un essai sans filament, "
            "sinon la buse se bouchera.",
        )
    elif facts.extrusion_before_wait_line is not None:
        add(
            "extrusion_without_heating_wait",
            "warning",
            "Le fichier extrude avant d'attendre que la buse soit chaude (pas de M109 avant la "
            f"ligne {facts.extrusion_before_wait_line}).",
        )
    if facts.first_unhomed_move_line is not None:
        add(
            "move_before_homing",
            "error",
            f"Un déplacement est demandé avant la mise à l'origine (G28), ligne "
            f"{facts.first_unhomed_move_line} : la tête peut heurter les butées.",
        )
    if facts.absolute_e_extrusion and facts.relative_e_extrusion:
        add(
            "mixed_extrusion_modes",
            "warning",
            "Le fichier mélange extrusion absolue (M82) et relative (M83) : souvent le signe "
            "d'un G-code de début copié d'un autre profil ; la quantité de filament peut être "
            "fausse.",
        )

    if facts.user_pause_lines:
        where = ", ".join(f"{code} ligne {n}" for n, code in facts.user_pause_lines)
        add(
            "user_pause",
            "warning",
            f"Le fichier s'arrête pour attendre quelqu'un ({where}) : changement de filament ou "
            "pause à valider sur l'imprimante ; la durée annoncée ne compte pas cette attente.",
        )

    # -- sliced for another printer --------------------------------------------------------
    slicer = analysis.slicer
    if slicer.printer_model and profile.slicer_models:
        wanted = {m.upper() for m in profile.slicer_models}
        if slicer.printer_model.upper() not in wanted:
            from printers.profile import profile_for_model

            other = profile_for_model(slicer.printer_model)
            hint = f" (profil « {other.name} »)" if other is not None else ""
            add(
                "other_printer",
                "warning",
                f"Le fichier a été tranché pour « {slicer.printer_model} »{hint}, pas pour "
                f"{printer}.",
            )
    if slicer.bed_size_mm is not None:
        width, depth = slicer.bed_size_mm
        size_x, size_y, _ = profile.size_mm
        if width > size_x + tol or depth > size_y + tol:
            add(
                "other_printer_bed",
                "warning",
                f"Le trancheur était réglé pour un plateau de {number_fr(width)} × "
                f"{number_fr(depth)} mm, plus grand que celui de {printer} "
                f"({number_fr(size_x)} × {number_fr(size_y)} mm).",
            )
    if slicer.max_height_mm is not None and slicer.max_height_mm > profile.size_mm[2] + tol:
        add(
            "other_printer_height",
            "warning",
            f"Le trancheur autorisait {number_fr(slicer.max_height_mm)} mm de hauteur ; "
            f"{printer} n'en a que {number_fr(profile.size_mm[2])}.",
        )

    # -- the atelier's slot ----------------------------------------------------------------
    if analysis.slot_minutes is not None:
        total = analysis.total_seconds
        if total > analysis.slot_minutes * 60.0:
            add(
                "too_long_for_slot",
                "error",
                f"L'impression dure ≈ {format_duration_fr(total)} chauffe comprise : elle ne "
                f"tient pas dans le créneau de {number_fr(analysis.slot_minutes)} min.",
            )
        else:
            add(
                "fits_slot",
                "info",
                f"L'impression (≈ {format_duration_fr(total)} chauffe comprise) tient dans le "
                f"créneau de {number_fr(analysis.slot_minutes)} min.",
            )
    if not analysis.limits_from_file:
        add(
            "limits_from_profile",
            "info",
            "Le fichier ne donne pas les limites de la machine (M201–M205) : l'estimation "
            f"utilise celles du profil {profile.name}.",
        )
    order = {"error": 0, "warning": 1, "info": 2}
    found.sort(key=lambda c: order.get(c.severity, 3))
    return found
