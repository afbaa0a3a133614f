"""The capture write path: `save_messages()` and the derived columns of links.

`save_messages()` writes a whole batch of captured messages with a fixed number of set-based
statements (`executemany` with natural keys), whatever the batch size, and runs in the writer
thread as one function (`Database.run_write`): one round trip per batch, not one per statement.

Derived columns on `links` (share_count, first/last share, tags_text, comment_text) are
recomputed from the shares (`recompute`) only for links that already existed or were touched by
an edit; a new link is inserted with its final values, so a full-text index kept by triggers
indexes it once.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from storage.link_records import Key, MessageShare, Origin, SavedLink, SaveResult

COMMENT_TEXT_CAP = 4000

_RECOMPUTE = f"""
UPDATE links SET
    share_count = (SELECT count(*) FROM shares s WHERE s.link_id = links.id),
    first_shared_at = coalesce(
        (SELECT min(shared_at) FROM shares s WHERE s.link_id = links.id), first_shared_at),
    last_shared_at = coalesce(
        (SELECT max(shared_at) FROM shares s WHERE s.link_id = links.id), last_shared_at),
    tags_text = coalesce((
        SELECT group_concat(key, ' ') FROM (
            SELECT DISTINCT t.key FROM shares s
            JOIN share_tags st ON st.share_id = s.id JOIN tags t ON t.id = st.tag_id
            WHERE s.link_id = links.id ORDER BY t.key)), ''),
    comment_text = coalesce((
        SELECT substr(group_concat(comment, char(10)), 1, {COMMENT_TEXT_CAP}) FROM (
            SELECT DISTINCT comment FROM shares s
            WHERE s.link_id = links.id AND comment != '' ORDER BY s.shared_at, s.id)), '')
"""

# The batch statements read their rows from one JSON array parameter (`json_each`) instead of
# `executemany`: SQLite then walks the whole batch in C with Python's GIL released, where
# executemany binds each row under the GIL and makes the event loop's thread wait for it.
_UPSERT_PEOPLE = """
INSERT INTO people(id, display_name, username, language, updated_at)
SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?) WHERE true
ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name,
    username = excluded.username, language = coalesce(excluded.language, people.language),
    updated_at = excluded.updated_at
WHERE excluded.updated_at >= people.updated_at
"""

_UPSERT_SIGHTINGS = """
INSERT INTO chat_people(chat_id, person_id, last_seen_at)
SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) WHERE true
ON CONFLICT(chat_id, person_id) DO UPDATE SET
    last_seen_at = max(last_seen_at, excluded.last_seen_at)
"""

_INSERT_LINKS = """
INSERT INTO links(chat_id, url, domain, kind, tags_text, comment_text, share_count,
                  first_shared_at, last_shared_at)
SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, 1,
       value ->> 6, value ->> 6
FROM json_each(?) WHERE true
ON CONFLICT(chat_id, url) DO NOTHING
"""

_UPSERT_SHARES = """
INSERT INTO shares(link_id, chat_id, message_id, person_id, shared_at, edited_at, comment,
                   origin_type, origin_name, origin_chat_id, origin_message_id, origin_date,
                   source)
SELECT l.id, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4,
       j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9,
       j.value ->> 10, j.value ->> 11
FROM json_each(?) j CROSS JOIN links l ON l.chat_id = j.value ->> 0 AND l.url = j.value ->> 12
WHERE true
ON CONFLICT(link_id, message_id) DO UPDATE SET
    comment = excluded.comment,
    edited_at = coalesce(excluded.edited_at, shares.edited_at),
    person_id = coalesce(shares.person_id, excluded.person_id)
"""

_INSERT_TAGS = """
INSERT INTO tags(key, display) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true
ON CONFLICT(key) DO NOTHING
"""

# CROSS JOIN keeps SQLite's join order: each JSON row is a few unique-index lookups.
_LINK_SHARE_TAGS = """
INSERT OR IGNORE INTO share_tags(share_id, tag_id)
SELECT s.id, t.id FROM json_each(?) j
CROSS JOIN links l ON l.chat_id = j.value ->> 2 AND l.url = j.value ->> 3
CROSS JOIN shares s ON s.link_id = l.id AND s.message_id = j.value ->> 0
CROSS JOIN tags t ON t.key = j.value ->> 1
"""

_UPGRADE_KINDS = """
UPDATE links SET kind = j.value ->> 0
FROM json_each(?) j
WHERE links.chat_id = j.value ->> 1 AND links.url = j.value ->> 2 AND links.kind = 'link'
  AND j.value ->> 0 != 'link'
"""


def _each(conn: sqlite3.Connection, sql: str, rows: Sequence[Sequence[object]]) -> None:
    if rows:
        conn.execute(sql, (json.dumps(rows, ensure_ascii=False, separators=(",", ":")),))


def save_messages(conn: sqlite3.Connection, items: Sequence[MessageShare]) -> list[SaveResult]:
    """The capture write path, inside the caller's transaction."""
    items = _latest_versions(conn, items)
    keys = [(item.chat_id, link.url) for item in items for link in item.links]
    before = fetch_links(conn, keys)
    _save_people(conn, items)
    removed_ids = _drop_edited_away(conn, [item for item in items if item.edited_at])
    _each(conn, _INSERT_LINKS, _new_link_rows(items, before))
    _each(conn, _UPSERT_SHARES, _share_rows(items))
    _save_tags(conn, items)
    upgrades = [(ln.kind, i.chat_id, ln.url) for i in items for ln in i.links if ln.kind != "link"]
    _each(conn, _UPGRADE_KINDS, upgrades)
    counts = Counter(keys)
    edited = {(i.chat_id, ln.url) for i in items if i.edited_at for ln in i.links}
    stale = {key for key in counts if key in before or counts[key] > 1 or key in edited}
    recompute(conn, keys=stale, link_ids=removed_ids)
    removed = _drop_empty_links(conn, removed_ids)
    after = fetch_links(conn, keys)
    return [_result(item, before, after, removed if item.edited_at else 0) for item in items]


_LAST_EDITS = """
SELECT json_group_array(json_array(s.chat_id, s.message_id, s.edited_at))
FROM json_each(?) j CROSS JOIN shares s
    ON s.chat_id = j.value ->> 0 AND s.message_id = j.value ->> 1
WHERE s.edited_at IS NOT NULL AND s.message_id != 0
"""


def _latest_versions(
    conn: sqlite3.Connection, items: Sequence[MessageShare]
) -> list[MessageShare]:
    """Keep only the newest version of each message; older ones keep their person, not links.

    Updates are handled concurrently and Telegram re-delivers unconfirmed ones after a restart,
    so a message's original can arrive after its edit (in the same batch, or later): it must not
    bring back the text, tags or links the edit replaced.
    """
    messages = {(i.chat_id, i.message_id) for i in items if i.message_id}
    newest: dict[tuple[int, int], int] = {}
    if messages:
        row = conn.execute(_LAST_EDITS, (json.dumps(sorted(messages)),)).fetchone()
        for chat_id, message_id, edited_at in json.loads(row[0]):
            key = (chat_id, message_id)
            newest[key] = max(newest.get(key, 0), edited_at)
    for item in items:
        key = (item.chat_id, item.message_id)
        if item.message_id:
            newest[key] = max(newest.get(key, 0), item.edited_at or 0)
    return [
        replace(item, links=(), tags=())
        if item.message_id and (item.edited_at or 0) < newest[(item.chat_id, item.message_id)]
        else item
        for item in items
    ]


def _result(
    item: MessageShare,
    before: dict[Key, tuple[int, str]],
    after: dict[Key, tuple[int, str]],
    removed: int,
) -> SaveResult:
    saved = []
    for link in item.links:
        key = (item.chat_id, link.url)
        if key not in after:
            continue
        link_id, kind = after[key]
        old_kind = before[key][1] if key in before else "link"
        saved.append(
            SavedLink(
                link_id=link_id,
                chat_id=item.chat_id,
                url=link.url,
                kind=kind,
                new=key not in before,
                became_notable=kind != "link" and old_kind == "link",
            )
        )
    return SaveResult(links=tuple(saved), removed_links=removed)


_FETCH_LINKS = """
SELECT json_group_array(json_array(l.chat_id, l.url, l.id, l.kind))
FROM json_each(?) j CROSS JOIN links l ON l.chat_id = j.value ->> 0 AND l.url = j.value ->> 1
"""


def fetch_links(conn: sqlite3.Connection, keys: Iterable[Key]) -> dict[Key, tuple[int, str]]:
    """(id, kind) of the links that exist among `keys`.

    The answer is one row holding a JSON array: each row a cursor returns costs the writer's
    thread a trip through Python's GIL, which the busy event loop's thread makes expensive.
    """
    unique = list(dict.fromkeys(keys))
    if not unique:
        return {}
    row = conn.execute(_FETCH_LINKS, (json.dumps(unique, ensure_ascii=False),)).fetchone()
    return {(chat, url): (link_id, kind) for chat, url, link_id, kind in json.loads(row[0])}


def _save_people(conn: sqlite3.Connection, items: Sequence[MessageShare]) -> None:
    people = {item.person.id: (item.person, item.shared_at) for item in items if item.person}
    _each(
        conn,
        _UPSERT_PEOPLE,
        [(p.id, p.display_name, p.username, p.language, at) for p, at in people.values()],
    )
    sightings = {(i.chat_id, i.person.id): i.shared_at for i in items if i.person}
    _each(conn, _UPSERT_SIGHTINGS, [(*key, at) for key, at in sightings.items()])


def _new_link_rows(
    items: Sequence[MessageShare], before: dict[Key, tuple[int, str]]
) -> list[tuple[object, ...]]:
    rows: dict[Key, tuple[object, ...]] = {}
    for item in items:
        tags_text = " ".join(dict.fromkeys(key for key, _ in item.tags))
        for link in item.links:
            key = (item.chat_id, link.url)
            if key in before or key in rows:
                continue
            rows[key] = (
                item.chat_id,
                link.url,
                link.domain,
                link.kind,
                tags_text,
                item.comment[:COMMENT_TEXT_CAP],
                item.shared_at,
                item.shared_at,
            )
    return list(rows.values())


def _share_rows(items: Sequence[MessageShare]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for item in items:
        origin = item.origin or Origin(type="")
        for link in item.links:
            rows.append(
                (
                    item.chat_id,
                    item.message_id,
                    item.person.id if item.person else None,
                    item.shared_at,
                    item.edited_at,
                    item.comment,
                    origin.type or None,
                    origin.name,
                    origin.chat_id,
                    origin.message_id,
                    origin.date,
                    item.source,
                    link.url,
                )
            )
    return rows


def _save_tags(conn: sqlite3.Connection, items: Sequence[MessageShare]) -> None:
    tags = {key: display for item in items for key, display in item.tags}
    _each(conn, _INSERT_TAGS, list(tags.items()))
    conn.executemany(
        "DELETE FROM share_tags WHERE share_id IN "
        "(SELECT id FROM shares WHERE chat_id = ? AND message_id = ?)",
        [(item.chat_id, item.message_id) for item in items if item.edited_at],
    )
    _each(
        conn,
        _LINK_SHARE_TAGS,
        [
            (item.message_id, key, item.chat_id, link.url)
            for item in items
            for link in item.links
            for key, _ in item.tags
        ],
    )


def _drop_edited_away(conn: sqlite3.Connection, edits: Sequence[MessageShare]) -> set[int]:
    """Delete the shares of links that an edit removed from its message; return their links."""
    link_ids: set[int] = set()
    for item in edits:
        urls = [link.url for link in item.links]
        marks = ",".join("?" * len(urls))
        cursor = conn.execute(
            f"""DELETE FROM shares WHERE chat_id = ? AND message_id = ? AND link_id NOT IN
                (SELECT id FROM links WHERE chat_id = ? AND url IN ({marks}))
                RETURNING link_id""",
            (item.chat_id, item.message_id, item.chat_id, *urls),
        )
        link_ids.update(row[0] for row in cursor.fetchall())
    return link_ids


def recompute(
    conn: sqlite3.Connection, *, keys: Iterable[Key] = (), link_ids: Iterable[int] = ()
) -> None:
    """Refresh the derived columns of these links from their shares."""
    conn.executemany(_RECOMPUTE + " WHERE chat_id = ? AND url = ?", list(keys))
    conn.executemany(_RECOMPUTE + " WHERE id = ?", [(i,) for i in link_ids])


def _drop_empty_links(conn: sqlite3.Connection, link_ids: Iterable[int]) -> int:
    ids = list(link_ids)
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    cursor = conn.execute(
        f"DELETE FROM links WHERE id IN ({marks}) AND share_count = 0",
        ids,
    )
    return cursor.rowcount
