"""Chats the bot is in: approval status, per-chat settings and lifecycle."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Literal

from storage.db import Database, now
from storage.links import recompute

ChatStatus = Literal["pending", "approved", "denied"]
AckMode = Literal["react", "reply", "silent"]

_COLUMNS = (
    "id, type, title, username, status, active, language, ack_mode, alerts_enabled, "
    "previews_enabled, added_by, approval_requested_at, privacy_warned_at"
)


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    type: str
    title: str
    username: str | None
    status: ChatStatus
    active: bool
    language: str | None
    ack_mode: AckMode
    alerts_enabled: bool
    previews_enabled: bool
    added_by: int | None
    approval_requested_at: int | None
    privacy_warned_at: int | None

    @property
    def approved(self) -> bool:
        return self.status == "approved" and self.active

    @property
    def is_public(self) -> bool:
        return bool(self.username)


def _chat(row: sqlite3.Row) -> Chat:
    return Chat(
        id=row["id"],
        type=row["type"],
        title=row["title"],
        username=row["username"],
        status=row["status"],
        active=bool(row["active"]),
        language=row["language"],
        ack_mode=row["ack_mode"],
        alerts_enabled=bool(row["alerts_enabled"]),
        previews_enabled=bool(row["previews_enabled"]),
        added_by=row["added_by"],
        approval_requested_at=row["approval_requested_at"],
        privacy_warned_at=row["privacy_warned_at"],
    )


@dataclass(frozen=True, slots=True)
class ChatCounts:
    links: int
    shares: int


class ChatRepository:
    """Reads and writes `chats`. Settings changes are single-row transactions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, chat_id: int) -> Chat | None:
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM chats WHERE id = ?", (chat_id,))
        return _chat(row) if row else None

    async def list(self, *, status: ChatStatus | None = None) -> list[Chat]:
        sql = f"SELECT {_COLUMNS} FROM chats"
        params: tuple[object, ...] = ()
        if status is not None:
            sql += " WHERE status = ?"
            params = (status,)
        return [_chat(row) for row in await self._db.fetch_all(sql + " ORDER BY id", params)]

    async def upsert(
        self,
        chat_id: int,
        *,
        type: str,
        title: str,
        username: str | None,
        status: ChatStatus | None = None,
        added_by: int | None = None,
    ) -> Chat:
        """Record a chat as Telegram describes it now; an explicit status overrides the old one."""
        stamp = now()
        await self._db.execute_write(
            """
                INSERT INTO chats(id, type, title, username, status, added_by, created_at,
                                  updated_at)
                VALUES (?, ?, ?, ?, coalesce(?, 'pending'), ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    type = excluded.type, title = excluded.title, username = excluded.username,
                    status = coalesce(?, chats.status),
                    added_by = coalesce(excluded.added_by, chats.added_by),
                    active = 1, updated_at = excluded.updated_at
                """,
            (chat_id, type, title, username, status, added_by, stamp, stamp, status),
        )
        chat = await self.get(chat_id)
        assert chat is not None
        return chat

    async def set_status(self, chat_id: int, status: ChatStatus, decided_by: int | None) -> None:
        await self._update(chat_id, "status = ?, decided_by = ?", (status, decided_by))

    async def set_active(self, chat_id: int, active: bool) -> None:
        await self._update(chat_id, "active = ?", (int(active),))

    async def set_language(self, chat_id: int, language: str | None) -> None:
        await self._update(chat_id, "language = ?", (language,))

    async def set_ack_mode(self, chat_id: int, mode: AckMode) -> None:
        await self._update(chat_id, "ack_mode = ?", (mode,))

    async def set_alerts(self, chat_id: int, enabled: bool) -> None:
        await self._update(chat_id, "alerts_enabled = ?", (int(enabled),))

    async def set_previews(self, chat_id: int, enabled: bool) -> None:
        await self._update(chat_id, "previews_enabled = ?", (int(enabled),))

    async def mark_approval_requested(self, chat_id: int) -> None:
        await self._update(chat_id, "approval_requested_at = ?", (now(),))

    async def mark_privacy_warned(self, chat_id: int) -> None:
        await self._update(chat_id, "privacy_warned_at = ?", (now(),))

    async def _update(self, chat_id: int, assignments: str, params: tuple[object, ...]) -> None:
        await self._db.execute_write(
            f"UPDATE chats SET {assignments}, updated_at = ? WHERE id = ?",
            (*params, now(), chat_id),
        )

    async def migrate(self, old_id: int, new_id: int) -> bool:
        """Move a group's data to its supergroup id. Returns False when there is nothing to move.

        Telegram may deliver messages from the new supergroup before the migration notice, in
        which case a bare row for the new id already exists; its few rows are folded into the old
        chat's before the id changes, so nothing is lost and nothing collides.
        """
        return await self._db.run_write(lambda conn: _migrate(conn, old_id, new_id))

    async def counts(self, chat_id: int) -> ChatCounts:
        row = await self._db.fetch_one(
            "SELECT (SELECT count(*) FROM links WHERE chat_id = ?), "
            "(SELECT count(*) FROM shares WHERE chat_id = ?)",
            (chat_id, chat_id),
        )
        assert row is not None
        return ChatCounts(links=row[0], shares=row[1])

    async def purge(self, chat_id: int) -> ChatCounts:
        """Erase a chat and everything stored for it (links, shares, sightings)."""
        counts = await self.counts(chat_id)
        await self._db.execute_write("DELETE FROM chats WHERE id = ?", (chat_id,))
        return counts


def _migrate(conn: sqlite3.Connection, old_id: int, new_id: int) -> bool:
    if conn.execute("SELECT 1 FROM chats WHERE id = ?", (old_id,)).fetchone() is None:
        return False
    if conn.execute("SELECT 1 FROM chats WHERE id = ?", (new_id,)).fetchone() is not None:
        _fold_chat_into(conn, source=new_id, target=old_id)
    conn.execute(
        "UPDATE chats SET id = ?, type = 'supergroup', migrated_from = ?, updated_at = ? "
        "WHERE id = ?",
        (new_id, old_id, now(), old_id),
    )
    return True


def _fold_chat_into(conn: sqlite3.Connection, *, source: int, target: int) -> None:
    """Re-home rows of chat `source` under `target`, then delete `source`."""
    merged = [
        row[0]
        for row in conn.execute(
            "SELECT t.id FROM links t JOIN links s ON s.url = t.url WHERE t.chat_id = ? "
            "AND s.chat_id = ?",
            (target, source),
        )
    ]
    # Links that exist in both: move the shares, then drop the duplicate link.
    conn.execute(
        """
        UPDATE OR IGNORE shares SET chat_id = ?, link_id = (
            SELECT t.id FROM links t JOIN links s ON s.url = t.url
            WHERE t.chat_id = ? AND s.id = shares.link_id)
        WHERE chat_id = ? AND link_id IN (
            SELECT s.id FROM links s JOIN links t ON t.url = s.url
            WHERE s.chat_id = ? AND t.chat_id = ?)
        """,
        (target, target, source, source, target),
    )
    conn.execute(
        "DELETE FROM links WHERE chat_id = ? AND url IN (SELECT url FROM links WHERE chat_id = ?)",
        (source, target),
    )
    recompute(conn, link_ids=merged)
    conn.execute("UPDATE links SET chat_id = ? WHERE chat_id = ?", (target, source))
    conn.execute("UPDATE shares SET chat_id = ? WHERE chat_id = ?", (target, source))
    conn.execute(
        "INSERT OR IGNORE INTO chat_people(chat_id, person_id, last_seen_at) "
        "SELECT ?, person_id, last_seen_at FROM chat_people WHERE chat_id = ?",
        (target, source),
    )
    conn.execute("DELETE FROM chats WHERE id = ?", (source,))
