"""Writes of imported history: the capture write path, plus what only an import knows.

Imported shares go through `storage.links.save_messages`, the same statements as live capture,
but NOT through `CaptureService` and its after-save hooks: history must not raise announcements
or anything else a live share triggers. Every function here runs in the writer's thread inside
the caller's transaction (`Database.run_write`).

Exports carry no usernames, so an import never changes what is known of a person's username
(nor empties a known display name). Veille's own JSON Lines export carries more than a captured
message does: edit dates, link metadata (title, description...), tag order, links without
shares; `restore_details` writes those after the shares.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from storage.links import ExportedLink, MessageShare, PersonRecord, SaveResult, save_messages

# Link columns that Veille's export carries and an import restores, when the export has them.
METADATA_COLUMNS = ("title", "description", "site_name", "canonical_url", "language")


@dataclass(frozen=True, slots=True)
class ImportWrite:
    results: list[SaveResult]  # per item, in order, as save_messages returns them
    new_shares: int  # share rows that did not exist before this batch


def _json(rows: Sequence[Sequence[object]]) -> str:
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


_KNOWN_PEOPLE = """
SELECT json_group_array(json_array(p.id, p.display_name, p.username))
FROM json_each(?) j CROSS JOIN people p ON p.id = j.value
"""

_EXISTING_SHARES = """
SELECT count(*) FROM json_each(?) j
CROSS JOIN links l ON l.chat_id = j.value ->> 0 AND l.url = j.value ->> 1
CROSS JOIN shares s ON s.link_id = l.id AND s.message_id = j.value ->> 2
"""


def save_imported(conn: sqlite3.Connection, items: Sequence[MessageShare]) -> ImportWrite:
    """Store imported messages exactly as captured ones, keeping what is known of people."""
    items = _with_known_people(conn, items)
    keys = {(item.chat_id, link.url, item.message_id) for item in items for link in item.links}
    existing = _count_existing(conn, keys)
    results = save_messages(conn, items)
    return ImportWrite(results=results, new_shares=len(keys) - existing)


def _count_existing(conn: sqlite3.Connection, keys: set[tuple[int, str, int]]) -> int:
    if not keys:
        return 0
    row = conn.execute(_EXISTING_SHARES, (_json([list(key) for key in keys]),)).fetchone()
    return int(row[0])


def _with_known_people(
    conn: sqlite3.Connection, items: Sequence[MessageShare]
) -> list[MessageShare]:
    ids = sorted({item.person.id for item in items if item.person is not None})
    if not ids:
        return list(items)
    row = conn.execute(_KNOWN_PEOPLE, (json.dumps(ids),)).fetchone()
    known = {pid: (name, username) for pid, name, username in json.loads(row[0])}
    patched: list[MessageShare] = []
    for item in items:
        if item.person is not None and item.person.id in known:
            person = _filled(item.person, *known[item.person.id])
            if person is not item.person:
                item = dataclasses.replace(item, person=person)
        patched.append(item)
    return patched


def _filled(person: PersonRecord, name: str, username: str | None) -> PersonRecord:
    """The person with the stored username (and name, if the file has none) kept."""
    missing_username = person.username is None and username is not None
    missing_name = not person.display_name and bool(name)
    if not (missing_username or missing_name):
        return person
    return dataclasses.replace(
        person, display_name=person.display_name or name, username=person.username or username
    )


_SET_MISSING_TITLES = """
UPDATE links SET title = j.value ->> 2
FROM json_each(?) j
WHERE links.chat_id = j.value ->> 0 AND links.url = j.value ->> 1 AND links.title IS NULL
"""


def set_missing_titles(conn: sqlite3.Connection, titles: Sequence[tuple[int, str, str]]) -> None:
    """(chat_id, url, title): a bookmark's title, for links whose page title is not known yet."""
    if titles:
        conn.execute(_SET_MISSING_TITLES, (_json(titles),))


_INSERT_TAGS_IN_ORDER = """
INSERT INTO tags(key, display) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true
ON CONFLICT(key) DO NOTHING
"""


def ensure_tags(conn: sqlite3.Connection, tags: Sequence[tuple[str, str]]) -> None:
    """(key, display) pairs, created in this order: export order follows tag creation order."""
    if tags:
        conn.execute(_INSERT_TAGS_IN_ORDER, (_json(tags),))


_SET_EDITED = """
UPDATE shares SET edited_at = j.value ->> 0
FROM json_each(?) j CROSS JOIN links l ON l.chat_id = j.value ->> 1 AND l.url = j.value ->> 2
WHERE shares.link_id = l.id AND shares.message_id = j.value ->> 3
"""

_SET_METADATA = f"""
UPDATE links SET {
    ", ".join(
        f"{c} = coalesce(j.value ->> {i + 2}, links.{c})" for i, c in enumerate(METADATA_COLUMNS)
    )
}
FROM json_each(?) j
WHERE links.chat_id = j.value ->> 0 AND links.url = j.value ->> 1
"""

_INSERT_SHARELESS = """
INSERT INTO links(chat_id, url, domain, kind, comment_text, share_count,
                  first_shared_at, last_shared_at)
SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, 0, value ->> 5,
       value ->> 6
FROM json_each(?) WHERE true
ON CONFLICT(chat_id, url) DO NOTHING
"""


def restore_details(conn: sqlite3.Connection, links: Sequence[ExportedLink]) -> None:
    """What the JSON Lines export carries beyond captured messages, after `save_imported`.

    Edit dates are written here rather than passed to `save_messages`: there an edit means
    "this message now holds only these links", true of a whole message but not of one link's
    share, which is what an export line holds.
    """
    edited = [
        (share.edited_at, link.chat_id, link.url, share.message_id)
        for link in links
        for share in link.shares
        if share.edited_at is not None
    ]
    if edited:
        conn.execute(_SET_EDITED, (_json(edited),))
    metadata = [
        (link.chat_id, link.url, *(getattr(link, column, None) for column in METADATA_COLUMNS))
        for link in links
    ]
    conn.execute(_SET_METADATA, (_json(metadata),))
    shareless = [
        (ln.chat_id, ln.url, ln.domain, ln.kind, ln.comment, ln.first_shared_at, ln.last_shared_at)
        for ln in links
        if not ln.shares
    ]
    if shareless:
        conn.execute(_INSERT_SHARELESS, (_json(shareless),))
