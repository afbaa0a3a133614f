"""Imports: a group's past links from a Telegram Desktop export, a bookmark file, or a move.

Records from `bot.importers` become shares through the capture path itself: each message is
an `IncomingMessage` given to `bot.capture.build_share`, so extraction, URL normalisation,
recognition and tag folding are the live ones, and a message imported after it was captured
live (or imported twice) is the same share. Writes go in batches through
`storage.imports.save_imported` (the capture statements), one transaction per batch, NOT
through `CaptureService`: imported history never triggers its after-save hooks (announcements,
preview queue). Reading and preparing a batch runs in a worker thread and overlaps the write of
the batch before, so a running bot's event loop is not held by a large file.

Identity: Telegram shares are keyed by the chat's real message ids; bookmarks have no message,
so they use message id 0 ("no message"): one bookmark share per link per chat, and importing the
same file again adds nothing. A file that breaks off half-way keeps what came before it (whole
batches, each committed) and the summary says where it broke.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import sqlite3
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import BinaryIO, Literal, TypeVar

from bot.access import ChatRef
from bot.capture import IncomingMessage, build_share
from bot.classify import RecognitionRules
from bot.folding import fold_key
from bot.importers import MalformedFile, Skipped
from bot.importers.bookmarks import Bookmark, read_bookmarks
from bot.importers.conversions import bookmark_message, restored_shares
from bot.importers.jsonl import read_links, tag_creation_order
from bot.importers.telegram_export import ExportedMessage, read_header, read_messages
from bot.importers.tracked import TrackedReader
from storage.chats import ChatRepository
from storage.db import Database, now
from storage.imports import (
    ImportWrite,
    ensure_tags,
    restore_details,
    save_imported,
    set_missing_titles,
)
from storage.links import ExportedLink, MessageShare, PersonRecord, SaveResult

BATCH_SIZE = 500
SOURCE_TELEGRAM = "telegram_export"
SOURCE_BOOKMARKS = "bookmarks"

Kind = Literal["telegram", "bookmarks", "jsonl"]
R = TypeVar("R")  # a record as a reader yields it


@dataclass(frozen=True, slots=True)
class ImportProgress:
    records: int  # read so far
    done_bytes: int
    total_bytes: int | None


Progress = Callable[[ImportProgress], None]


def no_progress(_: ImportProgress) -> None:
    return None


@dataclass
class ImportSummary:
    kind: Kind
    chat_id: int | None = None
    read: int = 0  # messages, bookmarks or links (JSON lines) read
    stored: int = 0  # of those, the ones that gave at least one link
    links_added: int = 0  # links new to their chat
    links_merged: int = 0  # links the chat already had (from live capture or an earlier import)
    shares_added: int = 0  # share rows that did not exist before (0 on a second import)
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)  # "undated", "chats_created"
    chat_created: bool = False
    failure: MalformedFile | None = None  # the file broke off there; what came before is stored
    seconds: float = 0.0


class WrongChat(Exception):
    """The export is of another chat than the one it would be imported into."""

    def __init__(self, exported_id: int, exported_name: str, target: int) -> None:
        self.exported_id = exported_id
        self.exported_name = exported_name
        self.target = target
        super().__init__(f"this export is of chat {exported_id} ({exported_name!r}), not {target}")


@dataclass(frozen=True, slots=True)
class Prepared:
    """What one record becomes: its shares, and what else the write needs."""

    shares: tuple[MessageShare, ...]
    titles: tuple[tuple[int, str, str], ...] = ()  # (chat, url, title) from bookmarks
    link: ExportedLink | None = None  # a JSON Lines link, for what shares do not carry


Prepare = Callable[[R], "Prepared | Skipped"]
Write = Callable[[sqlite3.Connection, Sequence[Prepared]], ImportWrite]


@dataclass
class _Step:
    items: list[Prepared]
    done: bool
    failure: MalformedFile | None = None


class ImportService:
    """Runs imports into the database, one at a time (`busy` says when one is running)."""

    def __init__(self, db: Database, rules: RecognitionRules, *, batch_size: int = BATCH_SIZE):
        self._db = db
        self._rules = rules
        self._batch_size = batch_size
        self._lock = asyncio.Lock()
        self.chats = ChatRepository(db)

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    async def telegram(
        self,
        file: BinaryIO,
        chat_id: int,
        *,
        create_chat: bool = False,
        any_chat: bool = False,
        timezone: tzinfo = UTC,
        progress: Progress = no_progress,
    ) -> ImportSummary:
        """A Telegram Desktop export into chat `chat_id`; WrongChat if it is another chat's.

        `timezone` is for old exports, whose dates are the exporting computer's local time.
        """
        summary = ImportSummary("telegram", chat_id)
        reader = TrackedReader(file)
        try:
            header = await asyncio.to_thread(read_header, reader)
        except MalformedFile as error:
            summary.failure = error
            return summary
        exported = header.chat_id
        if exported is not None and exported != chat_id and not any_chat:
            raise WrongChat(exported, header.name, chat_id)
        if create_chat:
            kind = header.chat_type if exported == chat_id else None
            summary.chat_created = await self.ensure_chat(chat_id, kind, header.name)

        def prepare(record: ExportedMessage | Skipped) -> Prepared | Skipped:
            return self._message(record, chat_id)

        records = read_messages(reader, timezone)
        return await self._run(summary, reader, records, prepare, _write_shares, progress)

    def _message(self, record: ExportedMessage | Skipped, chat_id: int) -> Prepared | Skipped:
        if isinstance(record, Skipped):
            return record
        incoming = IncomingMessage(
            chat=ChatRef(id=chat_id, type="", title=""),
            message_id=record.message_id,
            date=record.date,
            text=record.text,
            entities=record.entities or None,
            sender=record.sender,
            origin=record.origin,
            edit_date=record.edited,
        )
        share, _ = build_share(incoming, self._rules)
        if not share.links:
            return Skipped("no_links")
        return Prepared(shares=(dataclasses.replace(share, source=SOURCE_TELEGRAM),))

    async def bookmarks(
        self,
        file: BinaryIO,
        chat_id: int,
        *,
        person: PersonRecord | None = None,
        include_private: bool = False,
        create_chat: bool = False,
        progress: Progress = no_progress,
    ) -> ImportSummary:
        """A Netscape bookmark file into chat `chat_id`, shared by `person` if given.

        Bookmarks marked private (PRIVATE="1") stay out unless `include_private`: in a group,
        every member would see them.
        """
        summary = ImportSummary("bookmarks", chat_id)
        if create_chat:
            summary.chat_created = await self.ensure_chat(chat_id, None, "")
        stamp = now()

        def prepare(record: Bookmark | Skipped) -> Prepared | Skipped:
            if isinstance(record, Skipped):
                return record
            if record.private and not include_private:
                return Skipped("private")
            if record.added is None:
                summary.notes["undated"] += 1  # dated now: the file gives no usable date
            return self._bookmark(record, chat_id, record.added or stamp, person)

        reader = TrackedReader(file)
        records = read_bookmarks(reader)
        return await self._run(summary, reader, records, prepare, _write_shares, progress)

    def _bookmark(
        self, record: Bookmark, chat_id: int, date: int, person: PersonRecord | None
    ) -> Prepared | Skipped:
        share, _ = build_share(bookmark_message(record, chat_id, date, person), self._rules)
        if not share.links:
            return Skipped("no_links")
        share = dataclasses.replace(share, source=SOURCE_BOOKMARKS)
        title = record.title if record.title and record.title != record.url else None
        titles = ((chat_id, share.links[0].url, title),) if title else ()
        return Prepared(shares=(share,), titles=titles)

    async def jsonl(self, file: BinaryIO, *, progress: Progress = no_progress) -> ImportSummary:
        """Veille's JSON Lines export, as it was written: a deployment moving to a new server.

        Two passes over the file: the first finds an order of tag creation that keeps every
        share's tag order (the export lists them by creation), the second writes.
        """
        summary = ImportSummary("jsonl")
        reader = TrackedReader(file)
        try:
            order = await asyncio.to_thread(_tag_order, reader)
        except MalformedFile as error:
            summary.failure = error
            return summary
        tags = [(fold_key(display), display) for display in order]
        await self._db.run_write(lambda conn: ensure_tags(conn, tags))
        reader.rewind()
        known_chats: set[int] = set()

        async def before_write(items: Sequence[Prepared]) -> None:
            for link in (item.link for item in items if item.link is not None):
                if link.chat_id not in known_chats:
                    known_chats.add(link.chat_id)
                    created = await self.ensure_chat(
                        link.chat_id, link.chat_type or None, link.chat_title
                    )
                    summary.notes["chats_created"] += int(created)

        def prepare(link: ExportedLink) -> Prepared:
            return Prepared(shares=restored_shares(link), link=link)

        records = read_links(reader)
        return await self._run(
            summary, reader, records, prepare, _write_restored, progress, before_write
        )

    async def ensure_chat(self, chat_id: int, chat_type: str | None, title: str) -> bool:
        """Create the chat as approved if it is not known (an operator runs the import)."""
        if await self.chats.get(chat_id) is not None:
            return False
        kind = chat_type or guess_chat_type(chat_id)
        await self.chats.upsert(chat_id, type=kind, title=title, username=None, status="approved")
        return True

    async def _run(
        self,
        summary: ImportSummary,
        reader: TrackedReader,
        records: Iterator[R],
        prepare: Prepare[R],
        write: Write,
        progress: Progress,
        before_write: Callable[[Sequence[Prepared]], Awaitable[None]] | None = None,
    ) -> ImportSummary:
        started = time.perf_counter()
        async with self._lock:
            pipeline = _Pipeline(self._db, write, summary)
            try:
                while True:
                    step = await asyncio.to_thread(self._take, records, prepare, summary)
                    if before_write is not None and step.items:
                        await pipeline.drain()
                        await before_write(step.items)
                    await pipeline.submit(step.items)
                    progress(ImportProgress(summary.read, reader.offset, reader.total))
                    if step.done:
                        summary.failure = step.failure
                        break
            finally:
                await pipeline.drain()
        summary.seconds = time.perf_counter() - started
        return summary

    def _take(self, records: Iterator[R], prepare: Prepare[R], summary: ImportSummary) -> _Step:
        """Runs in a worker thread: read and prepare up to one batch."""
        items: list[Prepared] = []
        try:
            for record in records:
                summary.read += 1
                prepared = prepare(record)
                if isinstance(prepared, Skipped):
                    summary.skipped[prepared.reason] += 1
                    continue
                items.append(prepared)
                if len(items) >= self._batch_size:
                    return _Step(items, done=False)
        except MalformedFile as error:
            return _Step(items, done=True, failure=error)
        return _Step(items, done=True)


class _Pipeline:
    """At most one batch being written while the next one is read; counts what writes did."""

    def __init__(self, db: Database, write: Write, summary: ImportSummary) -> None:
        self._db = db
        self._write = write
        self._summary = summary
        self._pending: asyncio.Future[ImportWrite] | None = None
        self._items: list[Prepared] = []

    async def submit(self, items: list[Prepared]) -> None:
        await self.drain()
        if items:
            write = self._write
            self._items = items
            self._pending = asyncio.ensure_future(
                self._db.run_write(lambda conn: write(conn, items))
            )

    async def drain(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            count_written(self._summary, self._items, await pending)


def count_written(summary: ImportSummary, items: Sequence[Prepared], written: ImportWrite) -> None:
    """Add one batch's outcome: records stored, links new to their chat or already there."""
    summary.shares_added += written.new_shares
    results = iter(written.results)
    created: set[int] = set()
    for item in items:
        links: dict[int, bool] = {}  # link id -> new, once per record
        for _ in item.shares:
            for saved in next(results).links:
                links.setdefault(saved.link_id, saved.new)
        summary.stored += int(bool(links))
        for link_id, new in links.items():
            if new and link_id not in created:
                created.add(link_id)
                summary.links_added += 1
            else:
                summary.links_merged += 1


def _write_shares(conn: sqlite3.Connection, items: Sequence[Prepared]) -> ImportWrite:
    written = save_imported(conn, [share for item in items for share in item.shares])
    set_missing_titles(conn, [title for item in items for title in item.titles])
    return written


def _write_restored(conn: sqlite3.Connection, items: Sequence[Prepared]) -> ImportWrite:
    """Links are created in file order (the export's order is creation order), so a link
    without shares is written between the runs of links with shares around it."""
    results: list[SaveResult] = []
    new_shares = 0
    for _, run in itertools.groupby(items, key=lambda item: bool(item.shares)):
        group = list(run)
        written = save_imported(conn, [share for item in group for share in item.shares])
        restore_details(conn, [item.link for item in group if item.link is not None])
        results += written.results
        new_shares += written.new_shares
    return ImportWrite(results=results, new_shares=new_shares)


def _tag_order(reader: TrackedReader) -> list[str]:
    return tag_creation_order(share.tags for link in read_links(reader) for share in link.shares)


def guess_chat_type(chat_id: int) -> str:
    """-100… ids are supergroups (or channels), other negative ids groups, positive ones users."""
    if chat_id <= -1_000_000_000_000:
        return "supergroup"
    return "group" if chat_id < 0 else "private"
