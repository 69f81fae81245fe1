# SPDX-License-Identifier: GPL-3.0-or-later
"""The atelier view of ``kit tableau``: the printers, the défis run, the boards flashed.

Printers come from the atelier list through :class:`printers.farm.Farm` (serial and OctoPrint
alike), polled in one background thread: a printer that stops answering shows the farm's French
message on its card while the others keep updating. API keys stay in the farm's entries; the
page only ever gets :meth:`printers.farm.FarmRow.to_json`'s data, which has none.

Results (défis, boards) arrive through :class:`ResultFeed` from its sources: the défis the page
runs itself on the simulator, and any :class:`ResultSource` (the atelier journal, once it
exists, plugs in here by listing the open session's results).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kit.drawing import Drawing
from kit.errors import KitError
from kit.messages import decimal_fr
from printers.atelier_config import PrinterEntry
from printers.backend import PrinterBackend, PrinterState, PrinterStatus
from printers.farm import Farm, FarmRow, open_backend

log = logging.getLogger(__name__)

#: Seconds between two polls of the printers.
POLL_INTERVAL_S = 1.0

STATE_CLASSES: dict[PrinterState, str] = {
    PrinterState.OFFLINE: "eteinte",
    PrinterState.CONNECTING: "attente",
    PrinterState.IDLE: "prete",
    PrinterState.HEATING: "chauffe",
    PrinterState.PRINTING: "imprime",
    PrinterState.PAUSED: "pause",
    PrinterState.CANCELLING: "pause",
    PrinterState.ERROR: "erreur",
    PrinterState.UNREACHABLE: "erreur",
}


def printer_card(index: int, row: FarmRow) -> dict[str, Any]:
    """One printer's card: the farm's JSON row plus the French texts the page shows."""
    from kit.commands.printer_farm import format_job, format_temperatures, short_message

    status = row.status
    data = row.to_json()
    job_text, remaining = format_job(status)
    message = ""
    if status.message_fr and status.state in (
        PrinterState.ERROR, PrinterState.UNREACHABLE, PrinterState.OFFLINE,
    ):  # fmt: skip
        message = short_message(status.message_fr, row.entry.address)
    job = status.job
    data.update(
        {
            "index": index,
            "state_class": STATE_CLASSES[status.state],
            "temperatures_fr": format_temperatures(status.temperatures) or "—",
            "job_fr": job_text,
            "remaining_fr": remaining,
            "progress": 0.0 if job is None else round(job.fraction_done * 100.0, 1),
            "message_fr": message,
            "picture": f"/atelier/imprimantes/{index}/couche.svg?v="
            + ("0" if job is None else f"{job.layer or 0}-{round(job.fraction_done * 100)}"),
        }
    )
    return data


def layer_picture(status: PrinterStatus | None) -> Drawing:
    """The print seen from the side: the layers done so far, the current one highlighted."""
    drawing = Drawing(320, 200, background="#10141a")
    job = status.job if status is not None else None
    if job is None:
        drawing.text((20, 88), "Aucune impression", size=22, color="#e8eef5")
        return drawing
    fraction = max(0.0, min(1.0, job.fraction_done))
    left, right, bottom, top = 60.0, 260.0, 180.0, 30.0
    drawing.rect((40, bottom), (280, bottom + 8), fill="#6b7785", stroke=None)  # the plate
    drawing.rect((left, top), (right, bottom), fill=None, stroke="#6b7785", width=1.5)
    done_top = bottom - (bottom - top) * fraction
    bands = 12
    for band in range(bands):
        y1 = bottom - (bottom - top) * band / bands
        y0 = bottom - (bottom - top) * (band + 1) / bands
        if y1 <= done_top:
            break
        drawing.rect((left, max(y0, done_top)), (right, y1), fill="#2f7fd1", stroke="#10141a")
    if 0.0 < fraction < 1.0:
        drawing.rect((left, done_top - 4), (right, done_top), fill="#ff9f1c", stroke=None)
    label = f"couche {job.layer}" if job.layer else f"{decimal_fr(fraction * 100, 0)} %"
    drawing.text((left, 4), label, size=20, color="#e8eef5")
    return drawing


@dataclass(frozen=True)
class AtelierResult:
    """A défi run or a board flashed/deployed, as the page lists it."""

    kind: str  # "defi" or "carte"
    title: str
    passed: bool | None
    detail: str
    at: str  # HH:MM:SS
    picture_url: str = ""
    figures: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "passed": self.passed,
            "verdict": "" if self.passed is None else ("réussi" if self.passed else "manqué"),
            "detail": self.detail,
            "at": self.at,
            "picture": self.picture_url,
            "figures": [list(pair) for pair in self.figures],
        }


class ResultSource(Protocol):
    """Where results come from besides the page: each call gives the ones not given before."""

    def new_results(self) -> Sequence[AtelierResult]: ...


@dataclass
class ResultFeed:
    """The results shown on the page, newest first, since the page's server started."""

    on_change: Callable[[], None]
    sources: list[ResultSource] = field(default_factory=list)
    results: list[AtelierResult] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, result: AtelierResult) -> None:
        with self.lock:
            self.results.insert(0, result)
        self.on_change()

    def poll_sources(self) -> None:
        for source in self.sources:
            try:
                found = list(source.new_results())
            except KitError as exc:
                log.warning("lecture des résultats impossible : %s", exc.message)
                continue
            for result in found:
                self.add(result)

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        with self.lock:
            return {
                "defis": [r.to_json() for r in self.results if r.kind == "defi"],
                "cartes": [r.to_json() for r in self.results if r.kind == "carte"],
            }


class DefiRunner:
    """Runs a défi's example program on the simulated robot, from the page, one at a time."""

    def __init__(self, feed: ResultFeed, pictures: Path, on_change: Callable[[], None]) -> None:
        self.feed = feed
        self.pictures = pictures
        self.on_change = on_change
        self.running = ""
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)

    @staticmethod
    def choices() -> list[tuple[str, str]]:
        from robots.challenges import available_challenges, load_challenge

        found = []
        for name in available_challenges():
            challenge = load_challenge(name)
            if challenge.example:
                found.append((name, challenge.title))
        return found

    def start(self, name: str) -> None:
        from robots.challenges import load_challenge

        challenge = load_challenge(name)  # a French KitError for an unknown défi
        if not challenge.example:
            raise KitError(f"Le défi « {name} » n'a pas de programme d'exemple à lancer.")
        with self._lock:
            if self.running:
                raise KitError(f"Le défi « {self.running} » est en cours : attendez sa fin.")
            self.running = challenge.title
        threading.Thread(target=self._run, args=(name,), name="defi", daemon=True).start()
        self.on_change()

    def _run(self, name: str) -> None:
        from robots.challenges import load_challenge
        from robots.session import EXAMPLE_PREFIX, run_program

        challenge = load_challenge(name)
        number = next(self._numbers)
        picture = self.pictures / f"defi-{number}.svg"
        stamp = time.strftime("%H:%M:%S")
        try:
            report = run_program(
                f"{EXAMPLE_PREFIX}{challenge.example}", "sim://mbot", defi=name, picture=picture
            )
        except KitError as exc:
            result = AtelierResult("defi", challenge.title, False, exc.message, stamp)
        except Exception as exc:  # a bug must not take the page down with it
            log.exception("défi %s failed", name)
            result = AtelierResult("defi", challenge.title, False,
                                   f"Erreur inattendue : {type(exc).__name__}.", stamp)  # fmt: skip
        else:
            verdict = report.result
            result = AtelierResult(
                "defi",
                challenge.title,
                None if verdict is None else verdict.passed,
                verdict.reason if verdict is not None else report.outcome.message,
                stamp,
                f"/atelier/images/{picture.name}" if report.picture is not None else "",
                verdict.figures if verdict is not None else (),
            )
        with self._lock:
            self.running = ""
        self.feed.add(result)


def atelier_farm(
    entries: Sequence[PrinterEntry], timeout_s: float
) -> tuple[Farm, dict[str, PrinterBackend]]:
    """The farm of ``entries``, and its backends by printer name as the farm opens them (so
    that the page can start a print on the one the farm polls)."""
    live: dict[str, PrinterBackend] = {}

    def factory(entry: PrinterEntry) -> PrinterBackend:
        backend = open_backend(entry, timeout_s=timeout_s)
        live[entry.name] = backend
        return backend

    return Farm(entries, timeout_s=timeout_s, factory=factory), live


class PrinterBoard:
    """The atelier's printers, polled in a background thread; the last cards for the page."""

    def __init__(
        self,
        farm: Farm | None,
        on_change: Callable[[], None],
        interval_s: float = POLL_INTERVAL_S,
        backends: dict[str, PrinterBackend] | None = None,
    ) -> None:
        self.farm = farm
        self.on_change = on_change
        self.interval_s = interval_s
        self.backends = backends if backends is not None else {}
        #: The file each printer was given from the page: its layers can be drawn.
        self.files: dict[str, Path] = {}
        self._pictures: dict[tuple[Path, int], Path] = {}
        self._analyses: dict[Path, Any] = {}
        self._drawing = threading.Lock()
        self.rows: list[FarmRow] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.farm is None:
            return
        self._thread = threading.Thread(target=self._loop, name="tableau-imprimantes", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        farm = self.farm
        assert farm is not None
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.rows = farm.poll(wait_s=self.interval_s)
            except Exception:  # the view must outlive any one printer's trouble
                log.exception("interrogation des imprimantes en échec")
            self.on_change()
            self._stop.wait(max(0.05, self.interval_s - (time.monotonic() - started)))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.farm is not None:
            self.farm.close()

    def names(self) -> list[str]:
        return [entry.name for entry in self.farm.entries] if self.farm is not None else []

    def start_print(self, name: str, gcode: Path) -> None:
        """Start ``gcode`` on the printer the farm polls under ``name`` (blocking: call it
        from a worker thread; an upload to OctoPrint takes a moment)."""
        if name not in self.names():
            raise KitError(f"Aucune imprimante « {name} » dans la configuration de l'atelier.")
        backend = self.backends.get(name)
        if backend is None:
            raise KitError(
                f"L'imprimante « {name} » n'est pas encore connectée : réessayez dans un instant."
            )
        backend.start_print(gcode)
        self.files[name] = gcode
        self.on_change()

    def layer_file(self, index: int, folder: Path) -> Path | None:
        """The current layer of the printer's file, seen from above (``printers.pictures``),
        when the print was started from the page; ``None`` otherwise (or when the layer is
        not in the file), then the page shows :func:`layer_picture`. Blocking: a thread."""
        rows = self.rows
        if not 0 <= index < len(rows):
            return None
        row = rows[index]
        job = row.status.job
        gcode = self.files.get(row.entry.name)
        if job is None or not job.layer or gcode is None or gcode.name != job.file_name:
            return None
        key = (gcode, job.layer)
        with self._drawing:
            if key not in self._pictures:
                from printers.analysis import analyse_for_printer
                from printers.pictures import draw_file

                try:
                    if gcode not in self._analyses:
                        self._analyses[gcode] = analyse_for_printer(gcode, row.entry.profile)
                    analysis, profile, _ = self._analyses[gcode]
                    out = folder / f"couche-{index}-{len(self._pictures)}.svg"
                    self._pictures[key] = draw_file(analysis, profile, out, layers=[job.layer])
                except KitError as exc:
                    log.info("pas d'image des couches pour %s : %s", row.entry.name, exc.message)
                    return None
            return self._pictures[key]

    def cards(self) -> list[dict[str, Any]]:
        return [printer_card(index, row) for index, row in enumerate(self.rows)]

    def status(self, index: int) -> PrinterStatus | None:
        rows = self.rows
        return rows[index].status if 0 <= index < len(rows) else None
