"""One full poll cycle of 6,000 feeds served from loopback servers.

A separate process serves the feeds (asyncio, HTTP/1.1 keep-alive, documents built once) from
20 loopback "sites" (127.0.0.1 to 127.0.0.20). Before the cycle, every feed is in the database
as a first read would have left it: validators, body digest and the entries it shows. Then:

- 85 % answer 304 to the conditional GET (their ETag matches),
- 5 % answer 200 with the same body and no validators (recognised by digest, not parsed),
- 7 % changed: 200 with one new entry on top (parsed; half of the new entries are petitions,
  announced to the feed's chat through the outbox; the outbox worker is not running),
- 3 % fail: HTTP 500, HTTP 404, or a document that is no feed.

The cycle runs `FeedService` as the bot runs it (guarded fetcher with the address guard on,
private networks allowed for the run; concurrency and per-host limits as configured; parse off
the event loop; outcomes written with shared commits) in its own process, so that peak RSS is
its own. The baseline, in the same run, is a plain httpx client making the same conditional
GETs with the same overall concurrency, nothing checked, parsed or stored.

    python -m bench.feeds [--feeds 6000] [--concurrency N] [--quick]

Prints one JSON line: cycle seconds, requests/s, peak RSS, new entries, outcomes, CPU use.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    Sites,
    count_rows,
    peak_rss_mib,
    print_figures,
    request_path,
    run_child,
    serve_sites,
    served_web,
)
from bench.corpus import WORDS
from bot.access import AccessService
from bot.alerts import AlertService
from bot.classify import default_rules
from bot.config import Settings
from bot.feed_poller import PollResult, body_digest
from bot.feedparse import entry_key
from bot.feeds import FeedService
from storage.chats import ChatRepository
from storage.db import Database
from storage.feeds import NewFeed, insert_feed, remember_entries
from storage.migrate import migrate
from tests.fakes import FakeBotApi, offline_bot

SITES = 20
CHATS = 60
ITEMS = 20
DAY = 86_400
T0 = int(time.time()) // DAY * DAY  # the same in the server's process and the cycle's


def behaviour(n: int) -> str:
    slot = n % 100
    if slot < 85:
        return "etag"
    if slot < 90:
        return "plain"
    if slot < 97:
        return "changed"
    return ("error500", "error404", "garbage")[slot - 97]


@functools.cache
def document(n: int, version: int) -> bytes:
    """Feed `n` at `version`: ITEMS entries, newest first; each version adds one on top."""
    rng = random.Random(n)
    site = f"https://site{n % SITES}.example.org"
    items = []
    for i in range(version + ITEMS - 1, version - 1, -1):
        words = " ".join(rng.choice(WORDS) for _ in range(8))
        link = f"https://www.change.org/p/feed-{n}-{i}" if (n + i) % 2 else f"{site}/{n}/{i}"
        summary = " ".join(rng.choice(WORDS) for _ in range(50))
        items.append(
            f"<item><title>{words.capitalize()}</title><link>{link}</link>"
            f'<guid isPermaLink="false">{n}-{i}</guid>'
            f"<pubDate>{_rfc822(T0 - 3600 * (ITEMS + version - i))}</pubDate>"
            f"<category>{rng.choice(WORDS)}</category><description>{summary}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Flux {n}</title><link>{site}/</link><description>Veille {n}</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def _rfc822(stamp: int) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(stamp))


def keys(n: int, version: int) -> list[int]:
    return [entry_key(f"{n}-{i}", None, "", "") for i in range(version, version + ITEMS)]


# --- the web: a separate process ------------------------------------------------------------


class FeedWeb:
    def __init__(self) -> None:
        self.versions: Counter[int] = Counter()

    def answer(self, n: int, head: bytes) -> tuple[bytes, bytes, bytes]:
        """Status, extra header lines and body for feed `n` (the baseline's reads, marked
        `?baseline`, leave changed feeds as they are, for the cycle to find them changed)."""
        kind = behaviour(n)
        if kind == "etag":
            etag = b'"%d-0"' % n
            if b"if-none-match: " + etag in head.lower():
                return b"304 Not Modified", b"ETag: " + etag + b"\r\n", b""
            return b"200 OK", b"ETag: " + etag + b"\r\n", document(n, 0)
        if kind == "plain":
            return b"200 OK", b"", document(n, 0)
        if kind == "changed":
            self.versions[n] += 0 if b"?baseline" in head.split(b"\r\n", 1)[0] else 1
            version = max(self.versions[n], 1)
            return b"200 OK", b'ETag: "%d-%d"\r\n' % (n, version), document(n, version)
        if kind == "garbage":
            return b"200 OK", b"", b"<html><body>Maintenance</body></html>"
        return (b"500 Internal Server Error" if kind == "error500" else b"404 Not Found"), b"", b""

    def respond(self, head: bytes) -> bytes:
        number = int(request_path(head).split("?")[0].rsplit("/", 1)[-1])
        status, extra, body = self.answer(number, head)
        return (
            b"HTTP/1.1 %s\r\nContent-Type: application/rss+xml\r\n%s"
            b"Content-Length: %d\r\n\r\n%s" % (status, extra, len(body), body)
        )


async def serve(feeds: int) -> None:
    """Serves until stdin closes; prints the sites' addresses first."""
    for n in range(feeds):
        document(n, 0)
    await serve_sites(FeedWeb().respond, SITES, backlog=1024)


def feed_urls(sites: Sites, feeds: int) -> list[str]:
    return [f"http://{sites[n % SITES][0]}:{sites[n % SITES][1]}/f/{n}" for n in range(feeds)]


# --- the cycle, in its own process ----------------------------------------------------------


async def prime(db: Database, urls: list[str]) -> None:
    """Every feed as its first read left it: validators, digest, entries; all due now."""
    chats = ChatRepository(db)
    for c in range(CHATS):
        await chats.upsert(-1001000300000 - c, type="supergroup", title=f"G{c}", username=None)
        await chats.set_status(-1001000300000 - c, "approved", 1)

    def insert(conn: sqlite3.Connection, numbers: range) -> None:
        for n in numbers:
            kind = behaviour(n)
            new = NewFeed(
                url=urls[n],
                chat_id=-1001000300000 - n % CHATS,
                next_poll_at=T0 - 1,
                primed=True,
                title=f"Flux {n}",
                etag=f'"{n}-0"' if kind in ("etag", "changed") else None,
                # Not through the cache: the server's process holds the documents, not this one.
                body_digest=body_digest(document.__wrapped__(n, 0)),
            )
            feed_id = insert_feed(conn, new, T0 - 600)
            remember_entries(conn, feed_id, keys(n, 0), T0 - 600, 0)

    for start in range(0, len(urls), 500):
        numbers = range(start, min(start + 500, len(urls)))
        await db.run_write(functools.partial(insert, numbers=numbers))


async def run_cycle(urls: list[str], workdir: Path, concurrency: int | None) -> dict[str, Any]:
    options: dict[str, Any] = {"feed_concurrency": concurrency} if concurrency else {}
    settings = Settings(
        _env_file=None, database=workdir / "bench.sqlite3", allow_private_networks=True, **options
    )
    fake = FakeBotApi()
    async with Database(settings.database) as db, offline_bot(fake) as bot:
        await migrate(db)
        await prime(db, urls)
        entries_before = await count_rows(db, "SELECT count(*) FROM feed_entries")
        rss_before = peak_rss_mib()
        chats = ChatRepository(db)
        access = AccessService(
            chats, bot, operators=frozenset(), open_registration=False, default_language="fr"
        )
        alerts = AlertService.build(settings, db, access, bot)
        service = FeedService(settings, db, alerts, default_rules(), access, bot)
        outcomes: Counter[str] = Counter()
        cpu = os.times()
        started = time.perf_counter()
        service.start(observe=lambda r: outcomes.update([_outcome(r)]))
        assert service.poller is not None
        await service.poller.wait_idle()
        elapsed = time.perf_counter() - started
        cpu_after = os.times()
        await service.stop()
        new_entries = await count_rows(db, "SELECT count(*) FROM feed_entries") - entries_before
        announced = await count_rows(db, "SELECT count(*) FROM announcements")
    return {
        "seconds": elapsed,
        "requests_per_s": len(urls) / elapsed,
        "cpu_seconds": (cpu_after.user - cpu.user) + (cpu_after.system - cpu.system),
        "outcomes": dict(outcomes),
        "new_entries": new_entries,
        "announced": announced,
        "concurrency": settings.feed_concurrency,
        "per_host": settings.feed_per_host,
        "rss_before_cycle_mib": rss_before,
    }


def _outcome(result: PollResult) -> str:
    record = result.record
    if not record.ok:
        return "failed"
    if record.status == 304:
        return "not_modified"
    return "changed" if result.entries else "same_body"


async def run_baseline(urls: list[str], concurrency: int) -> dict[str, Any]:
    slots = asyncio.Semaphore(concurrency)
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(trust_env=False, limits=limits) as client:

        async def get(n: int, url: str) -> None:
            async with slots:
                headers = {"If-None-Match": f'"{n}-0"'}
                response = await client.get(url + "?baseline", headers=headers)
                statuses[response.status_code] += 1

        cpu = os.times()
        started = time.perf_counter()
        await asyncio.gather(*(get(n, url) for n, url in enumerate(urls)))
        elapsed = time.perf_counter() - started
        cpu_after = os.times()
    return {
        "seconds": elapsed,
        "requests_per_s": len(urls) / elapsed,
        "cpu_seconds": (cpu_after.user - cpu.user) + (cpu_after.system - cpu.system),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def child(variant: str, urls: list[str], concurrency: int | None) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        if variant == "cycle":
            figures = asyncio.run(run_cycle(urls, Path(workdir), concurrency))
        else:
            default = Settings.model_fields["feed_concurrency"].default
            figures = asyncio.run(run_baseline(urls, concurrency or default))
    print_figures(figures)


def measure(variant: str, urls: list[str], concurrency: int | None) -> dict[str, Any]:
    options = ["--concurrency", str(concurrency)] if concurrency else []
    return run_child("bench.feeds", "--child", variant, *options, stdin=json.dumps(urls))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, help="VEILLE_FEED_CONCURRENCY for the run")
    parser.add_argument("--quick", action="store_true", help="600 feeds (smoke run)")
    parser.add_argument("--child", choices=["cycle", "baseline"])
    parser.add_argument("--serve", action="store_true")
    args = parser.parse_args()
    feeds = 600 if args.quick else args.feeds
    if args.serve:
        asyncio.run(serve(feeds))
        return
    if args.child:
        child(args.child, json.loads(sys.stdin.read()), args.concurrency)
        return
    with served_web("bench.feeds", "--feeds", str(feeds)) as sites:
        urls = feed_urls(sites, feeds)
        baseline = measure("baseline", urls, args.concurrency)
        cycle = measure("cycle", urls, args.concurrency)
    print(json.dumps(report(feeds, cycle, baseline)))


def report(feeds: int, cycle: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    return {
        "benchmark": "feeds",
        "feeds": feeds,
        "sites": SITES,
        "concurrency": cycle["concurrency"],
        "per_host": cycle["per_host"],
        "cycle_seconds": round(cycle["seconds"], 2),
        "requests_per_s": round(cycle["requests_per_s"], 1),
        "peak_rss_mib": round(cycle["peak_rss_mib"], 1),
        "rss_before_cycle_mib": round(cycle["rss_before_cycle_mib"], 1),
        "new_entries": cycle["new_entries"],
        "announced": cycle["announced"],
        "outcomes": cycle["outcomes"],
        "cpu_share": round(cycle["cpu_seconds"] / cycle["seconds"], 2),
        "baseline_cycle_seconds": round(baseline["seconds"], 2),
        "baseline_requests_per_s": round(baseline["requests_per_s"], 1),
        "baseline_peak_rss_mib": round(baseline["peak_rss_mib"], 1),
        "baseline_cpu_share": round(baseline["cpu_seconds"] / baseline["seconds"], 2),
    }


if __name__ == "__main__":
    main()
