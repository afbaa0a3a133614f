"""Feed sources: organisations' RSS, Atom and JSON feeds become announcements.

`FeedService` is what /feed and `veille feeds` call, and what writes the poller's outcomes.

- **Adding** (`add`) reads the feed once before saving it: a page that is no feed gets a clear
  answer (with the feeds an HTML page links to), and the entries that exist are recorded in
  the same transaction that creates the feed, so none of them is announced later (at most the
  newest, as a sample, when the admin asked for one).
- **Polling** (bot/feed_poller.py) hands each outcome to `_record`; outcomes share commits
  (storage/batch.py). In the writer thread, one transaction updates the feed's row, records
  the entries the document shows, and announces those never seen before through the alerts'
  outbox (`AlertService.announce`): "direct" to the feed's chat, and, for a public feed, to the
  community, for every subscription whose filters match (the feed's chat excepted, which has its
  own copy). An entry is recognised by its identity (bot/feedparse.py), so an entry edited
  upstream, or seen again after a restart, is never announced twice.
- **Pausing**: after too many consecutive failures, or a permanent one, or when the feed's chat
  is no longer served, the feed is paused and whoever added it is told, privately, in their
  language.
"""

from __future__ import annotations

import html
import logging
import random
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.access import AccessService
from bot.alerts import AlertService, AnnouncementDraft
from bot.classify import RecognitionRules, classify
from bot.config import Settings
from bot.feed_announce import Audience, entries_to_announce, entry_tags
from bot.feed_poller import (
    FeedError,
    FeedPoller,
    PollResult,
    PollSettings,
    body_digest,
    parse_off_loop,
    read_feed,
)
from bot.feed_schedule import freshness, next_delay
from bot.feedparse import FeedEntry, ParsedFeed
from bot.i18n import Lang, as_lang
from bot.i18n import feeds as texts
from bot.netguard import AddressGuard
from bot.previews import user_agent
from bot.safefetch import FetchResult, SafeFetcher
from bot.urls import normalize_url
from storage.batch import GroupCommit
from storage.db import Database, now
from storage.feeds import Feed as Feed  # re-exported: /feed's handlers name it
from storage.feeds import (
    FeedRepository,
    NewFeed,
    Tag,
    add_announced,
    chat_receives,
    insert_feed,
    record_poll,
    remember_entries,
)

log = logging.getLogger(__name__)

RETENTION_SECONDS = 90 * 86_400  # an entry gone from the document is forgotten after this
MAX_FEEDS_PER_CHAT = 50  # for chat admins; operators are not limited

Refusal = Literal[
    "invalid_url", "unreachable", "not_a_feed", "unreadable", "duplicate", "too_many"
]
PAUSE_REASONS = {
    "failures": texts.REASON_FAILURES,
    "gone": texts.REASON_GONE,
    "refused": texts.REASON_REFUSED,
    "chat_unavailable": texts.REASON_CHAT_UNAVAILABLE,
}


class AddRefused(Exception):
    def __init__(self, code: Refusal, detail: str = "", alternates: Sequence[str] = ()) -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail
        self.alternates = tuple(alternates)


@dataclass(frozen=True, slots=True)
class FeedRequest:
    url: str
    chat_id: int | None
    kind: str = "auto"
    tags: tuple[Tag, ...] = ()
    public: bool = False
    sample: bool = False
    added_by: int | None = None
    language: str | None = None
    limited: bool = True  # chat admins are held to MAX_FEEDS_PER_CHAT, operators are not


@dataclass(frozen=True, slots=True)
class Added:
    feed: Feed
    entries: int
    sampled: bool


class FeedService:
    """Feeds of one deployment: adding them, their poller, writing what polls find."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        alerts: AlertService,
        rules: RecognitionRules,
        access: AccessService,
        bot: Bot,
        *,
        clock: Callable[[], int] = now,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.repo = FeedRepository(db)
        self._db = db
        self._alerts = alerts
        self._rules = rules
        self._access = access
        self._bot = bot
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not secrets)
        self._commit: GroupCommit[PollResult, str | None] = GroupCommit(db, self._apply_polls)
        self._fetcher: SafeFetcher | None = None
        self.poller: FeedPoller | None = None
        self._observe: Callable[[PollResult], None] | None = None

    @property
    def fetcher(self) -> SafeFetcher:
        """The feeds' own guarded client (built on first use, closed by `stop`)."""
        if self._fetcher is None:
            settings = self.settings
            self._fetcher = SafeFetcher(
                user_agent(settings.preview_info_url).replace("link previews", "feeds"),
                guard=AddressGuard(allow_private=settings.allow_private_networks),
                max_concurrency=settings.feed_concurrency,
                max_per_host=settings.feed_per_host,
            )
        return self._fetcher

    def start(self, observe: Callable[[PollResult], None] | None = None) -> None:
        """Start polling; `observe` sees every written outcome (benchmarks)."""
        self._observe = observe
        settings = PollSettings(
            concurrency=self.settings.feed_concurrency,
            per_host=self.settings.feed_per_host,
            timeout=self.settings.feed_timeout_seconds,
            default_interval=self.settings.feed_poll_seconds,
            max_failures=self.settings.feed_max_failures,
        )
        self._commit.start()
        self.poller = FeedPoller(
            self.repo, self.fetcher, self.record, settings, clock=self._clock, rng=self._rng
        )
        self.poller.start()

    async def stop(self) -> None:
        if self.poller is not None:
            await self.poller.stop()
            self.poller = None
        await self._commit.stop()
        if self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None

    def _wake(self) -> None:
        if self.poller is not None:
            self.poller.wake()

    # --- adding ---------------------------------------------------------------------------

    async def add(self, request: FeedRequest) -> Added:
        """Read the feed once, then save it with its existing entries recorded (or refuse)."""
        url = normalize_url(request.url)
        if url is None:
            raise AddRefused("invalid_url")
        await self._check_room(request, url)
        fetched, parsed = await self.probe(url)
        at = self._clock()
        interval = self.settings.feed_poll_seconds
        new = NewFeed(
            url=fetched.permanent_url or url,
            chat_id=request.chat_id,
            next_poll_at=at
            + next_delay(interval, self._rng, fresh_for=freshness(fetched.headers)),
            kind=request.kind,
            tags=request.tags,
            public=request.public or request.chat_id is None,
            sample_wanted=request.sample,
            added_by=request.added_by,
            added_by_language=request.language,
            primed=True,
            title=parsed.title,
            site_url=parsed.site_url,
            etag=fetched.headers.get("etag"),
            last_modified=fetched.headers.get("last-modified"),
            body_digest=body_digest(fetched.body),
        )
        try:
            feed_id, sampled = await self._db.run_write(lambda c: self._create(c, new, parsed, at))
        except sqlite3.IntegrityError:
            raise AddRefused("duplicate") from None
        feed = await self.repo.get(feed_id)
        assert feed is not None
        return Added(feed, len(parsed.entries), sampled)

    async def _check_room(self, request: FeedRequest, url: str) -> None:
        if request.chat_id is None:
            return
        existing = await self.repo.for_chat(request.chat_id)
        if any(feed.url == url for feed in existing):
            raise AddRefused("duplicate")
        if request.limited and len(existing) >= MAX_FEEDS_PER_CHAT:
            raise AddRefused("too_many", str(MAX_FEEDS_PER_CHAT))

    async def probe(self, url: str) -> tuple[FetchResult, ParsedFeed]:
        """Fetch and read `url` as a feed, or raise `AddRefused` saying why it is not one."""
        timeout = self.settings.feed_timeout_seconds
        try:
            fetched = await read_feed(self.fetcher, url, {}, timeout)
            return fetched, await parse_off_loop(fetched)
        except FeedError as error:
            cause = error.__cause__
            alternates = getattr(cause, "alternates", ())
            if error.reason.startswith("not a feed"):
                raise AddRefused("not_a_feed", error.reason, alternates) from None
            if error.reason.startswith("unreadable"):
                raise AddRefused("unreadable", error.reason) from None
            raise AddRefused("unreachable", error.reason) from None

    def _create(
        self, conn: sqlite3.Connection, new: NewFeed, parsed: ParsedFeed, at: int
    ) -> tuple[int, bool]:
        feed_id = insert_feed(conn, new, at)
        keys = [entry.key for entry in parsed.entries]
        remember_entries(conn, feed_id, keys, at, at - RETENTION_SECONDS)
        newest = parsed.newest()
        if not new.sample_wanted or newest is None or not newest.url:
            return feed_id, False
        sent = self.announce(conn, Audience.of(new), [newest])
        add_announced(conn, feed_id, sent)
        return feed_id, sent > 0

    # --- what polls find (writer thread) ----------------------------------------------------

    async def record(self, result: PollResult) -> None:
        """Write a poll's outcome (commits shared with other polls); tell about a pause."""
        paused = await self._commit.submit(result)
        if self._observe is not None:
            self._observe(result)
        if paused is not None:
            record = result.record
            await self.tell_paused(result.feed, paused, record.error, record.failures)

    def _apply_polls(
        self, conn: sqlite3.Connection, results: Sequence[PollResult]
    ) -> list[str | None]:
        return [self._apply_one(conn, result) for result in results]

    def _apply_one(self, conn: sqlite3.Connection, result: PollResult) -> str | None:
        """Write one poll; returns the reason when it paused the feed."""
        feed, record = result.feed, result.record
        if feed.chat_id is not None and not chat_receives(conn, feed.chat_id):
            record = replace(record, paused_reason="chat_unavailable")
        if not record_poll(conn, record):
            return None  # removed or paused meanwhile
        if record.paused_reason is not None or not result.entries:
            return record.paused_reason
        at = record.polled_at
        keys = [entry.key for entry in result.entries]
        new_keys = remember_entries(conn, feed.id, keys, at, at - RETENTION_SECONDS)
        if feed.primed:
            chosen = entries_to_announce(result.entries, new_keys, at)
        elif feed.sample_wanted and result.newest is not None and result.newest.url:
            chosen = [result.newest]
        else:
            chosen = []  # the first read records what exists and announces nothing old
        audience = Audience.of(feed)
        if record.title:
            audience = Audience.of(_titled(feed, record.title, record.site_url))
        add_announced(conn, feed.id, self.announce(conn, audience, chosen))
        return None

    def announce(
        self, conn: sqlite3.Connection, audience: Audience, entries: Sequence[FeedEntry]
    ) -> int:
        """Announce entries to the feed's chat and, if public, the community; how many went."""
        sent = 0
        for entry in entries:
            if entry.url is None:
                continue
            tags = entry_tags(audience, entry)
            kind = audience.kind
            if kind == "auto":
                kind = classify(entry.url, [key for key, _ in tags], self._rules)
            if kind not in ("petition", "campaign"):
                continue
            draft = AnnouncementDraft(
                "petition" if kind == "petition" else "campaign",
                entry.url,
                entry.title,
                tags,
                audience.source,
                source_chat_id=audience.chat_id,  # has its own copy: not in the fan-out
            )
            went = False
            if audience.chat_id is not None:
                went = self._alerts.announce(conn, draft, to_chat=audience.chat_id) is not None
            if audience.public:
                went = self._alerts.announce(conn, draft) is not None or went
            sent += went
        return sent

    async def tell_paused(self, feed: Feed, reason: str, error: str | None, failures: int) -> None:
        """Tell whoever added the feed, privately, in their language."""
        user_id = feed.added_by
        log.warning("feed %s (%s) paused: %s %s", feed.id, feed.url, reason, error or "")
        if user_id is None:
            return
        private = await self._access.get(user_id)
        lang: Lang = (
            as_lang(private.language if private else None)
            or as_lang(feed.added_by_language)
            or self.settings.default_language
        )
        why = PAUSE_REASONS.get(reason, texts.REASON_FAILURES)(
            lang, count=failures, error=html.escape(error or "?")
        )
        name = html.escape(feed.title or feed.url)
        text = texts.PAUSED_NOTICE(lang, id=feed.id, feed=name, url=html.escape(feed.url), why=why)
        try:
            await self._bot.send_message(user_id, text, parse_mode=ParseMode.HTML)
        except TelegramError as error_sending:
            log.info(
                "could not tell %s that feed %s was paused: %s", user_id, feed.id, error_sending
            )

    # --- changes from /feed and the CLI ----------------------------------------------------

    async def remove(self, feed_id: int) -> bool:
        return await self.repo.remove(feed_id)

    async def set_public(self, feed_id: int, public: bool) -> bool:
        return await self.repo.set_public(feed_id, public, self._clock())

    async def set_interval(self, feed_id: int, seconds: int | None) -> bool:
        changed = await self.repo.set_interval(feed_id, seconds, self._clock())
        self._wake()
        return changed

    async def resume(self, feed_id: int) -> bool:
        resumed = await self.repo.resume(feed_id, self._clock())
        self._wake()
        return resumed

    def interval_of(self, feed: Feed) -> int:
        return feed.interval_seconds or self.settings.feed_poll_seconds


def _titled(feed: Feed, title: str, site_url: str | None) -> Feed:
    return replace(feed, title=title, site_url=site_url or feed.site_url)
