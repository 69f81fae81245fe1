# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit sim``: expose a simulator to other programs (pty or loopback TCP)."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType

import click

from kit.clickfr import FiniteFloatRange
from kit.errors import KitError
from kit.messages import os_error_fr
from sim.registry import create_device, known_kinds


def parse_extra_options(args: list[str]) -> dict[str, str]:
    """Turn ``--arena ovale --bruit=0.1 -o key=value`` into simulator options."""
    options: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-o", "--option"):
            if i + 1 >= len(args) or "=" not in args[i + 1]:
                raise KitError(f"{arg} attend une valeur de la forme clé=valeur.")
            key, value = args[i + 1].split("=", 1)
            options[key.strip()] = value
            i += 2
        elif arg.startswith("--"):
            name = arg[2:]
            if "=" in name:
                key, value = name.split("=", 1)
                options[key.replace("-", "_")] = value
                i += 1
            elif i + 1 < len(args) and not args[i + 1].startswith("--"):
                options[name.replace("-", "_")] = args[i + 1]
                i += 2
            else:
                options[name.replace("-", "_")] = "1"
                i += 1
        else:
            raise KitError(f"Argument inattendu : « {arg} ». Les options s'écrivent --nom valeur.")
    return options


@click.group()
def sim() -> None:
    """Simulateurs : imprimante, robot, cartes, pour s'entraîner sans matériel."""


@sim.command("list")
def list_kinds() -> None:
    """Liste les simulateurs disponibles."""
    for kind in known_kinds():
        click.echo(kind)


@sim.command(
    "serve",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.argument("kind", metavar="SIMULATEUR")
@click.option("--pty", "use_pty", is_flag=True, help="Sert le simulateur sur un pseudo-terminal.")
@click.option("--socket", "socket_addr", metavar="HÔTE:PORT", help="Sert sur un port TCP local.")
@click.option(
    "--reseau",
    is_flag=True,
    help="Accepte une adresse non locale avec --socket (le simulateur n'a pas de mot de passe).",
)
@click.option(
    "--speed",
    type=FiniteFloatRange(min=0.001, max=10000),
    default=1.0,
    show_default=True,
    help="Accélération du temps simulé (1 = temps réel).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    kind: str,
    use_pty: bool,
    socket_addr: str | None,
    reseau: bool,
    speed: float,
) -> None:
    """Expose le simulateur SIMULATEUR comme un vrai port série.

    Le chemin du pseudo-terminal (ou l'adresse) est écrit seul sur la première ligne ;
    le simulateur tourne jusqu'à Ctrl-C ou SIGTERM. Les options propres au simulateur
    s'écrivent --nom valeur (par exemple --arena ovale) ou -o nom=valeur. Avec --socket,
    seule une adresse locale (127.0.0.1, ::1, localhost) est acceptée, sauf avec --reseau.
    """
    from sim import serving

    if use_pty == bool(socket_addr):
        raise KitError("Choisissez --pty ou --socket HÔTE:PORT (l'un des deux).")
    options = parse_extra_options(list(ctx.args))
    device = create_device(kind, options)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    if use_pty:
        if sys.platform == "win32":
            raise KitError("Les pseudo-terminaux n'existent pas sous Windows : utilisez --socket.")
        master, path = serving.open_pty()
        print(path, flush=True)
        serving.serve_pty(device, master, stop, speed=speed)
    else:
        assert socket_addr is not None
        host, _, port_text = socket_addr.rpartition(":")
        host = host.strip("[]") or "127.0.0.1"
        try:
            port = int(port_text)
        except ValueError:
            raise KitError(f"Adresse invalide : « {socket_addr} » (attendu HÔTE:PORT).") from None
        if not 0 <= port <= 65535:
            raise KitError(f"Port TCP hors limites : {port} (0 à 65535).")
        try:
            server = serving.open_socket(host, port, allow_network=reseau)
        except OSError as exc:
            raise KitError(
                f"Impossible d'écouter sur {host}:{port} : {os_error_fr(exc)}."
            ) from exc
        bound_host, bound_port = server.getsockname()[:2]
        print(f"socket://{bound_host}:{bound_port}", flush=True)
        with server:
            serving.serve_socket(device, server, stop, speed=speed)
