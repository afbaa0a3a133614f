"""The one translation mechanism: typed French/English texts, checked by tests.

Every user-facing string is a `Text` constant in a catalogue module of this package
(`bot.i18n.core`, `bot.i18n.search`, ...). mypy catches a missing text, and
`tests/bot/test_i18n.py` checks that both languages exist with the same placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Lang = Literal["fr", "en"]
LANGUAGES: tuple[Lang, ...] = get_args(Lang)


@dataclass(frozen=True, slots=True)
class Text:
    fr: str
    en: str

    def __call__(self, lang: Lang, /, **values: object) -> str:
        template = self.fr if lang == "fr" else self.en
        return template.format(**values) if values else template


def as_lang(value: str | None) -> Lang | None:
    """'fr', 'fr-FR', 'FR' -> 'fr'; 'en-GB' -> 'en'; anything else -> None."""
    if not value:
        return None
    prefix = value.strip().lower()[:2]
    return "fr" if prefix == "fr" else "en" if prefix == "en" else None


def pick_language(
    chat_language: str | None, user_language: str | None, default: Lang = "fr"
) -> Lang:
    """The chat's setting first, then the user's Telegram language, then the deployment default.

    A user language that is neither French nor English gets English, except when the deployment
    default is French and the user gave no language at all.
    """
    chosen = as_lang(chat_language)
    if chosen:
        return chosen
    if user_language:
        return as_lang(user_language) or "en"
    return default
