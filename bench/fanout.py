"""Fan-out: how close the outbox worker gets to Telegram's limits without ever exceeding them.

Telegram allows about 30 messages a second overall and 20 a minute in one chat. The fake Bot
API enforces exactly those sliding windows, on a clock that runs `k` times faster than real
time, so that a run stays short; the worker is given the same limits and the same time scale.
Its limits then match the fake's, and the target is no 429 at all.

1. fan-out: one announcement to 2,000 subscribed channels (k = 10: 300 messages/s);
2. one chat: 200 announcements to one channel (k = 120: 20 messages every 0.5 s);
3. overdrive: the worker believes it may send 1.5 times what the fake allows (500 channels,
   k = 10): 429s come back, and the worker must still lose and duplicate nothing.

The allowed rate is what an ideal sender would achieve against the same windows (greedy, zero
latency, same order); ratio = achieved / allowed. Real SQLite file, in-process fake Bot API
(`--http`: the loopback HTTP fake instead, with PTB's real HTTP client).

    python -m bench.fanout [--quick] [--http]

Prints one JSON line. Targets: ratio >= 0.9, 0 x 429 in 1 and 2, 0 duplicates, 0 losses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sqlite3
import tempfile
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.alerts import AlertService, AnnouncementDraft
from bot.outbox import Pace
from bot.pacing import Limit
from storage.alerts import AlertRepository
from storage.chats import ChatRepository
from storage.db import Database
from storage.migrate import migrate
from tests.bot.alertkit import alert_service
from tests.fakes import FakeBotApi, FakeBotApiServer, offline_bot

TELEGRAM_PER_SECOND = 30
TELEGRAM_PER_CHAT_PER_MINUTE = 20
FIRST_CHANNEL = -1001000100000


@dataclass(frozen=True)
class Scenario:
    name: str
    channels: int
    announcements: int
    time_scale: float
    overdrive: float = 1.0  # the worker's limits over the fake's


@dataclass(frozen=True)
class Figures:
    messages: int
    seconds: float
    allowed_seconds: float
    http_429: int
    duplicates: int
    losses: int

    @property
    def ratio(self) -> float:
        return self.allowed_seconds / self.seconds if self.seconds else 0.0


def ideal_seconds(chat_of: list[int], scale: float) -> float:
    """When the last message leaves an ideal sender held to the fake's sliding windows."""
    windows = (TELEGRAM_PER_SECOND, 1.0 / scale), (TELEGRAM_PER_CHAT_PER_MINUTE, 60.0 / scale)
    overall: deque[float] = deque()
    per_chat: dict[int, deque[float]] = {}
    moment = 0.0
    for chat in chat_of:
        mine = per_chat.setdefault(chat, deque())
        for sent, (count, span) in zip((overall, mine), windows, strict=True):
            if len(sent) >= count:
                moment = max(moment, sent[-count] + span)
        overall.append(moment)
        mine.append(moment)
    return moment


@asynccontextmanager
async def bot_for(fake: FakeBotApi, http: bool) -> AsyncIterator[Bot]:
    if not http:
        async with offline_bot(fake) as bot:
            yield bot
        return
    with FakeBotApiServer(fake) as server:
        request = HTTPXRequest(connection_pool_size=16)
        async with Bot(fake.token, base_url=server.base_url, request=request) as bot:
            yield bot


async def seed(db: Database, channels: list[int]) -> AlertRepository:
    chats, alerts = ChatRepository(db), AlertRepository(db)
    for chat_id in channels:
        await chats.upsert(chat_id, type="channel", title=f"C{chat_id}", username=None)
        await chats.set_status(chat_id, "approved", None)
        await alerts.subscribe(chat_id, ["petition", "campaign"], [], by=None)
    return alerts


def fake_for(scenario: Scenario) -> tuple[FakeBotApi, list[int]]:
    """The fake with Telegram's limits on a clock `time_scale` times faster, and its channels."""
    scale = scenario.time_scale
    fake = FakeBotApi(clock=lambda: time.monotonic() * scale)  # Telegram's seconds, k x faster
    channels = [FIRST_CHANNEL - n for n in range(scenario.channels)]
    for chat_id in channels:
        channel = fake.add_chat(chat_id, "channel", f"C{chat_id}")
        fake.add_bot_to(channel, "administrator", ["can_post_messages"])
    fake.set_flood_limits(TELEGRAM_PER_SECOND, TELEGRAM_PER_CHAT_PER_MINUTE)
    return fake, channels


def pace_for(scenario: Scenario) -> Pace:
    """The same limits (times `overdrive`), on the same clock."""
    return Pace(
        overall=Limit.per_second(TELEGRAM_PER_SECOND * scenario.overdrive),
        per_chat=Limit.per_minute(round(TELEGRAM_PER_CHAT_PER_MINUTE * scenario.overdrive)),
        time_scale=scenario.time_scale,
    )


async def run(scenario: Scenario, workdir: Path, http: bool) -> Figures:
    fake, channels = fake_for(scenario)
    urls = [f"https://www.change.org/p/bench-{n}" for n in range(scenario.announcements)]
    expected = len(urls) * len(channels)
    async with AsyncExitStack() as stack:
        db = await stack.enter_async_context(Database(workdir / f"{scenario.name}.sqlite3"))
        await migrate(db)
        await seed(db, channels)
        bot = await stack.enter_async_context(bot_for(fake, http))
        service = alert_service(db, bot, pace_for(scenario))
        service.start()
        stack.push_async_callback(service.stop)
        started = time.perf_counter()
        await db.run_write(lambda conn: announce_all(service, conn, urls))
        while service.worker.stats.sent < expected or not service.worker.is_idle():  # noqa: ASYNC110
            await asyncio.sleep(0.002)
        seconds = time.perf_counter() - started
    order = [message.chat_id for message in fake.sent_messages()]
    return Figures(
        messages=expected,
        seconds=seconds,
        allowed_seconds=ideal_seconds(order, scenario.time_scale),
        http_429=fake.flood_violations,
        **accounting(fake, urls, channels),
    )


def announce_all(service: AlertService, conn: sqlite3.Connection, urls: list[str]) -> None:
    for url in urls:
        service.announce(conn, AnnouncementDraft("petition", url, "Signez la pétition"))


def accounting(fake: FakeBotApi, urls: list[str], channels: list[int]) -> dict[str, int]:
    by_url = {url: url for url in urls}
    received: Counter[tuple[int, str]] = Counter()
    for message in fake.sent_messages():
        url = (message.link_preview_options or {}).get("url")
        if url in by_url:
            received[(message.chat_id, url)] += 1
    duplicates = sum(count - 1 for count in received.values())
    losses = sum(1 for url in urls for chat in channels if (chat, url) not in received)
    return {"duplicates": duplicates, "losses": losses}


def scenarios(quick: bool) -> list[Scenario]:
    if quick:
        return [
            Scenario("fanout", 300, 1, 10.0),
            Scenario("one_chat", 1, 60, 120.0),
            Scenario("overdrive", 100, 1, 10.0, overdrive=1.5),
        ]
    return [
        Scenario("fanout", 2000, 1, 10.0),
        Scenario("one_chat", 1, 200, 120.0),
        Scenario("overdrive", 500, 1, 10.0, overdrive=1.5),
    ]


def report(results: dict[str, Figures], scales: dict[str, float], wall: float) -> dict[str, Any]:
    matched = [results["fanout"], results["one_chat"]]
    out: dict[str, Any] = {"benchmark": "fanout"}
    for name, figures in results.items():
        out[f"{name}_messages"] = figures.messages
        out[f"{name}_seconds"] = round(figures.seconds, 2)
        out[f"{name}_rate_per_s"] = round(figures.messages / figures.seconds, 1)
        out[f"{name}_allowed_rate_per_s"] = round(figures.messages / figures.allowed_seconds, 1)
        out[f"{name}_ratio"] = round(figures.ratio, 3)
        out[f"{name}_429s"] = figures.http_429
    out["rate_ratio"] = round(min(f.ratio for f in matched), 3)
    out["http_429_at_matching_limits"] = sum(f.http_429 for f in matched)
    out["duplicates"] = sum(f.duplicates for f in results.values())
    out["losses"] = sum(f.losses for f in results.values())
    out["wall_seconds"] = round(wall, 1)
    out["time_scales"] = scales
    out["target_ratio"] = 0.9
    return out


async def main_async(quick: bool, http: bool) -> dict[str, Any]:
    started = time.perf_counter()
    results: dict[str, Figures] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for scenario in scenarios(quick):
            results[scenario.name] = await run(scenario, Path(workdir), http)
    scales = {s.name: s.time_scale for s in scenarios(quick)}
    return report(results, scales, time.perf_counter() - started)


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--http", action="store_true", help="the loopback HTTP fake")
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    logging.getLogger("bot").setLevel(logging.ERROR)  # the overdrive's flood waits are expected
    out(json.dumps(asyncio.run(main_async(args.quick, args.http))))


if __name__ == "__main__":
    main()
