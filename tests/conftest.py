"""Shared fixtures: a migrated SQLite file per test, loopback HTTP servers that play the web."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from storage.migrate import migrate
from tests.bot.webkit import LoopbackServer, LoopbackServers, StartServer

# PTB 22 warns about RetryAfter.retry_after becoming a timedelta unless this opt-in is set; with
# warnings as errors that warning would replace the real exception. The bot sets it too (cli).
os.environ.setdefault("PTB_TIMEDELTA", "1")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "veille.sqlite3")
    await database.open()
    await migrate(database)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def start_server() -> AsyncIterator[StartServer]:
    """Starts loopback HTTP servers (host, port, TLS); all are closed after the test."""
    servers = LoopbackServers()
    yield servers.start
    await servers.close()


@pytest.fixture
async def server(start_server: StartServer) -> LoopbackServer:
    return await start_server()
