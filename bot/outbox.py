"""`OutboxWorker`: drains the outbox within Telegram's limits and survives restarts.

One loop claims due deliveries for ready chats (bot/pacing.py: overall window, per-chat lanes
served in turn, flood pauses) and starts one task per claimed delivery; at most `concurrency`
run at once. Each task sends (HTML, link preview of the announced URL), sorts a failure by
remedy (bot/remedies.py), and records the outcome (storage/outbox.py, commits shared). A task
gives its place back only once its outcome is committed.

At most once, and the one window where it is not: a row is `sending` from its claim until its
outcome commits. If the process dies after Telegram accepted a message and before that commit,
the row is still `sending` at the next start; it is sent again, and the channel sees it twice.
Nothing else is ever resent without an operator's say (a timeout after the request left is a
dead letter, `unconfirmed`). As no more than `concurrency` rows are ever `sending`, one crash
duplicates at most `concurrency` messages (8 by default).

The worker wakes when the capture transaction queues deliveries (`wake`), when a send returns,
when a pause or window ends, and every `rescan_seconds` to pick up rows changed by another
process (`veille outbox retry`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode

from bot.announce import AnnouncementView, Source, SourceKind, render
from bot.i18n import Lang, as_lang
from bot.pacing import INFINITY, Backoff, FloodPauses, Lanes, Limit, SendWindow
from bot.remedies import (
    ChatGone,
    FloodWait,
    Migrated,
    Rejected,
    Remedy,
    Retry,
    Unconfirmed,
    remedy_for,
)
from storage.alerts import Subscription
from storage.outbox import ClaimedDelivery, OutboxRepository, Outcome, Recorded

log = logging.getLogger(__name__)

# Due times live in the database as wall-clock time and in memory as monotonic time; a claim
# allows for the rounding between the two rather than come back empty-handed.
CLOCK_SLACK = 0.01

ChatMoved = Callable[[int, int], Awaitable[None]]
SubscriptionEnded = Callable[[Subscription, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Pace:
    """How fast and how hard the worker tries. `time_scale` > 1 is for benchmarks only: the
    worker's second then lasts 1/time_scale real seconds (limits, waits and backoff alike)."""

    overall: Limit = field(default_factory=lambda: Limit.per_second(25))
    per_chat: Limit = field(default_factory=lambda: Limit.per_minute(20))
    concurrency: int = 8
    max_attempts: int = 8
    backoff: Backoff = field(default_factory=Backoff)
    lease_seconds: float = 300.0
    rescan_seconds: float = 30.0
    time_scale: float = 1.0


@dataclass
class DeliveryStats:
    """What happened since start (benchmarks, logs)."""

    sent: int = 0
    flood_waits: int = 0
    global_pauses: int = 0
    retries: int = 0
    dead: int = 0
    unconfirmed: int = 0
    chats_gone: int = 0
    migrations: int = 0
    resumed: int = 0


class _Clock:
    """Monotonic time in the worker's seconds, and the wall-clock times the database keeps."""

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def now(self) -> float:
        return time.monotonic() * self.scale

    def to_wall(self, moment: float) -> float:
        return time.time() + (moment - self.now()) / self.scale

    def from_wall(self, wall: float) -> float:
        return self.now() + (wall - time.time()) * self.scale

    def real_seconds(self, seconds: float) -> float:
        return max(seconds / self.scale, 0.0)


class OutboxWorker:
    """Delivers announcements; `start()` in post_init, `stop()` at shutdown."""

    def __init__(
        self,
        outbox: OutboxRepository,
        bot: Bot,
        pace: Pace,
        *,
        default_language: Lang,
        chat_moved: ChatMoved,
        subscription_ended: SubscriptionEnded,
    ) -> None:
        self._outbox = outbox
        self._bot = bot
        self.pace = pace
        self._language = default_language
        self._chat_moved = chat_moved
        self._subscription_ended = subscription_ended
        self._clock = _Clock(pace.time_scale)
        self._lanes = Lanes(pace.per_chat)
        self._overall = SendWindow(pace.overall)
        self._pauses = FloodPauses()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._resumed = False
        self._next_rescan = 0.0
        self.stats = DeliveryStats()

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._outbox.start()
            self._task = asyncio.create_task(self._run(), name="outbox-worker")

    async def stop(self) -> None:
        """Stop claiming, let the sends in flight finish and commit, then return."""
        if self._task is None:
            return
        self._stopping = True
        self._changed.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        if self._in_flight:
            await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
        await self._outbox.stop()

    def wake(self, chat_ids: Iterable[int]) -> None:
        """Deliveries were just queued for these chats (call on the event loop's thread)."""
        now = self._clock.now()
        for chat_id in chat_ids:
            self._lanes.add_work(chat_id, now, now)
        self._changed.set()

    def is_idle(self) -> bool:
        """Running, caught up with the outbox, nothing in flight nor due (now or later)."""
        caught_up = self._task is not None and self._next_rescan > 0.0
        return caught_up and not self._in_flight and not self._lanes.has_work()

    # --- the loop -------------------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            try:
                if not self._resumed:
                    await self._resume()
                await self._step()
            except Exception:
                log.exception("outbox worker step failed; trying again in a moment")
                await asyncio.sleep(1.0)

    async def _resume(self) -> None:
        """After a restart, what the previous process was sending is pending again."""
        resumed = await self._outbox.recover()
        self._resumed = True
        if resumed:
            self.stats.resumed = resumed
            log.warning(
                "resuming %d deliveries that were being sent when Veille stopped; "
                "any of them Telegram had already accepted will appear twice",
                resumed,
            )

    async def _step(self) -> None:
        self._changed.clear()
        now = self._clock.now()
        if now >= self._next_rescan:
            await self._rescan(now)
        taken = self._lanes.take(now, self._capacity(now))
        if taken:
            await self._claim(taken)
            return
        wake_at = min(self._next_wakeup(now), self._next_rescan)
        timeout = self._clock.real_seconds(wake_at - now)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    def _capacity(self, now: float) -> int:
        if now < self._pauses.global_until:
            return 0
        return min(self.pace.concurrency - len(self._in_flight), self._overall.room(now))

    def _next_wakeup(self, now: float) -> float:
        if len(self._in_flight) >= self.pace.concurrency:
            return INFINITY  # a send returning sets the event
        return max(
            self._lanes.next_ready_at(),
            self._pauses.global_until,
            self._overall.free_at(now),
        )

    async def _rescan(self, now: float) -> None:
        self._lanes.prune(now)
        await self._outbox.release_expired(time.time(), self._in_flight)
        for chat_id, due in (await self._outbox.pending_chats()).items():
            self._lanes.add_work(chat_id, self._clock.from_wall(due), self._clock.now())
        self._next_rescan = now + self.pace.rescan_seconds

    async def _claim(self, chat_ids: list[int]) -> None:
        lease = self._clock.real_seconds(self.pace.lease_seconds)
        try:
            claim = await self._outbox.claim(chat_ids, time.time() + CLOCK_SLACK, lease)
        except BaseException:
            now = self._clock.now()
            for chat_id in chat_ids:
                self._lanes.finish(chat_id, now, now + 1.0, sent=False)
            raise
        now = self._clock.now()
        claimed = {delivery.chat_id for delivery in claim.deliveries}
        for chat_id in chat_ids:
            if chat_id not in claimed:
                due = claim.next_due.get(chat_id)
                self._lanes.finish(chat_id, now, self._from_wall(due), sent=False)
        for delivery in claim.deliveries:
            self._lanes.start_send(delivery.chat_id)
            self._overall.start()
            task = asyncio.create_task(self._deliver(delivery), name=f"deliver-{delivery.id}")
            self._in_flight[delivery.id] = task

    def _from_wall(self, wall: float | None) -> float | None:
        return None if wall is None else self._clock.from_wall(wall)

    # --- one delivery ---------------------------------------------------------------------------

    async def _deliver(self, delivery: ClaimedDelivery) -> None:
        returned: float | None = None
        try:
            message_id, remedy = await self._send(delivery)
            returned = self._clock.now()
            self._overall.finish(returned)
            await self._conclude(delivery, message_id, remedy, returned)
        except Exception:
            # Only the database can fail here; the row stays `sending` until its lease ends.
            log.exception("delivery %s: could not record its outcome", delivery.id)
            now = self._clock.now()
            if returned is None:
                self._overall.finish(now)
            self._lanes.finish(delivery.chat_id, now, None, sent=True)
        finally:
            self._in_flight.pop(delivery.id, None)
            self._changed.set()

    async def _send(self, delivery: ClaimedDelivery) -> tuple[int | None, Remedy | None]:
        try:
            lang = as_lang(delivery.language) or self._language
            message = await self._bot.send_message(
                delivery.chat_id,
                render(_view(delivery), lang),
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(url=delivery.url),
            )
        except Exception as error:
            remedy = remedy_for(error)
            log.info("delivery %s to %s: %s", delivery.id, delivery.chat_id, remedy)
            return None, remedy
        return message.message_id, None

    async def _conclude(
        self,
        delivery: ClaimedDelivery,
        message_id: int | None,
        remedy: Remedy | None,
        returned: float,
    ) -> None:
        chat_id = delivery.chat_id
        if isinstance(remedy, Migrated):
            remedy = await self._migrate(chat_id, remedy)
        outcome = self._outcome(delivery, message_id, remedy, returned)
        recorded = await self._outbox.record(outcome)
        if isinstance(remedy, FloodWait):
            self._flood_wait(chat_id, remedy.seconds, returned)
        moved = recorded.chat_id not in (chat_id, 0)
        next_due = None if moved else self._from_wall(recorded.next_due)
        self._lanes.finish(chat_id, self._clock.now(), next_due, sent=True)
        if moved:
            self._lanes.add_work(recorded.chat_id, self._clock.now(), self._clock.now())
        if isinstance(remedy, ChatGone):
            self._lanes.drop(chat_id)
            await self._tell_ended(recorded, remedy)

    async def _migrate(self, chat_id: int, remedy: Migrated) -> Remedy:
        try:
            await self._chat_moved(chat_id, remedy.new_chat_id)
        except Exception as error:
            log.exception("chat %s migrated to %s: could not move it", chat_id, remedy.new_chat_id)
            return Retry(f"migration to {remedy.new_chat_id} failed: {error}")
        self.stats.migrations += 1
        return remedy

    def _flood_wait(self, chat_id: int, seconds: float, returned: float) -> None:
        until = returned + seconds
        self.stats.flood_waits += 1
        if self._pauses.refused(chat_id, until, returned):
            self.stats.global_pauses += 1
            log.warning("flood wait in several chats: every chat waits %.0f s", seconds)
        self._lanes.pause(chat_id, until, returned)

    def _outcome(
        self,
        delivery: ClaimedDelivery,
        message_id: int | None,
        remedy: Remedy | None,
        returned: float,
    ) -> Outcome:
        wall = self._clock.to_wall
        if remedy is None:
            self.stats.sent += 1
            return Outcome(delivery.id, "sent", message_id=message_id)
        if isinstance(remedy, FloodWait):
            due = wall(returned + remedy.seconds)
            error = f"RetryAfter: {remedy.seconds:g} s"
            return Outcome(delivery.id, "pending", due_at=due, error=error)
        if isinstance(remedy, Migrated):
            error = f"ChatMigrated: now {remedy.new_chat_id}"
            return Outcome(delivery.id, "pending", due_at=time.time(), error=error)
        if isinstance(remedy, ChatGone):
            self.stats.chats_gone += 1
            return Outcome(delivery.id, "cancelled", error=remedy.detail, end_reason=remedy.reason)
        if isinstance(remedy, Unconfirmed):
            self.stats.unconfirmed += 1
            return Outcome(delivery.id, "unconfirmed", error=remedy.detail, failed=True)
        if isinstance(remedy, Rejected):
            self.stats.dead += 1
            return Outcome(delivery.id, "dead", error=remedy.detail, failed=True)
        return self._retry_or_dead(delivery, remedy.detail, returned)

    def _retry_or_dead(self, delivery: ClaimedDelivery, error: str, returned: float) -> Outcome:
        failures = delivery.attempts + 1
        if failures >= self.pace.max_attempts:
            self.stats.dead += 1
            log.warning("delivery %s dead after %d failures: %s", delivery.id, failures, error)
            return Outcome(delivery.id, "dead", error=error, failed=True)
        self.stats.retries += 1
        due = self._clock.to_wall(returned + self.pace.backoff.delay(failures))
        return Outcome(delivery.id, "pending", due_at=due, error=error, failed=True)

    async def _tell_ended(self, recorded: Recorded, remedy: ChatGone) -> None:
        if recorded.ended is None:
            return
        try:
            await self._subscription_ended(recorded.ended, remedy.reason)
        except Exception:
            log.exception("could not tell about the end of subscription %s", recorded.ended.id)


def _view(delivery: ClaimedDelivery) -> AnnouncementView:
    source_kind: SourceKind = "feed" if delivery.source_kind == "feed" else "chat"
    return AnnouncementView(
        kind="campaign" if delivery.kind == "campaign" else "petition",
        url=delivery.url,
        title=delivery.title,
        tags=tuple(display for _, display in delivery.tags),
        source=Source(source_kind, delivery.source_name, delivery.source_url),
    )
