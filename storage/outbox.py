"""The durable outbox: one delivery row per (announcement, chat), claimed, sent, recorded.

States: `pending` (due at `due_at`) -> `sending` (claimed by the worker, `lease_until`) ->
`sent` (with Telegram's message id), or back to `pending` (flood wait, chat migrated, a failure
worth retrying), or a dead letter: `dead` (failed too often, or refused for good) and
`unconfirmed` (the request may or may not have reached Telegram). Operators retry dead letters
(-> `pending`) or drop them (-> `dropped`). `cancelled`: the chat's subscription ended first.

Rows are queued in the transaction that creates their announcement, so an accepted share never
loses its deliveries. At start-up every `sending` row goes back to `pending` (`recover`): the
process that claimed it is gone, and whether Telegram got the message before the crash cannot
be known. Those rows are the only ones that can be sent twice; the worker never has more rows
in `sending` than its concurrency, which bounds that number.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from storage.alerts import Subscription, Tag, end_subscription
from storage.batch import GroupCommit
from storage.db import Database, now

DeliveryState = Literal[
    "pending", "sending", "sent", "dead", "unconfirmed", "cancelled", "dropped"
]
DELIVERY_STATES: tuple[DeliveryState, ...] = (
    "pending",
    "sending",
    "sent",
    "dead",
    "unconfirmed",
    "cancelled",
    "dropped",
)
DEAD_LETTERS = ("dead", "unconfirmed")


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """A delivery the worker now owns, with what it needs to write the message."""

    id: int
    chat_id: int
    announcement_id: int
    attempts: int
    kind: str
    url: str
    title: str | None
    tags: tuple[Tag, ...]
    source_kind: str
    source_name: str | None
    source_url: str | None
    language: str | None  # the receiving chat's


@dataclass(frozen=True, slots=True)
class Claim:
    deliveries: tuple[ClaimedDelivery, ...]
    next_due: dict[int, float]  # chats that got nothing: when their next delivery is due


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a claimed delivery, as the worker decided."""

    delivery_id: int
    state: Literal["sent", "pending", "dead", "unconfirmed", "cancelled"]
    due_at: float | None = None
    message_id: int | None = None
    error: str | None = None
    failed: bool = False  # counts towards dead-lettering
    end_reason: str | None = None  # the chat is out of reach: end its subscription


@dataclass(frozen=True, slots=True)
class Recorded:
    chat_id: int  # after any migration
    next_due: float | None  # the chat's next pending delivery
    ended: Subscription | None  # the subscription this outcome ended


@dataclass(frozen=True, slots=True)
class DeliveryLine:
    """A delivery as operators see it (dead letters, last errors)."""

    id: int
    chat_id: int
    chat_title: str
    url: str
    state: str
    attempts: int
    error: str | None
    updated_at: int


def _json(values: Iterable[object]) -> str:
    return json.dumps(list(values))


# --- inside a transaction (writer thread) --------------------------------------------------


def queue_deliveries(
    conn: sqlite3.Connection, announcement_id: int, chat_ids: Iterable[int], due_at: float
) -> list[int]:
    """One pending row per chat (never twice for the same announcement); the chats queued."""
    stamp = now()
    rows = conn.execute(
        "INSERT INTO deliveries(announcement_id, chat_id, due_at, created_at, updated_at) "
        "SELECT ?, value, ?, ?, ? FROM json_each(?) WHERE true "
        "ON CONFLICT(announcement_id, chat_id) DO NOTHING RETURNING chat_id",
        (announcement_id, due_at, stamp, stamp, _json(dict.fromkeys(chat_ids))),
    ).fetchall()
    return [row[0] for row in rows]


_CLAIM = """
UPDATE deliveries SET state = 'sending', lease_until = ?, updated_at = ?
WHERE id IN (
    SELECT (SELECT d.id FROM deliveries d
            WHERE d.state = 'pending' AND d.chat_id = j.value AND d.due_at <= ?
            ORDER BY d.due_at, d.id LIMIT 1)
    FROM json_each(?) j)
RETURNING id
"""

_CLAIMED = """
SELECT d.id, d.chat_id, d.announcement_id, d.attempts, a.kind, a.url,
       coalesce(a.title, nullif(s.comment, ''), l.title), a.tags, a.source_kind,
       a.source_name, a.source_url, c.language
FROM deliveries d JOIN announcements a ON a.id = d.announcement_id
JOIN chats c ON c.id = d.chat_id LEFT JOIN links l ON l.id = a.link_id
LEFT JOIN shares s ON s.id = a.share_id
WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.id
"""


def claim(conn: sqlite3.Connection, chat_ids: Sequence[int], at: float, lease: float) -> Claim:
    """Claim the next due delivery of each chat (one at most per chat)."""
    ids = [row[0] for row in conn.execute(_CLAIM, (at + lease, int(at), at, _json(chat_ids)))]
    claimed = tuple(_claimed(row) for row in conn.execute(_CLAIMED, (_json(ids),)))
    served = {delivery.chat_id for delivery in claimed}
    idle = [chat_id for chat_id in chat_ids if chat_id not in served]
    return Claim(claimed, next_due(conn, idle))


def _claimed(row: Sequence[Any]) -> ClaimedDelivery:
    return ClaimedDelivery(
        id=row[0],
        chat_id=row[1],
        announcement_id=row[2],
        attempts=row[3],
        kind=row[4],
        url=row[5],
        title=row[6],
        tags=tuple((key, display) for key, display in json.loads(row[7])),
        source_kind=row[8],
        source_name=row[9],
        source_url=row[10],
        language=row[11],
    )


def next_due(conn: sqlite3.Connection, chat_ids: Sequence[int]) -> dict[int, float]:
    """When the next pending delivery of each of these chats is due (chats without one: absent)."""
    if not chat_ids:
        return {}
    rows = conn.execute(
        "SELECT chat_id, min(due_at) FROM deliveries WHERE state = 'pending' "
        "AND chat_id IN (SELECT value FROM json_each(?)) GROUP BY chat_id",
        (_json(chat_ids),),
    )
    return {row[0]: row[1] for row in rows}


def record(conn: sqlite3.Connection, outcomes: Sequence[Outcome]) -> list[Recorded]:
    """Apply the outcomes of claimed deliveries; one `Recorded` per outcome, in order."""
    return [_record_one(conn, outcome) for outcome in outcomes]


def _record_one(conn: sqlite3.Connection, outcome: Outcome) -> Recorded:
    row = conn.execute(
        "UPDATE deliveries SET state = ?, due_at = coalesce(?, due_at), "
        "message_id = coalesce(?, message_id), last_error = coalesce(?, last_error), "
        "attempts = attempts + ?, lease_until = NULL, updated_at = ? "
        "WHERE id = ? RETURNING chat_id",
        (
            outcome.state,
            outcome.due_at,
            outcome.message_id,
            outcome.error,
            int(outcome.failed),
            now(),
            outcome.delivery_id,
        ),
    ).fetchone()
    if row is None:  # the chat (and its deliveries) was purged meanwhile
        return Recorded(chat_id=0, next_due=None, ended=None)
    chat_id = int(row[0])
    ended = None
    if outcome.end_reason is not None:
        ended = end_subscription(conn, chat_id, outcome.end_reason)
    return Recorded(chat_id, next_due(conn, [chat_id]).get(chat_id), ended)


def recover(conn: sqlite3.Connection) -> int:
    """After a restart: deliveries claimed by the previous process are pending again."""
    cursor = conn.execute(
        "UPDATE deliveries SET state = 'pending', lease_until = NULL, updated_at = ? "
        "WHERE state = 'sending'",
        (now(),),
    )
    return cursor.rowcount


def release_expired(conn: sqlite3.Connection, at: float, keep: Iterable[int]) -> int:
    """Claims whose lease ran out and that are not in flight here go back to pending."""
    cursor = conn.execute(
        "UPDATE deliveries SET state = 'pending', lease_until = NULL, updated_at = ? "
        "WHERE state = 'sending' AND lease_until < ? "
        "AND id NOT IN (SELECT value FROM json_each(?))",
        (now(), at, _json(keep)),
    )
    return cursor.rowcount


def pending_chats(conn: sqlite3.Connection) -> dict[int, float]:
    """Every chat with pending deliveries, and when its first one is due."""
    rows = conn.execute(
        "SELECT chat_id, min(due_at) FROM deliveries WHERE state = 'pending' GROUP BY chat_id"
    )
    return {row[0]: row[1] for row in rows}


def _resend(conn: sqlite3.Connection, ids: Sequence[int] | None, at: float) -> int:
    """Dead letters -> pending, for chats that still want them."""
    cursor = conn.execute(
        "UPDATE deliveries SET state = 'pending', attempts = 0, due_at = ?, updated_at = ? "
        "WHERE state IN ('dead', 'unconfirmed') AND (? IS NULL OR id IN "
        "(SELECT value FROM json_each(?))) AND (EXISTS (SELECT 1 FROM subscriptions s "
        "WHERE s.chat_id = deliveries.chat_id AND s.active) OR EXISTS (SELECT 1 FROM "
        "announcements a WHERE a.id = deliveries.announcement_id AND a.audience = 'direct'))",
        (at, now(), None if ids is None else 1, _json(ids or ())),
    )
    return cursor.rowcount


def _drop(conn: sqlite3.Connection, ids: Sequence[int] | None) -> int:
    cursor = conn.execute(
        "UPDATE deliveries SET state = 'dropped', updated_at = ? "
        "WHERE state IN ('dead', 'unconfirmed') AND (? IS NULL OR id IN "
        "(SELECT value FROM json_each(?)))",
        (now(), None if ids is None else 1, _json(ids or ())),
    )
    return cursor.rowcount


# --- whole transactions and reads ---------------------------------------------------------


_LINE = """
SELECT d.id, d.chat_id, c.title, a.url, d.state, d.attempts, d.last_error, d.updated_at
FROM deliveries d JOIN chats c ON c.id = d.chat_id JOIN announcements a
ON a.id = d.announcement_id
"""


class OutboxRepository:
    """The outbox as operators and the worker see it."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # Outcomes of concurrent sends share commits (one fsync for many).
        self._records: GroupCommit[Outcome, Recorded] = GroupCommit(db, record)

    def start(self) -> None:
        self._records.start()

    async def stop(self) -> None:
        await self._records.stop()

    async def record(self, outcome: Outcome) -> Recorded:
        """Apply one outcome; returns once it is committed."""
        return await self._records.submit(outcome)

    async def claim(self, chat_ids: Sequence[int], at: float, lease: float) -> Claim:
        return await self._db.run_write(lambda conn: claim(conn, chat_ids, at, lease))

    async def recover(self) -> int:
        return await self._db.run_write(recover)

    async def release_expired(self, at: float, keep: Iterable[int]) -> int:
        kept = list(keep)
        return await self._db.run_write(lambda conn: release_expired(conn, at, kept))

    async def pending_chats(self) -> dict[int, float]:
        # Through the writer: it must see what a capture transaction just committed.
        return await self._db.run_write(pending_chats)

    async def retry(self, ids: Sequence[int] | None, at: float) -> int:
        """Dead letters (these ids, or all) become pending again; returns how many."""
        return await self._db.run_write(lambda conn: _resend(conn, ids, at))

    async def drop(self, ids: Sequence[int] | None) -> int:
        return await self._db.run_write(lambda conn: _drop(conn, ids))

    async def counts(self) -> dict[str, int]:
        sql = "SELECT state, count(*) FROM deliveries GROUP BY state"
        return {row[0]: row[1] for row in await self._db.fetch_all(sql)}

    async def last_errors(self, limit: int = 5) -> list[DeliveryLine]:
        return await self._lines(
            "WHERE d.last_error IS NOT NULL ORDER BY d.updated_at DESC, d.id DESC LIMIT ?",
            (limit,),
        )

    async def dead_letters(self, limit: int = 100) -> list[DeliveryLine]:
        return await self._lines(
            "WHERE d.state IN ('dead', 'unconfirmed') ORDER BY d.id LIMIT ?", (limit,)
        )

    async def _lines(self, where: str, params: tuple[object, ...]) -> list[DeliveryLine]:
        return [DeliveryLine(*row) for row in await self._db.fetch_all(_LINE + where, params)]
