"""The services of one running bot, built once at start-up and closed at shutdown."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

from telegram import Bot

from bot.access import AccessService
from bot.alerts import AlertService
from bot.capture import CaptureService
from bot.classify import load_rules
from bot.config import Settings
from bot.erasure import ErasureService
from bot.feeds import FeedService
from bot.i18n import Lang, pick_language
from bot.import_requests import ImportRequests
from bot.importing import ImportService
from bot.permissions import MembershipCache
from bot.previews import PreviewService
from bot.search import PageStore, SearchService
from storage.chats import ChatRepository
from storage.db import Database
from storage.links import LinkRepository
from storage.migrate import migrate
from storage.people import PeopleRepository
from storage.search import SearchRepository

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    chats: ChatRepository
    links: LinkRepository
    access: AccessService
    capture: CaptureService
    members: MembershipCache
    previews: PreviewService
    alerts: AlertService
    feeds: FeedService
    can_read_all_group_messages: bool

    @classmethod
    async def open(cls, settings: Settings, bot: Bot) -> Services:
        """Open the database, apply migrations and wire the services together."""
        rules = load_rules(settings.rules_file)  # a bad rules file fails before anything opens
        db = Database(settings.database)
        await db.open()
        try:
            applied = await migrate(db)
            if applied:
                log.info("applied migrations: %s", ", ".join(applied))
            chats = ChatRepository(db)
            access = AccessService(
                chats,
                bot,
                operators=settings.operators,
                open_registration=settings.open_registration,
                default_language=settings.default_language,
            )
            # Half the updates in flight per transaction: one batch commits while the next fills.
            batch = max(16, settings.concurrent_updates // 2)
            capture = CaptureService(db=db, access=access, rules=rules, max_batch=batch)
            previews = PreviewService(settings, db, access)
            previews.attach(capture)
            alerts = AlertService.build(settings, db, access, bot)
            alerts.attach(capture)
            feeds = FeedService(settings, db, alerts, rules, access, bot)
        except BaseException:
            await db.close()
            raise
        try:
            can_read = bool(bot.bot.can_read_all_group_messages)
        except RuntimeError:  # the Bot was not initialised (no getMe yet)
            can_read = False
        return cls(
            settings=settings,
            db=db,
            chats=chats,
            links=LinkRepository(db),
            access=access,
            capture=capture,
            members=MembershipCache(bot, ttl=settings.member_cache_seconds),
            previews=previews,
            alerts=alerts,
            feeds=feeds,
            can_read_all_group_messages=can_read,
        )

    def start(self) -> None:
        """Start the background workers."""
        self.capture.start()
        self.previews.start()
        self.alerts.start()
        self.feeds.start()

    async def close(self) -> None:
        """Stop the workers (finishing queued writes), then close the database."""
        await self.capture.stop()
        await self.previews.stop()
        await self.feeds.stop()
        await self.alerts.stop()
        await self.db.close()

    def language(self, chat_language: str | None, user_language: str | None) -> Lang:
        return pick_language(chat_language, user_language, self.settings.default_language)

    @cached_property
    def imports(self) -> ImportRequests:
        """/import from a private chat (built on first use; imports skip the capture hooks)."""
        service = ImportService(self.db, self.capture.rules)
        return ImportRequests(service, self.chats, self.members, self.access)

    @cached_property
    def search(self) -> SearchService:
        """Scopes, queries and result pages of /search, /recent, /tags and inline queries."""
        pages = PageStore(ttl=self.settings.search_page_seconds)
        return SearchService(
            SearchRepository(self.db),
            PeopleRepository(self.db),
            self.access,
            self.members,
            page_size=self.settings.search_page_size,
            pages=pages,
        )

    @cached_property
    def erasure(self) -> ErasureService:
        """/delete and /forgetme."""
        return ErasureService(self.db, PeopleRepository(self.db))
