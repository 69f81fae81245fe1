# SPDX-License-Identifier: GPL-3.0-or-later
"""The printer's replies to one command, read from OctoPrint's push socket.

OctoPrint's REST API queues a command and answers "204 No Content": the printer's reply only
travels on the push socket (SockJS), as terminal lines ``Send: …`` / ``Recv: …`` in its
``current`` messages. This module opens that socket with octorest's
:class:`~octorest.websocket.WebSocketEventHandler`, authenticates it with a passive login
(the API key, through octorest's session), and collects the ``Recv:`` lines that follow the
command's ``Send:`` line up to the printer's ``ok``.

octorest's own ``send`` does not apply SockJS framing (a JSON array of JSON strings), which is
why the authentication message is framed here.
"""

from __future__ import annotations

import json
import queue
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests
from octorest.websocket import WebSocketEventHandler

from kit.errors import KitError
from kit.messages import seconds_fr

#: OctoPrint logs the framed line: ``Send: N12 M105*39``.
_FRAMING = re.compile(r"^N\d+\s+|\*\d+$")
#: Idle chatter that is never part of a reply.
_NOISE = ("wait",)
#: A temperature report (``T:21.0 /0.0 B:20.0 /0.0 @:0``): with autoreport on (M155) it can
#: arrive between any command and its ``ok``; it is part of the reply only for M105.
_TEMPERATURE_REPORT = re.compile(r"^(T\d*|B):\s*-?\d")


class PushSocketError(KitError):
    """The push socket could not be opened or the reply did not come in time."""


def strip_framing(sent: str) -> str:
    return _FRAMING.sub("", sent.strip()).strip()


class ReplyCollector:
    """Feed it terminal lines; it keeps the replies to ``command`` up to the ``ok``."""

    def __init__(self, command: str) -> None:
        self.command = command.strip().upper()
        self._wants_temperatures = self.command.split()[0] == "M105"
        self.sent = False
        self.done = False
        self.lines: list[str] = []

    def feed(self, line: str) -> None:
        if self.done:
            return
        if line.startswith("Send: "):
            if not self.sent and strip_framing(line[6:]).upper() == self.command:
                self.sent = True
            return
        if not self.sent or not line.startswith("Recv: "):
            return
        text = line[6:].strip()
        if not text or text in _NOISE:
            return
        if _TEMPERATURE_REPORT.match(text) and not self._wants_temperatures:
            return
        if text == "ok" or text.startswith("ok "):
            self.done = True
            if text != "ok":
                self.lines.append(text[3:].strip())  # "ok T:210.0 /210.0 …" carries the answer
            return
        self.lines.append(text)


def _terminal_lines(message: dict[str, Any]) -> Iterator[str]:
    for kind in ("current", "history"):
        payload = message.get(kind)
        if isinstance(payload, dict):
            for line in payload.get("logs") or []:
                if isinstance(line, str):
                    yield line


@contextmanager
def push_socket(
    base_url: str, session: requests.Session, timeout_s: float
) -> Iterator[queue.Queue[dict[str, Any]]]:
    """An authenticated push socket; yields the queue its messages arrive in."""
    answer = session.post(f"{base_url}/api/login", json={"passive": True})
    if answer.status_code != 200:
        raise PushSocketError(
            f"OctoPrint refuse l'ouverture du terminal (erreur {answer.status_code})."
        )
    login = answer.json()
    auth = f"{login.get('name')}:{login.get('session')}"
    messages: queue.Queue[dict[str, Any]] = queue.Queue()
    handler = WebSocketEventHandler(
        base_url, on_message=lambda _ws, msg: messages.put(msg) if isinstance(msg, dict) else None
    )
    handler.run()
    try:
        deadline = time.monotonic() + timeout_s
        authenticated = False
        while not authenticated:
            message = _next(messages, deadline)
            if "connected" in message:
                # SockJS framing: a JSON array of JSON-encoded messages.
                handler.socket.send(json.dumps([json.dumps({"auth": auth})]))
            elif "history" in message or "current" in message:
                authenticated = True
        yield messages
    finally:
        if handler.socket is not None:
            handler.socket.close()


def _next(messages: queue.Queue[dict[str, Any]], deadline: float) -> dict[str, Any]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise PushSocketError("Le terminal d'OctoPrint n'a pas répondu à temps.")
    try:
        return messages.get(timeout=remaining)
    except queue.Empty:
        raise PushSocketError("Le terminal d'OctoPrint n'a pas répondu à temps.") from None


def command_replies(
    base_url: str,
    session: requests.Session,
    command: str,
    send: Callable[[], None],
    *,
    timeout_s: float,
) -> list[str]:
    """Call ``send`` (which queues ``command`` on the server) and return the printer's reply."""
    collector = ReplyCollector(command)
    with push_socket(base_url, session, timeout_s) as messages:
        send()
        deadline = time.monotonic() + timeout_s
        while not collector.done:
            try:
                message = _next(messages, deadline)
            except PushSocketError:
                raise PushSocketError(
                    f"L'imprimante n'a pas confirmé « {command} » dans les {seconds_fr(timeout_s)} "
                    "(pas de « ok » dans le terminal d'OctoPrint)."
                ) from None
            if "current" not in message:
                continue
            for line in _terminal_lines({"current": message["current"]}):
                collector.feed(line)
    return collector.lines
