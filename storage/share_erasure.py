"""Erasing shares (/delete, /forgetme): a link goes with its last share, a tag with its last
use."""

from __future__ import annotations

import json
import sqlite3

from storage.link_records import RemovedShares
from storage.link_writes import recompute


def delete_message_shares(
    conn: sqlite3.Connection, chat_id: int, message_id: int
) -> RemovedShares:
    """Erase the shares of one message; a link goes with its last share."""
    return _remove_shares(conn, "chat_id = ? AND message_id = ?", (chat_id, message_id))


def delete_person_shares(conn: sqlite3.Connection, person_id: int) -> RemovedShares:
    """Erase every share of one person, in every chat; a link goes with its last share."""
    return _remove_shares(conn, "person_id = ?", (person_id,))


def _remove_shares(conn: sqlite3.Connection, where: str, params: tuple[int, ...]) -> RemovedShares:
    tag_ids = [
        row[0]
        for row in conn.execute(
            f"SELECT DISTINCT tag_id FROM share_tags WHERE share_id IN "
            f"(SELECT id FROM shares WHERE {where})",
            params,
        )
    ]
    rows = conn.execute(f"DELETE FROM shares WHERE {where} RETURNING link_id", params).fetchall()
    link_ids = sorted({row[0] for row in rows})
    recompute(conn, link_ids=link_ids)  # the index follows through its triggers
    removed = conn.execute(
        "DELETE FROM links WHERE id IN (SELECT value FROM json_each(?)) AND share_count = 0",
        (json.dumps(link_ids),),
    ).rowcount
    # A tag nobody uses any more is forgotten too (its display form may be personal).
    conn.execute(
        "DELETE FROM tags WHERE id IN (SELECT value FROM json_each(?)) "
        "AND NOT EXISTS (SELECT 1 FROM share_tags WHERE tag_id = tags.id)",
        (json.dumps(tag_ids),),
    )
    return RemovedShares(shares=len(rows), links=removed)
