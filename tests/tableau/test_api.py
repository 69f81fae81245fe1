# SPDX-License-Identifier: GPL-3.0-or-later
"""kit tableau's requests without a browser: bad input gets French refusals, demonstrations run.

The page's own requests (JSON over HTTP) sent by hand to a tableau served in this process.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kit.commands.tableau import Running, serve_in_thread
from kit.commands.tableau_app import Tableau
from lessons.oral import Kind, Part


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Tableau, Running]]:
    tableau = Tableau(output=tmp_path, pictures=tmp_path, farm=None)
    with serve_in_thread(tableau) as running:
        yield tableau, running


def request(url: str, data: Any = None, raw: bytes | None = None) -> tuple[int, Any]:
    body = raw if raw is not None else (None if data is None else json.dumps(data).encode())
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text.decode("utf-8")


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/repetition/demarrer", {"tirage": "-3"}, "entier positif ou nul"),
        ("/repetition/demarrer", {"tirage": "douze"}, "Nombre attendu"),
        ("/repetition/demarrer", {"support": "fusée"}, "fusée"),
        ("/repetition/demarrer", {"titre": "bac-pro"}, "bac-pro"),
        ("/repetition/demarrer", {"tirage": "1", "duree_atelier": "9000"}, "entre 1 et 600"),
        ("/repetition/repondre", {"index": 0, "valeur": True}, "Aucune répétition en cours"),
        ("/repetition/repondre", {"index": "zéro"}, "Réponse incomplète"),
        ("/repetition/arreter", {}, "Aucune répétition en cours"),
        ("/atelier/defi", {"defi": "course-lune"}, "course-lune"),
        ("/atelier/defi", [1, 2], "JSON attendu"),
        ("/atelier/imprimer", {"imprimante": "x", "fichier": "../../etc/passwd"}, "inconnu"),
        (
            "/atelier/imprimer",
            {"imprimante": "x", "fichier": "porte-nom-ender3.gcode"},
            "Aucune imprimante « x »",
        ),
    ],
)
def test_bad_requests_get_french_refusals(
    served: tuple[Tableau, Running], path: str, data: Any, message: str
) -> None:
    tableau, running = served
    status, answer = request(running.url + path, data)
    assert status == 400, answer
    assert answer["ok"] is False and message in answer["erreur"], answer
    assert tableau.rehearsal.oral is None


def test_other_sites_cannot_act(served: tuple[Tableau, Running]) -> None:
    tableau, running = served
    # A form another web page could post without asking (no JSON content type).
    form = urllib.request.Request(
        running.url + "/atelier/defi",
        data=b'{"defi": "arret-mur"}',
        headers={"Content-Type": "text/plain"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(form, timeout=10)
    assert refused.value.code == 400
    assert "propres demandes" in json.loads(refused.value.read())["erreur"]
    assert tableau.defis.running == ""
    # A page reached through another name (DNS rebinding) is refused.
    rebound = urllib.request.Request(running.url + "/etat", headers={"Host": "evil.example:80"})
    with pytest.raises(urllib.error.HTTPError) as wrong_host:
        urllib.request.urlopen(rebound, timeout=10)
    assert wrong_host.value.code == 403
    assert "127.0.0.1" in wrong_host.value.read().decode("utf-8")
    status, _ = request(running.url.replace("127.0.0.1", "localhost") + "/etat")
    assert status == 200


def test_binary_junk_and_unknown_pictures(served: tuple[Tableau, Running]) -> None:
    _, running = served
    status, answer = request(running.url + "/repetition/demarrer", raw=b"\xff\x00\xfe junk")
    assert status == 400 and "JSON attendu" in answer["erreur"]
    status, _ = request(running.url + "/atelier/images/..%2F..%2Fetc%2Fpasswd")
    assert status == 404
    status, text = request(running.url + "/atelier/imprimantes/7/couche.svg")
    assert status == 200 and "Aucune impression" in text
    status, text = request(running.url + "/repetition/rapport")
    assert status == 404 and "Pas encore de rapport" in text


def test_an_answer_of_the_wrong_kind_is_refused(served: tuple[Tableau, Running]) -> None:
    tableau, running = served
    request(running.url + "/repetition/demarrer", {"tirage": "3"})
    oral = tableau.rehearsal.oral
    assert oral is not None and oral.current is not None
    assert oral.current.kind is Kind.CHECK
    for wrong in ("oui", 7, 2.5):
        status, answer = request(
            running.url + "/repetition/repondre", {"index": 0, "valeur": wrong}
        )
        assert status == 400 and "Réponse invalide" in answer["erreur"], answer
    assert oral.position == 0


def test_demonstration_runs_on_the_simulator(served: tuple[Tableau, Running]) -> None:
    tableau, running = served
    status, _ = request(running.url + "/repetition/demarrer",
                        {"support": "robot", "tirage": "0"})  # fmt: skip
    assert status == 200
    oral = tableau.rehearsal.oral
    assert oral is not None
    while (prompt := oral.current) is not None and prompt.kind is not Kind.DEMO:
        value = True if prompt.kind is Kind.CHECK else 0
        request(running.url + "/repetition/repondre", {"index": oral.position, "valeur": value})
    assert prompt is not None and prompt.part is Part.ATELIER
    index = oral.position
    request(running.url + "/repetition/demonstration", {"index": index, "lancer": True})
    # Pressed twice (or in two browsers): the demonstration runs once.
    request(running.url + "/repetition/demonstration", {"index": index, "lancer": True})
    deadline = time.monotonic() + 60
    while oral.position == index:
        assert time.monotonic() < deadline, "the demonstration did not end"
        time.sleep(0.05)
    assert len(oral.demos) == 1 and oral.demos[0].ok, oral.demos
    assert "robot run" in oral.demos[0].command_line
    state = tableau.rehearsal.state_json()
    assert any("démonstration réussie" in f["text"] for f in state["feedback"])
    assert state["prompt"]["kind"] == "minuteur"

    # Stopped from the page: the partial report is written, as on Ctrl-C.
    status, _ = request(running.url + "/repetition/arreter", {})
    assert status == 200
    end = tableau.rehearsal.state_json()["end"]
    assert end["interrupted"] is True and len(end["reports"]) == 2
    assert all(Path(path).is_file() for path in end["reports"])
    status, text = request(running.url + "/repetition/rapport")
    assert status == 200 and "<html" in text
    assert tableau.stop() is None  # nothing left to interrupt when the server stops


def test_server_stop_interrupts_a_running_rehearsal(served: tuple[Tableau, Running]) -> None:
    tableau, running = served
    request(running.url + "/repetition/demarrer", {"tirage": "7"})
    md_path = tableau.stop()  # what the server's shutdown does (Ctrl-C)
    assert md_path is not None and md_path.is_file()
    assert "interrompu" in md_path.read_text(encoding="utf-8").lower()
