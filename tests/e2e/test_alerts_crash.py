"""Crash and restart with real processes: `veille run` killed with SIGKILL mid-drain.

300 deliveries are pending (3 announcements x 100 channels) when the bot starts. It is killed
once a fair part has gone out, then started again. Every channel must end up with every
announcement, and the duplicates must not exceed the deliveries that were in flight at the
kill, themselves no more than the worker's concurrency.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from storage.alerts import AlertRepository, NewAnnouncement, insert_announcement
from storage.chats import ChatRepository
from storage.db import Database
from storage.migrate import migrate
from storage.outbox import queue_deliveries
from tests.e2e.process import bot_process, fake_server, veille, veille_env
from tests.fakes import FakeBotApi

pytestmark = pytest.mark.e2e

CHANNELS = [-1001000002000 - n for n in range(100)]
URLS = [f"https://www.change.org/p/petition-{n}" for n in range(3)]
CONCURRENCY = 8


async def seed(database: Path) -> None:
    """Approved, subscribed channels and 300 pending deliveries, as a previous run left them."""
    async with Database(database) as db:
        await migrate(db)
        chats, alerts = ChatRepository(db), AlertRepository(db)
        for chat_id in CHANNELS:
            await chats.upsert(chat_id, type="channel", title=f"C{chat_id}", username=None)
            await chats.set_status(chat_id, "approved", None)
            await alerts.subscribe(chat_id, ["petition", "campaign"], [], by=None)

        def announce(conn: sqlite3.Connection) -> None:
            for url in URLS:
                new = NewAnnouncement("petition", url, "Signez", (), "chat")
                announcement = insert_announcement(conn, new)
                assert announcement is not None
                queue_deliveries(conn, announcement, CHANNELS, 0.0)

        await db.run_write(announce)


def received(fake: FakeBotApi) -> Counter[tuple[int, str]]:
    """How many times each (channel, announcement) arrived."""
    counts: Counter[tuple[int, str]] = Counter()
    for message in fake.sent_messages():
        for url in URLS:
            if url in (message.text or ""):
                counts[(message.chat_id, url)] += 1
    return counts


def in_flight(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return int(
            conn.execute("SELECT count(*) FROM deliveries WHERE state = 'sending'").fetchone()[0]
        )


def test_a_kill_mid_drain_loses_nothing_and_duplicates_at_most_the_in_flight(
    tmp_path: Path,
) -> None:
    fake = FakeBotApi()
    for chat_id in CHANNELS:
        channel = fake.add_chat(chat_id, "channel", f"C{chat_id}")
        fake.add_bot_to(channel, "administrator", ["can_post_messages"])
    database = tmp_path / "veille.sqlite3"
    asyncio.run(seed(database))
    with fake_server(fake) as server:
        env = veille_env(
            server,
            database,
            VEILLE_DELIVERY_PER_SECOND="60",
            VEILLE_DELIVERY_CONCURRENCY=str(CONCURRENCY),
        )
        with bot_process(env, tmp_path) as first:
            first.wait_until(lambda: sum(received(fake).values()) >= 90)
            first.stop(signal.SIGKILL)
        before = received(fake)
        caught = in_flight(database)
        assert 90 <= sum(before.values()) < 300  # killed mid-drain
        assert caught <= CONCURRENCY
        with bot_process(env, tmp_path) as second:
            second.wait_until(lambda: len(received(fake)) == 300, timeout=60)
            assert second.stop(signal.SIGTERM) == 0
            output = second.output()
    counts = received(fake)
    duplicates = sum(counts.values()) - len(counts)
    assert len(counts) == 300  # every channel has every announcement
    assert duplicates <= caught <= CONCURRENCY
    assert f"resuming {caught} deliveries" in output or caught == 0
    shown = veille(["outbox"], env, tmp_path)
    assert shown.returncode == 0 and "Deliveries: 300 sent" in shown.stdout
