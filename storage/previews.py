"""The preview queue: which links still need their page metadata, and what came of each fetch.

Jobs live in `preview_jobs` (migration 0003), one per link. Capture enqueues new links inside
its own transaction (`enqueue_links`, run by an after-save hook), so an acknowledged share
always has its job. The worker claims due jobs (`PreviewRepository.claim`), at most a few per
domain at a time, and records the outcome: metadata on `links` (an UPDATE, which the search
index's triggers pick up) or a failure with the time of the next attempt. Every write goes
through `Database.run_write`; every timestamp is passed in by the caller, whose clock rules.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from storage.db import Database

MAX_ERROR_CHARS = 500
CLAIM_WINDOW = 1024  # oldest due jobs looked at per claim, when spreading claims over domains


@dataclass(frozen=True, slots=True)
class PreviewJob:
    """A claimed job: the link to fetch, and which attempt this is (1 for the first)."""

    link_id: int
    url: str
    domain: str
    attempt: int


@dataclass(frozen=True, slots=True)
class LinkPreview:
    """What a fetch learnt about a link's page; None means "not found", never "erase"."""

    title: str | None = None
    description: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class PreviewJobState:
    link_id: int
    state: str  # pending, fetching, done, failed
    attempts: int
    next_attempt_at: int
    last_error: str | None
    updated_at: int


@dataclass(frozen=True, slots=True)
class QueueCounts:
    pending: int = 0
    fetching: int = 0
    done: int = 0
    failed: int = 0


_ENQUEUE = """
INSERT INTO preview_jobs(link_id, state, attempts, next_attempt_at, updated_at)
SELECT l.id, 'pending', 0, ?2, ?2
FROM json_each(?1) j CROSS JOIN links l ON l.id = j.value JOIN chats c ON c.id = l.chat_id
WHERE c.previews_enabled = 1
ON CONFLICT(link_id) DO NOTHING
"""

# The oldest due jobs of chats that still want previews; among them, at most `per_domain` per
# domain counting the fetches already in flight (`busy`: {"domain": count}), oldest first.
_CLAIMABLE = f"""
WITH due AS (
    SELECT j.link_id, j.attempts, j.next_attempt_at, l.url, l.domain
    FROM preview_jobs j
    JOIN links l ON l.id = j.link_id
    JOIN chats c ON c.id = l.chat_id
    WHERE j.state = 'pending' AND j.next_attempt_at <= :now AND c.previews_enabled = 1
    ORDER BY j.next_attempt_at, j.link_id
    LIMIT {CLAIM_WINDOW}
), ranked AS (
    SELECT due.*,
           row_number() OVER (PARTITION BY due.domain ORDER BY next_attempt_at, link_id)
               + coalesce(b.value, 0) AS place
    FROM due LEFT JOIN json_each(:busy) b ON b.key = due.domain
)
SELECT link_id, url, domain, attempts FROM ranked
WHERE place <= :per_domain
ORDER BY next_attempt_at, link_id
LIMIT :limit
"""

_MARK_CLAIMED = """
UPDATE preview_jobs SET state = 'fetching', attempts = attempts + 1, updated_at = ?2
WHERE link_id IN (SELECT value FROM json_each(?1))
"""

# coalesce: a fetch that finds no title keeps the one an import brought, for instance.
_STORE_PREVIEW = """
UPDATE links SET
    title = coalesce(?, title),
    description = coalesce(?, description),
    site_name = coalesce(?, site_name),
    canonical_url = coalesce(?, canonical_url),
    language = coalesce(?, language),
    content_type = coalesce(?, content_type)
WHERE id = ?
"""


def enqueue_links(conn: sqlite3.Connection, link_ids: Iterable[int], now: int) -> int:
    """Queue these links, inside the caller's transaction; chats with previews off are skipped.

    Returns how many jobs were added (a link that already has a job keeps it).
    """
    ids = list(dict.fromkeys(link_ids))
    if not ids:
        return 0
    return conn.execute(_ENQUEUE, (json.dumps(ids), now)).rowcount


def _claim(
    conn: sqlite3.Connection, now: int, limit: int, per_domain: int, busy: Mapping[str, int]
) -> list[PreviewJob]:
    params = {"now": now, "limit": limit, "per_domain": per_domain, "busy": json.dumps(busy)}
    rows = conn.execute(_CLAIMABLE, params).fetchall()
    if not rows:
        return []
    conn.execute(_MARK_CLAIMED, (json.dumps([row[0] for row in rows]), now))
    return [PreviewJob(row[0], row[1], row[2], row[3] + 1) for row in rows]


def _set_state(
    conn: sqlite3.Connection,
    link_id: int,
    state: str,
    now: int,
    *,
    error: str | None = None,
    next_attempt_at: int | None = None,
) -> None:
    conn.execute(
        "UPDATE preview_jobs SET state = ?, last_error = ?, updated_at = ?, "
        "next_attempt_at = coalesce(?, next_attempt_at) WHERE link_id = ?",
        (state, error[:MAX_ERROR_CHARS] if error else None, now, next_attempt_at, link_id),
    )


def _store_preview(conn: sqlite3.Connection, link_id: int, preview: LinkPreview, now: int) -> None:
    conn.execute(
        _STORE_PREVIEW,
        (
            preview.title,
            preview.description,
            preview.site_name,
            preview.canonical_url,
            preview.language,
            preview.content_type,
            link_id,
        ),
    )
    _set_state(conn, link_id, "done", now)


def _recover(conn: sqlite3.Connection, now: int, max_attempts: int) -> int:
    """Jobs a stopped process left in flight: due again, or failed when out of attempts.

    The attempt was counted when the job was claimed, so a page that kills the process (or a
    crash loop) cannot be retried forever.
    """
    conn.execute(
        "UPDATE preview_jobs SET state = 'failed', updated_at = ?, "
        "last_error = 'interrupted ' || attempts || ' times (process stopped while fetching)' "
        "WHERE state = 'fetching' AND attempts >= ?",
        (now, max_attempts),
    )
    return conn.execute(
        "UPDATE preview_jobs SET state = 'pending', next_attempt_at = ?, updated_at = ? "
        "WHERE state = 'fetching'",
        (now, now),
    ).rowcount


class PreviewRepository:
    """Reads and writes `preview_jobs`, and the preview columns of `links`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(self, link_ids: Iterable[int], now: int) -> int:
        """Queue links outside capture (tests, tools); see `enqueue_links`."""
        ids = list(link_ids)
        return await self._db.run_write(lambda conn: enqueue_links(conn, ids, now))

    async def claim(
        self, now: int, *, limit: int, per_domain: int, busy: Mapping[str, int] | None = None
    ) -> list[PreviewJob]:
        """Mark up to `limit` due jobs as fetching and return them, oldest first.

        No domain gets more than `per_domain` jobs in flight, counting `busy` (the fetches the
        caller already runs, by domain), so one site's burst cannot fill every slot.
        """
        if limit < 1:
            return []
        in_flight = dict(busy or {})
        return await self._db.run_write(
            lambda conn: _claim(conn, now, limit, per_domain, in_flight)
        )

    async def record_success(self, link_id: int, preview: LinkPreview, now: int) -> None:
        await self._db.run_write(lambda conn: _store_preview(conn, link_id, preview, now))

    async def record_retry(self, link_id: int, error: str, retry_at: int, now: int) -> None:
        """A failure worth another try, at `retry_at`."""
        await self._db.run_write(
            lambda conn: _set_state(
                conn, link_id, "pending", now, error=error, next_attempt_at=retry_at
            )
        )

    async def record_failure(self, link_id: int, error: str, now: int) -> None:
        """Give up on this link's preview."""
        await self._db.run_write(
            lambda conn: _set_state(conn, link_id, "failed", now, error=error)
        )

    async def release_in_flight(self, now: int) -> int:
        """Put every claimed job back, its attempt not counted (the only worker is stopping).

        Claimed jobs whose fetch never started are among them: a claim can commit while the
        worker that asked for it is being cancelled.
        """
        return await self._db.execute_write(
            "UPDATE preview_jobs SET state = 'pending', attempts = max(attempts - 1, 0), "
            "updated_at = ? WHERE state = 'fetching'",
            (now,),
        )

    async def recover_in_flight(self, now: int, max_attempts: int) -> int:
        """After a restart: make the jobs of the previous process due now; returns how many."""
        return await self._db.run_write(lambda conn: _recover(conn, now, max_attempts))

    async def cancel_chat(self, chat_id: int) -> int:
        """Drop the waiting jobs of a chat whose admins turned previews off."""
        return await self._db.execute_write(
            "DELETE FROM preview_jobs WHERE state = 'pending' AND link_id IN "
            "(SELECT id FROM links WHERE chat_id = ?)",
            (chat_id,),
        )

    async def next_due(self) -> int | None:
        """When the earliest waiting job (of a chat that wants previews) becomes due."""
        row = await self._db.fetch_one(
            "SELECT j.next_attempt_at FROM preview_jobs j JOIN links l ON l.id = j.link_id "
            "JOIN chats c ON c.id = l.chat_id WHERE j.state = 'pending' "
            "AND c.previews_enabled = 1 ORDER BY j.next_attempt_at LIMIT 1"
        )
        return int(row[0]) if row else None

    async def job(self, link_id: int) -> PreviewJobState | None:
        row = await self._db.fetch_one(
            "SELECT link_id, state, attempts, next_attempt_at, last_error, updated_at "
            "FROM preview_jobs WHERE link_id = ?",
            (link_id,),
        )
        return PreviewJobState(*row) if row else None

    async def counts(self) -> QueueCounts:
        rows = await self._db.fetch_all("SELECT state, count(*) FROM preview_jobs GROUP BY state")
        found = {row[0]: row[1] for row in rows}
        return QueueCounts(**found)
