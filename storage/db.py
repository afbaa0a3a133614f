"""One SQLite file, one writer connection, one reader connection.

Every write is a function run in the writer connection's thread (`Database.run_write`), like
datasette's `execute_write_fn`: the thread runs them one after another, each in its own
`BEGIN IMMEDIATE` ... `COMMIT`, so there is a single writer without any lock on the event loop's
side, and SQLite's write lock is taken up front (no SQLITE_BUSY half-way through). Reads use a
second connection so that a long search never waits behind a write (WAL lets readers see the last
committed state while a write is in progress).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import aiosqlite

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000

T = TypeVar("T")


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

    async def fetch_all(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        """All rows of a query on the reader, run to completion in one call to its thread.

        Never leave a reader cursor open across an await: an unfinished statement keeps the
        shared reader's snapshot, and every other coroutine reading meanwhile would miss what
        was committed since (a chat just written, then not found).
        """
        return list(await self.reader.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    @property
    def writer(self) -> aiosqlite.Connection:
        """The writer connection, for statements that must run outside a transaction."""
        if self._writer is None:
            raise StorageError("database is not open")
        return self._writer

    async def run_write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` in the writer's thread inside `BEGIN IMMEDIATE` ... `COMMIT`.

        The whole transaction is one round trip to the database thread: on a busy event loop
        every await between two statements would wait for a turn of the loop. Calls are queued,
        so several can be in flight and still commit one after another, in order. aiosqlite has
        no public way to run a function in its thread; `_execute` is what its own methods use
        (the version range is pinned in pyproject.toml; tests/storage fail if it changes).
        """
        conn = self.writer

        def body() -> T:
            raw = conn._conn  # the sqlite3 connection that lives in aiosqlite's thread
            raw.execute("BEGIN IMMEDIATE")
            try:
                result = fn(raw)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
            return result

        result: T = await conn._execute(body)  # type: ignore[no-untyped-call]
        return result

    async def execute_write(self, sql: str, params: Sequence[object] = ()) -> int:
        """One statement in a transaction of its own; returns the number of rows changed."""
        return await self.run_write(lambda conn: conn.execute(sql, params).rowcount)

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
