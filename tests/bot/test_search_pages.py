"""Saved searches behind page buttons, and the /delete permission rule."""

from __future__ import annotations

import pytest

from bot.erasure import delete_decision
from bot.search import PageStore, SavedSearch, page_callback, parse_page_callback

SAVED = SavedSearch("cnil", chat_id=-100, owner_id=None, private=False)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_saved_search_comes_back_until_it_expires() -> None:
    clock = Clock()
    store = PageStore(ttl=60, clock=clock)
    search_id = store.save(SAVED)
    assert len(search_id) == 8
    clock.now += 59
    assert store.get(search_id) == SAVED
    clock.now += 2
    assert store.get(search_id) is None
    assert store.get("unknown") is None


def test_the_store_forgets_the_oldest_when_full() -> None:
    store = PageStore(capacity=2)
    first, second, third = (store.save(SAVED) for _ in range(3))
    assert store.get(first) is None
    assert store.get(second) == store.get(third) == SAVED


def test_a_person_who_is_forgotten_loses_their_saved_searches() -> None:
    store = PageStore()
    mine = store.save(SavedSearch("secret", 11, 11, True))
    other = store.save(SAVED)
    store.forget_owner(11)
    assert store.get(mine) is None and store.get(other) == SAVED


def test_callback_data_fits_in_64_bytes() -> None:
    data = page_callback(PageStore().save(SAVED), 99_999)
    assert len(data.encode()) <= 64
    assert parse_page_callback(data) == (data[3:11], 99_999)


@pytest.mark.parametrize(
    "data", ["sp:", "sp:abc", "sp:abc:", "sp::1", "sp:abc:-1", "sp:abc:x", "sp:abc:1000000", "x"]
)
def test_malformed_callback_data_is_refused(data: str) -> None:
    assert parse_page_callback(data) is None


@pytest.mark.parametrize(
    ("owners", "requester", "found", "owned"),
    [
        ([], {1}, False, False),
        ([1], {1}, True, True),
        ([1, 1], {1}, True, True),
        ([1, 2], {1}, True, False),
        ([2], {1}, True, False),
        ([None], {1}, True, False),
        ([-100], {1, -100}, True, True),  # a channel post deleted by the channel itself
    ],
)
def test_delete_decision(
    owners: list[int | None], requester: set[int], found: bool, owned: bool
) -> None:
    decision = delete_decision(owners, requester)
    assert (decision.found, decision.owned) == (found, owned)
