"""Capture throughput: Veille's Application against a bot that only reacts.

20,000 synthetic group messages (1-3 links, 0-4 hashtags, French text, with the entities
Telegram attaches) go through the real `Application` as a running bot receives them: long polling
(getUpdates, JSON -> `Update`) -> `process_update` with the configured concurrency, against the
in-process fake Bot API, with a real SQLite file. The baseline is
the same Application whose only handler sets the reaction through the same fake: the least a
capture bot can do. Each variant runs in its own process so that peak RSS is its own.

    python -m bench.capture [--messages 20000]

Prints one JSON line. Target: ratio >= 0.5.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import ReactionTypeEmoji, Update
from telegram.ext import Application, ApplicationBuilder, MessageHandler, filters

from bench.common import print_figures, run_child
from bench.corpus import share
from bot.app import build_application
from bot.config import Settings
from tests.fakes import FakeBotApi, FakeChat, FakeUser, entity_for

OPERATOR = 1000
GROUPS = 20


def build_updates(fake: FakeBotApi, count: int) -> tuple[list[FakeChat], list[dict[str, Any]]]:
    rng = random.Random(20261129)
    groups = [
        fake.add_chat(-1001000100000 - g, "supergroup", f"Groupe {g}") for g in range(GROUPS)
    ]
    users = [fake.add_user(10_000 + u, f"Membre {u}", f"membre{u}") for u in range(200)]
    for group in groups:
        fake.add_bot_to(group, "administrator")
    updates = []
    for serial in range(count):
        item = share(rng, serial)
        entities = [entity_for(item.text, url, "url") for url in item.urls]
        entities += [entity_for(item.text, tag, "hashtag") for tag in item.hashtags]
        chat: FakeChat = rng.choice(groups)
        user: FakeUser = rng.choice(users)
        updates.append(fake.message(chat, user, item.text, entities=entities))
    return groups, updates


async def _drain(app: Application, fake: FakeBotApi, updates: list[dict[str, Any]]) -> float:  # type: ignore[type-arg]
    """Serve `updates` through getUpdates; the time until every message has its reaction."""
    fake.push_update(*updates)
    await app.start()
    assert app.updater is not None
    started = time.perf_counter()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    target = len(updates)
    while len(fake.reactions()) < target:  # noqa: ASYNC110 - the fake has no event to wait on
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    await app.updater.stop()
    await app.stop()
    return elapsed


async def run_capture(count: int, workdir: Path) -> dict[str, float]:
    fake = FakeBotApi()
    groups, raw = build_updates(fake, count)
    settings = Settings(
        _env_file=None,
        bot_token=fake.token,
        database=workdir / "bench.sqlite3",
        operators=frozenset({OPERATOR}),
        fetch_previews=False,
        log_level="WARNING",
    )
    app = build_application(
        settings, request=fake.request(), get_updates_request=fake.request(), tune_gc=True
    )
    operator = fake.add_user(OPERATOR, "Opé")
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    for group in groups:  # approve the groups before the clock starts
        join = fake.my_chat_member(group, operator, "left", "administrator")
        await app.process_update(Update.de_json(join, app.bot))
    elapsed = await _drain(app, fake, raw)
    assert app.post_shutdown is not None
    await app.post_shutdown(app)
    await app.shutdown()
    return {"seconds": elapsed, "updates_per_s": count / elapsed}


async def run_baseline(count: int) -> dict[str, float]:
    fake = FakeBotApi()
    _, raw = build_updates(fake, count)

    async def react(update: Update, _: object) -> None:
        assert update.effective_message is not None
        await update.effective_message.set_reaction(ReactionTypeEmoji("👀"))

    app = (
        ApplicationBuilder()
        .token(fake.token)
        .request(fake.request())
        .get_updates_request(fake.request())
        .concurrent_updates(Settings.model_fields["concurrent_updates"].default)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, react))
    await app.initialize()
    elapsed = await _drain(app, fake, raw)
    await app.shutdown()
    return {"seconds": elapsed, "updates_per_s": count / elapsed}


def child(variant: str, count: int) -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    with tempfile.TemporaryDirectory() as workdir:
        if variant == "capture":
            figures = asyncio.run(run_capture(count, Path(workdir)))
        else:
            figures = asyncio.run(run_baseline(count))
    print_figures(figures)


def measure(variant: str, count: int) -> dict[str, float]:
    """One variant's figures, measured in a child process (its own peak RSS)."""
    return run_child("bench.capture", "--child", variant, "--messages", str(count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--child", choices=["capture", "baseline"])
    parser.add_argument("--quick", action="store_true", help="2,000 messages (a smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.messages = 2_000
    if args.child:
        child(args.child, args.messages)
        return
    baseline = measure("baseline", args.messages)
    capture = measure("capture", args.messages)
    print(
        json.dumps(
            {
                "benchmark": "capture",
                "messages": args.messages,
                "capture_updates_per_s": round(capture["updates_per_s"], 1),
                "baseline_updates_per_s": round(baseline["updates_per_s"], 1),
                "ratio": round(capture["updates_per_s"] / baseline["updates_per_s"], 3),
                "target_ratio": 0.5,
                "capture_peak_rss_mib": round(capture["peak_rss_mib"], 1),
                "baseline_peak_rss_mib": round(baseline["peak_rss_mib"], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
