# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit robot``: run a learner's program, drive by keyboard, check a robot before the atelier."""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import IO

import click
from rich.markup import escape
from rich.table import Table

from kit.clickfr import FiniteFloatRange
from kit.commands.record import record_event
from kit.console import ask_yes_no, console, err_console
from kit.drawing import check_picture_target
from kit.errors import EXIT_FAILURE, KitError
from kit.messages import decimal_fr

PORT_HELP = "Port du robot : /dev/ttyUSB0, /dev/rfcomm0, hid://0416:ffff (clé 2.4G) ou sim://mbot."


def _stop_on_sigterm() -> None:
    """Turn SIGTERM into KeyboardInterrupt, so that the robot is stopped on the way out too."""
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


@click.group()
def robot() -> None:
    """Robots mBot : lancer un programme, piloter au clavier, tester avant l'atelier."""
    _stop_on_sigterm()


@robot.command("run")
@click.argument("script", metavar="PROGRAMME.py|exemple:NOM")
@click.option("--port", required=True, metavar="PORT", help=PORT_HELP)
@click.option("--arena", "arena", metavar="NOM", help="Arène du simulateur (kit robot arenes).")
@click.option("--defi", metavar="NOM", help="Défi à vérifier (kit robot defis).")
@click.option("--picture", metavar="IMAGE.png|svg", help="Enregistre le trajet en image.")
@click.option(
    "--temps-max",
    type=FiniteFloatRange(min=0.1, max=3600),
    metavar="SECONDES",
    help="Durée maximale du programme en secondes (par défaut celle du défi).",
)
@click.option(
    "--badge",
    "badge_for",
    metavar='"Prénom N."',
    help="Délivre le badge du défi à ce participant s'il le réussit (dossier « badges »).",
)
@click.option(
    "--appui",
    metavar="INSTANTS|ZONE",
    help="Simulateur : appuie sur le bouton du robot à ces instants (s) ou quand il entre "
    "dans cette zone : --appui 5, --appui 2,8 ou --appui arrivée.",
)
def run(
    script: str,
    port: str,
    arena: str | None,
    defi: str | None,
    picture: str | None,
    temps_max: float | None,
    badge_for: str | None,
    appui: str | None,
) -> None:
    """Lance PROGRAMME.py avec un robot connecté (la variable « robot »).

    « exemple:NOM » lance un exemple fourni avec le kit (kit robot defis les cite).

    Le robot s'arrête (moteurs et buzzer) à la fin du programme, sur une erreur ou sur Ctrl-C.
    Sur le simulateur, --defi vérifie le défi et --picture dessine le trajet.
    """
    from robots.runner import Ending
    from robots.session import run_program

    if picture is not None:
        check_picture_target(picture)  # before the robot moves
    if badge_for is not None:
        from kit.commands.badge import check_badge_request

        check_badge_request(defi, badge_for)  # an issuer and a name, before the robot moves

    def connected(url: str, firmware: str) -> None:
        err_console.print(f"Robot connecté sur {url} (micrologiciel mBlock {firmware}).")

    try:
        report = run_program(
            script,
            port,
            arena=arena,
            defi=defi,
            picture=picture,
            time_limit_s=temps_max,
            presses=appui,
            on_connected=connected,
        )
    except KeyboardInterrupt:
        err_console.print("[yellow]Programme interrompu : le robot est arrêté.[/yellow]")
        raise
    outcome = report.outcome
    duration = f"{decimal_fr(outcome.duration_s, 1)} s"
    if outcome.ending is Ending.ERROR:
        err_console.print(f"[bold red]{outcome.message}[/bold red]", highlight=False)
        err_console.print("Le robot est arrêté.")
    elif outcome.ending is Ending.TIME_LIMIT:
        console.print(f"Temps écoulé ({duration}) : le programme est arrêté, le robot aussi.")
    elif outcome.ending is Ending.GOAL:
        console.print(f"Objectif atteint après {duration} : le programme est arrêté.")
    else:
        console.print(f"Programme terminé en {duration} ; le robot est arrêté.")
    if report.record is not None:
        events = report.record.events
        notes = sum(1 for e in events if e.kind == "tone" and e.value > 0)
        leds = sum(1 for e in events if e.kind == "led")
        console.print(
            f"Simulateur : trajet de {report.record.path_length():.0f} cm, "
            f"{len(report.record.collisions)} collision(s), {notes} note(s) jouée(s), "
            f"{leds} changement(s) de DEL."
        )
    if report.challenge is not None and report.result is not None:
        result = report.result
        colour = "green" if result.passed else "red"
        verdict = "réussi" if result.passed else "manqué"
        console.print(
            f"[bold {colour}]Défi « {report.challenge.title} » {verdict}[/bold {colour}] : "
            f"{result.reason}"
        )
        for label, value in result.figures:
            console.print(f"  • {label} : {value}")
    for note in report.notes:
        console.print(f"[yellow]Remarque :[/yellow] {note}")
    if report.picture is not None:
        console.print(f"Image enregistrée : {report.picture}")
    record_event(
        "robot_run",
        {
            "challenge": report.challenge.name if report.challenge else None,
            "passed": report.result.passed if report.result else None,
            "seconds": outcome.duration_s,
            "example": script if script.startswith("exemple:") else None,
        },
    )
    if badge_for is not None and defi is not None:
        if report.result is not None and report.result.passed and not report.failed:
            from pathlib import Path

            from kit.commands.badge import deliver_for_challenge

            deliver_for_challenge(defi, badge_for, Path("badges"))
        else:
            console.print("Défi manqué : pas de badge cette fois, retentez votre chance !")
    if report.failed:
        sys.exit(EXIT_FAILURE)


@robot.command("test")
@click.option("--port", required=True, metavar="PORT", help=PORT_HELP)
def test(port: str) -> None:
    """Vérifie en moins d'une demi-minute chaque capteur et chaque moteur, avant l'atelier.

    Posez le robot sur la table, roues libres ou avec de la place devant lui.
    """
    from robots.mbot import connect
    from robots.selftest import StepResult, run_self_test

    mbot = connect(port)

    def show(step: StepResult) -> None:
        if not step.verified:
            mark = "[yellow]?[/yellow]"
        else:
            mark = "[green]✓[/green]" if step.ok else "[red]✗[/red]"
        console.print(f"{mark} {escape(step.name)} : {escape(step.detail)}", highlight=False)

    def confirm(question: str) -> bool | None:
        if not sys.stdin.isatty():
            return None
        try:
            return ask_yes_no(question)
        except EOFError:
            return None

    try:
        results = run_self_test(mbot, on_step=show, confirm=confirm)
    finally:
        mbot.close()
    failed = [r.name for r in results if r.verified and not r.ok]
    unverified = [r.name for r in results if not r.verified]
    if failed:
        console.print(
            f"[bold red]Le robot n'a pas passé le test : {escape(', '.join(failed))}.[/bold red]"
        )
    if unverified:
        console.print(
            f"[yellow]Non vérifié : {escape(', '.join(unverified))}[/yellow] — relancez le test "
            "dans un terminal pour confirmer ce que vous voyez et entendez."
        )
    if failed or unverified:
        sys.exit(EXIT_FAILURE)
    console.print("[bold green]Test terminé : le robot répond sur tous les éléments.[/bold green]")


_KEYS_HELP = (
    "z ou ↑ : avancer · s ou ↓ : reculer · q ou ← : gauche · d ou → : droite · "
    "espace : stop · + / - : vitesse · b : bip · a : bouton du robot (simulateur) · "
    "x ou Échap : quitter"
)
_ARROWS = {"A": "up", "B": "down", "C": "right", "D": "left"}


def _raw_keys(stream: IO[str]) -> Iterator[str]:
    """Keys one by one; arrow keys as 'up', 'down', 'left', 'right'."""
    fd = stream.fileno() if stream.isatty() else None
    saved = None
    if fd is not None:
        import termios
        import tty

        saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)
    try:
        while True:
            ch = os.read(fd, 1).decode("latin-1") if fd is not None else stream.read(1)
            if not ch:
                return
            if ch == "\x1b":
                if fd is not None:
                    # A lone Escape key sends nothing more: do not wait for an arrow's bytes.
                    ready, _, _ = select.select([fd], [], [], 0.05)
                    nxt = os.read(fd, 2).decode("latin-1") if ready else ""
                else:
                    nxt = stream.read(2)
                if nxt[:1] == "[" and nxt[1:2] in _ARROWS:
                    yield _ARROWS[nxt[1:2]]
                    continue
                yield "escape"
                continue
            yield ch
    finally:
        if fd is not None and saved is not None:
            import termios

            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


@robot.command("drive")
@click.option("--port", required=True, metavar="PORT", help=PORT_HELP)
@click.option(
    "--vitesse",
    type=click.IntRange(10, 100),
    metavar="POURCENT",
    default=80,
    help="Vitesse de départ en % (80 par défaut).",
)
def drive(port: str, vitesse: int) -> None:
    """Pilote le robot au clavier (pour une démonstration).

    Sur le simulateur, le temps suit l'horloge (sim://mbot?speed=1 par défaut).
    """
    from robots.mbot import connect
    from robots.session import is_simulated_mbot

    if is_simulated_mbot(port) and "speed=" not in port:
        port += ("&" if "?" in port else "?") + "speed=1"
    mbot = connect(port)
    speed = vitesse
    console.print(_KEYS_HELP)
    actions = {
        "z": (1, 1),
        "up": (1, 1),
        "s": (-1, -1),
        "down": (-1, -1),
        "q": (-1, 1),
        "left": (-1, 1),
        "d": (1, -1),
        "right": (1, -1),
    }
    try:
        for key in _raw_keys(sys.stdin):
            key = key.lower() if len(key) == 1 else key
            if key in ("x", "escape", "\x04"):
                break
            if key in actions:
                left, right = actions[key]
                pwm = round(speed * 2.55)
                mbot.drive(left * pwm, right * pwm)
                label = {
                    (1, 1): "avance",
                    (-1, -1): "recule",
                    (-1, 1): "tourne à gauche",
                    (1, -1): "tourne à droite",
                }[(left, right)]
            elif key == " ":
                mbot.stop()
                label = "arrêt"
            elif key in "+=":
                speed = min(100, speed + 10)
                label = f"vitesse {speed} %"
            elif key == "-":
                speed = max(10, speed - 10)
                label = f"vitesse {speed} %"
            elif key == "b":
                mbot.tone(880, 150)
                label = "bip"
            elif key == "a":
                press = getattr(getattr(mbot.link, "device", None), "press_button", None)
                if press is None:
                    label = "sur un vrai robot, appuyez vous-même sur son bouton"
                else:
                    press(mbot.clock())
                    label = "bouton du robot appuyé"
            else:
                continue
            distance = mbot.ultrasonic_cm()
            seen = "rien devant" if distance >= 400 else f"{distance:.0f} cm devant"
            console.print(f"{label} — {seen}", highlight=False)
    except KeyboardInterrupt:
        pass
    finally:
        mbot.close()  # whatever happened (a lost link, a terminal error): motors off
    console.print("Pilotage terminé : le robot est arrêté.")


@robot.command("arenes")
@click.argument("nom", required=False)
@click.option("--picture", metavar="IMAGE.png|svg", help="Dessine l'arène NOM dans ce fichier.")
def arenas(nom: str | None, picture: str | None) -> None:
    """Liste les arènes du simulateur, ou dessine l'arène NOM (--picture)."""
    from robots.arenas import available_arenas, load_arena

    if nom is not None or picture is not None:
        if nom is None or picture is None:
            raise KitError("Pour dessiner une arène : kit robot arenes NOM --picture IMAGE.png")
        from robots.picture import draw_arena

        drawing, _view = draw_arena(load_arena(nom))
        console.print(f"Image enregistrée : {drawing.save(picture)}")
        return
    table = Table(title="Arènes (--arena NOM ou sim://mbot?arena=NOM)", title_justify="left")
    table.add_column("Nom", no_wrap=True, style="bold")
    table.add_column("Description")
    for name in available_arenas():
        arena = load_arena(name)
        table.add_row(name, arena.description or arena.title)
    console.print(table)


@robot.command("memo")
def memo() -> None:
    """Ce que sait faire la variable « robot » d'un programme (à projeter)."""
    from robots.learner import MEMO

    table = Table(
        title="Le robot en Python (vitesses en %, durées en secondes)", title_justify="left"
    )
    table.add_column("Instruction", style="bold", overflow="fold")
    table.add_column("Effet")
    for call, effect in MEMO:
        table.add_row(call, effect)
    console.print(table)
    console.print(
        "En dessous de 40 % environ, un mBot posé au sol ne bouge pas. Le robot s'arrête à la "
        "fin du programme. Exemples : kit robot run exemple:arret_mur --port sim://mbot"
    )


@robot.command("defis")
def challenges() -> None:
    """Liste les défis vérifiés automatiquement sur le simulateur."""
    from robots.challenges import available_challenges, load_challenge

    table = Table(title="Défis (--defi NOM)", title_justify="left")
    # Names and example programs are typed on the command line: never cut or wrapped.
    table.add_column("Nom", no_wrap=True, style="bold")
    table.add_column("Arène", no_wrap=True)
    table.add_column("Objectif")
    table.add_column("Temps", no_wrap=True)
    table.add_column("Exemple de solution", no_wrap=True)
    for name in available_challenges():
        ch = load_challenge(name)
        example = f"exemple:{ch.example.removesuffix('.py')}" if ch.example else "—"
        table.add_row(name, ch.arena, ch.goal, f"{ch.time_limit_s:g} s", example)
    console.print(table)
