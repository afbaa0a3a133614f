"""Which of a feed's new entries are announced, to whom, with which hashtags. Pure."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from bot.announce import MAX_TAGS, Source
from bot.feedparse import FeedEntry
from bot.folding import fold_key
from bot.urls import url_domain
from storage.feeds import Feed, NewFeed, Tag

MAX_NEW_PER_POLL = 10  # a feed that suddenly shows 50 "new" entries announces the 10 newest
MAX_ENTRY_AGE = 30 * 86_400  # a new-to-us entry dated older than this is recorded, not sent


@dataclass(frozen=True, slots=True)
class Audience:
    """Where a feed's entries go, and how they are described."""

    chat_id: int | None
    public: bool
    kind: str
    tags: tuple[Tag, ...]
    source: Source

    @classmethod
    def of(cls, feed: Feed | NewFeed) -> Audience:
        name = feed.title or url_domain(feed.url) or feed.url
        source = Source("feed", name, feed.site_url or feed.url)
        return cls(feed.chat_id, feed.public, feed.kind, feed.tags, source)


def entries_to_announce(
    entries: Iterable[FeedEntry], new_keys: set[int], at: int
) -> list[FeedEntry]:
    """The new entries worth a message, oldest first: linked, recent, at most MAX_NEW_PER_POLL.

    Newest first by date picks which ones (undated entries count as new, in document order,
    which nearly every feed keeps newest first); they are then sent in reading order.
    """
    chosen: dict[int, FeedEntry] = {}
    for entry in entries:
        recent = entry.published is None or entry.published >= at - MAX_ENTRY_AGE
        if entry.key in new_keys and entry.url and recent:
            chosen.setdefault(entry.key, entry)
    newest_first = sorted(
        chosen.values(), key=lambda e: -(e.published if e.published is not None else math.inf)
    )
    return list(reversed(newest_first[:MAX_NEW_PER_POLL]))


def entry_tags(audience: Audience, entry: FeedEntry) -> tuple[Tag, ...]:
    tags: dict[str, str] = dict(audience.tags)
    for display in entry.tags:
        key = fold_key(display)
        if key:
            tags.setdefault(key, display)
    return tuple(tags.items())[:MAX_TAGS]
