# SPDX-License-Identifier: GPL-3.0-or-later
"""Flash, erase and identify ESP32-S2/S3 boards through esptool's Python API.

The port is opened with :func:`kit.links.open_link` and handed to esptool, so the same code
drives a board on ``/dev/ttyACM0`` and the simulator on ``sim://esp32s3``. Before anything is
written the image header must name the board's chip, and the chip that answers must be the
board's chip; after writing, the flash MD5 is compared with the file's. esptool's own output
goes to the kit's log; progress reaches the caller through a callback. Every esptool failure
becomes a :class:`~kit.errors.KitError` with a French message.

Reset before connecting: a device path gets esptool's usual DTR/RTS "default reset" (USB-UART
bridges and the USB-JTAG port enter download mode by themselves); a URL (``sim://``,
``socket://``) cannot toggle modem lines, so the chip must already be in download mode.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import serial

from firmware import esp_image
from firmware.boards import Board
from kit.errors import DeviceFault, InputFileError, KitError, LinkError
from kit.links import is_url, open_link
from kit.messages import seconds_fr

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]

ROM_BAUD = 115200
DEFAULT_FLASH_BAUD = 460800

#: esptool's CHIP_NAME -> the catalogue's chip name.
_CHIP_NAMES = {label: name for name, label in esp_image.CHIP_LABELS.items()}


class ChipNotAnswering(LinkError):
    """Nothing answered esptool's SYNC: the chip is not in download mode (or not there)."""


@dataclass(frozen=True)
class ChipInfo:
    chip: str  # catalogue name, "esp32s3"
    label: str  # "ESP32-S3"
    description: str  # "ESP32-S3 (QFN56) (revision v0.2)"
    features: tuple[str, ...]
    mac: str
    flash_size: str | None  # "4MB", None if the flash did not say


@dataclass(frozen=True)
class FlashResult:
    chip: str
    offset: int
    size: int
    md5: str
    compressed: bool
    seconds: float


def _label(chip: str) -> str:
    return esp_image.CHIP_LABELS.get(chip, chip)


def check_image(data: bytes, board: Board) -> esp_image.ImageHeader:
    """Refuse a ``.bin`` that is not an ESP image for the board's chip (nothing is written)."""
    header = esp_image.find_header(data, board.flash_offset, board.chip)
    if header is None:
        raise InputFileError(
            "Ce fichier .bin n'est pas un micrologiciel ESP : aucun en-tête d'image (octet E9) "
            "à l'endroit attendu.",
            hint="Téléchargez le fichier .bin de CircuitPython prévu pour cette carte.",
        )
    if header.chip != board.chip:
        found = _label(header.chip) if header.chip else f"inconnue (id {header.chip_id})"
        raise InputFileError(
            f"Ce micrologiciel est prévu pour la puce {found}, pas pour la puce "
            f"{_label(board.chip)} de la carte « {board.name} ». Rien n'a été écrit.",
            hint="Vérifiez le nom de la carte dans le nom du fichier.",
        )
    return header


# -- esptool plumbing ---------------------------------------------------------------------


def _esptool_logger(progress: ProgressFn | None) -> Any:
    from esptool.logger import TemplateLogger

    class KitEsptoolLogger(TemplateLogger):  # type: ignore[misc]
        """Sends esptool's messages to the kit's log and its progress to a callback."""

        def print(self, *args: Any, **kwargs: Any) -> None:
            text = " ".join(str(a) for a in args).strip()
            if text:
                log.debug("esptool : %s", text)

        def note(self, message: str) -> None:
            log.debug("esptool, note : %s", message)

        def warning(self, message: str) -> None:
            log.info("esptool, avertissement : %s", message)

        def error(self, message: str) -> None:
            log.info("esptool, erreur : %s", message)

        def stage(self, finish: bool = False) -> None:
            pass

        def progress_bar(
            self,
            cur_iter: int,
            total_iters: int,
            prefix: str = "",
            suffix: str = "",
            bar_length: int = 30,
        ) -> None:
            if progress is not None:
                progress(cur_iter, total_iters)

        def set_verbosity(self, verbosity: str) -> None:
            pass

    return KitEsptoolLogger()


@contextmanager
def _quiet_esptool(progress: ProgressFn | None = None) -> Iterator[None]:
    from esp_pylib.logger import EspLog
    from esptool.logger import log as esptool_log

    previous = EspLog.instance
    esptool_log.set_logger(_esptool_logger(progress))
    try:
        yield
    finally:
        EspLog.instance = previous


_SEQ = re.compile(r"after seq (\d+)")


def _explain(exc: BaseException, what: str) -> KitError:
    """Turn an esptool or pyserial failure into a French message."""
    text = str(exc)
    log.info("esptool, échec pendant %s : %s", what, text)
    if isinstance(exc, serial.SerialException) or "device reports readiness" in text:
        return DeviceFault(
            f"La liaison avec la carte a été coupée pendant {what} (câble débranché, carte "
            "redémarrée ?).",
            hint="Rebranchez la carte et recommencez : le micrologiciel sera réécrit en entier.",
        )
    if "Checksum error" in text or "Bad data checksum" in text:
        seq = _SEQ.search(text)
        block = f"Le bloc n° {seq.group(1)}" if seq else "Un bloc"
        return DeviceFault(
            f"{block} est arrivé abîmé à chaque essai (erreur de somme de contrôle) : la "
            "liaison USB perd des données. Rien ne garantit le contenu de la mémoire.",
            hint="Essayez un autre câble USB ou un autre port, ou une vitesse plus basse "
            "(--baud 115200), puis recommencez.",
        )
    if "MD5 of file does not match" in text or "written flash region is empty" in text:
        return DeviceFault(
            "Vérification échouée : l'empreinte MD5 de la mémoire flash ne correspond pas au "
            "fichier. Le micrologiciel écrit est abîmé.",
            hint="Recommencez l'écriture ; si l'erreur revient, changez de câble ou de carte.",
        )
    if "will not fit" in text or "larger than detected flash size" in text:
        return InputFileError(
            "Le fichier ne tient pas dans la mémoire flash de la carte : ce n'est sans doute "
            "pas le micrologiciel prévu pour ce modèle."
        )
    if "Failed to connect" in text or (what == "la connexion" and "No serial data" in text):
        return ChipNotAnswering(
            "La puce ne répond pas : elle n'est pas en mode téléchargement (chargeur ROM).",
            hint="En général : maintenir BOOT, appuyer brièvement sur RESET, relâcher BOOT. "
            "« kit mcu boards » donne la manœuvre de chaque carte.",
        )
    silent = ("Timed out", "stopped", "No serial data", "No more data", "Response doesn't match")
    if any(marker in text for marker in silent):
        return DeviceFault(
            f"La carte a cessé de répondre pendant {what}.",
            hint="Débranchez et rebranchez la carte, remettez-la en mode téléchargement et "
            "recommencez.",
        )
    return DeviceFault(
        f"La carte a refusé l'opération pendant {what}.",
        hint=f"Détail technique (esptool) : {text}",
    )


class EspSession:
    """An open connection to an ESP chip in download mode (use :func:`connect`)."""

    def __init__(self, link: serial.SerialBase, esp: Any) -> None:
        self.link = link
        self.esp = esp
        self.chip = _CHIP_NAMES.get(esp.CHIP_NAME, esp.CHIP_NAME.lower())
        self.label = esp.CHIP_NAME
        self._stub = False
        self._attached = False

    def close(self) -> None:
        with suppress(OSError, serial.SerialException):
            self.link.close()

    def __enter__(self) -> EspSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def require_chip(self, board: Board) -> None:
        if self.chip != board.chip:
            self.close()
            raise KitError(
                f"La carte branchée contient une puce {self.label}, pas la puce "
                f"{_label(board.chip)} de « {board.name} ». Rien n'a été écrit.",
                hint="Vérifiez la carte branchée ou l'option --board.",
            )

    def _prepare(self, *, stub: bool, baud: int) -> None:
        from esptool import cmds

        if stub and not self._stub:
            self.esp = cmds.run_stub(self.esp)
            self._stub = True
        if baud > ROM_BAUD and self.link.baudrate != baud:
            self.esp.change_baud(baud)
        if not self._attached:
            cmds.attach_flash(self.esp)
            self._attached = True

    def info(self) -> ChipInfo:
        from esptool import cmds

        with _quiet_esptool():
            try:
                description = self.esp.get_chip_description()
                features = tuple(self.esp.get_chip_features())
                mac = ":".join(f"{b:02x}" for b in self.esp.read_mac())
                self._prepare(stub=False, baud=ROM_BAUD)
                flash_size = cmds.detect_flash_size(self.esp)
            except Exception as exc:  # esptool raises FatalError and serial errors
                raise _explain(exc, "la lecture des informations") from exc
        return ChipInfo(self.chip, self.label, description, features, mac, flash_size)

    def flash(
        self,
        data: bytes,
        offset: int,
        *,
        compress: bool = True,
        stub: bool = True,
        baud: int = DEFAULT_FLASH_BAUD,
        progress: ProgressFn | None = None,
    ) -> FlashResult:
        """Write ``data`` at ``offset``, then check the flash MD5 against the file's."""
        from esptool import cmds

        started = time.monotonic()
        totals: list[int] = []

        def track(done: int, total: int) -> None:
            totals.append(total)
            if progress is not None:
                progress(done, total)

        with _quiet_esptool(track):
            try:
                self._prepare(stub=stub, baud=baud)
                cmds.write_flash(
                    self.esp,
                    [(offset, data)],
                    compress=compress,
                    no_compress=not compress,
                )
                padded = data + b"\xff" * (-len(data) % 4)
                flash_md5 = self.esp.flash_md5sum(offset, len(padded))
            except Exception as exc:
                raise _explain(exc, "l'écriture") from exc
        expected = hashlib.md5(padded).hexdigest()
        if flash_md5 != expected:
            raise DeviceFault(
                "Vérification échouée : l'empreinte MD5 de la mémoire flash "
                f"({flash_md5}) ne correspond pas au fichier ({expected})."
            )
        # esptool sends the data uncompressed when zlib cannot shrink it; its progress
        # total (the bytes it sends) tells which way it went.
        compressed = bool(totals) and totals[-1] < len(padded)
        return FlashResult(
            self.chip, offset, len(data), expected, compressed, time.monotonic() - started
        )

    def erase(self) -> None:
        from esptool import cmds

        with _quiet_esptool():
            try:
                self._prepare(stub=True, baud=ROM_BAUD)
                cmds.erase_flash(self.esp)
            except Exception as exc:
                raise _explain(exc, "l'effacement") from exc

    def reset(self) -> None:
        """Restart the chip into its application (best effort: some ports cannot)."""
        from esptool import cmds

        with _quiet_esptool():
            try:
                cmds.reset_chip(self.esp, "hard-reset")
            except Exception as exc:
                log.info("réinitialisation en échec : %s", exc)


def connect(port: str, *, attempts: int = 2) -> EspSession:
    """Open ``port``, sync with the ROM loader and detect the chip.

    Raises :class:`ChipNotAnswering` when nothing answers (the chip is not in download mode),
    :class:`~kit.errors.LinkError` when the port cannot be opened.
    """
    from esptool import cmds

    link = open_link(port, baudrate=ROM_BAUD, timeout_s=1.0)
    mode = "no-reset" if is_url(port) else "default-reset"
    with _quiet_esptool():
        try:
            esp = cmds.detect_chip(
                port=link, baud=ROM_BAUD, connect_mode=mode, connect_attempts=attempts
            )
        except Exception as exc:
            with suppress(OSError, serial.SerialException):
                link.close()
            raise _explain(exc, "la connexion") from exc
    return EspSession(link, esp)


def connect_waiting(
    port: str,
    *,
    timeout_s: float,
    on_waiting: Callable[[], None],
    poll_s: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> EspSession:
    """Connect; if the chip does not answer, call ``on_waiting`` once (the CLI shows the
    board's BOOT-button instructions) and retry until the port comes back in download mode
    or ``timeout_s`` runs out. A port that disappears meanwhile (native USB boards
    re-enumerate on reset) is simply waited for."""
    try:
        return connect(port)
    except ChipNotAnswering:
        on_waiting()
    except LinkError:
        # A native-USB board whose port is not there yet (unplugged, or re-enumerating after
        # the buttons were pressed) is waited for too; any other port problem is reported.
        if is_url(port) or os.path.exists(port):
            raise
        on_waiting()
    deadline = clock() + timeout_s
    last: KitError | None = None
    while clock() < deadline:
        sleep(poll_s)
        try:
            return connect(port, attempts=1)
        except (ChipNotAnswering, LinkError) as exc:
            last = exc
    raise ChipNotAnswering(
        f"La puce ne répond toujours pas après {seconds_fr(timeout_s)} d'attente.",
        hint=last.message if last and not isinstance(last, ChipNotAnswering) else None,
    )
