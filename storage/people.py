"""People: where the bot has seen them (search scopes), and erasing them (/forgetme)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import Database, now
from storage.links import PersonRecord, RemovedShares, delete_person_shares


@dataclass(frozen=True, slots=True)
class SightedChat:
    """A served group where a person was seen: a candidate for their private searches."""

    chat_id: int
    title: str


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    display_name: str
    username: str | None


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What /forgetme erased."""

    shares: int
    links: int
    chats: int  # groups where the person had been seen


_UPSERT_PERSON = """
INSERT INTO people(id, display_name, username, language, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name,
    username = excluded.username, language = coalesce(excluded.language, people.language),
    updated_at = excluded.updated_at
"""
_UPSERT_SIGHTING = """
INSERT INTO chat_people(chat_id, person_id, last_seen_at) VALUES (?, ?, ?)
ON CONFLICT(chat_id, person_id) DO UPDATE SET
    last_seen_at = max(last_seen_at, excluded.last_seen_at)
"""
_SIGHTED = """
SELECT c.id, c.title FROM chat_people cp JOIN chats c ON c.id = cp.chat_id
WHERE cp.person_id = ? AND c.status = 'approved' AND c.active = 1 AND c.type != 'private'
ORDER BY cp.last_seen_at DESC
"""
_IN_CHATS = """
SELECT DISTINCT p.id, p.display_name, p.username
FROM chat_people cp JOIN people p ON p.id = cp.person_id
WHERE cp.chat_id IN (SELECT value FROM json_each(?))
"""


class PeopleRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record_sighting(self, chat_id: int, person: PersonRecord) -> None:
        """Remember that `person` is in `chat_id` (the chat row must exist)."""
        stamp = now()

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                _UPSERT_PERSON,
                (person.id, person.display_name, person.username, person.language, stamp),
            )
            conn.execute(_UPSERT_SIGHTING, (chat_id, person.id, stamp))

        await self._db.run_write(write)

    async def sighted_chats(self, person_id: int) -> list[SightedChat]:
        """Approved, active groups where this person was seen, most recently seen first."""
        rows = await self._db.fetch_all(_SIGHTED, (person_id,))
        return [SightedChat(row[0], row[1]) for row in rows]

    async def in_chats(self, chat_ids: Sequence[int]) -> list[Person]:
        """Everyone seen in these chats (to resolve `from:`)."""
        rows = await self._db.fetch_all(_IN_CHATS, (json.dumps(list(chat_ids)),))
        return [Person(row[0], row[1], row[2]) for row in rows]

    async def share_owners(self, chat_id: int, message_id: int) -> list[int | None]:
        """Who shared the links of one message (one entry per share)."""
        rows = await self._db.fetch_all(
            "SELECT person_id FROM shares WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return [row[0] for row in rows]

    async def share_count(self, person_id: int) -> int:
        row = await self._db.fetch_one(
            "SELECT count(*) FROM shares WHERE person_id = ?", (person_id,)
        )
        return int(row[0]) if row else 0

    async def forget(self, person_id: int) -> Forgotten:
        """Erase every share of this person everywhere, then the person (and sightings)."""
        return await self._db.run_write(lambda conn: forget_person(conn, person_id))


def forget_person(conn: sqlite3.Connection, person_id: int) -> Forgotten:
    chats = conn.execute(
        "SELECT count(*) FROM chat_people WHERE person_id = ?", (person_id,)
    ).fetchone()[0]
    removed: RemovedShares = delete_person_shares(conn, person_id)
    # Messages of theirs that others forwarded keep the text, not who wrote it.
    conn.execute(
        "UPDATE shares SET origin_name = NULL, origin_chat_id = NULL "
        "WHERE origin_type = 'user' AND origin_chat_id = ?",
        (person_id,),
    )
    conn.execute("DELETE FROM people WHERE id = ?", (person_id,))  # sightings cascade
    return Forgotten(shares=removed.shares, links=removed.links, chats=chats)
