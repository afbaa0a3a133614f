"""Capture: a message becomes stored links, or nothing.

Pure steps (extraction, URL normalisation, tag folding, classification) turn an
`IncomingMessage` into a `MessageShare`; the write goes through the group commit, together with
whatever the after-save hooks add in the same transaction (preview queue, announcements).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.access import AccessService, ChatRef
from bot.classify import RecognitionRules, classify
from bot.entities import Entity
from bot.extract import Extraction, extract
from bot.folding import fold_key
from bot.urls import normalize_url, url_domain
from storage.batch import GroupCommit
from storage.db import Database
from storage.links import LinkDraft, MessageShare, SaveResult, save_messages
from storage.links import Origin as Origin  # re-exported: handlers build them from updates
from storage.links import PersonRecord as PersonRecord

log = logging.getLogger(__name__)

MAX_LINKS_PER_MESSAGE = 100
MAX_TAGS_PER_MESSAGE = 50
SIGHTING_INTERVAL = 3600  # seconds between two records of "person seen in chat" without a link

# Runs in the capture transaction, in the writer's thread: what it writes commits with the shares.
AfterSave = Callable[[sqlite3.Connection, Sequence[MessageShare], Sequence[SaveResult]], None]


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """What capture needs of a Telegram message, free of Telegram types."""

    chat: ChatRef
    message_id: int
    date: int
    text: str | None
    entities: tuple[Entity, ...] | None
    sender: PersonRecord | None = None
    origin: Origin | None = None
    edit_date: int | None = None


Status = Literal["saved", "no_links", "not_served", "failed"]


@dataclass(frozen=True, slots=True)
class CaptureOutcome:
    status: Status
    result: SaveResult | None = None
    tags: tuple[str, ...] = ()  # display forms

    @property
    def saved_count(self) -> int:
        return len(self.result.links) if self.result else 0


def build_share(
    message: IncomingMessage, rules: RecognitionRules
) -> tuple[MessageShare, Extraction]:
    """Pure: the rows a message would store (its links may be empty)."""
    found = extract(message.text, message.entities)
    tags = _tags(found.hashtags)
    keys = [key for key, _ in tags]
    links: dict[str, LinkDraft] = {}
    for raw in found.urls:
        url = normalize_url(raw)
        if url is None or url in links:
            continue
        links[url] = LinkDraft(url=url, domain=url_domain(url), kind=classify(url, keys, rules))
        if len(links) >= MAX_LINKS_PER_MESSAGE:
            break
    share = MessageShare(
        chat_id=message.chat.id,
        message_id=message.message_id,
        shared_at=message.date,
        links=tuple(links.values()),
        tags=tuple(tags),
        comment=found.comment,
        person=message.sender,
        origin=message.origin,
        edited_at=message.edit_date,
    )
    return share, found


def _tags(hashtags: Sequence[str]) -> list[tuple[str, str]]:
    tags: dict[str, str] = {}
    for display in hashtags:
        key = fold_key(display)
        if key and key not in tags:
            tags[key] = display
    return list(tags.items())[:MAX_TAGS_PER_MESSAGE]


@dataclass
class CaptureService:
    """Stores what members share, in approved chats only."""

    db: Database
    access: AccessService
    rules: RecognitionRules
    after_save: list[AfterSave] = field(default_factory=list)
    max_batch: int = 256
    _commit: GroupCommit[MessageShare, SaveResult] | None = None
    _seen: dict[tuple[int, int], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._commit = GroupCommit(self.db, self._apply, max_batch=self.max_batch)

    def _apply(
        self, conn: sqlite3.Connection, items: Sequence[MessageShare]
    ) -> Sequence[SaveResult]:
        results = save_messages(conn, items)
        for hook in self.after_save:
            hook(conn, items, results)
        return results

    def start(self) -> None:
        assert self._commit is not None
        self._commit.start()

    async def stop(self) -> None:
        assert self._commit is not None
        await self._commit.stop()

    async def capture(self, message: IncomingMessage) -> CaptureOutcome:
        chat = await self.access.on_message(message.chat)
        if not chat.approved:
            return CaptureOutcome("not_served")
        share, found = build_share(message, self.rules)
        if found.skipped_entities:
            log.info(
                "chat %s message %s: ignored %d malformed entities",
                chat.id,
                message.message_id,
                found.skipped_entities,
            )
        tags = tuple(display for _, display in share.tags)
        if not share.links and message.edit_date is None:
            await self._record_sighting(share)
            return CaptureOutcome("no_links", tags=tags)
        return await self.store(share, tags)

    async def store(self, share: MessageShare, tags: tuple[str, ...] = ()) -> CaptureOutcome:
        assert self._commit is not None
        try:
            result = await self._commit.submit(share)
        except Exception:
            log.exception("could not store message %s of chat %s", share.message_id, share.chat_id)
            return CaptureOutcome("failed", tags=tags)
        if share.person is not None:
            self._seen[(share.chat_id, share.person.id)] = time.monotonic()
        status: Status = "saved" if result.links else "no_links"
        return CaptureOutcome(status, result=result, tags=tags)

    async def _record_sighting(self, share: MessageShare) -> None:
        """Remember that a person is in this chat (search scopes), at most once an hour."""
        if share.person is None:
            return
        key = (share.chat_id, share.person.id)
        last = self._seen.get(key)
        if last is not None and time.monotonic() - last < SIGHTING_INTERVAL:
            return
        self._seen[key] = time.monotonic()
        await self.store(share)
