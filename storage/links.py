"""Links and their shares: the repository of the link aggregate, and where its parts live.

- storage/link_records.py: the frozen records (`MessageShare`, `SaveResult`, `ExportedLink`…);
- storage/link_writes.py: the capture write path (`save_messages`) and the derived columns of
  links (`recompute`), run in the writer thread;
- storage/link_export.py: the export reads, a page at a time;
- storage/share_erasure.py: erasing shares (/delete, /forgetme).

Every name is importable from here too, as it always was.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from storage.db import Database
from storage.link_export import export_links
from storage.link_records import (
    ExportedLink,
    ExportedShare,
    Key,
    LinkDraft,
    MessageShare,
    Origin,
    PersonRecord,
    RemovedShares,
    SavedLink,
    SaveResult,
)
from storage.link_writes import COMMENT_TEXT_CAP, fetch_links, recompute, save_messages
from storage.share_erasure import delete_message_shares, delete_person_shares

__all__ = [
    "COMMENT_TEXT_CAP",
    "ExportedLink",
    "ExportedShare",
    "Key",
    "LinkDraft",
    "LinkRepository",
    "MessageShare",
    "Origin",
    "PersonRecord",
    "RemovedShares",
    "SaveResult",
    "SavedLink",
    "delete_message_shares",
    "delete_person_shares",
    "fetch_links",
    "recompute",
    "save_messages",
]


class LinkRepository:
    """The link aggregate: links with their shares and tags."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save_messages(self, items: Sequence[MessageShare]) -> list[SaveResult]:
        """Store captured messages in one transaction; the result is per item, in order."""
        return await self._db.run_write(lambda conn: save_messages(conn, items))

    async def link_count(self, chat_id: int | None = None) -> int:
        sql = "SELECT count(*) FROM links"
        if chat_id is not None:
            sql += " WHERE chat_id = ?"
        params = () if chat_id is None else (chat_id,)
        row = await self._db.fetch_one(sql, params)
        return int(row[0]) if row else 0

    def export(self, chat_id: int | None = None) -> AsyncIterator[ExportedLink]:
        """Every link (of one chat, or all), oldest first, with its shares."""
        return export_links(self._db, chat_id)
