"""Full-text search over links: chat-scoped FTS5 queries, bounded ranking, the index itself.

The index (migration 0002) keys each chat's links by `search_key`, a rowid range of their own,
newest first. A search never ranks every match: it takes the matches of the scope in blocks of
`BLOCK` links, most recent first (cheap: the rowid range is walked in order), and ranks each block
with bm25 and column weights. bm25 computed on the whole index would first count every row that
contains each term (FTS5 does this for its IDF): ~10 ms for a word in a third of a million
links, ~100 ms for a phrase of two common words. Ranked inside the block, in a small in-memory
FTS5 table with the same tokenizer, the cost is bounded by the block's size. Page 1 is the best of
the 100 most recent matches; later pages continue into older blocks. The ranking table is
contentless: it keeps only what bm25 reads (about a third cheaper to fill).

Each search runs as one function in the reader connection's thread, inside one read transaction
(one snapshot, one round trip), and rolls back so the ranking table is left empty.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from storage.db import Database

T = TypeVar("T")

BLOCK = 100  # matches ranked together
SLOT_MODULUS = 2147483647
KEY_SPAN = 1 << 32
COLUMNS = ("title", "tags_text", "comment_text", "description", "site_name", "url", "domain")
# bm25 weights, in COLUMNS order: title and tags above comment, description, site and URL.
WEIGHTS = (10.0, 8.0, 3.0, 2.0, 1.0, 1.0, 1.0)

_FILL = f"""
INSERT INTO links_fts(rowid, {", ".join(COLUMNS)}, chat_token)
SELECT search_key, {", ".join(COLUMNS)}, chat_token FROM links ORDER BY search_key
"""
_RANK_TABLE = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS temp.links_rank USING fts5(
    {", ".join(COLUMNS)}, content = '', tokenize = 'unicode61 remove_diacritics 2')
"""
_RANK_FILL = f"""
INSERT INTO temp.links_rank(rowid, {", ".join(COLUMNS)})
SELECT id, {", ".join(COLUMNS)} FROM main.links WHERE id IN (SELECT value FROM json_each(?))
"""
_RANKED = f"""
SELECT r.rowid FROM temp.links_rank r JOIN main.links l ON l.id = r.rowid
WHERE links_rank MATCH ?
ORDER BY bm25(links_rank, {", ".join(map(str, WEIGHTS))}), l.last_shared_at DESC, l.id DESC
"""
# The chat token in the expression keeps the chat's links only (the rowid range alone could
# hold another chat sharing the slot): without filters, the links table is not read at all.
_CANDIDATES = """
SELECT 4294967295 - (rowid % 4294967296) FROM links_fts
WHERE links_fts MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rowid LIMIT ?
"""
_FILTERED_CANDIDATES = """
SELECT l.id FROM links_fts CROSS JOIN links l ON l.id = 4294967295 - (links_fts.rowid % 4294967296)
WHERE links_fts MATCH ? AND links_fts.rowid BETWEEN ? AND ? AND l.chat_id = ? {filters}
ORDER BY links_fts.rowid LIMIT ?
"""
_HITS = """
SELECT l.id, l.chat_id, coalesce(c.title, '') AS chat_title, l.url, l.domain, l.kind, l.title,
       l.tags_text, l.share_count, l.first_shared_at, l.last_shared_at,
       p.display_name, p.username
FROM links l LEFT JOIN chats c ON c.id = l.chat_id
LEFT JOIN people p ON p.id = (
    SELECT s.person_id FROM shares s WHERE s.link_id = l.id ORDER BY s.shared_at, s.id LIMIT 1)
WHERE l.id IN (SELECT value FROM json_each(?))
"""
_DISPLAYS = "SELECT key, display FROM tags WHERE key IN (SELECT value FROM json_each(?))"
_RECENT = """
SELECT l.id FROM links l WHERE l.chat_id IN (SELECT value FROM json_each(?)) {filters}
ORDER BY l.last_shared_at DESC, l.id DESC LIMIT ? OFFSET ?
"""
_TOP_TAGS = """
SELECT t.display, count(DISTINCT s.link_id) AS links FROM shares s
JOIN share_tags st ON st.share_id = s.id JOIN tags t ON t.id = st.tag_id
WHERE s.chat_id IN (SELECT value FROM json_each(?))
GROUP BY t.id ORDER BY links DESC, t.key LIMIT ?
"""


@dataclass(frozen=True, slots=True)
class Filters:
    """What a result must also satisfy, besides the words."""

    since: int | None = None
    until: int | None = None  # exclusive
    kinds: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()  # the domain or a subdomain of it
    person_ids: tuple[int, ...] | None = None  # None: anyone; (): nobody matched
    tags: tuple[str, ...] = ()  # folded keys that must all be on the link


@dataclass(frozen=True, slots=True)
class Hit:
    id: int
    chat_id: int
    chat_title: str
    url: str
    domain: str
    kind: str
    title: str | None
    tags: tuple[str, ...]  # display forms
    share_count: int
    first_shared_at: int
    last_shared_at: int
    sharer_name: str | None
    sharer_username: str | None


@dataclass(frozen=True, slots=True)
class ResultPage:
    hits: tuple[Hit, ...]
    has_more: bool


@dataclass(frozen=True, slots=True)
class TagCount:
    display: str
    links: int


def chat_token(chat_id: int) -> str:
    """The chat as one token of the index: the sign becomes a letter."""
    return f"n{-chat_id}" if chat_id < 0 else f"p{chat_id}"


def key_range(chat_id: int) -> tuple[int, int]:
    """The search_key range of one chat's links (see migration 0002)."""
    low = (abs(chat_id) % SLOT_MODULUS) * KEY_SPAN
    return low, low + KEY_SPAN - 1


def scoped_expression(chat_id: int, match: str, exclude: str) -> str:
    """The FTS5 expression for one chat: its token, the words, the exclusions."""
    expression = f'chat_token:"{chat_token(chat_id)}"'
    if match:
        expression += f" AND ({match})"
    if exclude:
        expression += f" NOT ({exclude})"
    return expression


def filter_sql(filters: Filters) -> tuple[str, list[object]]:
    """SQL conditions on `links l` (each starting with AND) and their parameters."""
    parts: list[str] = []
    params: list[object] = []
    if filters.since is not None:
        parts.append("l.last_shared_at >= ?")
        params.append(filters.since)
    if filters.until is not None:
        parts.append("l.first_shared_at < ?")
        params.append(filters.until)
    if filters.kinds:
        parts.append(f"l.kind IN ({','.join('?' * len(filters.kinds))})")
        params += filters.kinds
    if filters.sites:
        parts.append(
            "(" + " OR ".join(["l.domain = ? OR l.domain LIKE ?"] * len(filters.sites)) + ")"
        )
        params += [value for site in filters.sites for value in (site, f"%.{site}")]
    if filters.person_ids is not None:
        marks = ",".join("?" * len(filters.person_ids)) or "NULL"
        parts.append(
            f"EXISTS (SELECT 1 FROM shares s WHERE s.link_id = l.id AND s.person_id IN ({marks}))"
        )
        params += filters.person_ids
    for tag in filters.tags:
        parts.append("instr(' ' || l.tags_text || ' ', ?) > 0")
        params.append(f" {tag} ")
    return "".join(f" AND {part}" for part in parts), params


class SearchRepository:
    """Reads for /search, /recent, /tags and inline queries; the index's upkeep."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._prepared: object | None = None  # the reader connection the ranking table is on

    async def search(
        self,
        chat_ids: Sequence[int],
        match: str,
        exclude: str,
        filters: Filters,
        offset: int,
        limit: int,
    ) -> ResultPage:
        """Links of these chats matching the words, best first within recency blocks."""
        if not chat_ids or (filters.person_ids == ()):
            return ResultPage((), False)
        if not match and not exclude:
            return await self.recent(chat_ids, filters, offset, limit)
        ids = list(chat_ids)
        return await self._read(
            lambda conn: _search(conn, ids, match, exclude, filters, offset, limit)
        )

    async def recent(
        self, chat_ids: Sequence[int], filters: Filters, offset: int, limit: int
    ) -> ResultPage:
        """Links of these chats, most recently shared first."""
        if not chat_ids or (filters.person_ids == ()):
            return ResultPage((), False)
        ids = list(chat_ids)
        return await self._read(lambda conn: _recent(conn, ids, filters, offset, limit))

    async def top_tags(self, chat_ids: Sequence[int], limit: int = 30) -> list[TagCount]:
        rows = await self._db.fetch_all(_TOP_TAGS, (json.dumps(list(chat_ids)), limit))
        return [TagCount(row[0], row[1]) for row in rows]

    async def rebuild_index(self) -> int:
        """Refill the index from links in search_key order, then merge it into one segment."""
        return await self._db.run_write(rebuild_index)

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` in the reader's thread, in a read transaction that is then rolled back.

        One round trip for the whole search (see Database.run_write for why `_execute`).
        """
        reader = self._db.reader
        prepare = self._prepared is not reader
        self._prepared = reader

        def body() -> T:
            raw: sqlite3.Connection = reader._conn
            if prepare:
                _prepare_reader(raw)
            raw.execute("BEGIN")
            try:
                return fn(raw)
            finally:
                raw.execute("ROLLBACK")

        result: T = await reader._execute(body)  # type: ignore[no-untyped-call]
        return result


def rebuild_index(conn: sqlite3.Connection) -> int:
    conn.execute("INSERT INTO links_fts(links_fts) VALUES ('delete-all')")
    count = conn.execute(_FILL).rowcount
    conn.execute("INSERT INTO links_fts(links_fts) VALUES ('optimize')")
    return count


def _prepare_reader(conn: sqlite3.Connection) -> None:
    """The ranking table, on the reader connection (once per connection).

    It lives in the connection's temp database, never committed: each search fills it inside its
    read transaction and leaves it empty. (`temp_store` is left alone: changing it fails while
    another coroutine's statement is pending on the shared reader.)
    """
    conn.execute(_RANK_TABLE)


def _search(
    conn: sqlite3.Connection,
    chat_ids: list[int],
    match: str,
    exclude: str,
    filters: Filters,
    offset: int,
    limit: int,
) -> ResultPage:
    page: list[int] = []
    position = offset
    while len(page) < limit:
        block = position // BLOCK
        candidates = _candidates(conn, chat_ids, match, exclude, filters, (block + 1) * BLOCK + 1)
        ranked = _rank(conn, candidates[block * BLOCK : (block + 1) * BLOCK], match)
        start = position - block * BLOCK
        taken = ranked[start : start + limit - len(page)]
        page += taken
        position += len(taken)
        if start + len(taken) < len(ranked) or len(candidates) <= (block + 1) * BLOCK:
            has_more = start + len(taken) < len(ranked)
            return ResultPage(_hits(conn, page), has_more)
    return ResultPage(_hits(conn, page), True)


def _candidates(
    conn: sqlite3.Connection,
    chat_ids: list[int],
    match: str,
    exclude: str,
    filters: Filters,
    limit: int,
) -> list[int]:
    """Up to `limit` matching link ids of these chats, most recent (highest id) first."""
    conditions, params = filter_sql(filters)
    sql = _FILTERED_CANDIDATES.format(filters=conditions) if conditions else _CANDIDATES
    found: list[int] = []
    for chat_id in chat_ids:
        low, high = key_range(chat_id)
        expression = scoped_expression(chat_id, match, exclude)
        values = (chat_id, *params) if conditions else ()
        rows = conn.execute(sql, (expression, low, high, *values, limit))
        found += [row[0] for row in rows]
    if len(chat_ids) > 1:
        found.sort(reverse=True)
    return found[:limit]


def _rank(conn: sqlite3.Connection, ids: list[int], match: str) -> list[int]:
    """These links, best first by bm25 inside the set, then most recently shared."""
    if len(ids) < 2 or not match:
        return _by_recency(conn, ids) if len(ids) > 1 else ids
    conn.execute(_RANK_FILL, (json.dumps(ids),))
    ranked = [row[0] for row in conn.execute(_RANKED, (match,))]
    conn.execute("INSERT INTO temp.links_rank(links_rank) VALUES ('delete-all')")
    if len(ranked) < len(ids):  # cannot happen with the same tokenizer; never lose a result
        seen = set(ranked)
        ranked += [link_id for link_id in _by_recency(conn, ids) if link_id not in seen]
    return ranked


def _by_recency(conn: sqlite3.Connection, ids: list[int]) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM links WHERE id IN (SELECT value FROM json_each(?)) "
        "ORDER BY last_shared_at DESC, id DESC",
        (json.dumps(ids),),
    )
    return [row[0] for row in rows]


def _recent(
    conn: sqlite3.Connection, chat_ids: list[int], filters: Filters, offset: int, limit: int
) -> ResultPage:
    conditions, params = filter_sql(filters)
    rows = conn.execute(
        _RECENT.format(filters=conditions), (json.dumps(chat_ids), *params, limit + 1, offset)
    )
    ids = [row[0] for row in rows]
    return ResultPage(_hits(conn, ids[:limit]), len(ids) > limit)


def _hits(conn: sqlite3.Connection, ids: list[int]) -> tuple[Hit, ...]:
    if not ids:
        return ()
    rows = {row[0]: row for row in conn.execute(_HITS, (json.dumps(ids),))}
    keys = sorted({key for row in rows.values() for key in row[7].split()})
    displays = dict(conn.execute(_DISPLAYS, (json.dumps(keys),)).fetchall()) if keys else {}
    return tuple(_hit(rows[link_id], displays) for link_id in ids if link_id in rows)


def _hit(row: sqlite3.Row, displays: dict[str, str]) -> Hit:
    return Hit(
        id=row[0],
        chat_id=row[1],
        chat_title=row[2],
        url=row[3],
        domain=row[4],
        kind=row[5],
        title=row[6],
        tags=tuple(displays.get(key, key) for key in row[7].split()),
        share_count=row[8],
        first_shared_at=row[9],
        last_shared_at=row[10],
        sharer_name=row[11],
        sharer_username=row[12],
    )
