"""Shared fixtures: a migrated SQLite file per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from storage.migrate import migrate

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
