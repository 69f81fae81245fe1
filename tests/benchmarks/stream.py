# SPDX-License-Identifier: GPL-3.0-or-later
"""Streaming benchmark: the kit's flow control against ping-pong, on the simulated Marlin.

A curved wall sliced into 0.2 mm segments at 100 mm/s (F6000) asks the printer for 500 lines
a second: more than 115200 baud can carry (the head slows down whatever the host does), less
than 250000 baud can. Each run prints the same file on ``sim://marlin`` with a 1 ms USB latency
per direction and reports:

- lines/s: file lines acknowledged per second of printer time, from the first move to the last;
- link utilisation: bytes the host put on the wire divided by what the link could carry in that
  time (10 bits per byte);
- starvation: times the planner ran dry between two moves while the host still had lines;
- host CPU µs/line: process CPU time minus the time spent in the port's read/write calls
  (the simulated printer and its link), per line: the host's own work; the least of
  ``--repeat`` runs, since other load on the machine only adds to it.

Then the host alone (a port that answers at once), the host against ``kit sim serve marlin
--pty`` in another process (real system calls and wake-ups), and the floor under that last
figure on this machine: a bare select/read/write loop over a pty.

Then the robustness figures (issue 18): the same kind of file through 1 % corruption both ways
(per byte, on ``sim://marlin``, virtual time), and through OctoPrint's VirtualPrinter on a pty
at a 5 % resend ratio (wall-clock time): lines/s, the longest stall (the longest time without a
file line acknowledged) and the overhead against the same link without errors. Then how many of 150
random noisy configurations overflowed the simulated receive buffer. Last, how long
``kit printer print`` takes to end after SIGINT and SIGTERM (wall clock, heaters-off confirmed).

The "known buffer" figures use the receive buffer of the ``ender3`` profile (cited there), the
printer the simulator is closest to; the cautious 63-byte figures are printed beside them.

Run: ``python tests/benchmarks/stream.py [--lines N] [--repeat N] [--seeds N]``. Figures are
printed, nothing asserted.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from kit.errors import KitError  # noqa: E402
from kit.links import open_link  # noqa: E402
from printers.host import MarlinHost  # noqa: E402
from printers.print_file import FileLine, check_print_file  # noqa: E402
from printers.print_job import PrintJob  # noqa: E402
from printers.profile import load_profile  # noqa: E402

SEGMENT_MM = 0.2
FEED_MM_MIN = 6000
LATENCY_MS = 1
#: Commands before the first segment, and segments left out while the head gets up to speed.
HEADER_LINES = 7  # M302, M201, M204, G92, G1 Z, G0, G1 F
WARM_UP_LINES = 20
#: The printer profile whose firmware receive buffer the "known buffer" figures use: the
#: simulator is Marlin 2.x on an 8-bit board (``sim/marlin/config.py``), as the Ender-3's
#: ATmega1284P is; its profile cites RX_BUFFER_SIZE 128 (Marlin 2.1.2.1 Conditionals_adv.h).
KNOWN_BUFFER_PROFILE = "ender3"


def write_arcs(path: Path, lines: int) -> None:
    """Concentric circles of 0.2 mm segments, F given once, as slicers write them."""
    # Accelerations of a current bed-slinger (Prusa MK3S: 1250-2000 mm/s²). With Marlin's
    # defaults (500) the 16-block look-ahead over 3.2 mm caps the speed near 50 mm/s.
    out = [
        "; benchmark: arcs of 0.2 mm segments",
        # The nozzle stays cold: without M302 P1 the printer would answer each segment with
        # « cold extrusion prevented », and this measures streaming, not that.
        "M302 P1",
        "M201 X2000 Y2000",
        "M204 P2000 T2000",
        "G92 E0",
        "G1 Z0.2 F600",
        "G0 X115 Y100 F6000",
        f"G1 F{FEED_MM_MIN}",
    ]
    radius = 15.0
    e = 0.0
    angle = 0.0
    for _ in range(lines):
        angle += SEGMENT_MM / radius
        e += 0.00665
        out.append(
            f"G1 X{100 + radius * math.cos(angle):.3f} Y{100 + radius * math.sin(angle):.3f} "
            f"E{e:.5f}"
        )
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


class _TimedLink:
    """Stands for the link in front of the host and measures the CPU time spent in it.

    Everything behind ``read``/``write``/``in_waiting`` is the port: on hardware the kernel and
    the USB adapter, here the in-process ``sim://`` plumbing and the simulated printer. What
    remains is the host's own work: reading the file, framing, parsing, flow control.
    """

    def __init__(self, link: Any) -> None:
        self._link = link
        self.spent_s = 0.0
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._link, name)

    def read(self, size: int = 1) -> bytes:
        self.calls += 1
        start = time.process_time()
        try:
            return bytes(self._link.read(size))
        finally:
            self.spent_s += time.process_time() - start

    def write(self, data: bytes) -> int:
        self.calls += 1
        start = time.process_time()
        try:
            return int(self._link.write(data))
        finally:
            self.spent_s += time.process_time() - start

    @property
    def in_waiting(self) -> int:
        self.calls += 1
        start = time.process_time()
        try:
            return int(self._link.in_waiting)
        finally:
            self.spent_s += time.process_time() - start


def _wrapper_cost_s() -> float:
    """CPU time one measured call adds outside the measured window (subtracted from the host)."""

    class _Null:
        in_waiting = 0

        def read(self, size: int = 1) -> bytes:
            return b""

    timed = _TimedLink(_Null())
    plain = _Null()
    rounds = 50_000
    start = time.process_time()
    for _ in range(rounds):
        plain.read(1)
    bare = time.process_time() - start
    start = time.process_time()
    for _ in range(rounds):
        timed.read(1)
    wrapped = time.process_time() - start - timed.spent_s
    return max(0.0, (wrapped - bare) / rounds)


def run(path: Path, baud: int, ping_pong: bool, rx_buffer: int | None = None) -> dict[str, float]:
    link = open_link(f"sim://marlin?latency_ms={LATENCY_MS}&baud={baud}", baudrate=baud)
    link.timeout = 0.1
    device = link.device
    timer = _TimedLink(link)
    if rx_buffer is None:  # the cautious default: 63 bytes in flight
        host = MarlinHost(timer, ping_pong=ping_pong, clock=link.now_s)
    else:  # --rx-buffer: the firmware's buffer is known
        host = MarlinHost(
            timer, ping_pong=ping_pong, clock=link.now_s, rx_buffer_bytes=rx_buffer - 1
        )
    host.connect()
    job = PrintJob(host, check_print_file(path))
    first_move_s: float | None = None
    bytes_before = 0
    cpu_start = time.process_time()
    sim_start = timer.spent_s
    while not job.finished:
        job.step()
        if first_move_s is None and job.commands_done >= HEADER_LINES + WARM_UP_LINES:
            first_move_s = host.clock()
            bytes_before = device.bytes_received
            cpu_start = time.process_time()
            sim_start = timer.spent_s
            calls_start = timer.calls
            lines_before = job.commands_done
        last = job.last_done
        if isinstance(last, FileLine) and job.commands_done == job.checked.commands:
            break
    end_s = host.clock()
    calls = timer.calls - calls_start
    cpu_s = (time.process_time() - cpu_start) - (timer.spent_s - sim_start)
    cpu_s -= calls * WRAPPER_COST_S
    lines = job.commands_done - lines_before
    duration = end_s - (first_move_s or 0.0)
    wire_bytes = device.bytes_received - bytes_before
    capacity = duration * baud / 10.0
    job.run()  # the end barrier and its proof, outside the measured window
    host.close()
    return {
        "lines_per_s": lines / duration,
        "utilisation": wire_bytes / capacity,
        "starvation": float(device.starvation_count),
        "starved_s": device.starved_s,
        "cpu_us_per_line": cpu_s / lines * 1e6,
        "duration_s": duration,
        "rx_dropped": float(device.rx_dropped),
    }


class _InstantPort:
    """A port that answers ``ok`` to every line at once: the host's own cost, nothing else."""

    port = "instant"

    def __init__(self) -> None:
        self._out = bytearray()
        self._t = 0.0

    def now_s(self) -> float:
        return self._t

    def write(self, data: bytes) -> int:
        self._out += b"ok\n" * data.count(b"\n")
        return len(data)

    @property
    def in_waiting(self) -> int:
        return len(self._out)

    def read(self, size: int = 1) -> bytes:
        data = bytes(self._out[:size])
        del self._out[:size]
        self._t += 0.0001
        return data

    def close(self) -> None:
        pass


def host_alone_us_per_line(path: Path, lines: int) -> float:
    port = _InstantPort()
    host = MarlinHost(port, clock=port.now_s)  # type: ignore[arg-type]
    host.connected = True
    job = PrintJob(host, check_print_file(path))
    start = time.process_time()
    while job.commands_done < lines:
        job.step()
    return (time.process_time() - start) / lines * 1e6


def host_over_pty_us_per_line(path: Path, baud: int, speed: float) -> tuple[float, float]:
    """Host CPU per line and line rate against ``kit sim serve marlin --pty`` (another
    process): the host pays real system calls, as with a USB adapter."""
    import signal
    import subprocess

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kit",
            "sim",
            "serve",
            "marlin",
            "--pty",
            "--speed",
            str(speed),
            "--baud",
            str(baud),
            "--latency-ms",
            str(LATENCY_MS),
            "--boot-s",
            "0.2",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(REPO),
    )
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()
        host = MarlinHost(open_link(port, baudrate=baud, timeout_s=0.1))
        host.connect()
        job = PrintJob(host, check_print_file(path))
        cpu = time.process_time()
        wall = time.monotonic()
        job.run()
        cpu = time.process_time() - cpu
        wall = time.monotonic() - wall
        host.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    lines = job.checked.commands
    return cpu / lines * 1e6, lines / wall / speed


_ECHO_OK_AFTER_EACH_LINE = """
import os, sys, time
fd = int(sys.argv[1])
pending = b""
while True:
    data = os.read(fd, 4096)
    if not data:
        break
    pending += data
    while b"\\n" in pending:
        _, _, pending = pending.partition(b"\\n")
        time.sleep(1 / float(sys.argv[2]))
        os.write(fd, b"ok\\n")
"""


def wake_up_floor_us(rounds: int, lines_per_s: float) -> float:
    """CPU per round of the least a host can do over a pty: wait for ``ok``, read it, write
    one line, against a peer in another process that answers each line after 1/rate s.

    This is the machine's cost of one blocking wait and wake-up, the floor under the
    over-pty figure (a host that refills on every ``ok`` pays it once per line).
    """
    import os
    import pty
    import select
    import subprocess
    import tty

    controller, device = pty.openpty()
    tty.setraw(controller)
    tty.setraw(device)
    peer = subprocess.Popen(
        [sys.executable, "-c", _ECHO_OK_AFTER_EACH_LINE, str(controller), str(lines_per_s)],
        pass_fds=[controller],
    )
    try:
        os.write(device, b"G1 X1\n")
        start = time.process_time()
        for _ in range(rounds):
            select.select([device], [], [], 1.0)
            os.read(device, 4096)
            os.write(device, b"N12 G1 X10.2 Y20.4 E0.0123*55\n")
        return (time.process_time() - start) / rounds * 1e6
    finally:
        peer.kill()
        peer.wait()
        os.close(controller)
        os.close(device)


def print_measuring_gaps(job: PrintJob, clock: Callable[[], float]) -> tuple[float, str]:
    """Run ``job`` to its end; return the longest time without a file line acknowledged, and
    the first line of the French message if the print stopped (a resend loop on a very noisy
    link: reported, not a traceback)."""
    last_ack = clock()
    longest = 0.0
    done = 0
    try:
        while not job.finished:
            job.step()
            if job.commands_done != done:
                now = clock()
                longest = max(longest, now - last_ack)
                last_ack, done = now, job.commands_done
    except KitError as exc:
        return longest, exc.message.splitlines()[0]
    return longest, ""


def noisy_run(path: Path, options: str, rx_buffer: int | None) -> dict[str, float]:
    """Print ``path`` on ``sim://marlin?options``; virtual-time rate and longest stall."""
    link = open_link(f"sim://marlin?latency_ms={LATENCY_MS}&{options}", baudrate=250000)
    link.timeout = 0.1
    if rx_buffer is None:
        host = MarlinHost(link, clock=link.now_s)
    else:
        host = MarlinHost(link, clock=link.now_s, rx_buffer_bytes=rx_buffer - 1)
    host.connect()
    job = PrintJob(host, check_print_file(path))
    start = host.clock()
    longest, failure = print_measuring_gaps(job, host.clock)
    duration = host.clock() - start
    host.close()
    return {
        "lines_per_s": job.checked.commands / duration,
        "longest_stall_s": longest,
        "duration_s": duration,
        "resends": float(host.flow.resends),
        "done": float(job.state.value == "done"),
        "failure": failure,  # type: ignore[dict-item]
    }


def virtual_printer_run(path: Path, **settings: Any) -> dict[str, float]:
    """Print ``path`` through OctoPrint's VirtualPrinter on a pty; wall-clock figures."""
    from tests.printers_host.virtual_printer import serve_virtual_printer

    served = serve_virtual_printer(**settings)
    try:
        host = MarlinHost(open_link(served.port, baudrate=115200, timeout_s=0.1))
        host.connect()
        job = PrintJob(host, check_print_file(path))
        start = time.monotonic()
        longest, _failure = print_measuring_gaps(job, time.monotonic)
        duration = time.monotonic() - start
        resends = host.flow.resends
        host.close()
    finally:
        counters = served.stop()
    return {
        "lines_per_s": job.checked.commands / duration,
        "longest_stall_s": longest,
        "duration_s": duration,
        "resends": float(resends),
        "done": float(job.state.value == "done" and counters["lastN"] > 0),
    }


def cancel_seconds(signum: int) -> tuple[float, int, bool]:
    """Seconds from the signal to the end of ``kit printer print`` (sim at wall-clock speed)."""
    import signal as signals
    import subprocess

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.gcode"
        write_arcs(path, 3000)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kit",
                "printer",
                "print",
                str(path),
                "--port",
                "sim://marlin?speed=1",
                "--forcer",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=str(REPO),
        )
        assert proc.stderr is not None
        while "Imprimante :" not in proc.stderr.readline():
            pass
        time.sleep(1.0)
        start = time.monotonic()
        proc.send_signal(signals.Signals(signum))
        _out, err = proc.communicate(timeout=60)
        return time.monotonic() - start, proc.returncode, "a confirmé" in err


#: Random configurations in :func:`overflow_sweep` (about 20 s).
OVERFLOW_CASES = 150


def overflow_sweep(folder: Path, cases: int, seed: int = 1) -> tuple[int, int]:
    """Print a 25-move file through ``cases`` random noisy configurations of the simulator
    (the space of ``test_exactly_once.py`` without Klipper and RepRapFirmware, whose links
    do not overflow) and count those where the simulated receive buffer dropped bytes. An
    overflow is recovered (refused lines are sent again) but can merge two lines, and
    Marlin's 8-bit checksum lets one merge in 256 through: fewer is safer."""
    import random

    from tests.printers_host.helpers import arc_lines, connect

    rng = random.Random(seed)
    path = folder / "sweep.gcode"
    body = ["G90", "M82", "G92 E0", "G1 Z0.2 F600", *arc_lines(25), "M400", "M106 S0"]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    overflowed = 0
    for _ in range(cases):
        options = [
            f"dialect={rng.choice(['marlin', 'marlin2.0', 'marlin1', 'prusa'])}",
            f"rx_buffer={rng.choice([64, 128])}",
            f"advanced_ok={rng.choice([0, 1])}",
            f"seed={rng.randrange(10_000)}",
            f"corrupt_in={rng.choice([0, 0.003, 0.01])}",
            f"corrupt_out={rng.choice([0, 0.003, 0.01])}",
        ]
        resend_ok = rng.choice(["", "after", "none", "twice", "before"])
        if resend_ok:
            options.append(f"resend_ok={resend_ok}")
        doubled = rng.sample(range(5, 60), rng.randrange(4))
        if doubled:
            options.append("dup_ok=" + ",".join(map(str, doubled)))
        host = connect("sim://marlin?" + "&".join(options))
        try:
            job = PrintJob(host, check_print_file(path))
            while not job.finished:
                job.step()
        except KitError:
            pass  # ten damaged replays in a row: a clean stop, counted all the same
        overflowed += bool(host.link.device.rx_dropped)
        host.close()
    return overflowed, cases


def robustness(lines: int, seeds: int = 1) -> None:
    known = load_profile(KNOWN_BUFFER_PROFILE).rx_buffer_bytes
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "arcs.gcode"
        write_arcs(path, lines)
        print(f"\nrobustness: {lines} segments, sim://marlin at 250000 baud (virtual time)")
        print(f"{'link':<42} {'lines/s':>8} {'longest stall s':>15} {'overhead':>8} {'resends':>7}")
        for rx in (None, known):
            budget = "63 B" if rx is None else f"{rx - 1} B ({KNOWN_BUFFER_PROFILE})"
            clean = noisy_run(path, "seed=1", rx)
            for label, options in (
                ("clean", "seed=1"),
                ("1 % corruption both ways", "corrupt_in=0.01&corrupt_out=0.01&seed=1"),
            ):
                r = clean if label == "clean" else noisy_run(path, options, rx)
                print(
                    f"{label + ', ' + budget:<42} {r['lines_per_s']:>8.0f} "
                    f"{r['longest_stall_s']:>15.3f} "
                    f"{r['duration_s'] / clean['duration_s'] - 1:>8.1%} {r['resends']:>7.0f}"
                    + ("" if r["done"] else f"  NOT COMPLETED {r['failure']}")
                )
            if seeds > 1:
                runs = [
                    noisy_run(path, f"corrupt_in=0.01&corrupt_out=0.01&seed={seed}", rx)
                    for seed in range(1, seeds + 1)
                ]
                ended = [r for r in runs if r["done"]]
                print(
                    f"  {seeds} seeds at 1 %, {budget}: longest stall "
                    f"{max(r['longest_stall_s'] for r in runs):.3f} s (worst seed), "
                    f"{sum(r['lines_per_s'] for r in ended) / max(1, len(ended)):.0f} lines/s "
                    f"(mean), {len(runs) - len(ended)} not completed"
                    + "".join(f"; {r['failure']}" for r in runs if not r["done"])
                )
        overflows, cases = overflow_sweep(Path(folder), OVERFLOW_CASES)
        print(
            f"receive buffer overflowed in {overflows} of {cases} random cases (the property "
            "test's space without Klipper/RRF: corruption, doubled ok, resend dialects)"
        )
        vp_path = Path(folder) / "vp.gcode"
        body = ["G90", "M82", "G92 E0", *path.read_text().splitlines()[1:400]]
        vp_path.write_text("\n".join(body) + "\n", encoding="utf-8")
        print("\nOctoPrint VirtualPrinter on a pty, 64-byte buffer (wall clock)")
        clean = virtual_printer_run(vp_path, simulated_errors=[], sendWait=True)
        for label, settings in (
            ("no error", {"simulated_errors": []}),
            ("5 % resends + simulated errors", {"resend_ratio": 5}),
        ):
            r = clean if label == "no error" else virtual_printer_run(vp_path, **settings)
            print(
                f"{label:<32} {r['lines_per_s']:>8.0f} lines/s, longest stall "
                f"{r['longest_stall_s']:.3f} s, "
                f"overhead {r['duration_s'] / clean['duration_s'] - 1:.1%}, "
                f"{r['resends']:.0f} resends" + ("" if r["done"] else "  NOT COMPLETED")
            )
    import signal as signals

    for name, signum in (("SIGINT", signals.SIGINT), ("SIGTERM", signals.SIGTERM)):
        seconds, status, confirmed = cancel_seconds(signum)
        print(
            f"kit printer print after {name}: ended in {seconds:.2f} s, exit {status}, "
            f"heaters off {'confirmed' if confirmed else 'NOT confirmed'}"
        )


WRAPPER_COST_S = 0.0


def main() -> None:
    global WRAPPER_COST_S
    WRAPPER_COST_S = _wrapper_cost_s()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=3000, help="segments in the file")
    parser.add_argument(
        "--pty-speed", type=float, default=1.0, help="time acceleration of the served printer"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per figure; CPU times are the least of them"
    )
    parser.add_argument(
        "--robustness-only", action="store_true", help="only the noisy-link and cancel figures"
    )
    parser.add_argument(
        "--seeds", type=int, default=1, help="noisy-link runs with seeds 1..N (worst stall)"
    )
    args = parser.parse_args()
    if args.robustness_only:
        robustness(args.lines, args.seeds)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "arcs.gcode"
        write_arcs(path, args.lines)
        print(
            f"{args.lines} segments of {SEGMENT_MM} mm at F{FEED_MM_MIN} "
            f"({FEED_MM_MIN / 60 / SEGMENT_MM:.0f} lines/s wanted), USB latency {LATENCY_MS} ms; "
            f"measurement cost {WRAPPER_COST_S * 1e6:.2f} µs per port call, subtracted"
        )
        header = (
            f"{'baud':>7} {'mode':<10} {'lines/s':>8} {'link use':>8} {'starved':>7} "
            f"{'starved s':>9} {'CPU µs/line':>11} {'dropped':>7}"
        )
        print(header)
        known = load_profile(KNOWN_BUFFER_PROFILE).rx_buffer_bytes
        for baud in (115200, 250000):
            results = {}
            for mode, ping_pong, rx in (
                ("kit", False, None),
                (f"kit {KNOWN_BUFFER_PROFILE}", False, known),
                ("ping-pong", True, None),
            ):
                runs = [run(path, baud, ping_pong, rx) for _ in range(args.repeat)]
                # Everything but the CPU time is in virtual time and the same in every run;
                # CPU time is the least of the runs (other load on the machine only adds).
                r = dict(runs[0], cpu_us_per_line=min(x["cpu_us_per_line"] for x in runs))
                results[mode] = r
                print(
                    f"{baud:>7} {mode:<10} {r['lines_per_s']:>8.0f} {r['utilisation']:>8.1%} "
                    f"{r['starvation']:>7.0f} {r['starved_s']:>9.2f} "
                    f"{r['cpu_us_per_line']:>11.1f} {r['rx_dropped']:>7.0f}"
                )
            for mode, why in (
                ("kit", "no evidence of the buffer: 63 bytes in flight"),
                (
                    f"kit {KNOWN_BUFFER_PROFILE}",
                    f"--profile {KNOWN_BUFFER_PROFILE}: RX_BUFFER_SIZE {known} cited in its "
                    f"profile, {(known or 64) - 1} bytes in flight",
                ),
            ):
                ratio = results[mode]["lines_per_s"] / results["ping-pong"]["lines_per_s"]
                print(f"{baud:>7} {mode} / ping-pong line rate: {ratio:.2f}x ({why})")
        alone = min(host_alone_us_per_line(path, args.lines) for _ in range(args.repeat))
        print(
            f"host alone (a port that answers ok at once, no simulator in the process): "
            f"{alone:.1f} µs CPU per line"
        )
        over_pty, rate = host_over_pty_us_per_line(path, 250000, args.pty_speed)
        print(
            f"host against kit sim serve marlin --pty (250000 baud, --speed {args.pty_speed:g}, "
            f"another process): {over_pty:.1f} µs CPU per line, {rate:.0f} lines/s of printer "
            "time"
        )
        floor = wake_up_floor_us(2000, rate)
        print(
            f"floor on this machine (bare select/read/write loop over a pty, peer answering at "
            f"{rate:.0f} lines/s): {floor:.1f} µs CPU per round; over-pty host / floor: "
            f"{over_pty / floor:.2f}x"
        )
    robustness(args.lines, args.seeds)


if __name__ == "__main__":
    main()
