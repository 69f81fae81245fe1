# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit mcu boards/flash/erase/info/firmware``: install CircuitPython on the atelier's boards.

``.bin`` files go through esptool (ESP32-S2/S3 in download mode); ``.uf2`` files are copied
onto the board's UF2 bootloader drive. The domain work is in ``firmware/``; this module asks,
waits and renders in French.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from firmware import esp_flash, firmware_cache, uf2_flash
from firmware.boards import Board, get_board, load_catalogue
from firmware.chip_features import description_fr, features_fr
from firmware.esp_image import CHIP_LABELS, is_exercise_image
from firmware.uf2 import family_name
from kit import discovery, messages
from kit.clickfr import FiniteFloatRange
from kit.commands.record import recorded
from kit.console import confirm_destruction, console, err_console, print_error
from kit.errors import EXIT_FAILURE, KitError
from kit.links import is_url
from kit.messages import decimal_fr, number_fr, seconds_fr

DEFAULT_WAIT_S = 120.0


def _mo(size: int) -> str:
    return f"{decimal_fr(size / 1_000_000, 1)} Mo"


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        # rich's DownloadColumn and TransferSpeedColumn speak English (« kB », « bytes »).
        TextColumn("{task.fields[sizes]}"),
        TimeRemainingColumn(),
        console=err_console,
    )
    task = progress.add_task(label, total=None, sizes="")

    def update(done: int, total: int) -> None:
        sizes = (
            f"{decimal_fr(done / 1_000_000, 2)} / {decimal_fr(total / 1_000_000, 2)} Mo"
            if total
            else ""
        )
        progress.update(task, completed=done, total=total, sizes=sizes)

    with progress:
        yield update


def _show_instructions(board: Board) -> None:
    err_console.print(
        f"[yellow]La carte ne répond pas.[/yellow] Pour la mettre en mode téléchargement "
        f"({board.name}) :\n  {board.bootloader_fr}\nJ'attends qu'elle revienne…",
        highlight=False,
    )


# -- kit mcu boards -------------------------------------------------------------------------


@click.command("boards")
@click.option("--json", "as_json", is_flag=True, help="Liste au format JSON.")
def boards_cmd(as_json: bool) -> None:
    """Liste les cartes connues : puce, méthode d'installation, mode démarrage."""
    catalogue = load_catalogue()
    if as_json:
        rows = [
            {
                "id": b.id,
                "nom": b.name,
                "puce": b.chip,
                "methode": b.flash_method,
                "famille_uf2": f"{b.uf2_family:#010x}",
                "decalage_bin": f"{b.flash_offset:#x}",
                "usb_application": list(b.usb_app),
                "usb_demarrage": list(b.usb_bootloader),
                "uf2_board_id": b.uf2_board_id,
                "mode_demarrage": b.bootloader_fr,
            }
            for b in catalogue.values()
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="Cartes connues", title_justify="left", show_lines=True)
    # The short name is what the animateur types after --board: never cut or wrapped.
    table.add_column("Nom court (--board)", no_wrap=True, style="bold")
    table.add_column("Carte")
    table.add_column("Puce", no_wrap=True)
    table.add_column("Installation")
    table.add_column("USB (appli / démarrage)")
    for b in catalogue.values():
        method = ".bin par esptool ou .uf2" if b.flash_method == "esptool" else "fichier .uf2"
        table.add_row(
            b.id,
            b.name,
            CHIP_LABELS.get(b.chip, b.chip),
            method,
            f"{', '.join(b.usb_app)} / {', '.join(b.usb_bootloader)}",
        )
    console.print(table)
    # The bootloader instructions are sentences: a paragraph each reads better than a cell.
    console.print("\n[bold]Passer chaque carte en mode démarrage[/bold]")
    for b in catalogue.values():
        console.print(f"- [bold]{escape(b.id)}[/bold] : {escape(b.bootloader_fr)}")


# -- kit mcu firmware list ------------------------------------------------------------------


@click.group("firmware")
def firmware_group() -> None:
    """Micrologiciels disponibles localement (rien n'est téléchargé)."""


@firmware_group.command("list")
def firmware_list() -> None:
    """Liste les fichiers .uf2 et .bin du dossier local des micrologiciels."""
    folder = firmware_cache.firmware_dir()
    items = firmware_cache.list_firmware()
    if not items:
        console.print(
            f"Aucun micrologiciel dans {folder}.\nDéposez-y les fichiers .uf2 ou .bin de "
            "CircuitPython (circuitpython.org/downloads), ou donnez un chemin à "
            "« kit mcu flash ».",
            highlight=False,
        )
        return
    table = Table(title=f"Micrologiciels dans {folder}", title_justify="left")
    table.add_column("Fichier", overflow="fold")
    table.add_column("Carte")
    table.add_column("Version")
    table.add_column("Langue")
    table.add_column("Taille", justify="right")
    for item in items:
        table.add_row(
            item.path.name,
            item.board.id if item.board else (item.circuitpython_board or "?"),
            item.version or "?",
            item.language or "?",
            _mo(item.size),
        )
    console.print(table)


# -- kit mcu info / erase -------------------------------------------------------------------


@click.command("info")
@click.option(
    "--port", required=True, metavar="PORT", help="Port série de la carte, ou sim://esp32s3."
)
def info_cmd(port: str) -> None:
    """Puce, adresse MAC et taille de flash d'une carte ESP32 en mode téléchargement."""
    with esp_flash.connect(port) as session:
        info = session.info()
    console.print(f"[bold]Puce :[/bold] {description_fr(info.description)}", highlight=False)
    console.print(f"[bold]Fonctions :[/bold] {features_fr(info.features)}", highlight=False)
    console.print(f"[bold]Adresse MAC :[/bold] {info.mac}", highlight=False)
    size = info.flash_size.replace("MB", " Mo") if info.flash_size else "inconnue"
    console.print(f"[bold]Mémoire flash :[/bold] {size}", highlight=False)


@click.command("erase")
@click.option(
    "--board",
    "board_id",
    required=True,
    metavar="CARTE",
    help="Nom court de la carte (kit mcu boards).",
)
@click.option(
    "--port", required=True, metavar="PORT", help="Port série de la carte, ou sim://esp32s3."
)
@click.option(
    "--attente",
    type=FiniteFloatRange(0, 3600),
    default=DEFAULT_WAIT_S,
    show_default=True,
    help="Secondes d'attente si la carte ne répond pas.",
)
@click.option("--oui", is_flag=True, help="Efface sans demander de confirmation.")
def erase_cmd(board_id: str, port: str, attente: float, oui: bool) -> None:
    """Efface toute la mémoire flash d'une carte ESP32 (programme et fichiers compris).

    Le kit demande confirmation dans le terminal ; sans terminal (script), il refuse sauf
    avec --oui.
    """
    board = get_board(board_id)
    if board.flash_method != "esptool":
        raise KitError(
            f"« kit mcu erase » ne concerne que les cartes ESP32 ; « {board.name} » s'efface "
            "en copiant un fichier UF2 d'effacement sur son lecteur de démarrage."
        )
    confirm_destruction(
        f"Effacer toute la mémoire de la carte {board.name} sur {port} (CircuitPython, "
        "code.py et tous les fichiers de la carte) ?",
        assume_yes=oui,
        nothing_done="la carte n'a pas été touchée",
    )
    session = esp_flash.connect_waiting(
        port, timeout_s=attente, on_waiting=lambda: _show_instructions(board)
    )
    with session:
        session.require_chip(board)
        started = time.monotonic()
        with err_console.status("Effacement de la mémoire flash…"):
            session.erase()
        session.reset()
    console.print(
        f"[green]Mémoire flash effacée[/green] ({board.name}, "
        f"{messages.format_duration_fr(time.monotonic() - started)}).",
        highlight=False,
    )


# -- kit mcu flash --------------------------------------------------------------------------


def _flash_bin_once(
    data: bytes,
    board: Board,
    port: str,
    *,
    compress: bool,
    stub: bool,
    baud: int,
    wait_s: float,
) -> esp_flash.FlashResult:
    session = esp_flash.connect_waiting(
        port, timeout_s=wait_s, on_waiting=lambda: _show_instructions(board)
    )
    with session:
        session.require_chip(board)
        err_console.print(f"Puce détectée : {session.label} sur {port}", highlight=False)
        with _progress_bar("Écriture") as update:
            result = session.flash(
                data,
                board.flash_offset,
                compress=compress,
                stub=stub,
                baud=baud,
                progress=update,
            )
        session.reset()
    return result


def _duration(seconds: float) -> str:
    """« 0,4 s » for a short write (« 0 s » reads as nothing done), else « 1 min 05 s »."""
    return f"{number_fr(seconds, 1)} s" if seconds < 10 else messages.format_duration_fr(seconds)


def _report_bin(result: esp_flash.FlashResult, board: Board, *, exercise: bool = False) -> None:
    what = "Image d'exercice écrite" if exercise else "CircuitPython installé"
    console.print(
        f"[green]{what}[/green] sur {board.name} : {_mo(result.size)} écrits à "
        f"{result.offset:#x} en {_duration(result.seconds)}"
        f"{' (compressés)' if result.compressed else ''}, empreinte MD5 vérifiée "
        f"({result.md5}).",
        highlight=False,
        soft_wrap=True,  # the MD5 stays on one line, to be compared or copied
    )


def _flash_uf2_once(
    data: bytes,
    board: Board,
    drive: str | None,
    name: str,
    wait_s: float,
    *,
    announce: bool = True,
) -> uf2_flash.Uf2FlashResult:
    found = uf2_flash.wait_for_drive(board, drive, 0)
    if found is None:
        if announce:
            why = "Aucun lecteur de démarrage UF2 trouvé."
            if drive is not None:
                try:
                    uf2_flash.inspect(drive)
                except KitError as exc:
                    why = exc.message  # not there yet, or a CIRCUITPY drive, or a plain folder
            err_console.print(
                f"[yellow]{escape(why)}[/yellow] Pour {board.name} :\n"
                f"  {board.bootloader_fr}\nJ'attends le lecteur…",
                highlight=False,
            )
        found = uf2_flash.wait_for_drive(board, drive, wait_s)
    if found is None:
        raise KitError(
            f"Aucun lecteur de démarrage UF2 n'est apparu en {seconds_fr(wait_s)}.",
            hint=board.bootloader_fr,
        )
    err_console.print(
        f"Lecteur UF2 : {found.path} (Board-ID : {found.board_id or 'non indiqué'})",
        highlight=False,
    )
    if found.board_id and found.board_id != board.uf2_board_id:
        err_console.print(
            f"[yellow]Attention :[/yellow] ce lecteur annonce « {found.board_id} », la fiche "
            f"de {board.name} dit « {board.uf2_board_id} ».",
            highlight=False,
        )
    with _progress_bar("Copie") as update:
        result = uf2_flash.flash(data, board, found, name=name, progress=update)
    return result


def _report_uf2(result: uf2_flash.Uf2FlashResult, board: Board) -> None:
    console.print(
        f"[green]Fichier UF2 copié[/green] sur {result.drive.path} pour {board.name} : "
        f"{result.blocks} blocs {family_name(result.family)} vérifiés, "
        f"{messages.format_duration_fr(result.seconds)}.",
        highlight=False,
    )
    if result.rebooted:
        console.print("La carte a redémarré sur le nouveau micrologiciel.", highlight=False)
        circuitpy = uf2_flash.find_circuitpy(result.drive.path)
        if circuitpy is not None:
            console.print(
                f"Lecteur CIRCUITPY : {circuitpy.path} — CircuitPython "
                f"{circuitpy.circuitpython_version or '?'} (Board ID : "
                f"{circuitpy.board_id or '?'}).",
                highlight=False,
                soft_wrap=True,
            )
    else:
        console.print(
            "[yellow]La carte n'a pas encore redémarré[/yellow] : si le lecteur reste affiché, "
            "le fichier a été ignoré par le chargeur.",
            highlight=False,
        )


def _wait_next_port(port: str, wait_s: float) -> bool:
    """Between two boards: for a device path, wait until it disappears and comes back; for a
    URL (nothing to watch), wait for Entrée. False when nothing came (stop)."""
    if is_url(port):
        err_console.print("Branchez la carte suivante puis appuyez sur Entrée (Ctrl-D pour finir).")
        return bool(sys.stdin.readline())
    path = Path(port)
    deadline = time.monotonic() + wait_s
    while path.exists():  # the flashed board is unplugged…
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    deadline = time.monotonic() + wait_s
    while not path.exists():  # …and the next one plugged in
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    return True


def _find_port(board: Board) -> str:
    wanted = set(board.usb_bootloader) | set(board.usb_app)
    ports = [p for p in discovery.scan_ports() if p.vid_pid in wanted]
    if len(ports) == 1:
        return ports[0].device
    if not ports:
        raise KitError(
            f"Aucun port série de {board.name} n'est branché.",
            hint=f"Indiquez --port, ou branchez la carte en mode téléchargement : "
            f"{board.bootloader_fr}",
        )
    raise KitError(
        f"Plusieurs ports possibles : {', '.join(p.device for p in ports)}.",
        hint="Indiquez celui de la carte avec --port.",
    )


@click.command("flash")
@click.argument("firmware", required=False, metavar="[MICROLOGICIEL]")
@click.option(
    "--board",
    "board_id",
    required=True,
    metavar="CARTE",
    help="Nom court de la carte (kit mcu boards).",
)
@click.option(
    "--port",
    metavar="PORT",
    help="Port série (fichier .bin), par exemple /dev/ttyACM0 ou sim://esp32s3.",
)
@click.option("--drive", type=click.Path(file_okay=False), help="Lecteur UF2 (fichier .uf2).")
@click.option("--no-compress", is_flag=True, help="Envoie les données sans les compresser.")
@click.option("--no-stub", is_flag=True, help="Parle au seul chargeur ROM (plus lent).")
@click.option(
    "--baud",
    type=click.IntRange(9600, 5_000_000),
    default=esp_flash.DEFAULT_FLASH_BAUD,
    show_default=True,
    help="Vitesse série pendant l'écriture.",
)
@click.option(
    "--attente",
    type=FiniteFloatRange(0, 3600),
    default=DEFAULT_WAIT_S,
    show_default=True,
    help="Secondes d'attente d'une carte absente ou muette.",
)
@click.option("--toutes", is_flag=True, help="Installe carte après carte, pour tout le groupe.")
@click.option("--nombre", type=click.IntRange(1, 500), help="Avec --toutes : nombre de cartes.")
def flash_cmd(
    firmware: str | None,
    board_id: str,
    port: str | None,
    drive: str | None,
    no_compress: bool,
    no_stub: bool,
    baud: int,
    attente: float,
    toutes: bool,
    nombre: int | None,
) -> None:
    """Installe un micrologiciel (CircuitPython) : .bin par esptool, .uf2 par copie.

    MICROLOGICIEL est un chemin, un nom de fichier du dossier local (kit mcu firmware list), ou
    rien : le plus récent du dossier local pour cette carte.
    """
    if nombre is not None and not toutes:
        raise KitError("--nombre compte les cartes d'une série : ajoutez --toutes.")
    board = get_board(board_id)
    path, data = _firmware_file(firmware, board, port)
    kind = path.suffix.lower()
    if kind not in (".bin", ".uf2"):
        raise KitError(f"« {path.name} » n'est ni un fichier .bin ni un fichier .uf2.")
    if kind == ".bin":
        if board.flash_method != "esptool":
            raise KitError(
                f"{board.name} s'installe avec un fichier .uf2 copié sur son lecteur de "
                "démarrage, pas avec un .bin."
            )
        if drive:
            raise KitError("Un fichier .bin s'écrit par le port série : utilisez --port.")
        esp_flash.check_image(data, board)  # refuse before touching any board
        target_port = port or _find_port(board)
        exercise = is_exercise_image(data)
        if exercise and not target_port.startswith("sim://"):
            raise KitError(
                f"« {path.name} » est l'image d'exercice du kit, pour la carte simulée : "
                "ce n'est pas un micrologiciel, rien n'a été écrit sur la carte.",
                hint="Pour une vraie carte, téléchargez le .bin de CircuitPython prévu pour "
                "elle sur circuitpython.org.",
            )

        def one() -> None:
            result = _flash_bin_once(
                data,
                board,
                target_port,
                compress=not no_compress,
                stub=not no_stub,
                baud=baud,
                wait_s=attente,
            )
            _report_bin(result, board, exercise=exercise)

        def next_board() -> bool:
            return _wait_next_port(target_port, attente)
    else:
        if port:
            raise KitError("Un fichier .uf2 se copie sur le lecteur de démarrage : --drive.")
        uf2_flash.validate(data, board)  # refuse before touching any drive
        name = path.name

        def one() -> None:
            _report_uf2(_flash_uf2_once(data, board, drive, name, attente), board)

        def next_board() -> bool:
            return uf2_flash.wait_for_drive(board, drive, attente) is not None

    one = recorded(one, "mcu_flash", {"board": board.id, "format": kind.lstrip(".")})
    if not toutes:
        one()
        return
    _flash_all(board, one, next_board, nombre)


def _firmware_file(firmware: str | None, board: Board, port: str | None) -> tuple[Path, bytes]:
    """The file to flash; without one in the cache, a simulated port gets the demonstration
    image (:mod:`firmware.demo_firmware`) so that the gesture can be rehearsed offline."""
    try:
        path = firmware_cache.resolve(firmware, board)
    except KitError:
        simulated = port is not None and port.startswith("sim://")
        if firmware is not None or not simulated or board.flash_method != "esptool":
            raise
        from firmware.demo_firmware import demo_image

        name, data = demo_image(board)
        err_console.print(
            f"[yellow]Aucun micrologiciel pour {escape(board.name)} dans le dossier local :"
            "[/yellow] image de démonstration générée pour le simulateur (ce n'est pas "
            "CircuitPython ; jamais proposée pour une vraie carte).",
            highlight=False,
        )
        return Path(name), data
    return path, path.read_bytes()


def _flash_all(
    board: Board, one: Callable[[], None], next_board: Callable[[], bool], count: int | None
) -> None:
    done = failed = 0
    number = 1
    while True:
        err_console.rule(f"Carte {number}")
        try:
            one()
            done += 1
            last = "terminée"
        except KitError as exc:
            failed += 1
            last = "en échec"
            print_error(exc.message, exc.hint)
        if count is not None and number >= count:
            break
        err_console.print(
            f"[bold]Carte {number} {last}[/bold] — branchez la suivante ({board.name}).",
            highlight=False,
        )
        if not next_board():
            break
        number += 1
    console.print(
        f"Bilan : {done} carte{'s' if done > 1 else ''} installée{'s' if done > 1 else ''}, "
        f"{failed} en échec.",
        highlight=False,
    )
    if failed:
        sys.exit(EXIT_FAILURE)


def register(group: click.Group) -> None:
    """Attach this module's commands to ``kit mcu``."""
    for command in (boards_cmd, flash_cmd, erase_cmd, info_cmd, firmware_group):
        group.add_command(command)
