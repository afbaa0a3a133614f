"""Feeds and their entries on a real SQLite file."""

from __future__ import annotations

import sqlite3

import pytest

from storage.chats import ChatRepository
from storage.db import Database
from storage.feeds import (
    FeedRepository,
    NewFeed,
    PollRecord,
    chat_receives,
    insert_feed,
    record_poll,
    remember_entries,
)

T0 = 1_800_000_000
GROUP = -1001000005001
URL = "https://libertes.example.org/feed.xml"


async def group(db: Database, status: str = "approved") -> None:
    chats = ChatRepository(db)
    await chats.upsert(GROUP, type="supergroup", title="Veille", username=None)
    await chats.set_status(GROUP, status, 1)  # type: ignore[arg-type]


async def remember(db: Database, feed_id: int, keys: list[int], at: int) -> set[int]:
    return await db.run_write(lambda conn: remember_entries(conn, feed_id, keys, at, at - 1000))


async def add(db: Database, new: NewFeed) -> int:
    return await db.run_write(lambda conn: insert_feed(conn, new, T0))


async def test_a_chat_follows_a_url_once_and_the_community_once(db: Database) -> None:
    await group(db)
    repo = FeedRepository(db)
    first = await add(db, NewFeed(URL, GROUP, T0 + 600, tags=(("vsa", "VSA"),), added_by=11))
    community = await add(db, NewFeed(URL, None, T0 + 600, public=True))
    assert first != community
    with pytest.raises(sqlite3.IntegrityError):
        await add(db, NewFeed(URL, GROUP, T0))
    with pytest.raises(sqlite3.IntegrityError):
        await add(db, NewFeed(URL, None, T0, public=True))
    with pytest.raises(sqlite3.IntegrityError):  # a chat-less feed must be public
        await add(db, NewFeed("https://autre.example/rss", None, T0))
    feed = await repo.get(first)
    assert feed is not None
    assert (feed.url, feed.chat_id, feed.tags, feed.state, feed.primed) == (
        URL,
        GROUP,
        (("vsa", "VSA"),),
        "active",
        False,
    )
    assert feed.chat_title == "Veille"
    assert [f.id for f in await repo.by_user(11)] == [first]
    assert [f.id for f in await repo.every()] == [first, community]
    assert (
        await repo.insert_many(
            [NewFeed(URL, GROUP, T0), NewFeed("https://b.example/", GROUP, T0)], T0
        )
        == 1
    )


async def test_remember_entries_says_which_are_new_and_forgets_old_ones(db: Database) -> None:
    await group(db)
    feed_id = await add(db, NewFeed(URL, GROUP, T0))

    extremes = [1, 2, -(2**63), 2**63 - 1]
    assert await remember(db, feed_id, extremes, T0) == set(extremes)
    assert await remember(db, feed_id, [2, 3, 3], T0 + 10) == {3}
    # Key 1 was last seen at T0; 2000 s later it is forgotten, so it counts as new again.
    assert await remember(db, feed_id, [3], T0 + 2000) == set()
    assert await remember(db, feed_id, [1], T0 + 2001) == {1}


async def test_record_poll_success_failure_and_pause(db: Database) -> None:
    await group(db)
    repo = FeedRepository(db)
    feed_id = await add(db, NewFeed(URL, GROUP, T0))
    ok = PollRecord(
        feed_id,
        polled_at=T0 + 1,
        next_poll_at=T0 + 601,
        status=200,
        ok=True,
        failures=0,
        new_document=True,
        etag='"v1"',
        last_modified="Sat, 28 Nov 2026 09:30:00 GMT",
        body_digest="abc",
        title="Observatoire",
        primed=True,
    )
    assert await db.run_write(lambda conn: record_poll(conn, ok))
    unchanged = PollRecord(feed_id, T0 + 700, T0 + 1300, 304, True, 0)
    await db.run_write(lambda conn: record_poll(conn, unchanged))
    feed = await repo.get(feed_id)
    assert feed is not None
    assert (feed.etag, feed.body_digest, feed.title, feed.primed) == (
        '"v1"',
        "abc",
        "Observatoire",
        True,
    )
    assert (feed.last_success_at, feed.next_poll_at, feed.last_status) == (
        T0 + 700,
        T0 + 1300,
        304,
    )
    failed = PollRecord(feed_id, T0 + 1300, T0 + 2500, 503, False, 10, "HTTP 503", "failures")
    assert await db.run_write(lambda conn: record_poll(conn, failed))
    feed = await repo.get(feed_id)
    assert feed is not None
    assert (feed.state, feed.paused_reason, feed.failures, feed.last_error) == (
        "paused",
        "failures",
        10,
        "HTTP 503",
    )
    assert feed.last_success_at == T0 + 700
    # A paused feed takes no more polls; resuming makes it due now, failures forgotten.
    assert not await db.run_write(lambda conn: record_poll(conn, unchanged))
    assert await repo.due(T0 + 5000, 10) == []
    assert await repo.resume(feed_id, T0 + 5000)
    assert not await repo.resume(feed_id, T0 + 5000)
    [due] = await repo.due(T0 + 5000, 10)
    assert (due.id, due.failures, due.state) == (feed_id, 0, "active")


async def test_a_permanent_redirect_moves_the_feed_unless_the_chat_has_it(db: Database) -> None:
    await group(db)
    repo = FeedRepository(db)
    old = await add(db, NewFeed(URL, GROUP, T0))
    other = await add(db, NewFeed("https://b.example/rss", GROUP, T0))
    moved = PollRecord(old, T0, T0 + 600, 200, True, 0, moved_to="https://new.example/rss")
    await db.run_write(lambda conn: record_poll(conn, moved))
    clash = PollRecord(other, T0, T0 + 600, 200, True, 0, moved_to="https://new.example/rss")
    await db.run_write(lambda conn: record_poll(conn, clash))
    assert [(f.id, f.url) for f in await repo.every()] == [
        (old, "https://new.example/rss"),
        (other, "https://b.example/rss"),
    ]


async def test_due_feeds_in_order_without_those_taken(db: Database) -> None:
    await group(db)
    repo = FeedRepository(db)
    ids = [await add(db, NewFeed(f"https://s{n}.example/rss", GROUP, T0 + n)) for n in range(5)]
    assert [f.id for f in await repo.due(T0 + 3, 10)] == ids[:4]
    assert [f.id for f in await repo.due(T0 + 3, 2)] == ids[:2]
    assert [f.id for f in await repo.due(T0 + 10, 10, {ids[0], ids[2]})] == [
        ids[1],
        ids[3],
        ids[4],
    ]
    assert await repo.next_due() == T0
    assert await repo.counts() == {"active": 5}


async def test_settings_public_interval_removal_and_chat_erasure(db: Database) -> None:
    await group(db)
    repo = FeedRepository(db)
    feed_id = await add(db, NewFeed(URL, GROUP, T0 + 3600))
    community = await add(db, NewFeed(URL, None, T0 + 3600, public=True))
    assert await repo.set_public(feed_id, True, T0)
    assert not await repo.set_public(community, False, T0)  # a chat-less feed stays public
    assert await repo.set_interval(feed_id, 300, T0)
    feed = await repo.get(feed_id)
    assert feed is not None and feed.public and feed.interval_seconds == 300
    assert feed.next_poll_at == T0 + 300  # no later than one new interval from now
    assert await repo.remove(community) and not await repo.remove(community)
    await ChatRepository(db).purge(GROUP)
    assert await repo.every() == []


async def test_chat_receives_only_when_approved_and_present(db: Database) -> None:
    await group(db, "pending")
    assert not await db.run_write(lambda conn: chat_receives(conn, GROUP))
    await ChatRepository(db).set_status(GROUP, "approved", 1)
    assert await db.run_write(lambda conn: chat_receives(conn, GROUP))
    await ChatRepository(db).set_active(GROUP, False)
    assert not await db.run_write(lambda conn: chat_receives(conn, GROUP))
    assert not await db.run_write(lambda conn: chat_receives(conn, -1))
