"""Announcements and subscriptions; the counts behind /status.

Two kinds of functions, as for links (storage/link_writes.py, storage/links.py): plain functions
taking a `sqlite3.Connection` run inside someone else's transaction in the writer thread (the
capture transaction creates announcements and queues their deliveries, see bot/alerts.py);
`AlertRepository` methods are whole transactions of their own (`Database.run_write`) or reads on
the reader connection.
The outbox itself (deliveries) is storage/outbox.py.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from storage.db import Database, now

Tag = tuple[str, str]  # (folded key, display form)
Audience = Literal["community", "direct"]


@dataclass(frozen=True, slots=True)
class NewAnnouncement:
    """An announcement to create; `source_name`/`source_url` only for public sources."""

    kind: str  # petition | campaign
    url: str
    title: str | None
    tags: tuple[Tag, ...]
    source_kind: str  # chat | feed
    source_chat_id: int | None = None
    source_name: str | None = None
    source_url: str | None = None
    link_id: int | None = None
    share_id: int | None = None  # the title is its comment, read when sending


@dataclass(frozen=True, slots=True)
class AlertSource:
    """A chat seen from the capture transaction: may what it shares be announced?"""

    id: int
    type: str
    title: str
    username: str | None
    served: bool  # approved, active, alerts on


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    chat_id: int
    kinds: tuple[str, ...]
    tags: tuple[Tag, ...]
    active: bool
    subscribed_by: int | None
    ended_reason: str | None
    chat_title: str
    chat_username: str | None
    chat_language: str | None


@dataclass(frozen=True, slots=True)
class StatusCounts:
    chats: dict[str, int]  # by status
    inactive_chats: int
    links: dict[str, int]  # by kind
    subscriptions_active: int
    subscriptions_ended: int
    announcements: int


def _tags_json(tags: Iterable[Tag]) -> str:
    return json.dumps([list(tag) for tag in tags], ensure_ascii=False)


def _tags_of(raw: str) -> tuple[Tag, ...]:
    return tuple((str(key), str(display)) for key, display in json.loads(raw or "[]"))


_SUBSCRIPTION_COLUMNS = """
    s.id, s.chat_id, s.kinds, s.tags, s.active, s.subscribed_by, s.ended_reason,
    c.title, c.username, c.language
"""


def _subscription(row: Sequence[Any]) -> Subscription:
    return Subscription(
        id=row[0],
        chat_id=row[1],
        kinds=tuple(str(row[2]).split()),
        tags=_tags_of(row[3]),
        active=bool(row[4]),
        subscribed_by=row[5],
        ended_reason=row[6],
        chat_title=row[7] or "",
        chat_username=row[8],
        chat_language=row[9],
    )


# --- inside the caller's transaction (writer thread) ---------------------------------------


def alert_source(conn: sqlite3.Connection, chat_id: int) -> AlertSource | None:
    row = conn.execute(
        "SELECT id, type, title, username, status = 'approved' AND active AND alerts_enabled "
        "FROM chats WHERE id = ?",
        (chat_id,),
    ).fetchone()
    if row is None:
        return None
    return AlertSource(row[0], row[1], row[2], row[3], bool(row[4]))


def share_of(conn: sqlite3.Connection, link_id: int, message_id: int) -> int | None:
    row = conn.execute(
        "SELECT id FROM shares WHERE link_id = ? AND message_id = ?", (link_id, message_id)
    ).fetchone()
    return int(row[0]) if row else None


def link_tags(conn: sqlite3.Connection, link_id: int) -> list[Tag]:
    """Every hashtag the link's shares carry, in the order they first appeared."""
    rows = conn.execute(
        "SELECT t.key, t.display FROM shares s JOIN share_tags st ON st.share_id = s.id "
        "JOIN tags t ON t.id = st.tag_id WHERE s.link_id = ? "
        "GROUP BY t.id ORDER BY min(s.shared_at), min(s.id), t.id",
        (link_id,),
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


def insert_announcement(
    conn: sqlite3.Connection, new: NewAnnouncement, target_chat_id: int | None = None
) -> int | None:
    """The new announcement's id, or None when its URL was already announced (to that target)."""
    audience: Audience = "community" if target_chat_id is None else "direct"
    conflict = "(url) WHERE audience = 'community'"
    if target_chat_id is not None:
        conflict = "(target_chat_id, url) WHERE audience = 'direct'"
    row = conn.execute(
        "INSERT INTO announcements(kind, url, title, tags, source_kind, source_chat_id, "
        "source_name, source_url, audience, target_chat_id, link_id, share_id, created_at) "
        f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT {conflict} DO NOTHING "
        "RETURNING id",
        (
            new.kind,
            new.url,
            new.title,
            _tags_json(new.tags),
            new.source_kind,
            new.source_chat_id,
            new.source_name,
            new.source_url,
            audience,
            target_chat_id,
            new.link_id,
            new.share_id,
            now(),
        ),
    ).fetchone()
    return int(row[0]) if row else None


def serving_subscriptions(conn: sqlite3.Connection) -> list[Subscription]:
    """Active subscriptions of approved, active chats: the candidates for a fan-out."""
    rows = conn.execute(
        f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions s JOIN chats c ON c.id = s.chat_id "
        "WHERE s.active AND c.status = 'approved' AND c.active"
    ).fetchall()
    return [_subscription(row) for row in rows]


def end_subscription(conn: sqlite3.Connection, chat_id: int, reason: str) -> Subscription | None:
    """Deactivate the chat's subscription and cancel its pending deliveries.

    Returns the subscription as it was if it was active (so that its subscriber can be told),
    None if there was nothing to end.
    """
    before = _get(conn, chat_id)
    stamp = now()
    conn.execute(
        "UPDATE deliveries SET state = 'cancelled', updated_at = ? "
        "WHERE chat_id = ? AND state = 'pending'",
        (stamp, chat_id),
    )
    if before is None or not before.active:
        return None
    conn.execute(
        "UPDATE subscriptions SET active = 0, ended_reason = ?, updated_at = ? WHERE chat_id = ?",
        (reason, stamp, chat_id),
    )
    return before


def _get(conn: sqlite3.Connection, chat_id: int) -> Subscription | None:
    row = conn.execute(
        f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions s JOIN chats c ON c.id = s.chat_id "
        "WHERE s.chat_id = ?",
        (chat_id,),
    ).fetchone()
    return _subscription(row) if row else None


def _subscribe(
    conn: sqlite3.Connection,
    chat_id: int,
    kinds: Sequence[str],
    tags: Sequence[Tag],
    by: int | None,
) -> Subscription:
    stamp = now()
    conn.execute(
        "INSERT INTO subscriptions(chat_id, kinds, tags, subscribed_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(chat_id) DO UPDATE SET kinds = excluded.kinds, "
        "tags = excluded.tags, subscribed_by = excluded.subscribed_by, active = 1, "
        "ended_reason = NULL, updated_at = excluded.updated_at",
        (chat_id, " ".join(kinds), _tags_json(tags), by, stamp, stamp),
    )
    found = _get(conn, chat_id)
    assert found is not None
    return found


# --- whole transactions and reads ---------------------------------------------------------


class AlertRepository:
    """Subscriptions (one per chat) and the counts of /status."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def subscribe(
        self, chat_id: int, kinds: Sequence[str], tags: Sequence[Tag], by: int | None
    ) -> Subscription:
        """Create the chat's subscription, or replace its filters and reactivate it."""
        return await self._db.run_write(lambda conn: _subscribe(conn, chat_id, kinds, tags, by))

    async def end(self, chat_id: int, reason: str) -> Subscription | None:
        return await self._db.run_write(lambda conn: end_subscription(conn, chat_id, reason))

    async def get(self, chat_id: int) -> Subscription | None:
        rows = await self._select("WHERE s.chat_id = ?", (chat_id,))
        return rows[0] if rows else None

    async def by_user(self, user_id: int) -> list[Subscription]:
        return await self._select(
            "WHERE s.subscribed_by = ? AND s.active ORDER BY c.title", (user_id,)
        )

    async def _select(self, where: str, params: tuple[object, ...]) -> list[Subscription]:
        sql = (
            f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions s "
            f"JOIN chats c ON c.id = s.chat_id {where}"
        )
        return [_subscription(row) for row in await self._db.fetch_all(sql, params)]

    async def counts(self) -> StatusCounts:
        db = self._db
        chats = await _grouped(db, "SELECT status, count(*) FROM chats GROUP BY status")
        links = await _grouped(db, "SELECT kind, count(*) FROM links GROUP BY kind")
        subs = await _grouped(db, "SELECT active, count(*) FROM subscriptions GROUP BY 1")
        row = await db.fetch_one(
            "SELECT (SELECT count(*) FROM chats WHERE NOT active), "
            "(SELECT count(*) FROM announcements)"
        )
        assert row is not None
        return StatusCounts(
            chats=chats,
            inactive_chats=int(row[0]),
            links=links,
            subscriptions_active=subs.get("1", 0),
            subscriptions_ended=subs.get("0", 0),
            announcements=int(row[1]),
        )


async def _grouped(db: Database, sql: str) -> dict[str, int]:
    return {str(row[0]): int(row[1]) for row in await db.fetch_all(sql)}
