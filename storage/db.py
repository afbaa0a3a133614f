"""One SQLite file, one writer connection, one reader connection.

Writes go through `Database.transaction()`: an asyncio lock gives a single writer and
`BEGIN IMMEDIATE` takes SQLite's write lock up front, so a transaction never fails half-way with
SQLITE_BUSY on upgrade. Reads use a second connection so that a long search never waits behind a
write (WAL lets readers see the last committed state while a write is in progress).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000


class StorageError(Exception):
    """The database cannot be opened or is not in a usable state."""


def now() -> int:
    """Unix time in seconds, the unit of every timestamp column."""
    return int(time.time())


async def _pragma(conn: aiosqlite.Connection, statement: str) -> None:
    # Read the answer to the end so the statement is finalised and holds no lock.
    async with conn.execute(statement) as cursor:
        await cursor.fetchall()


class Database:
    """The connections to the SQLite file and the transaction discipline around them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    async def open(self) -> None:
        if self._writer is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = await self._connect()
            await _pragma(self._writer, "PRAGMA journal_mode=WAL")
            self._reader = await self._connect()
        except sqlite3.Error as error:
            await self.close()
            raise StorageError(f"cannot open database {self.path}: {error}") from error

    async def _connect(self) -> aiosqlite.Connection:
        # isolation_level=None: no implicit transactions; every write is explicit.
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            for pragma in (
                f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
                "PRAGMA foreign_keys=ON",
                # WAL + NORMAL: a committed transaction survives a process crash (kill -9);
                # only an OS crash or power loss can lose the last commits.
                "PRAGMA synchronous=NORMAL",
            ):
                await _pragma(conn, pragma)
        except BaseException:
            await conn.close()
            raise
        return conn

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    @property
    def reader(self) -> aiosqlite.Connection:
        if self._reader is None:
            raise StorageError("database is not open")
        return self._reader

    @property
    def writer(self) -> aiosqlite.Connection:
        """The writer connection, for statements that must run outside a transaction."""
        if self._writer is None:
            raise StorageError("database is not open")
        return self._writer

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """`BEGIN IMMEDIATE` ... `COMMIT`, or `ROLLBACK` when the body raises."""
        conn = self.writer
        async with self._write_lock:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
