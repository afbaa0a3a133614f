"""The writer runs whole transactions in aiosqlite's thread (Database.run_write)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest

from storage.db import Database


async def test_run_write_runs_in_the_writer_thread_and_commits(db: Database) -> None:
    threads: list[str] = []

    def write(conn: sqlite3.Connection) -> int:
        threads.append(threading.current_thread().name)
        assert conn.in_transaction
        return conn.execute("INSERT INTO meta(key, value) VALUES ('k', 'v')").rowcount

    assert await db.run_write(write) == 1
    assert threads != [threading.current_thread().name]
    async with db.reader.execute("SELECT value FROM meta WHERE key = 'k'") as cursor:
        assert (await cursor.fetchone())[0] == "v"  # type: ignore[index]


async def test_run_write_rolls_back_on_error(db: Database) -> None:
    def failing(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        await db.run_write(failing)
    assert await db.execute_write("UPDATE meta SET value = 'z' WHERE key = 'x'") == 0


async def test_queued_writes_commit_in_order(db: Database) -> None:
    order = [f"k{i:02}" for i in range(30)]
    await asyncio.gather(
        *(db.execute_write("INSERT INTO meta(key, value) VALUES (?, ?)", (k, k)) for k in order)
    )
    async with db.reader.execute("SELECT key FROM meta ORDER BY rowid") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == order
