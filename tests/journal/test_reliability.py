# SPDX-License-Identifier: GPL-3.0-or-later
"""Several processes writing at once lose nothing; a kill -9 mid-write leaves a readable journal.

Real processes, as in an atelier: each writer opens the journal the way ``record_event`` does
(one connection per result) and attaches its results while the others do the same.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from journal.model import Participants, SessionFields
from journal.store import Journal, open_journal
from tests.conftest import kit_env

WRITERS = 4
RESULTS_EACH = 40

_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from journal.store import open_journal

    writer, count, go = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    while not os.path.exists(go):  # start together
        time.sleep(0.005)
    for n in range(count):
        with open_journal() as journal:
            result = journal.attach_event("robot_run", {"writer": writer, "n": n})
        assert result.status.value == "attached", result
        print(n, flush=True)
    """
)

_KILLED = textwrap.dedent(
    """
    import datetime as dt
    from journal.model import Participants, SessionFields
    from journal.store import open_journal

    n = 0
    with open_journal() as journal:
        if journal.current_session() is None:
            journal.open_session(SessionFields(title="Ouvert", themes=("culture_numerique",)))
        while True:
            # A big transaction (an atelier and its counts) then a small one (a result).
            fields = SessionFields(
                title=f"Atelier {n}", themes=("culture_numerique",), notes="x" * 3000,
                participants=Participants.build(5, {"genre": {"feminin": 2}}),
            )
            journal.add_session(fields, dt.datetime(2026, 1, 1) + dt.timedelta(hours=n), 60)
            journal.attach_event("print", {"completed": True, "n": n})
            n += 1
            print(n, flush=True)
    """
)


def _open_atelier(journal: Journal) -> None:
    journal.open_session(
        SessionFields(
            title="Robots et imprimantes",
            themes=("creer_avec_le_numerique",),
            participants=Participants.build(12),
        )
    )


def test_writers_in_several_processes_at_once_lose_nothing(
    journal: Journal, tmp_path: Path
) -> None:
    _open_atelier(journal)
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(i), str(RESULTS_EACH), str(go)],
            env=kit_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(WRITERS)
    ]
    go.touch()
    for process in writers:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert len(out.split()) == RESULTS_EACH
    session = journal.current_session()
    assert session is not None
    seen = sorted((e.data["writer"], e.data["n"]) for e in session.events)
    assert seen == [(w, n) for w in range(WRITERS) for n in range(RESULTS_EACH)]


def test_a_kill_9_in_the_middle_of_writes_leaves_a_readable_journal_with_every_commit(
    tmp_path: Path,
) -> None:
    path = Path(os.environ["KIT_DATA_DIR"]) / "journal.sqlite3"
    added_before = events_before = 0
    for round_number, wanted in enumerate((7, 19, 3)):
        writer = subprocess.Popen(
            [sys.executable, "-c", _KILLED],
            env=kit_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        last = 0
        for line in writer.stdout:
            last = int(line)
            if last >= wanted:
                break
        time.sleep(0.003 * round_number)  # land at different points of the next write
        os.kill(writer.pid, signal.SIGKILL)
        rest, _err = writer.communicate(timeout=30)
        assert writer.returncode == -signal.SIGKILL
        last = max([last, *(int(n) for n in rest.split())])  # printed before the kill
        with open_journal(path) as journal:
            journal.verify()  # every page readable
            added = [s for s in journal.sessions() if not s.is_open]
            current = journal.current_session()
            assert current is not None
            new_added = len(added) - added_before
            new_events = len(current.events) - events_before
            # Every acknowledged commit is there, at most the one in flight on top…
            assert last <= new_added <= last + 1 and last <= new_events <= last + 1
            # …in the order they were made (an atelier, then its result).
            assert new_events <= new_added <= new_events + 1
            # An atelier is whole (its counts came in its own transaction) or absent.
            assert all(s.participants.count("genre", "feminin") == 2 for s in added)
            added_before, events_before = len(added), len(current.events)


def test_kit_commands_run_at_once_in_one_atelier_all_attach_their_results(
    journal: Journal, tmp_path: Path
) -> None:
    from tests.printers_host.helpers import arc_lines, write_gcode

    _open_atelier(journal)
    gcode = write_gcode(tmp_path / "piece.gcode", arc_lines(40), heat=False)
    commands = [
        ["printer", "print", str(gcode), "--port", "sim://marlin"],
        ["printer", "check", str(gcode)],
        ["robot", "run", "exemple:arret_mur", "--port", "sim://mbot", "--defi", "arret-mur"],
        ["robot", "run", "exemple:arret_mur", "--port", "sim://mbot", "--defi", "arret-mur"],
    ]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "kit", *argv],
            env=kit_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in commands
    ]
    for process in processes:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "Noté dans le journal de l'atelier « Robots et imprimantes »" in err
    session = journal.current_session()
    assert session is not None
    assert sorted(e.kind for e in session.events) == ["check", "print", "robot_run", "robot_run"]
    assert session.activity.challenges_passed == 2
    started = session.started_at
    assert all(e.at >= started - dt.timedelta(seconds=1) for e in session.events)
