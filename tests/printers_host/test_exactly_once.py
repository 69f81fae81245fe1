# SPDX-License-Identifier: GPL-3.0-or-later
"""Exactly once, in order: property tests against every firmware dialect of the simulator.

Hypothesis drives corruption both ways, dropped and duplicated ``ok``, resend requests with
and without their ``ok`` (or with it first, or twice), 64- and 128-byte receive buffers,
ADVANCED_OK, and the dialects of ``sim/marlin/dialects.py``. The evidence is the simulator's
journal (``sim://marlin?journal=FILE``): one line per command it executed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.errors import DeviceFault
from printers.host import MarlinHost
from printers.print_file import check_print_file
from printers.print_job import JobState, PrintJob
from tests.printers_host.helpers import arc_lines, connect

_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


#: Two lines merged into one: a line number or a second G/M word after the first word
#: (« G1 X109.428 Y103N26 G1 X109.359… », « G1 X109.211 Y10s G1 X109.131… »).
_MERGED_LINE = re.compile(r"^\S+ .*(?:N\d+|\s[GM]\d+ )")


def _journal(path: Path) -> list[tuple[int | None, str]]:
    entries: list[tuple[int | None, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        number, _, command = line.partition(" ")
        entries.append((None if number == "-" else int(number), command))
    return entries


def _file(path: Path, moves: int) -> tuple[Path, list[str]]:
    commands = ["G90", "M82", "G92 E0", "G1 Z0.2 F600", *arc_lines(moves), "M400", "M106 S0"]
    path.write_text("\n".join(commands) + "\n", encoding="utf-8")
    return path, commands


@_SETTINGS
@given(
    dialect=st.sampled_from(["marlin", "marlin2.0", "marlin1", "prusa", "klipper", "reprap"]),
    corrupt_in=st.sampled_from([0.0, 0.003, 0.01]),
    corrupt_out=st.sampled_from([0.0, 0.003, 0.01]),
    rx_buffer=st.sampled_from([64, 128]),
    resend_ok=st.sampled_from(["", "after", "none", "twice", "before"]),
    advanced_ok=st.booleans(),
    drop_ok=st.lists(st.integers(5, 60), max_size=3),
    dup_ok=st.lists(st.integers(5, 60), max_size=3),
    seed=st.integers(0, 10_000),
)
def test_every_file_command_runs_exactly_once_in_order(
    tmp_path_factory: pytest.TempPathFactory,
    dialect: str,
    corrupt_in: float,
    corrupt_out: float,
    rx_buffer: int,
    resend_ok: str,
    advanced_ok: bool,
    drop_ok: list[int],
    dup_ok: list[int],
    seed: int,
) -> None:
    folder = tmp_path_factory.mktemp("once")
    path, commands = _file(folder / "piece.gcode", 25)
    journal = folder / "journal.txt"
    if dialect == "klipper":
        # Klipper's serial port is a local pseudo-tty with kernel-sized buffers: no noise, no
        # lost or doubled ok, nothing to overflow (and nothing checked if it did).
        rx_buffer, drop_ok, dup_ok = 4096, [], []
    if dialect == "reprap":
        # A Duet's native USB: flow-controlled (nothing overflows) and checked by USB's own
        # CRC (no noise); no ADVANCED_OK in RepRapFirmware. Lost oks stay: the host must get
        # through them without ever sending a line twice. Doubled oks do not: RRF answers each
        # line once (GCodes::HandleReply), and without line numbers a doubled ok cannot be told
        # from a real one, so no host can keep its count through it.
        rx_buffer, advanced_ok, dup_ok = 65536, False, []
    options = [
        f"dialect={dialect}",
        f"rx_buffer={rx_buffer}",
        f"advanced_ok={int(advanced_ok)}",
        f"seed={seed}",
        f"journal={journal}",
    ]
    if dialect not in ("klipper", "reprap"):  # no noise to recover from (see above)
        options += [f"corrupt_in={corrupt_in}", f"corrupt_out={corrupt_out}"]
        if resend_ok:
            options.append(f"resend_ok={resend_ok}")
    if drop_ok:
        options.append("drop_ok=" + ",".join(map(str, drop_ok)))
    if dup_ok:
        options.append("dup_ok=" + ",".join(map(str, dup_ok)))
    host = connect("sim://marlin?" + "&".join(options))
    written = _record_writes(host)
    first = host.flow.next_number
    job = PrintJob(host, check_print_file(path))
    # Virtual time: a 25-move file takes seconds even on a noisy link; never loop for ever.
    deadline = host.clock() + 600
    stopped = ""
    try:
        while not job.finished:
            job.step()
            assert host.clock() < deadline, "no end in 10 minutes of printer time"
    except DeviceFault as exc:
        stopped = exc.message
    polls = set(job.poll_line_numbers)
    executed = [
        command
        for number, command in _journal(journal)
        if number is not None and number >= first and number not in polls
    ]
    if stopped:
        # At 1 % per byte a 44-byte line arrives damaged 36 % of the time: ten times in a row
        # (OctoPrint's limit, kept) happens about once in 30,000 lines. The print then stops
        # clearly, having run a prefix of the file, nothing twice.
        assert corrupt_in == 0.01 and "redemande sans cesse" in stopped
        assert executed == [*commands, "M400", "M105"][: len(executed)]
        return
    assert job.state is JobState.DONE
    if dialect in ("klipper", "reprap"):
        # Klipper and RRF ignore line numbers: the end-of-print proof is its own extra M105 run.
        assert executed[: len(commands) + 2] == [*commands, "M400", "M105"]
        assert set(executed[len(commands) + 2 :]) <= {"M105"}
    else:
        expected = [*commands, "M400", "M105"]
        if host.link.device.rx_dropped and len(executed) == len(expected):
            # Known limit of Marlin's 8-bit checksum, not of any host: once the receive buffer
            # overflowed (a doubled ok cannot be told from a real one), the start of line N
            # followed by the whole line N+1 passes the checksum once in 256 (the XOR of the
            # lost part is then 0) and runs as line N: « G1 X109.428 Y103N26 G1 X109.359… »
            # (seen twice in 9000 examples). Line N+1 still runs once, in its place; every
            # other line runs exactly once, in order. Overflows are what to keep rare:
            # tests/benchmarks/stream.py's overflow_sweep measures them.
            executed = [
                want if got != want and _MERGED_LINE.search(got) else got
                for got, want in zip(executed, expected, strict=True)
            ]
        assert executed == expected
        # The host never writes an unnumbered line: the firmware cannot tell a damaged one
        # (see below). (An overflow of the receive buffer, which a doubled ok can cause since
        # it cannot be told from a real one, can still drop the start of a line: its end
        # arrives alone, and with its "*" damaged too the firmware reads it unnumbered, « 60 »
        # or « E0.23000 F3000(61 », seen at 3000 examples; what overflows is measured by
        # tests/benchmarks/stream.py's overflow_sweep.)
        assert written and [line for line in written if not line.startswith(b"N")] == []
    assert job.commands_done == len(commands)


def _record_writes(host: MarlinHost) -> list[bytes]:
    """Every line the host writes from now on (a simulated link has no file descriptor)."""
    written: list[bytes] = []
    write = host.link.write

    def recording(data: bytes) -> int | None:
        written.extend(line for line in bytes(data).split(b"\n") if line)
        return write(data)

    host.link.write = recording
    return written


def _print_numbered_exactly_once(folder: Path, options: str, moves: int = 120) -> MarlinHost:
    """Print a file on ``sim://marlin?options`` (at most two minutes of printer time) and
    check that the host wrote numbered lines only, that the firmware ran no unnumbered line,
    and that every file command ran once, in order. Returns the host, for more checks."""
    path, commands = _file(folder / "piece.gcode", moves)
    journal = folder / "journal.txt"
    host = connect(f"sim://marlin?{options}&journal={journal}")
    written = _record_writes(host)
    first = host.flow.next_number
    job = PrintJob(host, check_print_file(path))
    deadline = host.clock() + 120
    while not job.finished:
        job.step()
        assert host.clock() < deadline, "no end in two minutes of printer time"
    assert job.state is JobState.DONE
    assert written and [line for line in written if not line.startswith(b"N")] == []
    entries = _journal(journal)
    assert [command for number, command in entries if number is None] == []
    polls = set(job.poll_line_numbers)
    executed = [c for n, c in entries if n is not None and n >= first and n not in polls]
    assert executed == [*commands, "M400", "M105"]
    return host


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_noisy_link_never_gets_an_unnumbered_line(tmp_path: Path, seed: int) -> None:
    """Marlin checks the checksum of numbered lines only (``GCodeQueue::get_serial_commands``,
    2.1: the ``*`` test sits inside ``if (npos)``): a damaged unnumbered line runs as whatever
    it became (``M1``, ``M125``, ``M107`` were seen). So during a print on a noisy link every
    line the host writes is numbered, the recovery's rounds included, and every file command
    runs once, in order."""
    host = _print_numbered_exactly_once(tmp_path, f"corrupt_in=0.01&corrupt_out=0.01&seed={seed}")
    assert host.flow.resends > 0  # the link was noisy indeed


@pytest.mark.parametrize("rx_buffer", [64, 128])
def test_lost_oks_are_found_by_numbered_questions_only(tmp_path: Path, rx_buffer: int) -> None:
    """The silences of lost oks are asked about with numbered M105 lines: the host writes no
    unnumbered line, and every file command runs once, in order."""
    host = _print_numbered_exactly_once(tmp_path, f"rx_buffer={rx_buffer}&drop_ok=20,40,60,80,100")
    assert host.flow.probe_numbers  # the questions were asked


def test_connection_survives_a_damaged_answer_to_its_m105() -> None:
    """Found by hypothesis: « ok(T:20.00… » (a space damaged on the way back) at connection
    left every later answer taken for the one before it, and the connection timed out."""
    options = "dialect=marlin2.0&rx_buffer=64&advanced_ok=1&seed=1&corrupt_out=0.003"
    host = connect(f"sim://marlin?{options}")
    assert host.identity.name.startswith("Marlin")


def test_questions_whose_answers_are_lost_do_not_stop_the_print(tmp_path: Path) -> None:
    """Found by hypothesis: the oks of lines 21-23 dropped, which were the host's three
    questions; each later answer was taken for an older question and the print never went
    on (ten minutes of printer time). One question at a time now, and after a whole
    allowance of silence the answers owed are taken as lost."""
    _print_numbered_exactly_once(tmp_path, "drop_ok=21,22,23&rx_buffer=64", moves=25)
