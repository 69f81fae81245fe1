# SPDX-License-Identifier: GPL-3.0-or-later
"""User configuration: ``config.toml`` in the platform's config folder, secrets apart.

Settings are TOML tables addressed with dotted keys (``octoprint.url``,
``printers.atelier.port``). Secrets (API keys, tokens, passwords) never go to
``config.toml``: they live in ``secrets.toml`` beside it, created with 0600 permissions, and
are shown masked. Both files are written atomically (temporary file, fsync, rename), so a crash
never leaves half a configuration.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from kit.errors import KitError
from kit.files import atomic_write
from kit.messages import os_error_fr, toml_error_fr
from kit.paths import config_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILE = "config.toml"
SECRETS_FILE = "secrets.toml"
SECRET_FILE_MODE = 0o600

#: French names of the configuration keys (what the help, ``kit config show`` and the README
#: use) and the English names the code reads, which stay accepted as aliases. Accents are
#: optional: « clé_api » and « cle_api » are the same key.
FRENCH_KEYS = {
    "imprimantes": "printers",
    "profil": "profile",
    "cle_api": "api_key",
    "liaison": "backend",
    "delai_s": "timeout_s",
}
_ENGLISH_TO_FRENCH = {english: french for french, english in FRENCH_KEYS.items()}


def _folded(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.strip().casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _is_name_position(parts: list[str], index: int) -> bool:
    """A printer's own name (``printers.NOM.…``) is the user's word, never translated."""
    return index == 1 and bool(parts) and FRENCH_KEYS.get(_folded(parts[0]), parts[0]) == "printers"


def internal_key(dotted: str) -> str:
    """The key the code reads, for a key typed in French or English (« imprimantes.a.profil »
    → « printers.a.profile »)."""
    parts = dotted.split(".")
    return ".".join(
        part if _is_name_position(parts, i) else FRENCH_KEYS.get(_folded(part), part.strip())
        for i, part in enumerate(parts)
    )


def french_key(dotted: str) -> str:
    """The key as the kit shows it (« printers.a.profile » → « imprimantes.a.profil »)."""
    parts = dotted.split(".")
    return ".".join(
        part if _is_name_position(parts, i) else _ENGLISH_TO_FRENCH.get(part, part)
        for i, part in enumerate(parts)
    )


def _internal_tables(node: Any, path: tuple[str, ...] = ()) -> Any:
    """A table read from a file, its French keys turned into the code's names."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        parts = [*path, str(key)]
        name = str(key) if _is_name_position(parts, len(path)) else internal_key(str(key))
        translated = _internal_tables(value, (*path, name))
        if isinstance(translated, dict) and isinstance(out.get(name), dict):
            out[name] = _merge(out[name], translated)
        else:
            out[name] = translated
    return out


def _french_tables(node: Any, path: tuple[str, ...] = ()) -> Any:
    if not isinstance(node, dict):
        return node
    return {
        (str(k) if _is_name_position([*path, str(k)], len(path)) else french_key(str(k))): (
            _french_tables(v, (*path, str(k)))
        )
        for k, v in node.items()
    }


#: Last key segments that always hold a secret.
SECRET_NAMES = frozenset({"api_key", "apikey", "key", "cle", "token", "password", "mot_de_passe"})


def is_secret_key(dotted: str) -> bool:
    last = internal_key(dotted).rsplit(".", 1)[-1].lower()
    return last in SECRET_NAMES or last.endswith("_key") or last.endswith("_token")


def mask_secret(value: str) -> str:
    """Show enough of a secret to recognise it, never enough to use it."""
    if value.startswith("-----BEGIN") and "PRIVATE KEY" in value:
        # A private key (the badge issuer's) is shown as its public fingerprint only.
        from kit.badges.issuer import key_fingerprint

        try:
            return f"clé privée masquée, empreinte {key_fingerprint(value)}"
        except KitError:
            return "clé privée masquée (illisible)"
    if len(value) <= 8:
        return "••••••••"
    return f"{value[:4]}••••••••"


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def secrets_path() -> Path:
    return config_dir() / SECRETS_FILE


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError:
        raise KitError(
            f"Le fichier de configuration « {path} » n'est pas du texte UTF-8.",
            hint="Corrigez-le ou supprimez-le : le kit en recréera un propre.",
        ) from None
    except OSError as exc:
        raise KitError(f"Impossible de lire « {path} » : {os_error_fr(exc)}.") from exc
    try:
        return dict(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise KitError(
            f"Le fichier de configuration « {path} » est mal formé : {toml_error_fr(exc)}.",
            hint="Corrigez la ligne indiquée ou supprimez le fichier.",
        ) from exc


def read_toml_file(path: Path) -> dict[str, Any]:
    """One of the kit's TOML files as the kit reads it ({} when absent; French error)."""
    return _read_toml(path)


def _write_toml_atomically(path: Path, data: Mapping[str, Any], mode: int = 0o644) -> None:
    atomic_write(
        path, lambda handle: tomli_w.dump(dict(data), handle), mode=mode, make_parents=True
    )


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_config() -> dict[str, Any]:
    """The whole configuration, secrets included (for code, never for display), with the
    code's key names whichever language the files use."""
    return _internal_tables(_merge(_read_toml(config_path()), _read_toml(secrets_path())))  # type: ignore[no-any-return]


def _split(dotted: str) -> list[str]:
    parts = [p.strip() for p in internal_key(dotted).split(".")]
    if not dotted or any(not p for p in parts):
        raise KitError(f"Clé de configuration invalide : « {dotted} » (exemple : octoprint.url).")
    return parts


def get_value(dotted: str, default: Any = None) -> Any:
    node: Any = load_config()
    for part in _split(dotted):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def _set_in(data: dict[str, Any], parts: list[str], value: Any) -> None:
    node = data
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise KitError(
                f"« {part} » contient déjà une valeur simple : impossible d'y ranger une sous-clé."
            )
        node = child
    node[parts[-1]] = value


def _remove_in(data: dict[str, Any], parts: list[str]) -> bool:
    node = data
    for part in parts[:-1]:
        node = node.get(part)  # type: ignore[assignment]
        if not isinstance(node, dict):
            return False
    return node.pop(parts[-1], None) is not None


def set_value(dotted: str, value: Any) -> None:
    """Store ``value`` under ``dotted``; secrets go to the 0600 secrets file."""
    parts = _split(dotted)
    secret = is_secret_key(dotted)
    path = secrets_path() if secret else config_path()
    data = _internal_tables(_read_toml(path))
    _set_in(data, parts, value)
    _write_toml_atomically(path, _french_tables(data), SECRET_FILE_MODE if secret else 0o644)


def unset_value(dotted: str) -> bool:
    parts = _split(dotted)
    removed = False
    for path, mode in ((config_path(), 0o644), (secrets_path(), SECRET_FILE_MODE)):
        data = _internal_tables(_read_toml(path))
        if _remove_in(data, parts):
            _write_toml_atomically(path, _french_tables(data), mode)
            removed = True
    return removed


def masked_config() -> dict[str, Any]:
    """The configuration as it may be shown on screen (French key names): secrets masked."""

    def mask(node: Any, prefix: str) -> Any:
        if isinstance(node, dict):
            return {k: mask(v, f"{prefix}.{k}" if prefix else k) for k, v in node.items()}
        if is_secret_key(prefix) and isinstance(node, str):
            return mask_secret(node)
        return node

    return _french_tables(mask(load_config(), ""))  # type: ignore[no-any-return]
