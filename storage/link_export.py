"""The export reads of links: every link of a chat (or all), oldest first, with its shares."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence

from storage.db import Database
from storage.link_records import ExportedLink, ExportedShare

PAGE_SIZE = 500


async def export_links(db: Database, chat_id: int | None = None) -> AsyncIterator[ExportedLink]:
    """Every link (of one chat, or all), oldest first, with its shares, a page at a time."""
    last_id = 0
    while True:
        page = await _export_page(db, chat_id, last_id, PAGE_SIZE)
        if not page:
            return
        for _, link in page:
            yield link
        last_id = page[-1][0]


async def _export_page(
    db: Database, chat_id: int | None, after_id: int, size: int
) -> list[tuple[int, ExportedLink]]:
    where = "l.id > ?" + (" AND l.chat_id = ?" if chat_id is not None else "")
    params: tuple[int, ...] = (after_id, chat_id) if chat_id is not None else (after_id,)
    rows = await db.fetch_all(
        "SELECT l.*, c.type AS chat_type, c.title AS chat_title FROM links l "
        "JOIN chats c ON c.id = l.chat_id WHERE " + where + " ORDER BY l.id LIMIT ?",
        (*params, size),
    )
    shares = await _shares_of(db, [row["id"] for row in rows])
    return [(row["id"], _exported(row, shares.get(row["id"], ()))) for row in rows]


def _exported(row: sqlite3.Row, shares: Sequence[ExportedShare]) -> ExportedLink:
    tags: list[str] = []
    for share in shares:
        tags.extend(tag for tag in share.tags if tag not in tags)
    return ExportedLink(
        chat_id=row["chat_id"],
        url=row["url"],
        domain=row["domain"],
        kind=row["kind"],
        title=row["title"],
        description=row["description"],
        site_name=row["site_name"],
        tags=tuple(tags),
        comment=row["comment_text"],
        first_shared_at=row["first_shared_at"],
        last_shared_at=row["last_shared_at"],
        share_count=row["share_count"],
        shares=tuple(shares),
        canonical_url=row["canonical_url"],
        language=row["language"],
        chat_type=row["chat_type"],
        chat_title=row["chat_title"],
    )


async def _shares_of(db: Database, link_ids: list[int]) -> dict[int, list[ExportedShare]]:
    if not link_ids:
        return {}
    marks = ",".join("?" * len(link_ids))
    sql = f"""
        SELECT s.link_id, s.id, s.message_id, s.person_id, p.display_name, p.username,
               s.shared_at, s.edited_at, s.comment, s.source,
               (SELECT group_concat(display, char(31)) FROM (
                   SELECT t.display FROM share_tags st JOIN tags t ON t.id = st.tag_id
                   WHERE st.share_id = s.id ORDER BY t.id)) AS tags
        FROM shares s LEFT JOIN people p ON p.id = s.person_id
        WHERE s.link_id IN ({marks}) ORDER BY s.shared_at, s.id
    """
    result: dict[int, list[ExportedShare]] = {}
    for row in await db.fetch_all(sql, link_ids):
        result.setdefault(row[0], []).append(
            ExportedShare(
                message_id=row[2],
                person_id=row[3],
                person_name=row[4],
                person_username=row[5],
                shared_at=row[6],
                edited_at=row[7],
                comment=row[8],
                tags=tuple(row[10].split("\x1f")) if row[10] else (),
                source=row[9],
            )
        )
    return result
