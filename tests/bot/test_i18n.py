"""Every user-facing text exists in French and English with the same placeholders."""

from __future__ import annotations

import importlib
import pkgutil
import string
from collections.abc import Iterator

import pytest

import bot
from bot.i18n import Text, as_lang, pick_language


def _texts() -> Iterator[tuple[str, Text]]:
    for info in pkgutil.walk_packages(bot.__path__, "bot."):
        if info.name in {"bot.__main__"}:
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, Text):
                yield f"{info.name}.{name}", value
            elif isinstance(value, tuple):
                for index, item in enumerate(value):
                    text = getattr(item, "description", None)
                    if isinstance(text, Text):
                        yield f"{info.name}.{name}[{index}]", text


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


ALL_TEXTS = sorted(_texts(), key=lambda pair: pair[0])


def test_the_catalogue_is_not_empty() -> None:
    assert len(ALL_TEXTS) > 20


@pytest.mark.parametrize(("name", "text"), ALL_TEXTS, ids=[name for name, _ in ALL_TEXTS])
def test_both_languages_with_the_same_placeholders(name: str, text: Text) -> None:
    assert text.fr.strip() and text.en.strip(), name
    assert _fields(text.fr) == _fields(text.en), name


def test_rendering_fills_placeholders() -> None:
    text = Text(fr="{n} liens", en="{n} links")
    assert text("fr", n=3) == "3 liens" and text("en", n=3) == "3 links"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("fr", "fr"),
        ("fr-FR", "fr"),
        ("FR", "fr"),
        ("en-GB", "en"),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_as_lang(value: str | None, expected: str | None) -> None:
    assert as_lang(value) == expected


@pytest.mark.parametrize(
    ("chat", "user", "default", "expected"),
    [
        ("en", "fr", "fr", "en"),  # the chat setting wins
        (None, "fr-CA", "en", "fr"),  # then the user's language
        (None, "de", "fr", "en"),  # a third language gets English
        (None, None, "fr", "fr"),  # nothing known: the deployment default
        (None, None, "en", "en"),
    ],
)
def test_pick_language(chat: str | None, user: str | None, default: str, expected: str) -> None:
    assert pick_language(chat, user, default) == expected  # type: ignore[arg-type]
