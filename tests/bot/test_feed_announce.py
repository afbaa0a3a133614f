"""Which new entries of a feed are announced, and with which hashtags."""

from __future__ import annotations

from bot.announce import Source
from bot.feed_announce import (
    MAX_ENTRY_AGE,
    MAX_NEW_PER_POLL,
    Audience,
    entries_to_announce,
    entry_tags,
)
from bot.feedparse import FeedEntry

NOW = 1_800_000_000


def entry(
    key: int, published: int | None = None, url: str | None = "https://a.example/"
) -> FeedEntry:
    return FeedEntry(key, url and f"{url}{key}", f"Titre {key}", (), published)


def test_only_new_linked_recent_entries_oldest_first() -> None:
    entries = [
        entry(1, NOW - 60),
        entry(2, NOW - 3600),
        entry(3, NOW - MAX_ENTRY_AGE - 1),  # too old to be news
        entry(4, None, url=None),  # nothing to link to
        entry(5, NOW - 120),  # not new
        entry(1, NOW - 60),  # the same entry twice in one document
    ]
    chosen = entries_to_announce(entries, {1, 2, 3, 4}, NOW)
    assert [e.key for e in chosen] == [2, 1]


def test_a_burst_announces_only_the_newest_and_undated_count_as_newest() -> None:
    dated = [entry(n, NOW - n * 60) for n in range(1, 31)]
    undated = [entry(100), entry(101)]
    chosen = entries_to_announce(undated + dated, {e.key for e in undated + dated}, NOW)
    assert len(chosen) == MAX_NEW_PER_POLL
    # Undated entries first in the document are the newest; then the most recent dated ones.
    assert [e.key for e in chosen] == [8, 7, 6, 5, 4, 3, 2, 1, 101, 100]


def test_feed_tags_then_entry_categories_folded_once() -> None:
    audience = Audience(-100, False, "auto", (("vsa", "VSA"),), Source("feed", "Obs", None))
    item = FeedEntry(
        1, "https://a.example/1", "T", ("Vsa", "Vidéosurveillance", "VIDEOSURVEILLANCE")
    )
    assert entry_tags(audience, item) == (
        ("vsa", "VSA"),
        ("videosurveillance", "Vidéosurveillance"),
    )
