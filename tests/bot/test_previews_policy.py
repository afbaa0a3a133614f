"""Pure parts of link previews: retry policy, stored values, the User-Agent."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.pagemeta import PageMeta
from bot.previews import MAX_RETRY_SECONDS, next_try_in, preview_of, retry_delay, user_agent
from bot.safefetch import FetchHTTPError, FetchNetworkError, FetchRefused, FetchTimeout


@pytest.mark.parametrize(
    ("attempt", "retry_after", "expected"),
    [
        (1, None, 60),
        (2, None, 240),
        (3, None, 960),
        (4, None, 3840),
        (5, None, 15_360),
        (6, None, MAX_RETRY_SECONDS),
        (1, 900.0, 900),
        (1, 0.5, 60),
        (3, 10.0, 960),
        (1, 1e9, MAX_RETRY_SECONDS),
    ],
)
def test_retry_delay(attempt: int, retry_after: float | None, expected: int) -> None:
    assert retry_delay(attempt, retry_after) == expected


def _errors() -> Iterator[tuple[Exception, int, int | None]]:
    yield FetchTimeout("slow"), 1, 60
    yield FetchNetworkError("reset"), 2, 240
    yield FetchHTTPError("u", 503, None), 1, 60
    yield FetchHTTPError("u", 429, 3600.0), 1, 3600
    yield FetchTimeout("slow"), 3, None  # out of attempts
    yield FetchHTTPError("u", 404, None), 1, None
    yield FetchHTTPError("u", 403, None), 1, None
    yield FetchRefused("10.0.0.1: private"), 1, None
    yield ValueError("a bug"), 1, None


@pytest.mark.parametrize(("error", "attempt", "expected"), list(_errors()))
def test_next_try_in(error: Exception, attempt: int, expected: int | None) -> None:
    assert next_try_in(error, attempt, max_attempts=3) == expected


@pytest.mark.parametrize(
    ("canonical", "expected"),
    [
        ("https://www.lemonde.fr/a?utm_source=rss&id=2", "https://www.lemonde.fr/a?id=2"),
        ("https://Example.org:443/x", "https://example.org/x"),
        (None, None),
    ],
)
def test_preview_of_cleans_the_canonical_url(canonical: str | None, expected: str | None) -> None:
    meta = PageMeta(title="T", canonical_url=canonical, content_type="text/html")
    preview = preview_of(meta)
    assert (preview.title, preview.canonical_url) == ("T", expected)


def test_user_agent_names_the_software_and_its_readme() -> None:
    assert re.fullmatch(
        r"Veille/[0-9][\w.+-]* \(self-hosted Telegram bot; .*README\)", user_agent()
    )
    assert re.fullmatch(
        r"Veille/\S+ \(\+https://example\.org/veille\)", user_agent("https://example.org/veille")
    )
