"""`FeedPoller`: polls due feeds, politely, and hands each outcome to be written.

One loop takes due feeds from the database a batch at a time (earliest first) and starts one
task per feed, at most `concurrency` at once and `per_host` per host, so that a slow host
never holds every slot. Each task makes one conditional GET through the guarded `SafeFetcher`
(If-None-Match, If-Modified-Since; 304 is a success), skips parsing when the body is the one
already read, parses off the event loop otherwise, and turns the result into a `PollResult`:
the row's new state (next poll by bot/feed_schedule.py) and the document's entries. `apply`
writes it, with its announcements, and returns once committed; only then is the feed free to
be taken again, so a feed is never polled twice at once.

Nothing is claimed in the database: a poll that a crash interrupts simply stays due, and the
next start polls it again (its entries are recognised, nothing is announced twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.feed_schedule import freshness, next_delay, should_pause
from bot.feedparse import FeedEntry, FeedProblem, NotAFeed, ParsedFeed, parse_feed
from bot.safefetch import (
    FetchError,
    FetchHTTPError,
    FetchRefused,
    FetchResult,
    FetchTooManyRedirects,
    SafeFetcher,
)
from storage.feeds import Feed, FeedRepository, PollRecord

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 5 * 1024 * 1024
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
BATCH = 256  # due feeds read from the database at a time
IDLE_POLL_SECONDS = 60.0
ERROR_PAUSE_SECONDS = 5.0
GONE = frozenset({410})

Clock = Callable[[], int]


@dataclass(frozen=True, slots=True)
class PollResult:
    feed: Feed
    record: PollRecord
    entries: tuple[FeedEntry, ...] = ()  # every entry of a new document, else none
    newest: FeedEntry | None = None


@dataclass(frozen=True, slots=True)
class PollSettings:
    concurrency: int
    per_host: int
    timeout: float
    default_interval: int
    max_failures: int


class FeedError(Exception):
    """A poll that brought no usable document, with the reason to record and show.

    `pause_now` names a permanent failure (the feed is gone, or its address is refused):
    the feed is paused at once rather than after the usual number of failures.
    """

    def __init__(
        self, reason: str, *, pause_now: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pause_now = pause_now
        self.retry_after = retry_after


def body_digest(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def describe_fetch_error(error: FetchError) -> FeedError:
    """A fetch failure as a poll failure: 410 and refused addresses are permanent."""
    if isinstance(error, FetchHTTPError):
        throttled = error.status in (429, 503) and error.retry_after is not None
        return FeedError(
            f"HTTP {error.status}",
            pause_now="gone" if error.status in GONE else None,
            retry_after=error.retry_after if throttled else None,
        )
    refused = isinstance(error, FetchRefused | FetchTooManyRedirects)
    return FeedError(f"{type(error).__name__}: {error}", pause_now="refused" if refused else None)


async def read_feed(
    fetcher: SafeFetcher, url: str, headers: dict[str, str], time_limit: float
) -> FetchResult:
    """One GET of a feed, refusing bodies over the cap (a truncated document is no feed)."""
    try:
        result = await fetcher.fetch(
            url, max_bytes=MAX_FEED_BYTES, accept=ACCEPT, extra_headers=headers, timeout=time_limit
        )
    except FetchError as error:
        raise describe_fetch_error(error) from error
    if result.truncated:
        raise FeedError(f"larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
    return result


async def parse_off_loop(result: FetchResult) -> ParsedFeed:
    try:
        return await asyncio.to_thread(
            parse_feed, result.body, result.headers.get("content-type"), result.final_url
        )
    except NotAFeed as error:
        raise FeedError(f"not a feed ({error.reason})") from error
    except FeedProblem as error:
        raise FeedError(f"unreadable feed ({error.reason})") from error


class FeedPoller:
    """Polls due feeds within the concurrency limits until stopped."""

    def __init__(
        self,
        repo: FeedRepository,
        fetcher: SafeFetcher,
        apply: Callable[[PollResult], Awaitable[None]],
        settings: PollSettings,
        *,
        clock: Clock,
        rng: random.Random | None = None,
    ) -> None:
        self._repo = repo
        self._fetcher = fetcher
        self._apply = apply
        self._settings = settings
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not secrets)
        self._buffer: deque[Feed] = deque()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._hosts: Counter[str] = Counter()
        self._quiet_until = 0.0  # no due feed left before this (monotonic)
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._idle.clear()
            self._task = asyncio.create_task(self._run(), name="feed-poller")

    async def stop(self) -> None:
        """Stop taking feeds and abandon the polls in flight (they stay due)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._buffer.clear()

    def wake(self) -> None:
        """Feeds were added, resumed or changed: look for due ones now."""
        self._quiet_until = 0.0
        self._idle.clear()
        self._wake.set()

    async def wait_idle(self) -> None:
        """Until no feed is due or in flight (tests, benchmarks)."""
        await self._idle.wait()

    async def _run(self) -> None:
        while True:
            try:
                await self._step()
            except Exception:  # the database failed: never a dead poller
                log.exception("feed poller: database error; trying again shortly")
                await asyncio.sleep(ERROR_PAUSE_SECONDS)

    async def _step(self) -> None:
        self._wake.clear()
        await self._refill()
        if self._launch_ready():
            return
        if not self._in_flight and not self._buffer:
            self._idle.set()
        await self._pause()

    async def _refill(self) -> None:
        if len(self._buffer) >= self._settings.concurrency or time.monotonic() < self._quiet_until:
            return
        taken = set(self._in_flight) | {feed.id for feed in self._buffer}
        due = await self._repo.due(self._clock(), BATCH, taken)
        self._buffer.extend(due)
        if len(due) < BATCH:
            self._quiet_until = time.monotonic() + 1.0  # due times are whole seconds

    def _launch_ready(self) -> int:
        """Start as many buffered feeds as the overall and per-host limits allow."""
        free = self._settings.concurrency - len(self._in_flight)
        skipped: list[Feed] = []
        launched = 0
        while free > launched and self._buffer:
            feed = self._buffer.popleft()
            host = urlsplit(feed.url).hostname or ""
            if self._hosts[host] >= self._settings.per_host:
                skipped.append(feed)
                continue
            self._launch(feed, host)
            launched += 1
        self._buffer.extendleft(reversed(skipped))
        return launched

    def _launch(self, feed: Feed, host: str) -> None:
        self._hosts[host] += 1
        task = asyncio.create_task(self._process(feed), name=f"feed-{feed.id}")
        self._in_flight[feed.id] = task

        def finished(_: asyncio.Task[None]) -> None:
            self._hosts[host] -= 1
            if not self._hosts[host]:
                del self._hosts[host]
            self._in_flight.pop(feed.id, None)
            self._wake.set()

        task.add_done_callback(finished)

    async def _pause(self) -> None:
        delay = IDLE_POLL_SECONDS
        if not self._in_flight and not self._buffer:
            next_due = await self._repo.next_due()
            if next_due is not None:
                delay = min(max(float(next_due - self._clock()), 1.0), IDLE_POLL_SECONDS)
        try:
            async with asyncio.timeout(delay):
                await self._wake.wait()
        except TimeoutError:
            self._quiet_until = 0.0  # time passed: feeds may have come due

    async def _process(self, feed: Feed) -> None:
        try:
            result = await self.poll(feed)
        except Exception as error:  # a bug or a hostile document: never a stuck poller
            log.exception("poll of feed %s failed unexpectedly", feed.id)
            result = self._failed(feed, FeedError(f"internal error: {type(error).__name__}"))
        try:
            await self._apply(result)
        except Exception:
            log.exception("could not record the poll of feed %s", feed.id)
            await asyncio.sleep(ERROR_PAUSE_SECONDS)  # it stays due: do not hammer the database

    async def poll(self, feed: Feed) -> PollResult:
        """Fetch and read one feed; failures become a result too."""
        try:
            fetched = await read_feed(
                self._fetcher, feed.url, conditional_headers(feed), self._settings.timeout
            )
            moved = fetched.permanent_url
            if fetched.status == 304 or (
                feed.primed and body_digest(fetched.body) == feed.body_digest
            ):
                return self._unchanged(feed, fetched, moved)
            parsed = await parse_off_loop(fetched)
        except FeedError as error:
            return self._failed(feed, error)
        return self._changed(feed, fetched, parsed, moved)

    def _interval(self, feed: Feed) -> int:
        return feed.interval_seconds or self._settings.default_interval

    def _unchanged(self, feed: Feed, fetched: FetchResult, moved: str | None) -> PollResult:
        return PollResult(feed, self._read(feed, fetched, moved, feed.body_digest))

    def _changed(
        self, feed: Feed, fetched: FetchResult, parsed: ParsedFeed, moved: str | None
    ) -> PollResult:
        record = self._read(feed, fetched, moved, body_digest(fetched.body), parsed)
        return PollResult(feed, record, parsed.entries, parsed.newest())

    def _read(
        self,
        feed: Feed,
        fetched: FetchResult,
        moved: str | None,
        digest: str | None,
        parsed: ParsedFeed | None = None,
    ) -> PollRecord:
        """A successful poll: a 304, the same body again, or a document `parsed` anew."""
        now = self._clock()
        delay = next_delay(self._interval(feed), self._rng, fresh_for=freshness(fetched.headers))
        new_document = fetched.status != 304  # its validators replace the stored ones
        return PollRecord(
            feed.id,
            polled_at=now,
            next_poll_at=now + delay,
            status=fetched.status,
            ok=True,
            failures=0,
            moved_to=moved if moved != feed.url else None,
            new_document=new_document,
            etag=fetched.headers.get("etag") if new_document else None,
            last_modified=fetched.headers.get("last-modified") if new_document else None,
            body_digest=digest,
            title=parsed.title if parsed is not None else None,
            site_url=parsed.site_url if parsed is not None else None,
            primed=parsed is not None,
        )

    def _failed(self, feed: Feed, error: FeedError) -> PollResult:
        now = self._clock()
        throttled = error.retry_after is not None
        failures = feed.failures if throttled else feed.failures + 1
        pause = should_pause(
            failures, self._settings.max_failures, permanent=bool(error.pause_now)
        )
        delay = next_delay(
            self._interval(feed), self._rng, failures=failures, retry_after=error.retry_after
        )
        record = PollRecord(
            feed.id,
            polled_at=now,
            next_poll_at=now + delay,
            status=_status_of(error),
            ok=False,
            failures=failures,
            error=error.reason,
            paused_reason=(error.pause_now or "failures") if pause else None,
        )
        return PollResult(feed, record)


def conditional_headers(feed: Feed) -> dict[str, str]:
    headers: dict[str, str] = {}
    if feed.primed and feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.primed and feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return headers


def _status_of(error: FeedError) -> int | None:
    cause = error.__cause__
    return cause.status if isinstance(cause, FetchHTTPError) else None
