# SPDX-License-Identifier: GPL-3.0-or-later
"""``kit demo``: a three-minute tour of the kit for a newcomer, entirely on the simulators.

The tour runs the real commands (as ``python -m kit …`` subprocesses whose output goes straight
to the terminal, live progress bars included) and shows each command line first, so the
newcomer sees what to type later. Pictures go to one folder, named at the start and at the end.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click
from rich.markup import escape
from rich.panel import Panel
from rich.rule import Rule

from kit.console import console
from kit.errors import EXIT_FAILURE, KitError
from kit.files import ensure_folder
from kit.messages import format_duration_fr


@dataclass(frozen=True)
class TourStep:
    title: str
    explanation: str
    argv: tuple[str, ...]
    picture: str | None = None
    #: Environment of this step's command (the demo's own badge issuer, kept out of the user's).
    env: tuple[tuple[str, str], ...] = ()


def tour(output_dir: Path, *, live: bool) -> list[TourStep]:
    """The tour's steps; ``live`` paces the board simulation for a human watching.

    The sample files are those ``kit exemples`` copies into ``output_dir``, so every command
    shown runs as typed from the newcomer's folder, wherever the kit is installed.
    """
    name_tag = output_dir / "porte-nom-ender3.gcode"
    pace = ["--vitesse", "5"] if live else []
    return [
        TourStep(
            "Imprimante 3D : vérifier le fichier avant l'atelier",
            "Le porte-nom d'exemple tient-il dans un créneau de 30 minutes sur une Ender-3 ? "
            "Temps, filament, contrôles de sécurité et aperçu des couches.",
            (
                "printer", "check", str(name_tag), "--profile", "ender3", "--creneau", "30",
                "--picture", str(output_dir / "imprimante-couches.png"),
            ),
            "imprimante-couches.png",
        ),
        TourStep(
            "Imprimante 3D : imprimer sur l'imprimante simulée",
            "Le même fichier envoyé à une imprimante Marlin simulée, avec la barre de "
            "progression (le simulateur va bien plus vite qu'une vraie imprimante).",
            ("printer", "print", str(name_tag), "--port", "sim://marlin", "--profile", "ender3"),
        ),
        TourStep(
            "Robot mBot : le parcours d'obstacles",
            "Le programme d'exemple conduit le mBot simulé jusqu'à l'arrivée sans rien toucher ; "
            "le défi est vérifié automatiquement et le trajet dessiné.",
            (
                "robot", "run", str(output_dir / "parcours.py"),
                "--port", "sim://mbot?arena=obstacles", "--defi", "parcours",
                "--picture", str(output_dir / "robot-parcours.png"),
            ),
            "robot-parcours.png",
        ),
        TourStep(
            "Carte CircuitPython : faire clignoter la LED",
            "Le programme de séance « clignoter » sur une Circuit Playground Express simulée.",
            ("mcu", "sim", "clignoter", "--board", "circuitplayground_express", "--duree", "3",
             *pace),
        ),
        TourStep(
            "Carte CircuitPython : colorer les NeoPixels",
            "Des couleurs puis un arc-en-ciel sur les dix NeoPixels, et la chronologie dessinée.",
            (
                "mcu", "sim", "neopixel_arc_en_ciel", "--board", "circuitplayground_express",
                "--duree", "6", *pace, "--picture", str(output_dir / "carte-neopixels.png"),
            ),
            "carte-neopixels.png",
        ),
        *badge_steps(output_dir),
    ]  # fmt: skip


def demo_issuer_dir(output_dir: Path) -> Path:
    """Where the demo keeps its fictitious badge issuer (never the atelier's own)."""
    return output_dir / ".emetteur-demo"


def badge_steps(output_dir: Path) -> list[TourStep]:
    """The tour's end: the défi passed above earns a « Pilote mBot » Open Badge."""
    home = demo_issuer_dir(output_dir)
    env = (("KIT_CONFIG_DIR", str(home / "config")), ("KIT_STATE_DIR", str(home / "etat")))
    return [
        TourStep(
            "Badge : l'atelier devient émetteur d'Open Badges",
            "Une fois pour toutes, l'atelier crée son profil d'émetteur et sa clé de signature "
            "(ici un atelier fictif, rangé dans le dossier de la démonstration).",
            ("badge", "emetteur", "--nom", "Atelier de démonstration"),
            env=env,
        ),
        TourStep(
            "Badge : délivrer « Pilote mBot » pour le défi réussi",
            "Le parcours d'obstacles est réussi : le badge signé (Open Badges 3.0) est écrit en "
            'PNG et SVG, avec sa carte A6 à imprimer. « kit robot run … --badge "Camille D." » '
            "le fait tout seul quand le défi est réussi.",
            (
                "badge",
                "delivrer",
                "pilote-mbot",
                "--pour",
                "Camille D.",
                "-o",
                str(output_dir / "badges"),
            ),
            env=env,
        ),
    ]


def _shown(argv: tuple[str, ...]) -> str:
    import shlex

    return "kit " + " ".join(shlex.quote(arg) for arg in argv)


@click.command()
@click.option(
    "--sortie",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("kit-demo"),
    metavar="DOSSIER",
    help="Dossier où la démonstration écrit ses images (par défaut : kit-demo).",
)
def demo(sortie: Path) -> None:
    """Trois minutes pour découvrir le kit, entièrement sur les simulateurs."""
    from kit.commands.lesson import command_exists
    from lessons.samples import copy_samples
    from lessons.steps import kit_env

    ensure_folder(sortie)
    output_dir = sortie.resolve()
    import shutil

    shutil.rmtree(demo_issuer_dir(output_dir), ignore_errors=True)  # a new fictitious issuer
    copy_samples(sortie)  # the files « kit exemples » copies; the commands shown name them
    live = sys.stdout.isatty()
    steps = tour(sortie, live=live)
    console.print(
        Panel(
            "Imprimante 3D, robot mBot et carte CircuitPython : tout se passe sur les "
            "simulateurs du kit, aucun matériel n'est nécessaire.\n"
            f"Les fichiers d'exemple (ceux de « kit exemples ») et les images seront dans : "
            f"[bold]{escape(str(output_dir))}[/bold]",
            title="Démonstration d'atelier-kit",
            title_align="left",
        )
    )
    started = time.perf_counter()
    failed: list[str] = []
    skipped: list[str] = []
    pictures: list[Path] = []
    for number, step in enumerate(steps, 1):
        console.print()
        console.print(Rule(f"{number}/{len(steps)} · {step.title}", align="left"))
        console.print(step.explanation)
        console.print(f"[cyan]$ {_shown(step.argv)}[/cyan]", highlight=False)
        if not command_exists(step.argv):
            console.print("[yellow]Étape sautée : commande pas encore disponible.[/yellow]")
            skipped.append(step.title)
            continue
        sys.stdout.flush()
        code = subprocess.run(
            [sys.executable, "-m", "kit", *step.argv],
            env={**kit_env(), **dict(step.env)},
            stdin=subprocess.DEVNULL,
            check=False,
        ).returncode
        picture = sortie / step.picture if step.picture else None
        if code != 0 or (picture is not None and not picture.is_file()):
            console.print(f"[red]✗ Cette étape a échoué (code {code}).[/red]")
            failed.append(step.title)
            continue
        if picture is not None:
            pictures.append(picture)
    elapsed = time.perf_counter() - started
    console.print()
    console.print(Rule("Et maintenant ?", align="left"))
    if pictures:
        console.print(f"Images écrites dans {output_dir} :")
        for picture in pictures:
            console.print(f"  • {picture.name}")
    console.print(
        "Les déroulés d'ateliers des cinq supports : [bold]kit lesson list[/bold], "
        "puis [bold]kit lesson show IDENTIFIANT[/bold].\n"
        "Répéter la simulation d'atelier comme devant le jury : [bold]kit rehearse --tirage[/bold]."
    )
    console.print(f"[dim]Démonstration terminée en {format_duration_fr(elapsed)}.[/dim]")
    if skipped:
        console.print(f"[yellow]{len(skipped)} étape(s) sautée(s) : {', '.join(skipped)}.[/yellow]")
    if failed:
        raise KitError(
            f"{len(failed)} étape(s) de la démonstration ont échoué : {', '.join(failed)}.",
            exit_code=EXIT_FAILURE,
        )
