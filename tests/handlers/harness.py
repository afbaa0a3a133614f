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
from tests.fakes import FakeBotApi

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
