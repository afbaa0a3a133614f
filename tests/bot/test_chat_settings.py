from __future__ import annotations

import pytest

from bot.chat_settings import parse_ack_mode, parse_switch


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("reaction", "react"),
        ("réaction", "react"),
        ("REACT", "react"),
        ("reply", "reply"),
        ("réponse", "reply"),
        ("Répondre", "reply"),
        ("silent", "silent"),
        ("silence", "silent"),
        ("rien", "silent"),
        ("", None),
        ("loud", None),
        ("🔥", None),
    ],
)
def test_parse_ack_mode(word: str, expected: str | None) -> None:
    assert parse_ack_mode(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("on", True),
        ("oui", True),
        ("ON", True),
        ("activer", True),
        ("off", False),
        ("non", False),
        ("désactiver", False),
        ("Désactivé", False),
        ("peut-être", None),
        ("", None),
    ],
)
def test_parse_switch(word: str, expected: bool | None) -> None:
    assert parse_switch(word) == expected
