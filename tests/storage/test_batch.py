from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence

import pytest

from storage.batch import GroupCommit
from storage.db import Database


def _insert(conn: sqlite3.Connection, items: Sequence[str]) -> list[int]:
    results = []
    for item in items:
        if item == "bad":
            raise ValueError("bad item")
        conn.execute("INSERT INTO meta(key, value) VALUES (?, 'v')", (item,))
        results.append(len(item))
    return results


async def _keys(db: Database) -> list[str]:
    async with db.reader.execute("SELECT key FROM meta ORDER BY key") as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def test_concurrent_writes_share_commits_and_each_gets_its_result(db: Database) -> None:
    sizes: list[int] = []

    def counting(conn: sqlite3.Connection, items: Sequence[str]) -> list[int]:
        sizes.append(len(items))
        return _insert(conn, items)

    commit: GroupCommit[str, int] = GroupCommit(db, counting)
    commit.start()
    try:
        results = await asyncio.gather(*(commit.submit(f"k{i:03}") for i in range(200)))
    finally:
        await commit.stop()
    assert results == [4] * 200
    assert len(await _keys(db)) == 200
    assert sum(sizes) == 200 and len(sizes) < 200  # fewer transactions than writes


async def test_a_bad_item_fails_alone(db: Database) -> None:
    commit: GroupCommit[str, int] = GroupCommit(db, _insert)
    commit.start()
    try:
        outcomes = await asyncio.gather(
            commit.submit("a"), commit.submit("bad"), commit.submit("c"), return_exceptions=True
        )
    finally:
        await commit.stop()
    assert outcomes[0] == 1 and outcomes[2] == 1
    assert isinstance(outcomes[1], ValueError)
    assert await _keys(db) == ["a", "c"]


async def test_without_the_worker_writes_go_straight_through(db: Database) -> None:
    commit: GroupCommit[str, int] = GroupCommit(db, _insert)
    assert await commit.submit("solo") == 4
    with pytest.raises(ValueError, match="bad item"):
        await commit.submit("bad")
    assert await _keys(db) == ["solo"]


async def test_stop_finishes_what_was_submitted(db: Database) -> None:
    commit: GroupCommit[str, int] = GroupCommit(db, _insert)
    commit.start()
    pending = [asyncio.create_task(commit.submit(f"p{i}")) for i in range(50)]
    await asyncio.sleep(0)
    await commit.stop()
    assert all(task.done() for task in pending)
    assert len(await _keys(db)) == 50
