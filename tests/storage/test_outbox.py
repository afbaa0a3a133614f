"""The outbox on a real SQLite file: queue, claim, record, recover, dead letters."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from storage.alerts import AlertRepository, NewAnnouncement, insert_announcement, share_of
from storage.chats import ChatRepository
from storage.db import Database
from storage.links import LinkDraft, MessageShare, save_messages
from storage.outbox import OutboxRepository, Outcome, queue_deliveries

A = -1001000000011
B = -1001000000012
SOURCE = -1001000000010


async def setup(db: Database, *chats: int) -> OutboxRepository:
    repo = ChatRepository(db)
    for chat_id in (SOURCE, *chats):
        await repo.upsert(chat_id, type="channel", title=f"c{chat_id}", username=None)
        await repo.set_status(chat_id, "approved", None)
    for chat_id in chats:
        await AlertRepository(db).subscribe(chat_id, ["petition", "campaign"], [], by=None)
    return OutboxRepository(db)


async def announce(db: Database, url: str, chats: list[int], due: float = 0.0) -> list[int]:
    def write(conn: sqlite3.Connection) -> list[int]:
        new = NewAnnouncement("petition", url, "t", (("vsa", "VSA"),), "chat", SOURCE)
        announcement = insert_announcement(conn, new)
        assert announcement is not None
        return queue_deliveries(conn, announcement, chats, due)

    return await db.run_write(write)


async def states(db: Database) -> list[tuple[int, str]]:
    async with db.reader.execute("SELECT chat_id, state FROM deliveries ORDER BY id") as cursor:
        return [(row[0], row[1]) for row in await cursor.fetchall()]


async def test_one_row_per_announcement_and_chat(db: Database) -> None:
    await setup(db, A, B)
    assert await announce(db, "https://e.org/1", [A, B, A]) == [A, B]

    def again(conn: sqlite3.Connection) -> list[int]:
        return queue_deliveries(conn, 1, [A, B], 0.0)

    assert await db.run_write(again) == []  # never twice


async def test_a_claim_takes_the_next_due_row_of_each_chat(db: Database) -> None:
    outbox = await setup(db, A, B)
    await announce(db, "https://e.org/1", [A, B])
    await announce(db, "https://e.org/2", [A])
    await announce(db, "https://e.org/3", [B], due=2_000_000_000.0)  # not due yet
    claim = await outbox.claim([A, B], at=1_000.0, lease=60.0)
    assert [(d.chat_id, d.url) for d in claim.deliveries] == [
        (A, "https://e.org/1"),
        (B, "https://e.org/1"),
    ]
    first = claim.deliveries[0]
    assert (first.kind, first.title, first.tags, first.source_kind) == (
        "petition",
        "t",
        (("vsa", "VSA"),),
        "chat",
    )
    again = await outbox.claim([A, B], at=1_000.0, lease=60.0)
    assert [d.url for d in again.deliveries] == ["https://e.org/2"]
    assert again.next_due == {B: 2_000_000_000.0}  # B has nothing due: when it will


async def test_outcomes_are_recorded_and_report_the_next_due(db: Database) -> None:
    outbox = await setup(db, A)
    await announce(db, "https://e.org/1", [A])
    await announce(db, "https://e.org/2", [A], due=50.0)
    [delivery] = (await outbox.claim([A], at=10.0, lease=60.0)).deliveries
    recorded = await outbox.record(Outcome(delivery.id, "sent", message_id=77))
    assert (recorded.chat_id, recorded.next_due, recorded.ended) == (A, 50.0, None)
    sql = "SELECT state, message_id, lease_until FROM deliveries WHERE id = ?"
    async with db.reader.execute(sql, (delivery.id,)) as c:
        assert [tuple(row) for row in await c.fetchall()] == [("sent", 77, None)]


async def test_a_failure_counts_and_keeps_its_error(db: Database) -> None:
    outbox = await setup(db, A)
    await announce(db, "https://e.org/1", [A])
    [delivery] = (await outbox.claim([A], at=10.0, lease=60.0)).deliveries
    error = "NetworkError: Bad Gateway"
    await outbox.record(Outcome(delivery.id, "pending", due_at=99.0, error=error, failed=True))
    [again] = (await outbox.claim([A], at=100.0, lease=60.0)).deliveries
    assert again.attempts == 1
    [line] = await outbox.last_errors()
    assert (line.id, line.error, line.state) == (delivery.id, error, "sending")


async def test_a_chat_out_of_reach_ends_its_subscription(db: Database) -> None:
    outbox = await setup(db, A)
    await announce(db, "https://e.org/1", [A])
    await announce(db, "https://e.org/2", [A])
    [delivery] = (await outbox.claim([A], at=10.0, lease=60.0)).deliveries
    recorded = await outbox.record(
        Outcome(delivery.id, "cancelled", error="Forbidden: kicked", end_reason="removed")
    )
    assert recorded.ended is not None and recorded.ended.chat_id == A
    assert recorded.next_due is None
    assert await states(db) == [(A, "cancelled"), (A, "cancelled")]


async def test_after_a_crash_claimed_rows_are_pending_again(db: Database) -> None:
    outbox = await setup(db, A, B)
    await announce(db, "https://e.org/1", [A, B])
    await outbox.claim([A, B], at=10.0, lease=60.0)
    assert await outbox.recover() == 2
    assert await states(db) == [(A, "pending"), (B, "pending")]


async def test_expired_leases_are_released_except_the_ones_in_flight(db: Database) -> None:
    outbox = await setup(db, A, B)
    await announce(db, "https://e.org/1", [A, B])
    claim = await outbox.claim([A, B], at=10.0, lease=60.0)
    keep = [claim.deliveries[0].id]
    assert await outbox.release_expired(50.0, keep) == 0  # leases still run
    assert await outbox.release_expired(100.0, keep) == 1
    assert await states(db) == [(A, "sending"), (B, "pending")]


async def test_dead_letters_are_retried_only_for_chats_still_subscribed(db: Database) -> None:
    outbox = await setup(db, A, B)
    await announce(db, "https://e.org/1", [A, B])
    claim = await outbox.claim([A, B], at=10.0, lease=60.0)
    for delivery in claim.deliveries:
        await outbox.record(Outcome(delivery.id, "dead", error="gone", failed=True))
    await AlertRepository(db).end(B, "unsubscribed")
    assert [line.chat_id for line in await outbox.dead_letters()] == [A, B]
    assert await outbox.retry(None, at=20.0) == 1
    assert await states(db) == [(A, "pending"), (B, "dead")]
    assert await outbox.drop([claim.deliveries[1].id]) == 1
    assert await outbox.counts() == {"pending": 1, "dropped": 1}


@pytest.mark.parametrize("state", ["dead", "unconfirmed"])
async def test_retry_and_drop_by_id(db: Database, state: str) -> None:
    outbox = await setup(db, A)
    await announce(db, "https://e.org/1", [A])
    await announce(db, "https://e.org/2", [A])
    [first] = (await outbox.claim([A], at=10.0, lease=60.0)).deliveries
    await outbox.record(Outcome(first.id, state, failed=True))  # type: ignore[arg-type]
    assert await outbox.retry([first.id + 1], at=20.0) == 0  # that one is not a dead letter
    assert await outbox.retry([first.id], at=20.0) == 1
    [newer] = (await outbox.claim([A], at=30.0, lease=60.0)).deliveries  # due earlier
    await outbox.record(Outcome(newer.id, "sent"))
    [again] = (await outbox.claim([A], at=30.0, lease=60.0)).deliveries
    assert again.id == first.id and again.attempts == 0


async def test_deliveries_follow_a_migrated_chat_and_go_with_a_purged_one(db: Database) -> None:
    outbox = await setup(db, -4001, B)
    await announce(db, "https://e.org/1", [-4001, B])
    chats = ChatRepository(db)
    assert await chats.migrate(-4001, A)
    assert await states(db) == [(A, "pending"), (B, "pending")]
    await chats.purge(B)
    assert await states(db) == [(A, "pending")]
    assert await outbox.counts() == {"pending": 1}


async def test_the_title_is_read_from_the_share_and_leaves_with_it(db: Database) -> None:
    outbox = await setup(db, A, B)
    link = LinkDraft("https://e.org/p", "e.org", "petition")
    share = MessageShare(SOURCE, 5, 100, (link,), comment="Signez contre la VSA")

    def write(conn: sqlite3.Connection) -> int:
        [saved] = save_messages(conn, [share])
        link_id = saved.links[0].link_id
        share_id = share_of(conn, link_id, 5)
        new = NewAnnouncement("petition", link.url, None, (), "chat", SOURCE, link_id=link_id)
        announcement = insert_announcement(conn, replace(new, share_id=share_id))
        assert announcement is not None
        queue_deliveries(conn, announcement, [A, B], 0.0)
        return link_id

    await db.run_write(write)
    [first] = (await outbox.claim([A], at=10.0, lease=60.0)).deliveries
    assert first.title == "Signez contre la VSA"
    await db.execute_write("DELETE FROM shares WHERE message_id = 5")  # what /forgetme does
    [second] = (await outbox.claim([B], at=10.0, lease=60.0)).deliveries
    assert second.title is None
    async with db.reader.execute("SELECT count(*) FROM announcements WHERE title IS NULL") as c:
        assert (await c.fetchone())[0] == 1  # type: ignore[index]
