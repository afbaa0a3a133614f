"""Ordered, named migrations recorded in the database; applying them twice is a no-op.

Each migration is a file `storage/migrations/NNNN_name.sql`, applied in name order inside its own
`BEGIN IMMEDIATE` transaction together with its row in `schema_migrations`, so a crash leaves
either the whole migration or none of it.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from dataclasses import dataclass
from importlib import resources

from storage.db import Database, now

log = logging.getLogger(__name__)

_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY,
    applied_at INTEGER NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    folder = resources.files("storage").joinpath("migrations")
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".sql")),
        key=lambda entry: entry.name,
    )
    return [Migration(f.name.removesuffix(".sql"), f.read_text("utf-8")) for f in files]


async def applied_migrations(db: Database) -> set[str]:
    await db.writer.execute(_BOOKKEEPING)
    async with db.writer.execute("SELECT name FROM schema_migrations") as cursor:
        return {row[0] for row in await cursor.fetchall()}


async def migrate(db: Database) -> list[str]:
    """Apply every pending migration in order; return the names applied now."""
    done = await applied_migrations(db)
    applied: list[str] = []
    for migration in available_migrations():
        if migration.name in done:
            continue
        log.info("applying migration %s", migration.name)
        # executescript() would commit on its own; running the statements one by one keeps the
        # migration and its bookkeeping row in the same transaction.
        await db.run_write(functools.partial(_apply, migration=migration))
        applied.append(migration.name)
    return applied


def _apply(conn: sqlite3.Connection, *, migration: Migration) -> None:
    for statement in split_statements(migration.sql):
        conn.execute(statement)
    conn.execute(
        "INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)", (migration.name, now())
    )


async def pending_migrations(db: Database) -> list[str]:
    done = await applied_migrations(db)
    return [m.name for m in available_migrations() if m.name not in done]


def split_statements(script: str) -> list[str]:
    """Split a migration into complete statements (triggers contain `;` inside BEGIN...END)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip() and not _only_comments(current):
        raise ValueError(f"incomplete SQL statement at the end of a migration: {current[:80]!r}")
    return statements


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())
