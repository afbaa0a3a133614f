"""Drive the real Application, built by `bot.app`, against the in-process fake Bot API."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from bot.services import Services
from tests.fakes import FakeBotApi, FakeChat, FakeUser, SentMessage, entity_for

OPERATOR_ID = 1000


def settings_for(tmp_path: Path, fake: FakeBotApi, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": fake.token,
        "database": tmp_path / "veille.sqlite3",
        "operators": frozenset({OPERATOR_ID}),
        "fetch_previews": False,
        **overrides,
    }
    return Settings(_env_file=None, **values)


class Harness:
    """One running Application with its services, fed updates one at a time."""

    def __init__(self, fake: FakeBotApi, application: Application) -> None:  # type: ignore[type-arg]
        self.fake = fake
        self.app = application

    @property
    def services(self) -> Services:
        found = self.app.bot_data["services"]
        assert isinstance(found, Services)
        return found

    async def send(self, *updates: Mapping[str, Any]) -> None:
        for data in updates:
            await self.app.process_update(Update.de_json(dict(data), self.app.bot))

    async def rows(self, sql: str, *params: object) -> list[sqlite3.Row]:
        async with self.services.db.reader.execute(sql, params) as cursor:
            return list(await cursor.fetchall())


@asynccontextmanager
async def running(tmp_path: Path, fake: FakeBotApi, **overrides: Any) -> AsyncIterator[Harness]:
    settings = settings_for(tmp_path, fake, **overrides)
    application = build_application(
        settings, request=fake.request(), get_updates_request=fake.request()
    )
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    try:
        yield Harness(fake, application)
    finally:
        assert application.post_shutdown is not None
        await application.post_shutdown(application)
        await application.shutdown()


async def add_by_operator(h: Harness, chat: FakeChat) -> None:
    """The operator adds the bot to `chat` as an administrator: the chat is served at once."""
    operator = h.fake.add_user(OPERATOR_ID, "Opé", "ope")
    await h.send(h.fake.my_chat_member(chat, operator, "left", "administrator"))


async def serve(h: Harness, chat: FakeChat, *members: FakeUser) -> None:
    """The bot is an administrator of `chat`, added by the operator; `members` are in it."""
    h.fake.add_bot_to(chat, "administrator")
    await add_by_operator(h, chat)
    for member in members:
        h.fake.set_member(chat, member, "member")


def command(
    fake: FakeBotApi,
    chat: FakeChat,
    user: FakeUser | None,
    text: str,
    reply_to: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """`text` sent as a command (its first word is one); without a user, a channel post."""
    entities = [entity_for(text, text.split()[0], "bot_command")]
    if user is None:
        return fake.channel_post(chat, text, entities=entities)
    return fake.message(chat, user, text, entities=entities, reply_to=reply_to)


def last(fake: FakeBotApi, chat: FakeChat | FakeUser) -> SentMessage:
    """The last message the bot sent to `chat`."""
    return fake.sent_messages(chat.id)[-1]
