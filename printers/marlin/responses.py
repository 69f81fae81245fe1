# SPDX-License-Identifier: GPL-3.0-or-later
"""Printer-to-host response parser: bytes in, :mod:`events` out.

Covers what Marlin 1.x/2.x, Prusa firmware, Smoothieware and Klipper's serial emulation say.
Sources of the forms handled (read in their public source and documentation):

- Marlin ``language.h``: ``Error:checksum mismatch, Last Line: 5``, ``Error:Line Number is not
  Last Line Number+1, Last Line: 5``, ``Error:No Checksum with line number, Last Line: 5``,
  ``Resend: 6``, ``echo:Unknown command: "X1"``, ``echo:busy: processing``,
  ``Error:Printer halted. kill() called!``, ``Error:Thermal Runaway, system stopped!``.
- Marlin 1.0 split its heater errors over two lines: ``Error:0`` then
  ``: Extruder switched off. MAXTEMP triggered !``; the parser joins them.
- ADVANCED_OK: ``ok N123 P15 B3`` (last line, free planner blocks, free queue slots).
- Temperatures: Marlin ``T:210.0 /210.0 B:60.0 /60.0 @:127 B@:0``, multi-tool ``T0:… T1:…``,
  Klipper ``ok B:60.0 /60.0 T0:210.0 /210.0``, Smoothieware ``ok T:210.0 /210.0 @0 B:…``.
- Repetier/Teacup ``rs 6`` / ``rs N6`` resend requests; Klipper ``// text`` and ``!! text``.
- RepRapFirmware 3.5.3 in Marlin emulation (``src/GCodes/GCodes.cpp``, ``src/Platform/Event.cpp``,
  ``LocalHeater.cpp``): ``FIRMWARE_NAME: RepRapFirmware for Duet 3 MB6HC FIRMWARE_VERSION: …``,
  ``ok T:210.0 /210.0 T0:210.0 /210.0 B:60.0 /60.0``, heater faults ``Error: Heater 1 fault:
  temperature rising too slowly: …`` (kinds from CANlib's ``RRF3Common.h``) and
  ``Emergency Stop! Reset the controller to continue.``
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from printers.marlin.events import (
    Busy,
    Capability,
    Echo,
    ErrorMessage,
    Event,
    Fault,
    FaultKind,
    FirmwareInfo,
    HeaterReading,
    LineError,
    LineErrorKind,
    Ok,
    Other,
    Resend,
    SdStatus,
    Start,
    TemperatureReport,
    UnknownCommand,
    Wait,
)

#: A line longer than this without a newline is cut (noise on the wire must not grow memory).
MAX_RESPONSE_LINE = 1024

_TEMP_TOKEN = re.compile(
    r"(?<![A-Za-z@])(T\d*|B|C)\s*:\s*(-?\d+(?:\.\d+)?)(?:\s*/\s*(-?\d+(?:\.\d+)?))?"
)
_LAST_LINE = re.compile(r"Last Line:\s*(-?\d+)\s*$")
#: The whole line must be the request: a damaged digit ("Resend: 1s5") must not read as "1".
_RESEND = re.compile(r"^(?:Resend|rs)\s*:?\s*N?\s*(\d+)\s*$", re.IGNORECASE)
_ADV_OK = re.compile(r"\b([NPB])(\d+)\b")
_FIRMWARE_FIELD = re.compile(r"([A-Z][A-Z0-9_]*):")
_UNKNOWN = re.compile(r'Unknown command:\s*"?(.*?)"?\s*$', re.IGNORECASE)
#: RepRapFirmware's heater fault (``Event::GetTextDescription``): "Heater 1 fault: <kind>: …".
_RRF_HEATER_FAULT = re.compile(r"^heater \d+ fault\b", re.IGNORECASE)

_SD_PREFIXES = (
    "SD printing byte",
    "Not SD printing",
    "SD card ok",
    "No SD card",
    "Begin file list",
    "End file list",
    "Done printing file",
    "File opened:",
    "File selected",
    "SD init fail",
    "volume.init failed",
    "openRoot failed",
)


def parse_temperatures(text: str) -> TemperatureReport | None:
    """Heaters found in ``text`` (None when it holds no temperature)."""
    heaters: dict[str, HeaterReading] = {}
    for key, actual, target in _TEMP_TOKEN.findall(text):
        if key == "B":
            name = "bed"
        elif key == "C":
            name = "chamber"
        elif key == "T":
            name = "tool0"
            if name in heaters:  # Prusa repeats T0 after T; keep the first
                continue
        else:
            name = f"tool{int(key[1:])}"
        heaters[name] = HeaterReading(float(actual), float(target) if target else None)
    return TemperatureReport(heaters) if heaters else None


def _classify_error(text: str) -> Event:
    lowered = text.lower()
    last = _LAST_LINE.search(text)
    last_line = int(last.group(1)) if last else None
    if "checksum mismatch" in lowered:
        return LineError(LineErrorKind.CHECKSUM_MISMATCH, last_line, text)
    if "line number is not" in lowered:
        return LineError(LineErrorKind.LINE_NUMBER, last_line, text)
    if "no checksum" in lowered:
        return LineError(LineErrorKind.NO_CHECKSUM, last_line, text)
    if "no line number" in lowered:
        return LineError(LineErrorKind.NO_LINE_NUMBER, last_line, text)
    kind = _line_error_kind(lowered)
    if kind is not None:
        return LineError(kind, last_line, text)
    if "kill() called" in lowered or "printer halted" in lowered:
        return Fault(FaultKind.KILLED, text)
    if "thermal runaway" in lowered:
        return Fault(FaultKind.THERMAL_RUNAWAY, text)
    if "mintemp" in lowered:
        return Fault(FaultKind.MINTEMP, text)
    if "maxtemp" in lowered:
        return Fault(FaultKind.MAXTEMP, text)
    if "heating failed" in lowered:
        return Fault(FaultKind.HEATING_FAILED, text)
    if "printer stopped" in lowered or "emergency stop" in lowered:
        return Fault(FaultKind.STOPPED, text)
    if _RRF_HEATER_FAULT.match(text):
        # RepRapFirmware switched the heater off (LocalHeater::RaiseHeaterFault).
        if "failed to read sensor" in lowered:
            return Fault(FaultKind.MINTEMP, text)
        if "rising too slowly" in lowered:
            return Fault(FaultKind.HEATING_FAILED, text)
        return Fault(FaultKind.THERMAL_RUNAWAY, text)
    return ErrorMessage(text)


def _one_bit_off(text: str, reference: str) -> bool:
    """True when ``text`` differs from ``reference`` by exactly one flipped bit."""
    if len(text) != len(reference):
        return False
    flips = 0
    for a, b in zip(text, reference, strict=True):
        diff = ord(a) ^ ord(b)
        if diff:
            if diff & (diff - 1):
                return False
            flips += 1
    return flips == 1


def _denoise(text: str) -> str:
    """Repair the two words a host cannot afford to lose on a noisy line.

    A single flipped bit in ``ok`` or ``Resend:`` would make the host miss an acknowledgement
    or a resend request. Those words are fixed when exactly one bit differs; the flow control
    still cross-checks every resend against the error line before it.
    """
    if _one_bit_off(text[:2], "ok") and (len(text) == 2 or text[2] == " "):
        return "ok" + text[2:]
    if _one_bit_off(text[:3], "ok "):
        return "ok " + text[3:]  # « ok(T:20.00… »: the space after ok damaged
    if _one_bit_off(text[:7], "Resend:"):
        return "Resend:" + text[7:]
    if _one_bit_off(text[:6], "Error:"):
        return "Error:" + text[6:]  # its kind tells the flow control which line failed
    return text


#: Marlin's line errors (``GCodeQueue::gcode_line_error`` callers, 2.1; Prusa-Firmware's
#: ``cmdqueue.cpp`` uses the same texts), recognised with one character damaged.
_LINE_ERROR_TEXTS = (
    ("checksum mismatch", LineErrorKind.CHECKSUM_MISMATCH),
    ("line number is not", LineErrorKind.LINE_NUMBER),
    ("no checksum", LineErrorKind.NO_CHECKSUM),
    ("no line number", LineErrorKind.NO_LINE_NUMBER),
)


def _line_error_kind(lowered: str) -> LineErrorKind | None:
    """The kind of a line error whose text starts like one of Marlin's, at most one
    character off (a flipped bit on the way: « checksul mismatch »)."""
    for text, kind in _LINE_ERROR_TEXTS:
        head = lowered[: len(text)]
        if len(head) == len(text) and sum(a != b for a, b in zip(head, text, strict=True)) <= 1:
            return kind
    return None


_PLAIN_OK = Ok()


def parse_line(line: str) -> Event:
    """Classify one complete response line (without its newline)."""
    if line == "ok":  # by far the most frequent line: answer it first
        return _PLAIN_OK
    text = _denoise(line.strip())
    low = text.lower()
    if low == "ok" or low.startswith("ok ") or low.startswith("ok:"):
        rest = text[2:]
        temps = parse_temperatures(rest) if ":" in rest else None
        if temps is None and "/" in rest:
            # An answer to M105 whose figures were damaged ("T;20.00 /0.0#"): still the
            # answer (only temperature reports carry a "/" target), its figures unread.
            temps = TemperatureReport({})
        fields = dict(_ADV_OK.findall(rest)) if temps is None else {}
        return Ok(
            line_number=int(fields["N"]) if "N" in fields else None,
            planner_free=int(fields["P"]) if "P" in fields else None,
            queue_free=int(fields["B"]) if "B" in fields else None,
            temperatures=temps,
        )
    if low.startswith("echo:"):
        body = text[5:].strip()
        if body.lower().startswith("busy:"):
            return Busy(body[5:].strip())
        unknown = _UNKNOWN.search(body)
        if unknown and body.lower().startswith("unknown command"):
            return UnknownCommand(unknown.group(1))
        if body.startswith(_SD_PREFIXES):
            return SdStatus(body)
        return Echo(body)
    if low.startswith("busy:"):
        return Busy(text[5:].strip())
    resend = _RESEND.match(text)
    if resend:
        return Resend(int(resend.group(1)))
    if low.startswith("error:"):
        return _classify_error(text[6:].strip())
    if text.startswith("!!"):
        return Fault(FaultKind.EMERGENCY, text[2:].strip())
    if low.startswith("emergency stop!"):
        # RepRapFirmware's GCodes::DoEmergencyStop(): the board stops until it is reset.
        return Fault(FaultKind.KILLED, text)
    if low == "start":
        return Start()
    if low == "wait":
        return Wait()
    if text.startswith("FIRMWARE_NAME:"):
        return FirmwareInfo(_firmware_fields(text))
    if text.startswith("Cap:"):
        name, _, value = text[4:].partition(":")
        return Capability(name.strip().upper(), value.strip() == "1")
    if text.startswith("//"):
        body = text[2:].strip()
        return Echo(body)
    if text.startswith(_SD_PREFIXES):
        return SdStatus(text)
    if ("T:" in text or "T0:" in text or "B:" in text) and "/" in text:
        report = parse_temperatures(text)
        if report is not None:
            return report
    return Other(text)


def _firmware_fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    matches = list(_FIRMWARE_FIELD.finditer(text))
    # A value may hold spaces and even colons (URLs): a field starts only at an upper-case
    # word followed by ':' that comes after a space (or at the start of the line).
    starts = [m for m in matches if m.start() == 0 or text[m.start() - 1] == " "]
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        fields[match.group(1)] = text[match.end() : end].strip()
    return fields


class ResponseParser:
    """Incremental parser: :meth:`feed` bytes as they arrive, get events per complete line."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._pending_error: str | None = None

    def feed(self, data: bytes) -> list[Event]:
        return [event for _line, event in self.feed_lines(data)]

    def feed_lines(self, data: bytes) -> list[tuple[str, Event]]:
        """Like :meth:`feed`, with the text of the line each event came from."""
        events: list[tuple[str, Event]] = []
        self._buffer += data
        while True:
            cut = self._buffer.find(b"\n")
            if cut < 0:
                if len(self._buffer) > MAX_RESPONSE_LINE:
                    del self._buffer[:-MAX_RESPONSE_LINE]
                break
            raw = bytes(self._buffer[:cut])
            del self._buffer[: cut + 1]
            text = raw.decode("utf-8", "replace").strip("\r\x00 ")
            if text == "ok" and self._pending_error is None:
                events.append((text, _PLAIN_OK))
            else:
                events.extend((text, event) for event in self._line(text))
        return events

    def _line(self, line: str) -> Iterator[Event]:
        if not line:
            return
        if self._pending_error is not None:
            first = self._pending_error
            self._pending_error = None
            if line.startswith(":") or line.lower().startswith("error:"):
                rest = line[6:] if line.lower().startswith("error:") else line[1:]
                yield _classify_error(f"{first}: {rest.strip()}")
                return
            yield _classify_error(first)
        low = line.lower()
        if low.startswith("error:") and line[6:].strip().isascii() and line[6:].strip().isdigit():
            # Marlin 1.0: "Error:0" (heater index) then ": Extruder switched off…".
            self._pending_error = line[6:].strip()
            return
        yield parse_line(line)
