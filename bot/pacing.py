"""Pacing of deliveries: send windows, per-chat lanes served in turn, backoff. Pure.

Telegram counts messages in sliding windows (about 30 a second overall, 20 a minute in one
chat) at *its* end, when a request arrives. A limiter that counts when a request leaves (a
leaky bucket such as aiolimiter's) cannot promise anything about arrivals: two requests that
left 40 ms apart may arrive together. `SendWindow` therefore counts a send from the moment it
starts until `seconds` after its answer came back: the answer proves the request had arrived, so
any two sends that share one of the window's `count` places arrive at least `seconds` apart, and
no window of that length at Telegram's end ever holds more than `count` of them, whatever the
network does. On a fast link this costs almost nothing (the rate is count / (seconds + latency)).

`Lanes` keeps one lane per chat with work: a lane is ready when its next delivery is due, the
chat is not paused (flood wait) and its own window has room, and has at most one send in flight
(a chat's announcements arrive in order). Ready lanes are served oldest-ready first, so a chat
that has just been served queues behind every chat already waiting: one chat's backlog never
holds back the others.

Times are the caller's monotonic clock, in seconds.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import deque
from dataclasses import dataclass, field

INFINITY = math.inf


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `count` sends in any `seconds`."""

    count: int
    seconds: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.seconds <= 0:
            raise ValueError(f"invalid limit {self.count}/{self.seconds}s")

    @classmethod
    def per_second(cls, rate: float) -> Limit:
        """25.0 -> 25 per second; 0.5 -> 1 per 2 seconds; 25.5 -> 25 per 0.98 s."""
        if rate >= 1:
            count = math.floor(rate)
            return cls(count, count / rate)
        return cls(1, 1 / rate)

    @classmethod
    def per_minute(cls, count: int) -> Limit:
        return cls(count, 60.0)

    def scaled(self, time_scale: float) -> Limit:
        """The same limit on a clock that runs `time_scale` times faster (benchmarks)."""
        return Limit(self.count, self.seconds / time_scale)


class SendWindow:
    """A send holds a place from its start until `limit.seconds` after it returned."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self._open = 0
        self._releases: list[float] = []  # heap of the moments places come free

    def room(self, now: float) -> int:
        while self._releases and self._releases[0] <= now:
            heapq.heappop(self._releases)
        return self.limit.count - self._open - len(self._releases)

    def free_at(self, now: float) -> float:
        """When one more send may start (`now` if it may already; infinity: when one returns)."""
        if self.room(now) > 0:
            return now
        return self._releases[0] if self._releases else INFINITY

    def start(self) -> None:
        self._open += 1

    def finish(self, returned_at: float) -> None:
        self._open -= 1
        heapq.heappush(self._releases, returned_at + self.limit.seconds)

    def idle(self, now: float) -> bool:
        return self.room(now) == self.limit.count


@dataclass(slots=True)
class _Lane:
    window: SendWindow
    due_at: float = INFINITY  # its next delivery; infinity: none known
    paused_until: float = 0.0
    busy: bool = False
    version: int = 0
    woken_due: float = INFINITY  # work announced while busy, not yet seen by the claim

    def ready_at(self, now: float) -> float:
        return max(self.due_at, self.paused_until, self.window.free_at(now))


@dataclass
class Lanes:
    """One lane per chat with deliveries; see the module docstring."""

    chat_limit: Limit
    _lanes: dict[int, _Lane] = field(default_factory=dict)
    _heap: list[tuple[float, int, int, int]] = field(default_factory=list)
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def add_work(self, chat_id: int, due_at: float, now: float) -> None:
        """The chat has a delivery due at `due_at`."""
        lane = self._lane(chat_id)
        if lane.busy:
            lane.woken_due = min(lane.woken_due, due_at)
        elif due_at < lane.due_at:
            lane.due_at = due_at
            self._schedule(chat_id, lane, now)

    def pause(self, chat_id: int, until: float, now: float) -> None:
        lane = self._lane(chat_id)
        lane.paused_until = max(lane.paused_until, until)
        self._schedule(chat_id, lane, now)

    def take(self, now: float, limit: int) -> list[int]:
        """Up to `limit` ready chats, oldest-ready first; each is busy until finished."""
        taken: list[int] = []
        while self._heap and len(taken) < limit and self._heap[0][0] <= now:
            _, _, chat_id, version = heapq.heappop(self._heap)
            lane = self._lanes.get(chat_id)
            if lane is None or lane.version != version or lane.busy:
                continue
            lane.busy = True
            taken.append(chat_id)
        return taken

    def start_send(self, chat_id: int) -> None:
        self._lanes[chat_id].window.start()

    def finish(self, chat_id: int, now: float, next_due: float | None, sent: bool) -> None:
        """The chat's turn is over; `sent`: a request went out (it counts in the window)."""
        lane = self._lanes.get(chat_id)
        if lane is None:
            return
        lane.busy = False
        if sent:
            lane.window.finish(now)
        known = INFINITY if next_due is None else next_due
        lane.due_at, lane.woken_due = min(known, lane.woken_due), INFINITY
        self._schedule(chat_id, lane, now)

    def drop(self, chat_id: int) -> None:
        """The chat is out of reach: forget its work (its window, if busy, ends with it)."""
        lane = self._lanes.get(chat_id)
        if lane is not None and not lane.busy:
            del self._lanes[chat_id]

    def next_ready_at(self) -> float:
        """When some lane becomes ready (infinity: none has work)."""
        while self._heap:
            _, _, chat_id, version = self._heap[0]
            lane = self._lanes.get(chat_id)
            if lane is not None and lane.version == version and not lane.busy:
                return self._heap[0][0]
            heapq.heappop(self._heap)
        return INFINITY

    def has_work(self) -> bool:
        return any(lane.busy or lane.due_at < INFINITY for lane in self._lanes.values())

    def prune(self, now: float) -> None:
        """Forget lanes with nothing due and nothing left to remember in their window."""
        for chat_id in [
            chat_id
            for chat_id, lane in self._lanes.items()
            if not lane.busy and lane.due_at == INFINITY and lane.window.idle(now)
        ]:
            del self._lanes[chat_id]

    def _lane(self, chat_id: int) -> _Lane:
        lane = self._lanes.get(chat_id)
        if lane is None:
            lane = self._lanes[chat_id] = _Lane(SendWindow(self.chat_limit))
        return lane

    def _schedule(self, chat_id: int, lane: _Lane, now: float) -> None:
        lane.version += 1
        if lane.busy or lane.due_at == INFINITY:
            return
        ready = lane.ready_at(now)
        heapq.heappush(self._heap, (ready, next(self._order), chat_id, lane.version))


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter: try n waits base * 2**(n-1), capped, times 0.5-1."""

    base: float = 5.0
    cap: float = 1800.0

    def delay(self, failures: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.cap, self.base * 2.0 ** max(failures - 1, 0))
        draw: float = (rng or random).random()  # jitter, not a secret
        return ceiling * (0.5 + 0.5 * draw)


@dataclass
class FloodPauses:
    """Flood waits: one chat's, and the bot-wide one Telegram asks for.

    A 429 pauses its chat for exactly `retry_after`. Telegram does not say whether a 429 is
    about the chat or the bot as a whole; when a second chat is refused while an earlier
    chat's pause still runs, the limit must be the bot-wide one, and every chat waits.
    """

    global_until: float = 0.0
    _recent: deque[tuple[int, float]] = field(default_factory=deque)

    def refused(self, chat_id: int, until: float, now: float) -> bool:
        """Record a 429; True when it makes a bot-wide pause."""
        self._recent = deque(entry for entry in self._recent if entry[1] > now)
        others = [end for chat, end in self._recent if chat != chat_id]
        self._recent.append((chat_id, until))
        if others:
            self.global_until = max(self.global_until, until, *others)
            return True
        return False
