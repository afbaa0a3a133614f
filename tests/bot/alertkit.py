"""A running AlertService (with its OutboxWorker) on a real SQLite file and the fake Bot API."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot

from bot.access import AccessService
from bot.alerts import AlertService, Announced, AnnouncementDraft
from bot.announce import Filters, Source
from bot.outbox import Pace
from bot.pacing import Backoff
from bot.permissions import MembershipCache
from storage.alerts import AlertRepository
from storage.chats import ChatRepository
from storage.db import Database
from storage.migrate import migrate
from storage.outbox import OutboxRepository
from tests.fakes import FakeBotApi, FakeChat, FakeUser, offline_bot

QUICK = Pace(backoff=Backoff(base=0.01, cap=0.05), rescan_seconds=3600.0)
SOURCE_GROUP = -1001000000500


@dataclass
class Rig:
    fake: FakeBotApi
    db: Database
    bot: Bot
    chats: ChatRepository
    service: AlertService

    async def channel(
        self,
        chat_id: int,
        title: str,
        username: str | None = None,
        *,
        filters: Filters | None = None,
        by: FakeUser | None = None,
    ) -> FakeChat:
        """A channel where the bot may post, approved and subscribed (with `filters`)."""
        chat = self.fake.add_chat(chat_id, "channel", title, username)
        self.fake.add_bot_to(chat, "administrator", ["can_post_messages"])
        await self.known(chat)
        chosen = filters or Filters()
        user_id = by.id if by else None
        await self.service.repo.subscribe(chat_id, sorted(chosen.kinds), chosen.tags, user_id)
        return chat

    async def known(self, chat: FakeChat) -> None:
        await self.chats.upsert(
            chat.id, type=chat.type, title=chat.title or "", username=chat.username
        )
        await self.chats.set_status(chat.id, "approved", None)

    async def announce(
        self,
        url: str,
        kind: str = "petition",
        tags: Iterable[tuple[str, str]] = (),
        title: str | None = "Stop à la VSA",
    ) -> Announced | None:
        draft = AnnouncementDraft(
            kind,  # type: ignore[arg-type]
            url,
            title,
            tuple(tags),
            Source("chat"),
            source_chat_id=SOURCE_GROUP,
        )

        def write(conn: sqlite3.Connection) -> Announced | None:
            return self.service.announce(conn, draft)

        return await self.db.run_write(write)

    async def drained(self, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while not self.service.worker.is_idle():
            if time.monotonic() > deadline:
                raise AssertionError("the outbox did not drain in time")
            await asyncio.sleep(0.005)

    async def rows(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        async with self.db.reader.execute(sql, params) as cursor:
            return [tuple(row) for row in await cursor.fetchall()]

    async def states(self) -> dict[str, int]:
        return await self.service.outbox.counts()


def alert_service(db: Database, bot: Bot, pace: Pace) -> AlertService:
    """The alerts of a deployment without operators, in French, delivering at `pace`."""
    access = AccessService(
        ChatRepository(db),
        bot,
        operators=frozenset(),
        open_registration=False,
        default_language="fr",
    )
    return AlertService(
        AlertRepository(db),
        OutboxRepository(db),
        access,
        MembershipCache(bot),
        bot,
        pace=pace,
        default_language="fr",
    )


@asynccontextmanager
async def running_alerts(
    tmp_path: Path, fake: FakeBotApi, pace: Pace = QUICK, *, start: bool = True
) -> AsyncIterator[Rig]:
    db = Database(tmp_path / "alerts.sqlite3")
    await db.open()
    await migrate(db)
    chats = ChatRepository(db)
    source = fake.add_chat(SOURCE_GROUP, "supergroup", "Source")
    async with offline_bot(fake) as bot:
        service = alert_service(db, bot, pace)
        rig = Rig(fake, db, bot, chats, service)
        await rig.known(source)
        if start:
            service.start()
        try:
            yield rig
        finally:
            await service.stop()
            await db.close()
