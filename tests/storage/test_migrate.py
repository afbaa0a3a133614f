from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.db import Database
from storage.migrate import available_migrations, migrate, pending_migrations, split_statements


async def test_migrations_apply_once_and_rerun_is_a_noop(tmp_path: Path) -> None:
    async with Database(tmp_path / "m.sqlite3") as db:
        first = await migrate(db)
        assert first == [m.name for m in available_migrations()]
        assert await migrate(db) == []
        assert await pending_migrations(db) == []
        async with db.reader.execute("SELECT count(*) FROM schema_migrations") as cursor:
            row = await cursor.fetchone()
        assert row is not None and row[0] == len(first)


async def test_migrations_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    async with Database(path) as db:
        await migrate(db)
    async with Database(path) as db:
        assert await migrate(db) == []


async def test_pragmas_are_set(tmp_path: Path) -> None:
    async with Database(tmp_path / "m.sqlite3") as db:
        for conn in (db.reader, db.writer):
            async with conn.execute("PRAGMA foreign_keys") as cursor:
                assert (await cursor.fetchone())[0] == 1  # type: ignore[index]
            async with conn.execute("PRAGMA journal_mode") as cursor:
                assert (await cursor.fetchone())[0] == "wal"  # type: ignore[index]
            async with conn.execute("PRAGMA busy_timeout") as cursor:
                assert (await cursor.fetchone())[0] >= 5000  # type: ignore[index]


async def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    async with Database(tmp_path / "m.sqlite3") as db:
        await migrate(db)

        def failing(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO meta(key, value) VALUES ('a', 'b')")
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            await db.run_write(failing)
        async with db.reader.execute("SELECT count(*) FROM meta") as cursor:
            assert (await cursor.fetchone())[0] == 0  # type: ignore[index]


@pytest.mark.parametrize(
    ("script", "count"),
    [
        ("CREATE TABLE a(x);", 1),
        ("CREATE TABLE a(x);\nCREATE TABLE b(y);\n", 2),
        ("-- a comment; with a semicolon\nCREATE TABLE a(x);", 1),
        (
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO b VALUES (1);\n"
            "  INSERT INTO b VALUES (2);\nEND;\n",
            1,
        ),
        ("", 0),
        ("-- only a comment\n", 0),
    ],
)
def test_split_statements(script: str, count: int) -> None:
    assert len(split_statements(script)) == count


def test_split_statements_rejects_an_unfinished_statement() -> None:
    with pytest.raises(ValueError, match="incomplete"):
        split_statements("CREATE TABLE a(x)")
