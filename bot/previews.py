"""Link previews: title, description and site name of every new link, fetched in the background.

Capture queues each new link in its own transaction (`PreviewService.enqueue_new_links`, an
after-save hook), so a restart never loses a job, and capture never waits for a fetch. The
`PreviewWorker` claims due jobs with bounded concurrency (overall, and per domain on top of the
fetcher's per-host slots), fetches each page through the guarded `SafeFetcher`, reads its
metadata off the event loop, and stores it on the link (the search index follows by trigger).
Failures are recorded per link: transient ones are retried with exponential backoff a bounded
number of times, permanent ones (refused address, 404, too many redirects) are not.

`VEILLE_FETCH_PREVIEWS=false` means no hook and no worker; `/previews off` turns them off for
one chat (its waiting jobs are dropped), because fetching a page tells its site that someone
shared it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.capture import CaptureService
from bot.config import Settings
from bot.netguard import AddressGuard
from bot.pagemeta import PageMeta, extract_page_meta
from bot.safefetch import FetchError, FetchHTTPError, SafeFetcher
from bot.urls import normalize_url
from storage.db import Database, now
from storage.links import MessageShare, SaveResult
from storage.previews import LinkPreview, PreviewJob, PreviewRepository, enqueue_links

log = logging.getLogger(__name__)

# Where a site operator who finds Veille in their logs learns what it is (the User-Agent).
MAX_PAGE_BYTES = 2 * 1024 * 1024  # decoded bytes read from any page, whatever it claims
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
ACCEPT_LANGUAGE = {"fr": "fr,en;q=0.7", "en": "en,fr;q=0.7"}
RETRY_BASE_SECONDS = 60  # then x4 per attempt: 1 min, 4 min, 16 min, ...
RETRY_FACTOR = 4
MAX_RETRY_SECONDS = 6 * 3600
IDLE_POLL_SECONDS = 60.0  # longest sleep without a wake-up (retries coming due)
ERROR_PAUSE_SECONDS = 5.0  # after the database failed a claim

Clock = Callable[[], int]
Status = Literal["done", "retry", "failed"]


@dataclass(frozen=True, slots=True)
class PreviewOutcome:
    """What became of one claimed job (for metrics and benchmarks)."""

    link_id: int
    status: Status
    seconds: float
    error: str | None = None


def user_agent(info_url: str | None = None) -> str:
    """Names the software (and where to read about it), never the deployment's chats.

    Veille is self-hosted from a copy of its repository, so there is no one public address for
    its README: the operator may give one (VEILLE_PREVIEW_INFO_URL), otherwise the User-Agent
    says what the bot is in words.
    """
    try:
        version = importlib.metadata.version("veille")
    except importlib.metadata.PackageNotFoundError:
        version = "0"
    about = f"+{info_url}" if info_url else "self-hosted Telegram bot; link previews; see README"
    return f"Veille/{version} ({about})"


def retry_delay(attempt: int, retry_after: float | None = None) -> int:
    """Seconds before attempt ``attempt + 1``: exponential, at least the server's Retry-After."""
    delay: int = RETRY_BASE_SECONDS * RETRY_FACTOR ** max(attempt - 1, 0)
    if retry_after is not None:
        delay = max(delay, int(retry_after + 0.999))
    return min(delay, MAX_RETRY_SECONDS)


def next_try_in(error: Exception, attempt: int, max_attempts: int) -> int | None:
    """Seconds until the next try after ``error`` on attempt ``attempt``, or None to give up."""
    if not isinstance(error, FetchError) or not error.retryable or attempt >= max_attempts:
        return None
    retry_after = error.retry_after if isinstance(error, FetchHTTPError) else None
    return retry_delay(attempt, retry_after)


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def preview_of(meta: PageMeta) -> LinkPreview:
    """What is stored for a page; its canonical URL loses its trackers like any shared URL."""
    canonical = normalize_url(meta.canonical_url) if meta.canonical_url else None
    return LinkPreview(
        title=meta.title,
        description=meta.description,
        site_name=meta.site_name,
        canonical_url=canonical,
        language=meta.language,
        content_type=meta.content_type,
    )


class PreviewWorker:
    """Claims due preview jobs and runs at most `concurrency` of them at a time."""

    def __init__(
        self,
        repo: PreviewRepository,
        fetcher: SafeFetcher,
        *,
        concurrency: int,
        per_host: int,
        timeout: float,
        max_attempts: int,
        accept_language: str = ACCEPT_LANGUAGE["fr"],
        clock: Clock = now,
        observe: Callable[[PreviewOutcome], None] | None = None,
    ) -> None:
        self._repo = repo
        self._fetcher = fetcher
        self._concurrency = concurrency
        self._per_host = per_host
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._headers = {"Accept-Language": accept_language}
        self._clock = clock
        self._observe = observe
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._busy: Counter[str] = Counter()  # fetches in flight, by domain
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Resume the jobs a previous process left, then serve new ones until `stop`."""
        if self._task is None:
            self._loop = asyncio.get_running_loop()
            self._idle.clear()
            self._task = asyncio.create_task(self._run(), name="preview-worker")

    async def stop(self) -> None:
        """Stop claiming, abandon the fetches in flight and put their jobs back in the queue."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        for task in self._in_flight.values():
            task.cancel()
        await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
        try:
            await self._repo.release_in_flight(self._clock())
        except Exception:  # the next start recovers them, one attempt spent
            log.exception("could not put the in-flight preview jobs back")

    def wake(self) -> None:
        """New jobs were queued: claim now rather than at the next poll (event loop only)."""
        self._idle.clear()
        self._wake.set()

    def wake_threadsafe(self) -> None:
        """`wake` from another thread (capture's hook runs in the database writer's thread)."""
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closing: the next start claims
                self._loop.call_soon_threadsafe(self.wake)

    async def wait_idle(self) -> None:
        """Until nothing is in flight and no job is due (tests, benchmarks)."""
        await self._idle.wait()

    async def _run(self) -> None:
        recovered = False
        while True:
            try:
                if not recovered:
                    await self._repo.recover_in_flight(self._clock(), self._max_attempts)
                    recovered = True
                await self._step()
            except Exception:  # the database failed: never a dead worker
                log.exception("preview worker: database error; trying again shortly")
                await asyncio.sleep(ERROR_PAUSE_SECONDS)

    async def _step(self) -> None:
        self._wake.clear()
        claimed = await self._claim()
        for job in claimed:
            self._launch(job)
        if claimed:
            return
        if not self._in_flight and not self._wake.is_set():
            self._idle.set()
        await self._pause()

    async def _claim(self) -> list[PreviewJob]:
        free = self._concurrency - len(self._in_flight)
        if free <= 0:
            return []
        busy = {domain: count for domain, count in self._busy.items() if count}
        return await self._repo.claim(
            self._clock(), limit=free, per_domain=self._per_host, busy=busy
        )

    async def _pause(self) -> None:
        """Sleep until woken (a queued job, a finished fetch) or the next retry is due."""
        next_due = await self._repo.next_due()
        delay = IDLE_POLL_SECONDS if next_due is None else float(next_due - self._clock())
        if delay <= 0:  # due, but its domain is busy: a finished fetch will wake us
            delay = IDLE_POLL_SECONDS if self._in_flight else 1.0
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(delay, IDLE_POLL_SECONDS)):
                await self._wake.wait()

    def _launch(self, job: PreviewJob) -> None:
        self._idle.clear()
        self._busy[job.domain] += 1
        task = asyncio.create_task(self._process(job), name=f"preview-{job.link_id}")
        self._in_flight[job.link_id] = task

        def finished(_: asyncio.Task[None]) -> None:
            self._busy[job.domain] -= 1
            if not self._busy[job.domain]:
                del self._busy[job.domain]
            self._in_flight.pop(job.link_id, None)
            self.wake()

        task.add_done_callback(finished)

    async def _process(self, job: PreviewJob) -> None:
        started = time.monotonic()
        try:
            status, error = await self._attempt(job)
        except Exception:
            # The outcome could not be written: the job stays claimed until the next start.
            log.exception("could not record the preview of link %s", job.link_id)
            return
        if self._observe is not None:
            self._observe(PreviewOutcome(job.link_id, status, time.monotonic() - started, error))

    async def _attempt(self, job: PreviewJob) -> tuple[Status, str | None]:
        try:
            preview = await self._fetch_preview(job.url)
        except FetchError as error:
            return await self._failed(job, error)
        except Exception as error:  # a bug or a hostile page: never a stuck worker
            log.exception("preview of link %s failed unexpectedly", job.link_id)
            return await self._failed(job, error)
        await self._repo.record_success(job.link_id, preview, self._clock())
        return "done", None

    async def _fetch_preview(self, url: str) -> LinkPreview:
        # Stored URLs are normalised at capture; again here, so that a URL that reached the
        # table another way (an import, an older version) loses its trackers before any fetch.
        target = normalize_url(url) or url
        result = await self._fetcher.fetch(
            target,
            max_bytes=MAX_PAGE_BYTES,
            accept=ACCEPT,
            extra_headers=self._headers,
            timeout=self._timeout,
        )
        content_type = result.headers.get("content-type")
        meta = await asyncio.to_thread(
            extract_page_meta, result.body, content_type, result.final_url
        )
        return preview_of(meta)

    async def _failed(self, job: PreviewJob, error: Exception) -> tuple[Status, str]:
        text = describe(error)
        delay = next_try_in(error, job.attempt, self._max_attempts)
        clock = self._clock()
        log.debug("preview of link %s, attempt %d: %s", job.link_id, job.attempt, text)
        if delay is None:
            await self._repo.record_failure(job.link_id, text, clock)
            return "failed", text
        await self._repo.record_retry(job.link_id, text, clock + delay, clock)
        return "retry", text


class PreviewSwitches(Protocol):
    """Where a chat's switch is kept (the access service, which also refreshes its cache)."""

    async def set_previews(self, chat_id: int, enabled: bool) -> None: ...


class PreviewService:
    """Previews for one deployment: capture's hook, the worker, and the per-chat switch."""

    def __init__(
        self, settings: Settings, db: Database, switches: PreviewSwitches, *, clock: Clock = now
    ) -> None:
        self.settings = settings
        self.enabled = settings.fetch_previews
        self.repo = PreviewRepository(db)
        self._switches = switches
        self._clock = clock
        self._fetcher: SafeFetcher | None = None
        self._worker: PreviewWorker | None = None

    def attach(self, capture: CaptureService) -> None:
        """Queue the new links of every capture, in the same transaction (when enabled)."""
        if self.enabled:
            capture.after_save.append(self.enqueue_new_links)

    def enqueue_new_links(
        self,
        conn: sqlite3.Connection,
        items: Sequence[MessageShare],
        results: Sequence[SaveResult],
    ) -> None:
        """After-save hook: runs in the writer's thread, inside the capture transaction."""
        new = [link.link_id for result in results for link in result.links if link.new]
        try:
            queued = enqueue_links(conn, new, self._clock())
        except sqlite3.Error:  # statement-atomic: the shares still commit, without previews
            log.exception("could not queue previews for %d new links", len(new))
            return
        if queued and self._worker is not None:
            self._worker.wake_threadsafe()

    def start(self, observe: Callable[[PreviewOutcome], None] | None = None) -> None:
        if not self.enabled or self._worker is not None:
            return
        settings = self.settings
        if settings.allow_private_networks:
            log.warning("VEILLE_ALLOW_PRIVATE_NETWORKS is on: previews may reach local addresses")
        self._fetcher = SafeFetcher(
            user_agent(settings.preview_info_url),
            guard=AddressGuard(allow_private=settings.allow_private_networks),
            max_concurrency=settings.preview_concurrency,
            max_per_host=settings.preview_per_host,
        )
        self._worker = PreviewWorker(
            self.repo,
            self._fetcher,
            concurrency=settings.preview_concurrency,
            per_host=settings.preview_per_host,
            timeout=settings.preview_timeout_seconds,
            max_attempts=settings.preview_max_attempts,
            accept_language=ACCEPT_LANGUAGE[settings.default_language],
            clock=self._clock,
            observe=observe,
        )
        self._worker.start()

    async def stop(self) -> None:
        if self._worker is not None:
            await self._worker.stop()
            self._worker = None
        if self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None

    async def wait_idle(self) -> None:
        if self._worker is not None:
            await self._worker.wait_idle()

    async def set_chat_previews(self, chat_id: int, enabled: bool) -> None:
        """The chat's admins' switch; off also drops the chat's waiting jobs."""
        await self._switches.set_previews(chat_id, enabled)
        if not enabled:
            await self.repo.cancel_chat(chat_id)
