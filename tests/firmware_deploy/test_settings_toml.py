# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulated board's ``settings.toml`` reader against a real TOML library."""

from __future__ import annotations

import sys

import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from sim.circuitpython.settings_toml import parse_settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KEYS = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
    min_size=1,
    max_size=12,
)
VALUES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
)


@given(st.dictionaries(KEYS, VALUES, max_size=8))
def test_what_a_toml_writer_writes_reads_back_like_tomllib(settings: dict[str, str | int]) -> None:
    text = tomli_w.dumps(settings)
    assert parse_settings(text) == tomllib.loads(text) == settings


@given(st.text(max_size=200))
def test_any_text_gives_top_level_strings_and_integers_only(text: str) -> None:
    values = parse_settings(text)
    assert all(isinstance(v, (str, int)) for v in values.values())


def test_the_subset_circuitpython_reads() -> None:
    text = "\n".join(
        [
            'CIRCUITPY_WIFI_SSID = "Médiathèque" # le réseau',
            "AGE=11",
            "HEX = 0x1F",
            'ECHAPPE = "a\\tb \\u0153uvre \\U0001F600 \\"guillemets\\""',
            "TEMPERATURE = 21.5",
            "ACTIF = true",
            "LISTE = [1, 2]",
            "LITTERAL = 'apostrophes'",
            "ZERO = 012",
            "AGE = 12",
            "pas une ligne",
            "[table]",
            'APRES = "invisible"',
        ]
    )
    assert parse_settings(text) == {
        "CIRCUITPY_WIFI_SSID": "Médiathèque",
        "AGE": 11,
        "HEX": 31,
        "ECHAPPE": 'a\tb œuvre 😀 "guillemets"',
    }


def test_broken_strings_are_skipped() -> None:
    text = 'A = "pas fini\nB = "\\q"\nC = "\\u12"\nD = "ok" reste\nE = "bon"\n'
    assert parse_settings(text) == {"E": "bon"}
