# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit tableau``: the atelier on the video projector, as a local web page.

The options and the server's life live here; the application is ``tableau_app`` (imported when
the command runs). The server binds to 127.0.0.1, or with ``--reseau`` to every address of the
machine behind a random token, and stops cleanly on Ctrl-C (an unfinished rehearsal gets its
partial report, as in the terminal).
"""

from __future__ import annotations

import contextlib
import errno
import secrets
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from kit.console import console, err_console
from kit.errors import KitError
from kit.files import ensure_folder

if TYPE_CHECKING:
    import uvicorn

    from kit.commands.tableau_app import Tableau

LOCAL_HOST = "127.0.0.1"
ALL_HOSTS = "0.0.0.0"  # noqa: S104 - only with --reseau, and then behind the token


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, or a French error (port taken, not allowed)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise KitError(
                f"Le port {port} est déjà utilisé (un autre tableau est peut-être ouvert).",
                hint="Choisissez-en un autre avec --port, par exemple --port 8001.",
            ) from None
        if exc.errno == errno.EACCES:
            raise KitError(
                f"Le port {port} est réservé à l'administrateur.",
                hint="Choisissez un port au-dessus de 1024 avec --port.",
            ) from None
        raise KitError(f"Impossible d'ouvrir le port {port} : {exc.strerror}.") from None
    return sock


def lan_address() -> str:
    """This machine's address on the local network (for the tablet's URL)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent by a UDP connect
            return str(probe.getsockname()[0])
        except OSError:
            return socket.gethostname()


def make_server(tableau: Tableau) -> uvicorn.Server:
    import uvicorn

    from kit.commands.tableau_app import build_app

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            tableau.hub.closing.set()  # the live streams end, so the shutdown does not wait
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        build_app(tableau),
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=2,
        access_log=False,
    )
    return Server(config)


@dataclass
class Running:
    """A tableau served from a thread (tests, benchmarks): its address and how to stop it."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@contextlib.contextmanager
def serve_in_thread(tableau: Tableau, host: str = LOCAL_HOST) -> Iterator[Running]:
    """Serve ``tableau`` on a free port in a background thread until the block ends."""
    sock = bind(host, 0)
    port = sock.getsockname()[1]
    server = make_server(tableau)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    running = Running(f"http://{host}:{port}", server, thread)
    try:
        yield running
    finally:
        tableau.hub.closing.set()
        running.stop()
        sock.close()


def build_tableau(output: Path, pictures: Path, token: str | None) -> Tableau:
    from kit.commands.tableau_app import Tableau
    from kit.commands.tableau_atelier import atelier_farm
    from kit.commands.tableau_journal import JournalSource
    from printers.atelier_config import atelier_printers, configured_timeout_s, with_api_key
    from printers.backend import PrinterBackend

    problem = ""
    farm = None
    backends: dict[str, PrinterBackend] = {}
    try:
        entries = [with_api_key(entry) for entry in atelier_printers()]
    except KitError as exc:
        entries = []
        problem = f"Liste des imprimantes inutilisable : {exc.message}"
    if entries:
        farm, backends = atelier_farm(entries, configured_timeout_s())
    return Tableau(output=output, pictures=pictures, farm=farm, token=token,
                   farm_problem=problem, backends=backends,
                   sources=[JournalSource()])  # fmt: skip


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    metavar="PORT",
    help="Port du serveur web (0 : un port libre au hasard).",
)
@click.option(
    "--reseau",
    is_flag=True,
    help="Ouvre le tableau aux autres appareils du réseau (une tablette), avec un jeton "
    "d'accès secret dans l'adresse affichée.",
)
@click.option(
    "--sortie",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    metavar="DOSSIER",
    help="Dossier où écrire les rapports de répétition (par défaut le dossier courant).",
)
def tableau(port: int, reseau: bool, sortie: Path) -> None:
    """L'atelier au vidéoprojecteur, dans le navigateur.

    Deux vues : la répétition de l'oral (grand minuteur, phases, ce que regarde le jury) et
    l'atelier en direct (imprimantes, défis, cartes).

    Sans --reseau, le tableau n'est visible que depuis cet ordinateur. Ctrl-C l'arrête ;
    fermer le navigateur n'arrête rien.
    """
    output = ensure_folder(sortie)
    token = secrets.token_urlsafe(18) if reseau else None
    sock = bind(ALL_HOSTS if reseau else LOCAL_HOST, port)
    actual_port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="kit-tableau-") as pictures:
        board = build_tableau(output, Path(pictures), token)
        server = make_server(board)
        if token is not None:
            url = f"http://{lan_address()}:{actual_port}/?jeton={token}"
            console.print(f"Tableau ouvert sur le réseau : {url}", highlight=False, soft_wrap=True)
            console.print(
                "Sans ce jeton, les autres appareils sont refusés. Ne projetez pas cette adresse.",
                highlight=False,
            )
        else:
            url = f"http://{LOCAL_HOST}:{actual_port}/"
            console.print(f"Tableau prêt : {url}", highlight=False, soft_wrap=True)
        console.print("Ctrl-C pour arrêter le tableau.", style="dim", highlight=False)
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            pass  # uvicorn hands the signal back once it has shut down cleanly
        finally:
            sock.close()
        reports = board.rehearsal.reports
        oral = board.rehearsal.oral
        if reports is not None and oral is not None and oral.interrupted:
            err_console.print(
                f"Répétition interrompue : rapport partiel écrit dans {reports[0]} et "
                f"{reports[1]}.",
                style="yellow",
                highlight=False,
            )
        console.print("Tableau arrêté.", highlight=False)
