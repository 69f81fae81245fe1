# SPDX-License-Identifier: GPL-3.0-or-later
"""What Marlin, Prusa firmware, Klipper's serial emulation and RepRapFirmware say differently.

How each answers a damaged or out-of-order line (read in each firmware's source):

- Marlin 2.1 (``Marlin/src/gcode/queue.cpp``, 2.1.2): ``gcode_line_error()`` prints
  ``Error:<text>, Last Line: <n>``, empties the receive buffer, then
  ``flush_and_request_resend()`` prints ``Resend: <n+1>`` and a plain ``ok``
  (``SERIAL_ECHOLNPGM(STR_OK)``) whatever ADVANCED_OK says.
- Marlin 2.0.x and 1.1.x (``queue.cpp`` 2.0.9 / ``Marlin_main.cpp`` 1.1.9): the same, but the
  ``ok`` comes from ``ok_to_send()``: it is skipped when the command at the queue's read index
  was not sent by the host (``send_ok[index_r]``), and with ADVANCED_OK it carries ``N``, ``P``
  and ``B`` of *that* command — a line number unrelated to the resend (``resend_line_n``).
- Marlin 1.0 (``Marlin_main.cpp``, 1.0.2): ``FlushSerialRequestResend()`` then
  ``ClearToSend()``, a plain ``ok`` skipped for SD commands.
- Prusa-Firmware 3.x for the MK3S (``Firmware/cmdqueue.cpp``, ``Firmware/Marlin_main.cpp``,
  3.13): Marlin 1.0's texts (``checksum mismatch, Last Line:``, ``Line Number is not Last
  Line Number+1, Last Line:``), ``Resend: <n>`` then ``ok`` in one ``printf_P``; no ``wait``;
  its own temperature report (``T:… /… B:… /… T0:… @:… B@:… P:… A:…``).
- Klipper (``klippy/gcode.py``, v0.12): the ``N`` word and ``*`` checksum are dropped without
  any check; never a resend request; every line answered ``ok``.
- RepRapFirmware 3.5.3 (Duet3D/RepRapFirmware, tag ``3.5.3``, commit ``e7085e43``) on a Duet's
  native USB port, which ``GCodes.cpp`` opens in Marlin emulation (``Compatibility::Marlin``):
  ``src/GCodes/GCodeBuffer/StringParser.cpp`` (``Put``, ``LineFinished``) reads the ``N`` word
  only to remember it and checks the ``*`` checksum; a line whose checksum is wrong is
  discarded without a word (no error, no resend request, no ``ok``) since 3.4.0 (commits
  ``3f5cf3a0``/``bb4cf075``; 3.01 to 3.3 ran it anyway; 1.19 to 3.0 turned it into
  ``M998 P<n>``, answered ``rs`` and a text in Marlin emulation, while the lines after it, read
  meanwhile, had already run). Line numbers are never compared: a line sent twice runs twice;
  ``M110`` does nothing (``GCodes2.cpp``: ``//TODO``). Replies (``GCodes::HandleReply``): the
  text, then ``ok``; ``ok`` and the report on one line for ``M105``
  (``GenerateTemperatureReport``: ``T:… /… T0:… /… B:… /…``); no ``wait``, no ``busy:``, but a
  temperature line every 2 s while a command runs (``CheckReportDue``,
  ``UnsolicitedStatusReportInterval``), once the host has asked ``M105``. ``M115``:
  ``FIRMWARE_NAME: RepRapFirmware for Duet 2 WiFi/Ethernet FIRMWARE_VERSION: 3.5.3 ELECTRONICS:
  … FIRMWARE_DATE: …`` (``Pins_DuetNG.h``), no ``Cap:`` lines; no ``M155``. An unknown code is a
  warning (``TryMacroFile``: ``Warning: M4242: Command is not supported``); ``M112`` says
  ``Emergency Stop! Reset the controller to continue.`` (``GCodes::DoEmergencyStop``), a heater
  fault ``Error: Heater 1 fault: …`` (``LocalHeater::RaiseHeaterFault``). The USB
  input (``GCodeInput.cpp``, ``BufferedStreamGCodeInput::FillBuffer``) reads only what its
  256-byte buffer can hold: USB's own flow control keeps the rest, so nothing overflows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str
    banner: tuple[str, ...]
    firmware_line: str
    checks_line_numbers: bool
    unknown_prefix: str  # before Unknown command:
    temperature_style: str  # "marlin", "prusa", "klipper"
    kill_lines: tuple[str, ...]
    #: After ``Resend:``: "after" (an ``ok``), "none", "twice", "before" (the ``ok`` first).
    resend_ok: str = "after"
    #: ADVANCED_OK fields on the resend's ``ok`` describe the queued command (Marlin < 2.1).
    resend_line_n: bool = False
    #: Without number checks, a line whose checksum is wrong is dropped silently (RRF 3.4+).
    drops_bad_checksum: bool = False
    #: How an unknown command is reported; None: ``{unknown_prefix}Unknown command: "…"``.
    #: ``{code}`` is the G/M word, ``{command}`` the whole command.
    unknown_format: str | None = None
    #: ``Cap:`` lines after ``FIRMWARE_NAME`` (Marlin's EXTENDED_CAPABILITIES_REPORT).
    capabilities: bool = True
    #: M155 temperature autoreport.
    autoreport: bool = True
    #: What a blocked command says every 2 s: "busy" (``echo:busy: processing``) or
    #: "temperatures" (RRF's unsolicited report); M109/M190 then add nothing of their own.
    keepalive: str = "busy"
    #: What an emergency stop (M112) prints, instead of ``Error:Printer halted. kill() called!``.
    emergency_text: str | None = None
    #: What a thermal runaway prints, instead of Marlin's ``Error:Thermal Runaway…``;
    #: ``{target}`` and ``{actual}`` are the hotend's temperatures.
    runaway_text: str | None = None
    #: What a move refused by PREVENT_COLD_EXTRUSION prints.
    cold_extrusion_text: str = "echo: cold extrusion prevented"


MARLIN = Dialect(
    name="marlin",
    banner=(
        "start",
        "echo:Marlin 2.1.2.1",
        "echo: Last Updated: 2023-07-13 | Author: (none, default config)",
        "echo:Compiled: Jul 13 2023",
        "echo: Free Memory: 2154  PlannerBufferBytes: 1232",
        "echo:SD card ok",
    ),
    firmware_line=(
        "FIRMWARE_NAME:Marlin 2.1.2.1 (Jul 13 2023 12:00:00) SOURCE_CODE_URL:"
        "github.com/MarlinFirmware/Marlin PROTOCOL_VERSION:1.0 MACHINE_TYPE:atelier-kit sim "
        "EXTRUDER_COUNT:1 UUID:cede2a2f-41a2-4748-9b12-c55c62f367ff"
    ),
    checks_line_numbers=True,
    unknown_prefix="echo:",
    temperature_style="marlin",
    kill_lines=("Error:Printer halted. kill() called!",),
)

PRUSA = Dialect(
    name="prusa",
    banner=("start", "echo: 3.13.2-7080", "echo: Last Updated: Oct 2 2023", "echo:SD card ok"),
    firmware_line=(
        "FIRMWARE_NAME:Prusa-Firmware 3.13.2 based on Marlin FIRMWARE_URL:"
        "https://github.com/prusa3d/Prusa-Firmware PROTOCOL_VERSION:1.0 MACHINE_TYPE:"
        "Prusa i3 MK3S EXTRUDER_COUNT:1 UUID:00000000-0000-0000-0000-000000000000"
    ),
    checks_line_numbers=True,
    unknown_prefix="echo:",
    temperature_style="prusa",
    kill_lines=("Error:Printer halted. kill() called!",),
)

KLIPPER = Dialect(
    name="klipper",
    banner=("// Klipper state: Ready",),
    firmware_line="FIRMWARE_NAME:Klipper FIRMWARE_VERSION:v0.12.0-atelier",
    checks_line_numbers=False,
    unknown_prefix="// ",
    temperature_style="klipper",
    kill_lines=("!! Shutdown due to M112 command",),
)

MARLIN_2_0 = Dialect(
    name="marlin2.0",
    banner=(
        "start",
        "echo:Marlin 2.0.9.3",
        "echo: Last Updated: 2021-12-23 | Author: (none, default config)",
        "echo:SD card ok",
    ),
    firmware_line=(
        "FIRMWARE_NAME:Marlin 2.0.9.3 (Dec 23 2021 12:00:00) SOURCE_CODE_URL:"
        "github.com/MarlinFirmware/Marlin PROTOCOL_VERSION:1.0 MACHINE_TYPE:atelier-kit sim "
        "EXTRUDER_COUNT:1 UUID:cede2a2f-41a2-4748-9b12-c55c62f367ff"
    ),
    checks_line_numbers=True,
    unknown_prefix="echo:",
    temperature_style="marlin",
    kill_lines=("Error:Printer halted. kill() called!",),
    resend_line_n=True,
)

MARLIN_1 = Dialect(
    name="marlin1",
    banner=("start", "echo: External Reset", "Marlin 1.0.2", "echo:SD card ok"),
    firmware_line=(
        "FIRMWARE_NAME:Marlin V1; Sprinter/grbl mashup for gen6 FIRMWARE_URL:"
        "https://github.com/MarlinFirmware/Marlin PROTOCOL_VERSION:1.0 MACHINE_TYPE:Mendel "
        "EXTRUDER_COUNT:1"
    ),
    checks_line_numbers=True,
    unknown_prefix="echo:",
    temperature_style="marlin",
    kill_lines=("Error:Printer halted. kill() called!",),
)

REPRAP = Dialect(
    name="reprap",
    banner=(),  # native USB: the board does not reset when the port opens, and says nothing
    firmware_line=(
        "FIRMWARE_NAME: RepRapFirmware for Duet 2 WiFi/Ethernet FIRMWARE_VERSION: 3.5.3 "
        "ELECTRONICS: Duet WiFi 1.02 or later FIRMWARE_DATE: 2024-09-18 12:00:00"
    ),
    checks_line_numbers=False,
    unknown_prefix="",
    temperature_style="reprap",
    kill_lines=(),
    drops_bad_checksum=True,
    unknown_format="Warning: {code}: Command is not supported",
    capabilities=False,
    autoreport=False,
    keepalive="temperatures",
    emergency_text="Emergency Stop! Reset the controller to continue.",
    # LocalHeater::RaiseHeaterFault() then Event::GetTextDescription() (3.5.3), with the
    # HeaterFaultText of CANlib's RRF3Common.h, as an error message; heater 1 is the hotend.
    runaway_text=(
        "Error: Heater 1 fault: exceeded allowed temperature excursion: "
        "target {target:.1f}°C actual {actual:.1f}°C"
    ),
    # Tool::DisplayColdExtrusionWarnings() (src/Tools/Tool.cpp, 3.5.3).
    cold_extrusion_text=(
        "Warning: Tool 0 was not driven because its heater temperatures were not high enough "
        "or it has a heater fault"
    ),
)

DIALECTS = {d.name: d for d in (MARLIN, MARLIN_2_0, MARLIN_1, PRUSA, KLIPPER, REPRAP)}


def temperature_text(
    style: str,
    hotend: tuple[float, float],
    bed: tuple[float, float],
    powers: tuple[int, int],
) -> str:
    t, tt = hotend
    b, bt = bed
    if style == "klipper":
        return f"B:{b:.1f} /{bt:.1f} T0:{t:.1f} /{tt:.1f}"
    if style == "reprap":
        # GCodes::GenerateTemperatureReport: the current tool as T, every tool as Tn, the bed.
        return f"T:{t:.1f} /{tt:.1f} T0:{t:.1f} /{tt:.1f} B:{b:.1f} /{bt:.1f}"
    if style == "prusa":
        return (
            f"T:{t:.1f} /{tt:.1f} B:{b:.1f} /{bt:.1f} T0:{t:.1f} /{tt:.1f} "
            f"@:{powers[0]} B@:{powers[1]} P:{b - 5:.1f} A:28.3"
        )
    return f"T:{t:.2f} /{tt:.2f} B:{b:.2f} /{bt:.2f} @:{powers[0]} B@:{powers[1]}"
