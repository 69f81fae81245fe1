# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit tableau``'s web application: the pages, the live events, the access token.

A Starlette application served by uvicorn. The state lives on the server (one rehearsal, one
atelier), so that every browser shows the same thing and closing one stops nothing; each
change is pushed to every open page as a server-sent event (``/evenements``), which the page's
plain JavaScript renders. The pages are Jinja2 templates rendered by the same environment as
the rehearsal's exported report (:func:`lessons.rehearsal.html_environment`); nothing is
loaded from outside (no fonts, no CDN: the atelier may be offline).

With ``--reseau`` every request must carry the random token printed at start-up, either in
the address (``?jeton=…``, then moved into a cookie and out of the address bar) or in that
cookie; anything else gets a French refusal (403).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from kit.commands.tableau_atelier import (
    DefiRunner,
    PrinterBoard,
    ResultFeed,
    ResultSource,
    layer_picture,
)
from kit.commands.tableau_rehearsal import Clock, StartRequest, WebRehearsal, choices
from kit.errors import KitError
from lessons import rehearsal as rh
from lessons.catalog import EXAMPLES_DIR
from printers.backend import PrinterBackend
from printers.farm import Farm

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_PARAM = "jeton"
TOKEN_COOKIE = "kit_tableau_jeton"
#: How often the rehearsal's timer is looked at (seconds); an event goes out when it changes.
TIMER_TICK_S = 0.05
NO_PRINTERS = (
    "Aucune imprimante dans la configuration de l'atelier : ajoutez-en avec "
    "« kit config set printers.NOM.port … » (USB) ou « printers.NOM.url … » (OctoPrint)."
)
#: Seconds between two looks at the result sources (the journal is a file other commands write).
SOURCES_INTERVAL_S = 1.0
STATIC_FILES = {"tableau.css": "text/css", "tableau.js": "text/javascript"}


class Hub:
    """The latest value of each event, and the open streams that get every new one."""

    def __init__(self) -> None:
        self.latest: dict[str, str] = {}
        self.queues: set[asyncio.Queue[tuple[str, str]]] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closing = threading.Event()

    def publish(self, name: str, data: Any) -> None:
        """Send an event to every page; callable from any thread."""
        text = json.dumps(data, ensure_ascii=False)
        loop = self.loop
        if loop is None or loop.is_closed():
            self.latest[name] = text
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._deliver(name, text)
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._deliver, name, text)

    def _deliver(self, name: str, text: str) -> None:
        if self.latest.get(name) == text:
            return
        self.latest[name] = text
        for queue in self.queues:
            queue.put_nowait((name, text))

    async def stream(self, request: Request) -> AsyncIterator[str]:
        queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self.queues.add(queue)
        try:
            yield "retry: 1000\n\n"
            for name, text in list(self.latest.items()):
                yield f"event: {name}\ndata: {text}\n\n"
            while not self.closing.is_set():
                try:
                    name, text = await asyncio.wait_for(queue.get(), timeout=0.5)
                except asyncio.TimeoutError:
                    if await request.is_disconnected():
                        return
                    continue
                yield f"event: {name}\ndata: {text}\n\n"
        finally:
            self.queues.discard(queue)


@dataclass
class Tableau:
    """Everything the pages show, shared by every browser."""

    output: Path
    pictures: Path
    farm: Farm | None
    clock: Clock = time.monotonic
    token: str | None = None
    interval_s: float = 1.0
    farm_problem: str = ""
    #: The farm's backends by printer name (:func:`atelier_farm`), to start prints from the page.
    backends: dict[str, PrinterBackend] = field(default_factory=dict)
    #: G-code files the page offers to print (the kit's examples by default).
    print_files: list[Path] = field(default_factory=lambda: sorted(EXAMPLES_DIR.glob("*.gcode")))
    #: Where results come from besides the page (the atelier journal for ``kit tableau``).
    sources: list[ResultSource] = field(default_factory=list)
    hub: Hub = field(default_factory=Hub)

    def __post_init__(self) -> None:
        if self.farm is None and not self.farm_problem:
            self.farm_problem = NO_PRINTERS
        self.rehearsal = WebRehearsal(self.output, self.clock, self.publish_rehearsal)
        self.feed = ResultFeed(self.publish_atelier, self.sources)
        self.defis = DefiRunner(self.feed, self.pictures, self.publish_atelier)
        self.printers = PrinterBoard(self.farm, self.publish_atelier, self.interval_s,
                                     self.backends)  # fmt: skip

    def publish_rehearsal(self) -> None:
        self.hub.publish("repetition", self.rehearsal.state_json())
        self.hub.publish("minuteur", self.rehearsal.timer_json())

    def publish_atelier(self) -> None:
        self.hub.publish("atelier", self.atelier_json())

    def atelier_json(self) -> dict[str, Any]:
        return {
            "printers": self.printers.cards(),
            "farm_problem": self.farm_problem,
            "running": self.defis.running,
            **self.feed.to_json(),
        }

    async def tick(self) -> None:
        """Push the rehearsal's timer whenever what it shows changes; poll the results."""
        polled_at = 0.0
        while not self.hub.closing.is_set():
            self.hub.publish("minuteur", self.rehearsal.timer_json())
            due = max(self.interval_s, SOURCES_INTERVAL_S)
            if time.monotonic() - polled_at >= due and self.feed.sources:
                polled_at = time.monotonic()
                await asyncio.to_thread(self.feed.poll_sources)
            await asyncio.sleep(TIMER_TICK_S)

    def stop(self) -> Path | None:
        """Stop polling; an unfinished rehearsal is interrupted and its report written."""
        self.hub.closing.set()
        self.printers.stop()
        return self.rehearsal.interrupt()


# --- the access token ------------------------------------------------------------------------

REFUSED_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Accès refusé</title></head>
<body style="font: 24px sans-serif; margin: 3em;">
<h1>Accès refusé</h1>
<p>Ce tableau est protégé : ouvrez l'adresse complète affichée dans le terminal au lancement
de « kit tableau --reseau » (elle se termine par ?jeton=…).</p>
</body></html>
"""


class TokenGate:
    """Refuses every request without the token (ASGI middleware)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = query.get(TOKEN_PARAM, [""])[0]
        if given and secrets.compare_digest(given, self.token):
            # Into a cookie, out of the address bar (and of screenshots of the projector).
            rest = {k: v for k, v in query.items() if k != TOKEN_PARAM}
            target = scope["path"] + (f"?{urlencode(rest, doseq=True)}" if rest else "")
            response: Response = RedirectResponse(target, status_code=303)
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        cookie = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                with contextlib.suppress(Exception):
                    cookie.load(value.decode("latin-1"))
        morsel = cookie.get(TOKEN_COOKIE)
        if morsel is not None and secrets.compare_digest(morsel.value, self.token):
            await self.app(scope, receive, send)
            return
        await HTMLResponse(REFUSED_PAGE, status_code=403)(scope, receive, send)


LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")

WRONG_HOST_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Accès refusé</title></head>
<body style="font: 24px sans-serif; margin: 3em;">
<h1>Accès refusé</h1>
<p>Sans --reseau, le tableau ne s'ouvre qu'à l'adresse http://127.0.0.1 de cet ordinateur.</p>
</body></html>
"""


class LocalGate:
    """Without ``--reseau``: only pages addressed to this computer by name or loopback address
    (another site cannot reach the tableau through a name of its own, DNS rebinding)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = ""
            for name, value in scope.get("headers", []):
                if name == b"host":
                    host = value.decode("latin-1")
            hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if hostname not in LOCAL_NAMES:
                await HTMLResponse(WRONG_HOST_PAGE, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


# --- the application -------------------------------------------------------------------------


def _static_dir() -> Path:
    return rh.TEMPLATES_DIR


def build_app(tableau: Tableau) -> ASGIApp:
    env = rh.html_environment()

    def page(name: str, view: str, **context: Any) -> HTMLResponse:
        template = env.get_template(name)
        html = template.render(view=view, **context)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def home(request: Request) -> Response:
        return RedirectResponse("/repetition", status_code=303)

    async def repetition(request: Request) -> Response:
        offered = choices()
        return page("tableau_repetition.html.j2", "repetition", titles=offered["titles"],
                    supports=offered["supports"],
                    state=_embedded(tableau.rehearsal.state_json()))  # fmt: skip

    async def atelier(request: Request) -> Response:
        return page("tableau_atelier.html.j2", "atelier", defis=DefiRunner.choices(),
                    printers=tableau.printers.names(),
                    files=[path.name for path in tableau.print_files],
                    state=_embedded(tableau.atelier_json()))  # fmt: skip

    async def events(request: Request) -> Response:
        return StreamingResponse(
            tableau.hub.stream(request),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def state(request: Request) -> Response:
        return JSONResponse({
            "repetition": tableau.rehearsal.state_json(),
            "minuteur": tableau.rehearsal.timer_json(),
            "atelier": tableau.atelier_json(),
        })  # fmt: skip

    async def start(request: Request) -> Response:
        data = await _json(request)
        seed = data.get("tirage")
        if seed in (None, ""):
            seed = secrets.randbelow(10_000)
        wanted = StartRequest(
            title=_text(data.get("titre")),
            support=_text(data.get("support")),
            presentation_min=_number(data.get("duree_presentation"), "présentation"),
            atelier_min=_number(data.get("duree_atelier"), "atelier"),
            questions_min=_number(data.get("duree_questions"), "questions"),
        )
        number = _number(seed, "tirage")
        if number is None or number < 0 or number != int(number):
            raise KitError("Le numéro de tirage est un entier positif ou nul.")
        await asyncio.to_thread(tableau.rehearsal.start, wanted, int(number))
        return JSONResponse({"ok": True})

    async def answer(request: Request) -> Response:
        data = await _json(request)
        index = data.get("index")
        value = data.get("valeur")
        if not isinstance(index, int) or isinstance(value, (list, dict)) or value is None:
            raise KitError("Réponse incomplète.")
        tableau.rehearsal.answer(index, value)
        return JSONResponse({"ok": True})

    async def demo(request: Request) -> Response:
        data = await _json(request)
        index = data.get("index")
        if not isinstance(index, int):
            raise KitError("Réponse incomplète.")
        tableau.rehearsal.run_demo(index, bool(data.get("lancer")))
        return JSONResponse({"ok": True})

    async def stop_rehearsal(request: Request) -> Response:
        if await asyncio.to_thread(tableau.rehearsal.interrupt) is None:
            raise KitError("Aucune répétition en cours.")
        return JSONResponse({"ok": True})

    async def report(request: Request) -> Response:
        html = tableau.rehearsal.report_html()
        if html is None:
            return HTMLResponse('<p lang="fr">Pas encore de rapport.</p>', status_code=404)
        return HTMLResponse(html)

    async def defi(request: Request) -> Response:
        data = await _json(request)
        tableau.defis.start(str(data.get("defi", "")))
        return JSONResponse({"ok": True})

    async def print_file(request: Request) -> Response:
        data = await _json(request)
        files = {path.name: path for path in tableau.print_files}
        name = str(data.get("fichier", ""))
        if name not in files:
            raise KitError(f"Fichier inconnu : « {name} ».")
        await asyncio.to_thread(
            tableau.printers.start_print, str(data.get("imprimante", "")), files[name]
        )
        return JSONResponse({"ok": True})

    async def layer(request: Request) -> Response:
        index = int(request.path_params["index"])
        drawn = await asyncio.to_thread(tableau.printers.layer_file, index, tableau.pictures)
        if drawn is not None:
            return FileResponse(drawn, media_type="image/svg+xml")
        svg = layer_picture(tableau.printers.status(index)).to_svg()
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

    async def picture(request: Request) -> Response:
        name = request.path_params["name"]
        path = tableau.pictures / name
        if not re.fullmatch(r"defi-\d+\.svg", name) or not path.is_file():
            return Response("Image introuvable.", status_code=404)
        return FileResponse(path, media_type="image/svg+xml")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            return Response("Fichier introuvable.", status_code=404)
        return FileResponse(_static_dir() / name, media_type=STATIC_FILES[name])

    async def kit_error(request: Request, exc: Exception) -> Response:
        message = exc.message if isinstance(exc, KitError) else str(exc)
        return JSONResponse({"ok": False, "erreur": message}, status_code=400)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tableau.hub.loop = asyncio.get_running_loop()
        tableau.publish_rehearsal()
        tableau.publish_atelier()
        tableau.printers.start()
        ticking = asyncio.create_task(tableau.tick())
        try:
            yield
        finally:
            tableau.hub.closing.set()
            ticking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticking
            await asyncio.to_thread(tableau.stop)

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/repetition", repetition),
            Route("/atelier", atelier),
            Route("/evenements", events),
            Route("/etat", state),
            Route("/repetition/demarrer", start, methods=["POST"]),
            Route("/repetition/repondre", answer, methods=["POST"]),
            Route("/repetition/demonstration", demo, methods=["POST"]),
            Route("/repetition/arreter", stop_rehearsal, methods=["POST"]),
            Route("/repetition/rapport", report),
            Route("/atelier/defi", defi, methods=["POST"]),
            Route("/atelier/imprimer", print_file, methods=["POST"]),
            Route("/atelier/imprimantes/{index:int}/couche.svg", layer),
            Route("/atelier/images/{name}", picture),
            Route("/statique/{name}", static),
        ],
        exception_handlers={KitError: kit_error},
        lifespan=lifespan,
    )
    if tableau.token is not None:
        return TokenGate(app, tableau.token)
    return LocalGate(app)


def _embedded(data: Any) -> Markup:
    """JSON for a ``data-`` attribute of the page (escaped here, so left alone by the
    templates' French-spacing finalizer)."""
    return escape(json.dumps(data, ensure_ascii=False))


async def _json(request: Request) -> dict[str, Any]:
    # JSON only: a form posted by another site cannot act on the tableau (the browser asks
    # this server first, and it does not allow other origins).
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise KitError("Requête refusée : le tableau n'accepte que ses propres demandes (JSON).")
    try:
        data = await request.json()
    except ValueError:
        raise KitError("Requête illisible (JSON attendu).") from None
    if not isinstance(data, dict):
        raise KitError("Requête illisible (JSON attendu).")
    return data


def _text(value: object) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise KitError("Texte attendu.")
    return value


def _number(value: object, what: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        raise KitError(f"Nombre attendu pour « {what} » : « {value} ».") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise KitError(f"Nombre attendu pour « {what} » : « {value} ».")
    return number
