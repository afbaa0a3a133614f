"""Feeds and the entries they have shown (migration 0005).

As in storage/alerts.py, plain functions taking a `sqlite3.Connection` run inside a caller's
transaction in the writer thread (a poll's outcome, its entries and its announcements commit
together, see bot/feeds.py); `FeedRepository` methods are whole transactions of their own or
reads on the reader connection. Every timestamp is passed in by the caller, whose clock rules.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from storage.db import Database

Tag = tuple[str, str]  # (folded key, display form)
MAX_ERROR_CHARS = 300

_COLUMNS = """
    f.id, f.url, f.chat_id, f.kind, f.tags, f.public, f.title, f.site_url, f.interval_seconds,
    f.state, f.paused_reason, f.primed, f.sample_wanted, f.etag, f.last_modified,
    f.body_digest, f.failures, f.next_poll_at, f.last_polled_at, f.last_success_at,
    f.last_status, f.last_error, f.last_error_at, f.announced, f.added_by,
    f.added_by_language, f.created_at, c.title, c.username
"""
_FROM = "FROM feeds f LEFT JOIN chats c ON c.id = f.chat_id"


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    url: str
    chat_id: int | None  # None: an operator's feed for the whole community
    kind: str  # auto | petition | campaign
    tags: tuple[Tag, ...]
    public: bool
    title: str | None
    site_url: str | None
    interval_seconds: int | None  # None: the deployment's default
    state: str  # active | paused
    paused_reason: str | None
    primed: bool
    sample_wanted: bool
    etag: str | None
    last_modified: str | None
    body_digest: str | None
    failures: int
    next_poll_at: int
    last_polled_at: int | None
    last_success_at: int | None
    last_status: int | None
    last_error: str | None
    last_error_at: int | None
    announced: int
    added_by: int | None
    added_by_language: str | None
    created_at: int
    chat_title: str | None
    chat_username: str | None


@dataclass(frozen=True, slots=True)
class NewFeed:
    url: str
    chat_id: int | None
    next_poll_at: int
    kind: str = "auto"
    tags: tuple[Tag, ...] = ()
    public: bool = False
    interval_seconds: int | None = None
    sample_wanted: bool = False
    added_by: int | None = None
    added_by_language: str | None = None
    # Known when the feed was read before saving (/feed add): it is primed at once.
    primed: bool = False
    title: str | None = None
    site_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_digest: str | None = None


@dataclass(frozen=True, slots=True)
class PollRecord:
    """What one poll changes on its feed's row."""

    feed_id: int
    polled_at: int
    next_poll_at: int
    status: int | None  # HTTP status, None when no answer came
    ok: bool
    failures: int  # consecutive, after this poll
    error: str | None = None
    paused_reason: str | None = None  # pause the feed
    moved_to: str | None = None  # a 301/308 led here for good
    new_document: bool = False  # a 200: the validators below replace the stored ones
    etag: str | None = None
    last_modified: str | None = None
    body_digest: str | None = None
    title: str | None = None
    site_url: str | None = None
    primed: bool = False
    announced: int = 0


def _feed(row: Sequence[Any]) -> Feed:
    values = list(row)
    values[4] = tuple((str(k), str(d)) for k, d in json.loads(values[4] or "[]"))
    for index in (5, 11, 12):
        values[index] = bool(values[index])
    return Feed(*values)


def tags_json(tags: Iterable[Tag]) -> str:
    return json.dumps([list(tag) for tag in tags], ensure_ascii=False)


# --- inside the caller's transaction (writer thread) ---------------------------------------


def insert_feed(conn: sqlite3.Connection, new: NewFeed, now: int) -> int:
    """The new feed's id; raises sqlite3.IntegrityError when the chat already has this URL."""
    row = conn.execute(
        "INSERT INTO feeds(url, chat_id, kind, tags, public, interval_seconds, sample_wanted, "
        "added_by, added_by_language, primed, title, site_url, etag, last_modified, "
        "body_digest, next_poll_at, last_polled_at, last_success_at, last_status, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?) RETURNING id",
        (
            new.url,
            new.chat_id,
            new.kind,
            tags_json(new.tags),
            int(new.public),
            new.interval_seconds,
            int(new.sample_wanted),
            new.added_by,
            new.added_by_language,
            int(new.primed),
            new.title,
            new.site_url,
            new.etag,
            new.last_modified,
            new.body_digest,
            new.next_poll_at,
            now if new.primed else None,
            now if new.primed else None,
            200 if new.primed else None,
            now,
            now,
        ),
    ).fetchone()
    return int(row[0])


def remember_entries(
    conn: sqlite3.Connection, feed_id: int, keys: Sequence[int], now: int, forget_before: int
) -> set[int]:
    """Record that the feed shows these entries now; return the keys never seen before.

    Entries not shown since `forget_before` are forgotten (the document dropped them long ago).
    """
    listed = json.dumps(list(dict.fromkeys(keys)))
    known = {
        row[0]
        for row in conn.execute(
            "SELECT entry_key FROM feed_entries WHERE feed_id = ? AND entry_key IN "
            "(SELECT value FROM json_each(?))",
            (feed_id, listed),
        )
    }
    conn.execute(
        "INSERT INTO feed_entries(feed_id, entry_key, last_seen_at) "
        "SELECT ?, value, ? FROM json_each(?) WHERE true "
        "ON CONFLICT(feed_id, entry_key) DO UPDATE SET last_seen_at = excluded.last_seen_at",
        (feed_id, now, listed),
    )
    conn.execute(
        "DELETE FROM feed_entries WHERE feed_id = ? AND last_seen_at < ?", (feed_id, forget_before)
    )
    return set(keys) - known


def record_poll(conn: sqlite3.Connection, record: PollRecord) -> bool:
    """Apply a poll's outcome; False when the feed was removed or paused meanwhile."""
    row = conn.execute(
        "UPDATE feeds SET last_polled_at = ?1, next_poll_at = ?2, last_status = ?3, "
        "failures = ?4, last_success_at = CASE WHEN ?5 THEN ?1 ELSE last_success_at END, "
        "last_error = CASE WHEN ?5 THEN last_error ELSE ?6 END, "
        "last_error_at = CASE WHEN ?5 THEN last_error_at ELSE ?1 END, "
        "state = CASE WHEN ?7 IS NULL THEN state ELSE 'paused' END, "
        "paused_reason = coalesce(?7, paused_reason), "
        "etag = CASE WHEN ?8 THEN ?9 ELSE etag END, "
        "last_modified = CASE WHEN ?8 THEN ?10 ELSE last_modified END, "
        "body_digest = CASE WHEN ?8 THEN ?11 ELSE body_digest END, "
        "title = coalesce(?12, title), site_url = coalesce(?13, site_url), "
        "primed = max(primed, ?14), announced = announced + ?15, updated_at = ?1 "
        "WHERE id = ?16 AND state = 'active' RETURNING id",
        (
            record.polled_at,
            record.next_poll_at,
            record.status,
            record.failures,
            int(record.ok),
            record.error[:MAX_ERROR_CHARS] if record.error else None,
            record.paused_reason,
            int(record.new_document),
            record.etag,
            record.last_modified,
            record.body_digest,
            record.title,
            record.site_url,
            int(record.primed),
            record.announced,
            record.feed_id,
        ),
    ).fetchone()
    if row is not None and record.moved_to:
        move_feed(conn, record.feed_id, record.moved_to)
    return row is not None


def move_feed(conn: sqlite3.Connection, feed_id: int, url: str) -> bool:
    """The feed moved for good (301/308); kept where it was if the chat already has the new URL."""
    try:
        conn.execute("UPDATE feeds SET url = ? WHERE id = ?", (url, feed_id))
    except sqlite3.IntegrityError:
        return False
    return True


def chat_receives(conn: sqlite3.Connection, chat_id: int) -> bool:
    """Is the chat still served (approved, the bot still in it)?"""
    row = conn.execute(
        "SELECT status = 'approved' AND active FROM chats WHERE id = ?", (chat_id,)
    ).fetchone()
    return bool(row and row[0])


def add_announced(conn: sqlite3.Connection, feed_id: int, count: int) -> None:
    if count:
        conn.execute("UPDATE feeds SET announced = announced + ? WHERE id = ?", (count, feed_id))


# --- whole transactions and reads ---------------------------------------------------------


class FeedRepository:
    """Reads and writes `feeds` and `feed_entries`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, feed_id: int) -> Feed | None:
        found = await self._select("WHERE f.id = ?", (feed_id,))
        return found[0] if found else None

    async def for_chat(self, chat_id: int) -> list[Feed]:
        return await self._select("WHERE f.chat_id = ? ORDER BY f.id", (chat_id,))

    async def by_user(self, user_id: int) -> list[Feed]:
        return await self._select("WHERE f.added_by = ? ORDER BY f.id", (user_id,))

    async def every(self, chat_id: int | None = None) -> list[Feed]:
        if chat_id is not None:
            return await self.for_chat(chat_id)
        return await self._select("ORDER BY f.id", ())

    async def due(self, now: int, limit: int, exclude: Collection[int] = ()) -> list[Feed]:
        """Active feeds whose time has come, earliest first, leaving out those in `exclude`."""
        return await self._select(
            "WHERE f.state = 'active' AND f.next_poll_at <= ? AND f.id NOT IN "
            "(SELECT value FROM json_each(?)) ORDER BY f.next_poll_at LIMIT ?",
            (now, json.dumps(list(exclude)), limit),
        )

    async def next_due(self) -> int | None:
        rows = await self._rows("SELECT min(next_poll_at) FROM feeds WHERE state = 'active'", ())
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    async def counts(self) -> dict[str, int]:
        rows = await self._rows("SELECT state, count(*) FROM feeds GROUP BY state", ())
        return {str(row[0]): int(row[1]) for row in rows}

    async def insert_many(self, feeds: Sequence[NewFeed], now: int) -> int:
        """Add feeds (an import); those a chat already has are skipped. Returns how many added."""

        def insert(conn: sqlite3.Connection) -> int:
            added = 0
            for new in feeds:
                try:
                    insert_feed(conn, new, now)
                except sqlite3.IntegrityError:
                    continue
                added += 1
            return added

        return await self._db.run_write(insert)

    async def remove(self, feed_id: int) -> bool:
        return await self._db.execute_write("DELETE FROM feeds WHERE id = ?", (feed_id,)) > 0

    async def set_public(self, feed_id: int, public: bool, now: int) -> bool:
        """Public (community announcements) or not; a chat-less feed always stays public."""
        return (
            await self._db.execute_write(
                "UPDATE feeds SET public = ?, updated_at = ? WHERE id = ? "
                "AND (chat_id IS NOT NULL OR ?)",
                (int(public), now, feed_id, int(public)),
            )
            > 0
        )

    async def set_interval(self, feed_id: int, seconds: int | None, now: int) -> bool:
        """A new interval; the next poll comes no later than one new interval from now."""
        return (
            await self._db.execute_write(
                "UPDATE feeds SET interval_seconds = ?, updated_at = ?, "
                "next_poll_at = min(next_poll_at, ? + coalesce(?, next_poll_at - ?)) "
                "WHERE id = ?",
                (seconds, now, now, seconds, now, feed_id),
            )
            > 0
        )

    async def resume(self, feed_id: int, now: int) -> bool:
        """A paused feed is polled again now, its failures forgotten."""
        return (
            await self._db.execute_write(
                "UPDATE feeds SET state = 'active', paused_reason = NULL, failures = 0, "
                "next_poll_at = ?, updated_at = ? WHERE id = ? AND state = 'paused'",
                (now, now, feed_id),
            )
            > 0
        )

    async def _select(self, where: str, params: tuple[object, ...]) -> list[Feed]:
        return [
            _feed(row) for row in await self._rows(f"SELECT {_COLUMNS} {_FROM} {where}", params)
        ]

    async def _rows(self, sql: str, params: tuple[object, ...]) -> list[Any]:
        """Run a read to its end in one call to the reader's thread.

        A cursor left open across an await keeps the reader connection's snapshot: another
        coroutine's read in between would not see writes committed since. The poller reads
        while handlers do, so its reads never leave a statement open.
        """
        return await self._db.fetch_all(sql, params)
