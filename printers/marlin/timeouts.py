# SPDX-License-Identifier: GPL-3.0-or-later
"""How long to wait for a printer that says nothing, per command (pure functions).

Marlin answers most commands within milliseconds, but some legitimately keep it silent for
long: homing (G28) and probing (G29) move the axes, M109/M190 wait for heaters (Marlin prints
temperatures meanwhile, but older firmware does not), M400 waits for the planner to drain,
M600 waits for the user, G4 sleeps. With HOST_KEEPALIVE_FEATURE Marlin says ``busy:
processing`` every 2 s during those; each message restarts the wait. A silent printer is first
probed with ``M105`` (answered once everything before it is done); only after
:data:`MAX_UNANSWERED_PROBES` probes without any answer is it declared lost.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Silence after which a printer with ordinary commands in flight is probed (seconds).
PROBE_AFTER_S = 5.0
#: Probes sent without any byte coming back before giving up.
MAX_UNANSWERED_PROBES = 3

#: Extra silence allowed while one of these commands is in flight (seconds).
LONG_COMMANDS_S: dict[str, float] = {
    "G28": 180.0,
    "G29": 600.0,
    "M109": 900.0,
    "M190": 1800.0,
    "M400": 300.0,
    "M600": 3600.0,
    "M0": 3600.0,
    "M1": 3600.0,
    "M303": 1800.0,
}


def command_code(command: str) -> str:
    """``"g1 x10"`` → ``"G1"``; ``"G28X"`` → ``"G28"``."""
    head = command.lstrip()[:8].upper()
    end = 1
    while end < len(head) and "0" <= head[end] <= "9":
        end += 1
    code = head[:end]
    if len(code) > 1 and code[1:].isascii() and code[1:].isdigit():
        return code[0] + str(int(code[1:]))
    return code


def silence_allowed_s(command: str) -> float:
    """How long ``command`` may keep the printer silent before it is probed."""
    code = command_code(command)
    if code == "G4":
        seconds = 0.0
        for word in command.split()[1:]:
            try:
                if word[:1] in "Pp":
                    seconds += float(word[1:]) / 1000.0
                elif word[:1] in "Ss":
                    seconds += float(word[1:])
            except ValueError:
                continue
        return PROBE_AFTER_S + seconds
    return PROBE_AFTER_S + LONG_COMMANDS_S.get(code, 0.0)


def probe_after_s(commands_in_flight: Iterable[str]) -> float:
    """Silence allowed while ``commands_in_flight`` are unacknowledged."""
    return max((silence_allowed_s(c) for c in commands_in_flight), default=PROBE_AFTER_S)
