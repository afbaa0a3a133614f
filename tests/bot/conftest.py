"""Fixtures of the fetching tests: guarded clients, closed after the test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.netguard import AddressGuard
from bot.safefetch import SafeFetcher
from tests.bot.webkit import USER_AGENT


@pytest.fixture
async def make_fetcher() -> AsyncIterator[Callable[..., SafeFetcher]]:
    """Makes SafeFetchers (private networks allowed unless a guard is given)."""
    fetchers: list[SafeFetcher] = []

    def make(guard: AddressGuard | None = None, **options: Any) -> SafeFetcher:
        fetcher = SafeFetcher(
            USER_AGENT, guard=guard or AddressGuard(allow_private=True), **options
        )
        fetchers.append(fetcher)
        return fetcher

    yield make
    for fetcher in fetchers:
        await fetcher.aclose()
