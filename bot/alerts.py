"""Alerts: shares become announcements, subscriptions are checked with Telegram, the outbox
worker delivers.

Announcements are created in the transaction that stores the share (`capture_hook`, an after-
save hook of CaptureService, run in the writer thread): the announcement and its deliveries
commit together with the share, or not at all. Imports of history do not run hooks: old
petitions are not announced.

**API for other sources** (feeds). Inside your own writer transaction (`Database.run_write`):

    draft = AnnouncementDraft("petition", url, title, tags=(("vsa", "VSA"),),
                              source=Source("feed", "La Quadrature du Net", "https://…"))
    services.alerts.announce(conn, draft)              # community: every matching subscription,
                                                       #   once per normalised URL, ever
    services.alerts.announce(conn, draft, to_chat=id)  # direct: exactly that chat, once per URL

It returns the announcement (None when that URL was already announced there), queues the
deliveries in your transaction and wakes the worker, which claims through the same writer and
so only ever sees them once your transaction has committed.
"""

from __future__ import annotations

import asyncio
import html
import logging
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.access import AccessService, ChatRef
from bot.announce import NOTABLE_KINDS, Filters, NotableKind, Source
from bot.capture import CaptureService
from bot.config import Settings
from bot.i18n import Lang, as_lang
from bot.i18n import alerts as texts
from bot.outbox import OutboxWorker, Pace
from bot.pacing import Limit
from bot.permissions import MembershipCache
from storage.alerts import (
    AlertRepository,
    AlertSource,
    NewAnnouncement,
    StatusCounts,
    Subscription,
    Tag,
    alert_source,
    insert_announcement,
    link_tags,
    serving_subscriptions,
    share_of,
)
from storage.db import Database
from storage.links import MessageShare, SavedLink, SaveResult
from storage.outbox import DeliveryLine, OutboxRepository, queue_deliveries

log = logging.getLogger(__name__)

Refusal = Literal["not_admin", "cannot_post", "unknown_chat", "not_approved", "unavailable"]
ENDED_REASONS = {
    "removed": texts.REASON_REMOVED,
    "forbidden": texts.REASON_FORBIDDEN,
    "not_found": texts.REASON_NOT_FOUND,
    "cannot_post": texts.REASON_CANNOT_POST,
    "unsubscribed": texts.REASON_UNSUBSCRIBED,
}


@dataclass(frozen=True, slots=True)
class AnnouncementDraft:
    kind: NotableKind
    url: str  # normalised
    title: str | None
    tags: tuple[Tag, ...] = ()
    source: Source = field(default_factory=Source)
    source_chat_id: int | None = None  # never receives its own announcement
    link_id: int | None = None
    share_id: int | None = None  # its comment is the title when `title` is None


@dataclass(frozen=True, slots=True)
class Announced:
    id: int
    queued: tuple[int, ...]  # chats


@dataclass(frozen=True, slots=True)
class Target:
    """The chat a command is about, and whether the bot and the sender may act there."""

    ref: ChatRef
    refusal: Refusal | None = None


@dataclass(frozen=True, slots=True)
class StatusReport:
    counts: StatusCounts
    outbox: dict[str, int]
    errors: list[DeliveryLine]


def filters_of(subscription: Subscription) -> Filters:
    kinds = frozenset(kind for kind in NOTABLE_KINDS if kind in subscription.kinds)
    return Filters(kinds, subscription.tags)


class AlertService:
    """Announcements, subscriptions and the delivery worker of one running bot."""

    def __init__(
        self,
        repo: AlertRepository,
        outbox: OutboxRepository,
        access: AccessService,
        members: MembershipCache,
        bot: Bot,
        *,
        pace: Pace,
        default_language: Lang,
    ) -> None:
        self.repo = repo
        self.outbox = outbox
        self._access = access
        self._members = members
        self._bot = bot
        self._language = default_language
        self._loop: asyncio.AbstractEventLoop | None = None
        self.worker = OutboxWorker(
            outbox,
            bot,
            pace,
            default_language=default_language,
            chat_moved=self.chat_moved,
            subscription_ended=self.subscription_ended,
        )

    @classmethod
    def build(
        cls, settings: Settings, db: Database, access: AccessService, bot: Bot
    ) -> AlertService:
        pace = Pace(
            overall=Limit.per_second(settings.delivery_per_second),
            per_chat=Limit.per_minute(settings.delivery_per_chat_per_minute),
            concurrency=settings.delivery_concurrency,
            max_attempts=settings.delivery_max_attempts,
        )
        return cls(
            AlertRepository(db),
            OutboxRepository(db),
            access,
            MembershipCache(bot, ttl=settings.member_cache_seconds),
            bot,
            pace=pace,
            default_language=settings.default_language,
        )

    def attach(self, capture: CaptureService) -> None:
        """Announce what capture stores, in the same transaction."""
        capture.after_save.append(self.capture_hook)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()

    # --- announcements (writer thread, inside the caller's transaction) -----------------------

    def capture_hook(
        self,
        conn: sqlite3.Connection,
        items: Sequence[MessageShare],
        results: Sequence[SaveResult],
    ) -> None:
        """CaptureService after-save hook: announce links that just became notable."""
        for item, result in zip(items, results, strict=True):
            notable = [link for link in result.links if link.became_notable]
            source = alert_source(conn, item.chat_id) if notable else None
            if source is None or not source.served:
                continue
            for link in notable:
                self.announce(conn, _draft(conn, item, link, source))

    def announce(
        self, conn: sqlite3.Connection, draft: AnnouncementDraft, to_chat: int | None = None
    ) -> Announced | None:
        """Create an announcement and queue its deliveries (see the module docstring)."""
        new = NewAnnouncement(
            kind=draft.kind,
            url=draft.url,
            title=draft.title,
            tags=draft.tags,
            source_kind=draft.source.kind,
            source_chat_id=draft.source_chat_id,
            source_name=draft.source.name,
            source_url=draft.source.url,
            link_id=draft.link_id,
            share_id=draft.share_id,
        )
        announcement_id = insert_announcement(conn, new, to_chat)
        if announcement_id is None:
            return None
        targets = [to_chat] if to_chat is not None else _audience(conn, draft)
        queued = queue_deliveries(conn, announcement_id, targets, time.time())
        if queued and self._loop is not None:
            # Runs on the loop after this transaction: the worker claims through this writer.
            self._loop.call_soon_threadsafe(self.worker.wake, tuple(queued))
        return Announced(announcement_id, tuple(queued))

    # --- subscriptions ------------------------------------------------------------------------

    async def target_here(self, ref: ChatRef, *, to_post: bool = True) -> Target:
        """The chat a command was posted in; its sender's rights are the handler's check.

        `to_post` (subscribing): the bot must be able to post there, the chat be approved.
        """
        try:
            if to_post and not await self._bot_can_post(ref):
                return Target(ref, "cannot_post")
        except TelegramError as error:
            log.warning("checking the bot's rights in %s failed: %s", ref.id, error)
            return Target(ref, "unavailable")
        return Target(ref, await self._approval(ref) if to_post else None)

    async def target_named(self, reference: str, user_id: int, *, to_post: bool = True) -> Target:
        """A chat named from elsewhere (`@channel`, `-100…`), checked with Telegram.

        The bot's own rights come first: without them, Telegram does not tell who the
        chat's administrators are.
        """
        ref = ChatRef(0, "channel", reference)
        try:
            found = await self._resolve(reference)
            if found is None:
                return Target(ref, "unknown_chat")
            if to_post and not await self._bot_can_post(found):
                return Target(found, "cannot_post")
            if not await self._may_manage(found.id, user_id):
                return Target(found, "not_admin")
        except TelegramError as error:
            log.warning("checking %s with Telegram failed: %s", reference, error)
            return Target(ref, "unavailable")
        return Target(found, await self._approval(found) if to_post else None)

    async def subscribe(self, target: Target, by: int | None, filters: Filters) -> Subscription:
        kinds = sorted(filters.kinds)
        return await self.repo.subscribe(target.ref.id, kinds, filters.tags, by)

    async def unsubscribe(self, chat_id: int) -> bool:
        return await self.repo.end(chat_id, "unsubscribed") is not None

    async def _approval(self, ref: ChatRef) -> Refusal | None:
        chat = await self._access.on_message(ref)  # registers a chat first heard of here
        return None if chat.approved else "not_approved"

    async def _resolve(self, reference: str) -> ChatRef | None:
        chat_id: int | str = int(reference) if reference.lstrip("-").isdigit() else reference
        try:
            chat = await self._bot.get_chat(chat_id)
        except (BadRequest, Forbidden):
            return None
        if chat.type == "private":
            return None
        title = chat.title or chat.username or str(chat.id)
        return ChatRef(id=chat.id, type=chat.type, title=title, username=chat.username)

    async def _may_manage(self, chat_id: int, user_id: int) -> bool:
        if self._access.is_operator(user_id):
            return True
        self._members.invalidate(chat_id, user_id)  # rights are checked fresh, not cached
        return await self._members.is_admin(chat_id, user_id)

    async def _bot_can_post(self, ref: ChatRef) -> bool:
        self._members.invalidate(ref.id, self._bot.id)
        standing = await self._members.get(ref.id, self._bot.id)
        if ref.type == "channel":
            return standing.is_admin and standing.can_post
        return standing.is_member and standing.status != "restricted"

    # --- when a chat is out of reach ----------------------------------------------------------

    async def on_bot_removed(self, chat_id: int, reason: str = "removed") -> None:
        """my_chat_member: removed, or a channel took the right to post away."""
        ended = await self.repo.end(chat_id, reason)
        if ended is not None:
            await self.subscription_ended(ended, reason)

    async def chat_moved(self, old_id: int, new_id: int) -> None:
        """A send learnt that a group became a supergroup: move the chat (and its rows)."""
        await self._access.migrate(old_id, new_id)

    async def subscription_ended(self, subscription: Subscription, reason: str) -> None:
        """Tell the person who subscribed, privately, when there is one and they allow it."""
        user_id = subscription.subscribed_by
        if user_id is None or user_id == subscription.chat_id:
            return
        private = await self._access.get(user_id)
        lang = as_lang(private.language if private else None) or self._language
        why = ENDED_REASONS.get(reason, texts.REASON_FORBIDDEN)(lang)
        title = html.escape(subscription.chat_title or str(subscription.chat_id))
        try:
            await self._bot.send_message(
                user_id, texts.ENDED_NOTICE(lang, chat=f"<b>{title}</b>", reason=why), "HTML"
            )
        except TelegramError as error:
            log.info("could not tell %s that a subscription ended: %s", user_id, error)

    # --- operators ------------------------------------------------------------------------------

    async def status(self) -> StatusReport:
        return StatusReport(
            counts=await self.repo.counts(),
            outbox=await self.outbox.counts(),
            errors=await self.outbox.last_errors(),
        )


def _draft(
    conn: sqlite3.Connection, item: MessageShare, link: SavedLink, source: AlertSource
) -> AnnouncementDraft:
    """A share's announcement: its link, the chat's hashtags for it, the share's comment as
    title (read when sending, never copied: /forgetme must leave nothing of it)."""
    public = Source("chat", source.title, f"https://t.me/{source.username}")
    return AnnouncementDraft(
        kind="campaign" if link.kind == "campaign" else "petition",
        url=link.url,
        title=None,
        tags=tuple(link_tags(conn, link.link_id)) or item.tags,
        source=public if source.username else Source("chat"),
        source_chat_id=source.id,
        link_id=link.link_id,
        share_id=share_of(conn, link.link_id, item.message_id),
    )


def _audience(conn: sqlite3.Connection, draft: AnnouncementDraft) -> list[int]:
    keys = [key for key, _ in draft.tags]
    return [
        subscription.chat_id
        for subscription in serving_subscriptions(conn)
        if subscription.chat_id != draft.source_chat_id
        and filters_of(subscription).matches(draft.kind, keys)
    ]
