# SPDX-License-Identifier: GPL-3.0-or-later
"""A printer behind an OctoPrint server, driven through ``octorest``.

OctoPrint runs the print itself (it streams the G-code to its printer); the kit uploads the
file, starts it, follows the job and sends pause/resume/cancel. Every HTTP call goes through
octorest's client; for what octorest lacks (the connection state with its error text, the
typed HTTP status of a refusal) the same client's ``requests`` session is used — there is no
second HTTP client.

Errors are explained in French (:class:`OctoPrintError`): wrong API key (403), server down,
printer not connected on the server (409), file rejected (415/400/409 on upload), timeout.
The API key is only ever put in the ``X-Api-Key`` header of octorest's session: it is not
part of any message, log line or ``repr``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import requests
from octorest import OctoRest

from kit.errors import EXIT_FAILURE, DeviceFault, InputFileError, KitError
from kit.files import looks_binary, require_input_file
from kit.messages import seconds_fr
from printers.backend import (
    JobProgress,
    PrinterState,
    PrinterStatus,
    Temperature,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long to wait for OctoPrint to open its serial port and say "Operational".
PRINTER_CONNECT_TIMEOUT_S = 30.0
#: How often to look at the connection state while waiting for it.
STATE_POLL_S = 0.25


class OctoPrintError(KitError):
    """OctoPrint refused or did not answer; the message says which and what to do."""


class OctoPrintHTTPError(Exception):
    """A non-2xx answer, with its status and OctoPrint's own error text (internal)."""

    def __init__(self, status: int, error_text: str) -> None:
        super().__init__(f"HTTP {status}: {error_text}")
        self.status = status
        self.error_text = error_text


class _TimeoutSession(requests.Session):
    """A requests session that never waits forever (octorest passes no timeout)."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s
        self.trust_env = False  # no proxy from the environment for a LAN printer server
        # ...but the certificate bundle a user names in requests' own variable still counts:
        # it is how a self-signed OctoPi certificate is trusted.
        bundle = os.environ.get("REQUESTS_CA_BUNDLE")
        if bundle:
            if not os.path.isfile(bundle):
                raise OctoPrintError(
                    f"Le certificat indiqué par REQUESTS_CA_BUNDLE est introuvable : « {bundle} ».",
                    hint="Indiquez le chemin complet du fichier .pem du serveur, ou retirez "
                    "la variable.",
                )
            self.verify = bundle

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self.timeout_s)
        return super().request(method, url, *args, **kwargs)


class _Client(OctoRest):  # type: ignore[misc]  # octorest ships no type information
    """octorest's client, raising a typed error that keeps the HTTP status."""

    def _check_response(self, response: requests.Response) -> requests.Response:
        if 200 <= response.status_code < 300:
            return response
        text = response.text
        try:
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("error"), str):
                text = body["error"]
        except ValueError:
            pass
        raise OctoPrintHTTPError(response.status_code, text.strip()[:300])


# OctoPrint's state strings (octoprint.util.comm.MachineCom.getStateString) -> our states.
_STATE_BY_TEXT: dict[str, PrinterState] = {
    "offline": PrinterState.OFFLINE,
    "closed": PrinterState.OFFLINE,
    "opening serial connection": PrinterState.CONNECTING,
    "detecting serial connection": PrinterState.CONNECTING,
    "detecting baudrate": PrinterState.CONNECTING,
    "connecting": PrinterState.CONNECTING,
    "operational": PrinterState.IDLE,
    "starting": PrinterState.PRINTING,
    "printing": PrinterState.PRINTING,
    "finishing": PrinterState.PRINTING,
    "resuming": PrinterState.PRINTING,
    "pausing": PrinterState.PAUSED,
    "paused": PrinterState.PAUSED,
    "cancelling": PrinterState.CANCELLING,
    "error": PrinterState.ERROR,
    "offline after error": PrinterState.ERROR,
}

#: Below its target by more than this while printing, a heater is still heating up (°C).
HEATING_MARGIN_C = 5.0


def state_from_text(text: str) -> PrinterState:
    lowered = text.strip().lower()
    if lowered in _STATE_BY_TEXT:
        return _STATE_BY_TEXT[lowered]
    if lowered.startswith("printing") or lowered.startswith("sending file"):
        return PrinterState.PRINTING
    if lowered.startswith("starting"):
        return PrinterState.PRINTING
    if lowered.startswith("error") or "error" in lowered:
        return PrinterState.ERROR
    return PrinterState.OFFLINE


def _float_or_none(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _temperatures(printer_data: Mapping[str, Any]) -> dict[str, Temperature]:
    temps: dict[str, Temperature] = {}
    raw = printer_data.get("temperature")
    if not isinstance(raw, Mapping):
        return temps
    for heater, values in raw.items():
        if heater == "history" or not isinstance(values, Mapping):
            continue
        actual = _float_or_none(values.get("actual"))
        if actual is None:
            continue
        target = _float_or_none(values.get("target")) or 0.0
        temps[str(heater)] = Temperature(actual_c=actual, target_c=target)
    return temps


def _job(job_data: Mapping[str, Any]) -> JobProgress | None:
    job = job_data.get("job")
    progress = job_data.get("progress")
    if not isinstance(job, Mapping) or not isinstance(progress, Mapping):
        return None
    file_info = job.get("file")
    name = (
        file_info.get("display") or file_info.get("name")
        if isinstance(file_info, Mapping)
        else None
    )
    if not name:
        return None
    completion = _float_or_none(progress.get("completion"))
    elapsed = _float_or_none(progress.get("printTime"))
    remaining = _float_or_none(progress.get("printTimeLeft"))
    fraction = min(1.0, max(0.0, completion / 100.0)) if completion is not None else 0.0
    return JobProgress(
        file_name=str(name),
        fraction_done=fraction,
        elapsed_s=elapsed or 0.0,
        remaining_s=remaining,
    )


def _heating(temps: Mapping[str, Temperature]) -> bool:
    return any(
        t.target_c > 0 and t.actual_c < t.target_c - HEATING_MARGIN_C for t in temps.values()
    )


class OctoPrintBackend:
    """A :class:`printers.backend.PrinterBackend` for one printer behind an OctoPrint server."""

    def __init__(
        self,
        url: str,
        api_key: str | None,
        *,
        name: str | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.name = name or self.url
        self.timeout_s = timeout_s
        self._api_key = api_key
        self._client: _Client | None = None

    def __repr__(self) -> str:  # the key stays out of any repr
        return f"OctoPrintBackend(name={self.name!r}, url={self.url!r})"

    # -- errors -----------------------------------------------------------------------
    def _server_down(self) -> OctoPrintError:
        return OctoPrintError(
            f"Le serveur OctoPrint « {self.url} » ne répond pas (connexion refusée ou "
            "machine éteinte).",
            hint="Vérifiez que le Raspberry Pi est allumé, sur le même réseau, et l'adresse "
            "(port compris, souvent :5000 ou :80).",
        )

    def _timeout(self) -> OctoPrintError:
        return OctoPrintError(
            f"Le serveur OctoPrint « {self.url} » n'a pas répondu dans les "
            f"{seconds_fr(self.timeout_s)}.",
            hint="Le serveur est peut-être surchargé ou le réseau coupé ; réessayez, ou "
            "augmentez le délai : « kit config set octoprint.timeout_s 30 ».",
        )

    def _wrong_key(self) -> OctoPrintError:
        return OctoPrintError(
            f"Le serveur OctoPrint « {self.url} » refuse la clé d'API (erreur 403).",
            hint="Créez une clé dans OctoPrint (Paramètres › Application Keys) puis "
            "« kit config set octoprint.api_key CLÉ » ou la variable KIT_OCTOPRINT_KEY.",
        )

    def _not_connected(self) -> OctoPrintError:
        return OctoPrintError(
            f"L'imprimante n'est pas connectée au serveur OctoPrint « {self.url} ».",
            hint="Dans OctoPrint, panneau « Connexion » : choisissez le port de l'imprimante "
            "et cliquez « Connecter » (vérifiez le câble USB et que l'imprimante est allumée).",
        )

    def _translate(self, exc: Exception, action: str) -> KitError:
        if isinstance(exc, requests.Timeout):
            return self._timeout()
        if isinstance(exc, requests.exceptions.SSLError):
            return OctoPrintError(
                f"Le certificat HTTPS du serveur OctoPrint « {self.url} » n'est pas reconnu "
                "(certificat auto-signé ?).",
                hint="Sur le réseau de l'atelier, utilisez l'adresse en http:// du serveur, ou "
                "faites reconnaître son certificat : REQUESTS_CA_BUNDLE=/chemin/du/certificat.pem.",
            )
        if isinstance(exc, requests.ConnectionError):
            return self._server_down()
        if isinstance(exc, requests.RequestException):
            return OctoPrintError(
                f"Échange impossible avec le serveur OctoPrint « {self.url} » ({action})."
            )
        if isinstance(exc, OctoPrintHTTPError):
            if exc.status == 403 and self._client is not None:
                # The key was accepted by connect(): its user lacks this permission.
                return OctoPrintError(
                    f"Le serveur OctoPrint « {self.url} » refuse l'opération ({action}) : "
                    "l'utilisateur de cette clé d'API n'en a pas le droit.",
                    hint="Dans OctoPrint, donnez à cet utilisateur les droits d'impression "
                    "(Paramètres › Contrôle d'accès), ou utilisez la clé d'un administrateur.",
                )
            if exc.status in (401, 403):
                return self._wrong_key()
            if exc.status == 409 and exc.error_text.lower().startswith(
                "printer is not operational"
            ):
                return self._not_connected()
            if exc.status == 409:
                return OctoPrintError(
                    f"OctoPrint refuse l'opération ({action}) : {_refusal_fr(exc.error_text)}",
                    exit_code=EXIT_FAILURE,
                )
            if exc.status == 404:
                return OctoPrintError(
                    f"« {self.url} » ne semble pas être un serveur OctoPrint (erreur 404 "
                    f"pendant : {action}).",
                    hint="Vérifiez l'adresse : celle de la page d'accueil d'OctoPrint.",
                )
            return OctoPrintError(
                f"Le serveur OctoPrint a répondu par une erreur {exc.status} ({action}) : "
                f"{exc.error_text}"
            )
        if isinstance(exc, ValueError):  # a 2xx answer that is not JSON: not OctoPrint
            return OctoPrintError(
                f"« {self.url} » a répondu, mais pas comme un serveur OctoPrint ({action})."
            )
        raise exc

    @contextmanager
    def _calling(self, action: str) -> Iterator[None]:
        try:
            yield
        except (requests.RequestException, OctoPrintHTTPError, ValueError) as exc:
            log.info("OctoPrint %s : %s en échec (%s)", self.url, action, type(exc).__name__)
            raise self._translate(exc, action) from exc

    def _call(self, action: str, fn: Callable[[], T]) -> T:
        with self._calling(action):
            return fn()

    @property
    def client(self) -> _Client:
        if self._client is None:
            self.connect()
        assert self._client is not None
        return self._client

    @property
    def session(self) -> requests.Session:
        """octorest's own HTTP session, for the endpoints octorest does not wrap."""
        return self.client.session  # type: ignore[no-any-return]

    # -- PrinterBackend ---------------------------------------------------------------
    def connect(self) -> None:
        """Reach the server and check the API key (octorest asks for the version)."""
        if self._client is not None:
            return
        if not self._api_key:
            raise OctoPrintError(
                f"Aucune clé d'API pour le serveur OctoPrint « {self.url} ».",
                hint="Créez une clé dans OctoPrint (Paramètres › Application Keys) puis "
                "« kit config set octoprint.api_key CLÉ » ou la variable KIT_OCTOPRINT_KEY.",
            )
        session = _TimeoutSession(self.timeout_s)
        try:
            client = _Client(url=self.url, session=session)
        except TypeError as exc:
            session.close()
            raise OctoPrintError(f"Adresse OctoPrint invalide : « {self.url} ».") from exc
        try:
            with self._calling("vérification de la clé d'API"):
                client.load_api_key(self._api_key)
                version = client.version
                if not isinstance(version, Mapping) or "server" not in version:
                    raise ValueError("not an OctoPrint version answer")
        except KitError:
            session.close()
            raise
        log.info("OctoPrint %s : connecté (serveur %s)", self.url, version.get("server"))
        self._client = client

    def close(self) -> None:
        if self._client is not None:
            self._client.session.close()
            self._client = None

    def server_version(self) -> str:
        return str(self.client.version.get("server", "?"))

    def connection_state(self) -> tuple[str, str | None]:
        """OctoPrint's connection state text and the port it uses (None when closed)."""
        data = self._call("état de la connexion", self.client.connection_info)
        current = data.get("current", {}) if isinstance(data, Mapping) else {}
        return str(current.get("state", "")), current.get("port")

    def connect_printer(
        self,
        port: str | None = None,
        *,
        baudrate: int | None = None,
        timeout_s: float = PRINTER_CONNECT_TIMEOUT_S,
    ) -> None:
        """Ask the server to open its printer's serial port and wait until it is operational."""
        try:
            with self._calling("connexion de l'imprimante"):
                self.client.connect(port=port, baudrate=baudrate, autoconnect=False)
        except OctoPrintError as exc:
            cause = exc.__cause__
            if isinstance(cause, OctoPrintHTTPError) and cause.status == 400:
                raise OctoPrintError(
                    f"Le serveur OctoPrint « {self.url} » ne connaît pas le port "
                    f"« {port} » ({cause.error_text}).",
                    hint="Les ports qu'il voit sont listés dans son panneau « Connexion ».",
                ) from cause
            raise
        deadline = time.monotonic() + timeout_s
        state = ""
        while time.monotonic() < deadline:
            state, _ = self.connection_state()
            parsed = state_from_text(state)
            if parsed is PrinterState.IDLE or parsed in (
                PrinterState.PRINTING,
                PrinterState.PAUSED,
            ):
                return
            if parsed is PrinterState.ERROR:
                raise DeviceFault(
                    f"OctoPrint n'a pas pu se connecter à l'imprimante"
                    f"{f' sur « {port} »' if port else ''} : "
                    f"{explain_printer_error(self._error_text() or state)}",
                )
            time.sleep(STATE_POLL_S)
        raise OctoPrintError(
            f"L'imprimante ne répond pas à OctoPrint{f' sur « {port} »' if port else ''} "
            f"après {seconds_fr(timeout_s)} (état : {state or 'inconnu'}).",
            hint="Vérifiez le câble, la vitesse (baudrate) et que l'imprimante est allumée.",
        )

    def disconnect_printer(self) -> None:
        self._call("déconnexion de l'imprimante", self.client.disconnect)

    def _error_text(self) -> str | None:
        job = self._call("état de l'impression", self.client.job_info)
        error = job.get("error") if isinstance(job, Mapping) else None
        return str(error) if error else None

    def status(self) -> PrinterStatus:
        job_data = self._call("état de l'impression", self.client.job_info)
        if not isinstance(job_data, Mapping):
            raise self._translate(ValueError("job"), "état de l'impression")
        state = state_from_text(str(job_data.get("state", "")))
        message = None
        if state is PrinterState.ERROR and job_data.get("error"):
            message = explain_printer_error(str(job_data["error"]))
        temps: dict[str, Temperature] = {}
        if state not in (PrinterState.OFFLINE, PrinterState.CONNECTING, PrinterState.ERROR):
            try:
                with self._calling("températures"):
                    printer_data = self.client.printer(exclude=["sd"])
            except OctoPrintError as exc:
                cause = exc.__cause__
                if not (isinstance(cause, OctoPrintHTTPError) and cause.status == 409):
                    raise
                # The printer went away between the two requests: report it as offline.
                printer_data = {}
                state = PrinterState.OFFLINE
            if isinstance(printer_data, Mapping):
                temps = _temperatures(printer_data)
        if state is PrinterState.OFFLINE:
            message = message or "Imprimante non connectée au serveur OctoPrint."
        job = _job(job_data) if state is not PrinterState.OFFLINE else None
        if (
            state is PrinterState.PRINTING
            and _heating(temps)
            and (job is None or job.fraction_done < 0.01)
        ):
            state = PrinterState.HEATING
        return PrinterStatus(state=state, temperatures=temps, job=job, message_fr=message)

    def _require_operational(self) -> None:
        job = self._call("état de l'imprimante", self.client.job_info)
        state_text = str(job.get("state", "")) if isinstance(job, Mapping) else ""
        last_error = job.get("error") if isinstance(job, Mapping) else None
        state = state_from_text(state_text)
        if state in (PrinterState.OFFLINE, PrinterState.CONNECTING):
            raise self._not_connected()
        if state_text.strip().lower() == "offline after error":
            error = self._not_connected()
            if last_error:
                error.message += f" Dernière erreur : {explain_printer_error(str(last_error))}"
            raise error
        if state is PrinterState.ERROR:
            raise DeviceFault(
                f"L'imprimante du serveur OctoPrint « {self.url} » est en erreur : "
                f"{explain_printer_error(str(last_error or state_text))}"
            )

    def upload(self, gcode_file: Path) -> str:
        """Send ``gcode_file`` to the server's storage; return its path there.

        The server decides which file types it prints (plugins add some), so only content
        that is obviously not text is refused here, before anything is sent.
        """
        source = require_input_file(gcode_file, what="fichier G-code")
        with source.open("rb") as handle:
            if looks_binary(handle.read(4096)):
                raise InputFileError(
                    f"« {source} » contient des données binaires : ce n'est pas du G-code."
                )
        with source.open("rb") as handle:
            try:
                with self._calling("envoi du fichier"):
                    answer = self.client.upload((source.name, handle), location="local")
            except OctoPrintError as exc:
                cause = exc.__cause__
                if isinstance(cause, OctoPrintHTTPError) and cause.status in (400, 409, 415):
                    raise OctoPrintError(
                        f"OctoPrint a refusé le fichier « {source.name} » : "
                        f"{_rejection_fr(cause.error_text)}",
                        exit_code=EXIT_FAILURE,
                    ) from cause
                raise
        files = answer.get("files", {}) if isinstance(answer, Mapping) else {}
        local = files.get("local", {}) if isinstance(files, Mapping) else {}
        path = local.get("path") if isinstance(local, Mapping) else None
        if not isinstance(path, str) or not path:
            raise OctoPrintError(f"OctoPrint n'a pas confirmé la réception de « {source.name} ».")
        log.info("OctoPrint %s : %s envoyé sous le nom %s", self.url, source.name, path)
        return path

    def start_print(self, gcode_file: Path) -> None:
        self._require_operational()
        path = self.upload(gcode_file)
        self.start_uploaded(path)

    def start_uploaded(self, path: str) -> None:
        """Select a file already on the server and start it."""
        with self._calling("lancement de l'impression"):
            self.client.select(f"local/{path}", print=True)

    def pause(self) -> None:
        self._call("pause", self.client.pause)

    def resume(self) -> None:
        # OctoPrint ignores "resume" while it is still "Pausing" (waiting for the printer to
        # finish its queued moves or heat-up); wait for "Paused" first.
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            state_text, _ = self.connection_state()
            if state_text.strip().lower() != "pausing":
                break
            time.sleep(STATE_POLL_S)
        self._call("reprise", self.client.resume)

    def cancel(self) -> None:
        self._call("annulation", self.client.cancel)

    def set_temperatures(
        self, *, hotend_c: float | None = None, bed_c: float | None = None
    ) -> None:
        if hotend_c is not None:
            self._call("consigne de la buse", lambda: self.client.tool_target({"tool0": hotend_c}))
        if bed_c is not None:
            self._call("consigne du plateau", lambda: self.client.bed_target(bed_c))

    def send_command(self, command: str) -> list[str]:
        """Send one G-code command through OctoPrint; return the printer's reply lines.

        The reply is read from OctoPrint's push socket (:mod:`printers.octoprint_push`): the
        ``Recv:`` lines between the command's ``Send:`` and the printer's ``ok``.
        """
        from printers.octoprint_push import command_replies

        text = command.strip()
        if not text or "\n" in text:
            raise KitError("Indiquez une seule commande G-code, sur une ligne.")
        self._require_operational()
        with self._calling("envoi de la commande"):
            return command_replies(
                self.url,
                self.session,
                text,
                lambda: self.client.gcode(text),
                timeout_s=self.timeout_s,
            )


# What OctoPrint reports when its printer fails (octoprint.util.comm), and what it means for
# the animateur. OctoPrint's own text is kept after the explanation for the record.
_PRINTER_ERRORS_FR: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("returned no data", "device disconnected", "no such file", "input/output error"),
        "liaison USB perdue : l'imprimante a été débranchée ou éteinte",
    ),
    (
        ("thermal runaway", "heating failed", "mintemp", "maxtemp"),
        "l'imprimante s'est arrêtée par sécurité thermique (sonde, chauffe ou ventilation)",
    ),
    (("kill() called", "printer halted"), "l'imprimante s'est arrêtée d'urgence (kill)"),
    (
        ("too many consecutive timeouts", "communication timeout"),
        "l'imprimante ne répond plus au serveur (délai dépassé)",
    ),
)


def explain_printer_error(error_text: str) -> str:
    """OctoPrint's error about its printer, explained in French (its text kept after)."""
    text = error_text.strip()
    lowered = text.lower()
    for needles, explanation in _PRINTER_ERRORS_FR:
        if any(needle in lowered for needle in needles):
            return f"{explanation[0].upper()}{explanation[1:]} (OctoPrint : « {text} »)."
    return f"Erreur signalée par OctoPrint : {text}"


def _refusal_fr(error_text: str) -> str:
    lowered = error_text.lower()
    if "neither printing nor paused" in lowered or "does not have an active" in lowered:
        return "aucune impression en cours sur cette imprimante."
    if "already" in lowered and ("printing" in lowered or "active print job" in lowered):
        return "une impression est déjà en cours : attendez la fin ou annulez-la."
    if "currently printing" in lowered:
        return "l'imprimante est en train d'imprimer."
    return error_text


def _rejection_fr(error_text: str) -> str:
    lowered = error_text.lower()
    if "invalid type" in lowered:
        return "ce type de fichier n'est pas accepté."
    if "invalid file name" in lowered:
        return "nom de fichier invalide."
    if "being printed" in lowered:
        return "un fichier du même nom est en cours d'impression."
    return error_text or "raison non précisée."
