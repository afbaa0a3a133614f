"""Announcements and subscriptions on a real SQLite file."""

from __future__ import annotations

import sqlite3

from storage.alerts import (
    AlertRepository,
    NewAnnouncement,
    alert_source,
    end_subscription,
    insert_announcement,
    link_tags,
    serving_subscriptions,
)
from storage.chats import ChatRepository
from storage.db import Database
from storage.links import LinkDraft, MessageShare, save_messages
from storage.outbox import queue_deliveries

GROUP = -1001000000001
CHANNEL = -1001000000002
OTHER = -1001000000003
URL = "https://www.change.org/p/stop-vsa"


def petition(url: str = URL, **extra: object) -> NewAnnouncement:
    values: dict[str, object] = {
        "kind": "petition",
        "url": url,
        "title": "Stop VSA",
        "tags": (("vsa", "VSA"),),
        "source_kind": "chat",
        "source_chat_id": GROUP,
        **extra,
    }
    return NewAnnouncement(**values)  # type: ignore[arg-type]


async def chats(db: Database, *ids: int, status: str = "approved") -> ChatRepository:
    repo = ChatRepository(db)
    for chat_id in ids:
        await repo.upsert(
            chat_id,
            type="channel",
            title=f"c{chat_id}",
            username=None,
            status=status,  # type: ignore[arg-type]
        )
    return repo


async def test_a_community_announcement_is_unique_per_url(db: Database) -> None:
    await chats(db, GROUP, CHANNEL)
    first = await db.run_write(lambda conn: insert_announcement(conn, petition()))
    again = await db.run_write(lambda conn: insert_announcement(conn, petition(title="x")))
    assert isinstance(first, int) and again is None


async def test_direct_announcements_are_unique_per_chat_and_url(db: Database) -> None:
    await chats(db, GROUP, CHANNEL, OTHER)

    def write(conn: sqlite3.Connection) -> list[int | None]:
        return [
            insert_announcement(conn, petition(), CHANNEL),
            insert_announcement(conn, petition(), CHANNEL),
            insert_announcement(conn, petition(), OTHER),
            insert_announcement(conn, petition()),  # the community one is separate
        ]

    ids = await db.run_write(write)
    assert ids[1] is None and None not in (ids[0], ids[2], ids[3])


async def test_subscribing_again_replaces_the_filters(db: Database) -> None:
    await chats(db, CHANNEL)
    repo = AlertRepository(db)
    await repo.subscribe(CHANNEL, ["petition"], [("vsa", "VSA")], by=11)
    second = await repo.subscribe(CHANNEL, ["campaign", "petition"], [], by=22)
    assert (second.kinds, second.tags, second.subscribed_by) == (("campaign", "petition"), (), 22)
    assert second.active and second.chat_title == f"c{CHANNEL}"
    assert len(await repo.by_user(22)) == 1 and await repo.by_user(11) == []


async def test_ending_a_subscription_cancels_what_was_pending(db: Database) -> None:
    await chats(db, GROUP, CHANNEL)
    repo = AlertRepository(db)
    await repo.subscribe(CHANNEL, ["petition"], [], by=11)

    def queue(conn: sqlite3.Connection) -> None:
        announcement = insert_announcement(conn, petition())
        assert announcement is not None
        queue_deliveries(conn, announcement, [CHANNEL], 0.0)

    await db.run_write(queue)
    ended = await repo.end(CHANNEL, "removed")
    assert ended is not None and ended.active  # as it was, for the notice
    assert await repo.end(CHANNEL, "removed") is None  # nothing left to end
    now = await repo.get(CHANNEL)
    assert now is not None and not now.active and now.ended_reason == "removed"
    async with db.reader.execute("SELECT state FROM deliveries") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == ["cancelled"]


async def test_only_approved_active_chats_are_served(db: Database) -> None:
    repo = await chats(db, CHANNEL, OTHER)
    await chats(db, GROUP, status="pending")
    alerts = AlertRepository(db)
    for chat_id in (CHANNEL, OTHER, GROUP):
        await alerts.subscribe(chat_id, ["petition"], [], by=None)
    await repo.set_active(OTHER, False)
    served = await db.run_write(serving_subscriptions)
    assert [s.chat_id for s in served] == [CHANNEL]
    await db.run_write(lambda conn: end_subscription(conn, CHANNEL, "unsubscribed"))
    assert await db.run_write(serving_subscriptions) == []


async def test_a_chat_is_a_source_when_approved_active_and_alerts_on(db: Database) -> None:
    repo = await chats(db, GROUP)
    source = await db.run_write(lambda conn: alert_source(conn, GROUP))
    assert source is not None and source.served
    await repo.set_alerts(GROUP, False)
    source = await db.run_write(lambda conn: alert_source(conn, GROUP))
    assert source is not None and not source.served
    assert await db.run_write(lambda conn: alert_source(conn, 42)) is None


async def test_link_tags_gather_every_share_of_the_link(db: Database) -> None:
    await chats(db, GROUP)
    link = LinkDraft(URL, "change.org", "petition")
    shares = [
        MessageShare(GROUP, 1, 100, (link,), (("vsa", "VSA"), ("cnil", "CNIL"))),
        MessageShare(GROUP, 2, 200, (link,), (("petition", "pétition"), ("vsa", "vsa"))),
    ]
    [first] = await db.run_write(lambda conn: save_messages(conn, shares[:1]))
    await db.run_write(lambda conn: save_messages(conn, shares[1:]))
    tags = await db.run_write(lambda conn: link_tags(conn, first.links[0].link_id))
    assert tags == [("vsa", "VSA"), ("cnil", "CNIL"), ("petition", "pétition")]


async def test_subscriptions_follow_a_group_that_became_a_supergroup(db: Database) -> None:
    repo = await chats(db, -4001)
    await AlertRepository(db).subscribe(-4001, ["petition"], [], by=11)
    assert await repo.migrate(-4001, CHANNEL)
    moved = await AlertRepository(db).get(CHANNEL)
    assert moved is not None and moved.active and await AlertRepository(db).get(-4001) is None


async def test_counts_for_status(db: Database) -> None:
    repo = await chats(db, GROUP, CHANNEL)
    await chats(db, OTHER, status="pending")
    await repo.set_active(CHANNEL, False)
    alerts = AlertRepository(db)
    await alerts.subscribe(GROUP, ["petition"], [], by=None)
    await alerts.subscribe(CHANNEL, ["petition"], [], by=None)
    await alerts.end(CHANNEL, "removed")
    await db.run_write(lambda conn: insert_announcement(conn, petition()))
    counts = await alerts.counts()
    assert counts.chats == {"approved": 2, "pending": 1} and counts.inactive_chats == 1
    assert (counts.subscriptions_active, counts.subscriptions_ended) == (1, 1)
    assert counts.announcements == 1 and counts.links == {}
