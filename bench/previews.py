"""Link preview throughput: the preview worker against 1,000 pages from loopback servers.

A separate process serves 1,000 distinct French article pages (OpenGraph head, ~60 KiB of
body) from 20 loopback "sites" (127.0.0.1 to 127.0.0.20, HTTP/1.1 keep-alive). The worker runs
as the bot runs it (`PreviewService`: guarded fetcher with the address guard on, private
networks allowed for the run, concurrency and per-host limits as configured by default; parse
off the event loop; one write per page into a real SQLite file). The baseline, in the same run,
is a plain httpx client reading the same pages with the same overall concurrency, nothing
checked, parsed or stored: what the network part alone costs. Each variant runs in its own
process, so that peak RSS is its own.

    python -m bench.previews [--pages 1000]

Prints one JSON line: pages/s, p95 seconds per page (claim to stored; request to body for the
baseline), peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    Sites,
    count_rows,
    print_figures,
    request_path,
    run_child,
    serve_sites,
    served_web,
)
from bench.corpus import WORDS
from bot.config import Settings
from bot.previews import PreviewOutcome, PreviewService
from bot.urls import url_domain
from storage.chats import ChatRepository
from storage.db import Database
from storage.links import LinkDraft, MessageShare, SaveResult, save_messages
from storage.migrate import migrate

SITES = 20
GROUP = -1001000200000
BODY_BYTES = 60 * 1024


@functools.cache  # the server answers from memory, so that it is not what is measured
def page(number: int) -> bytes:
    """Article `number`: a realistic head, then paragraphs of French words."""
    rng = random.Random(number)
    title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
    description = " ".join(rng.choice(WORDS) for _ in range(30))
    head = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{title} | Site {number % SITES}</title>"
        f'<meta name="description" content="{description}">'
        f'<meta property="og:title" content="Article {number} : {title}">'
        f'<meta property="og:description" content="{description}">'
        f'<meta property="og:site_name" content="Site {number % SITES}">'
        f'<meta property="og:url" content="/articles/{number}?utm_source=rss">'
        '<meta property="og:locale" content="fr_FR">'
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        f'"headline": "{title}"}}</script>'
        '<link rel="stylesheet" href="/style.css"></head><body><main>'
    )
    paragraphs = []
    size = len(head)
    while size < BODY_BYTES:
        paragraph = "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)) + "</p>\n"
        paragraphs.append(paragraph)
        size += len(paragraph.encode())
    return (head + "".join(paragraphs) + "</main></body></html>").encode()


def respond(head: bytes) -> bytes:
    path = request_path(head)
    body = page(int(path.rsplit("/", 1)[-1]) if path.startswith("/p/") else 0)
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )


async def serve(pages: int) -> None:
    """The web: one listener per site; prints their addresses, serves until stdin closes."""
    for number in range(pages):
        page(number)
    await serve_sites(respond, SITES)


def urls(sites: Sites, count: int) -> list[str]:
    rng = random.Random(20261129)
    return [
        f"http://{host}:{port}/p/{n}" for n in range(count) for host, port in [rng.choice(sites)]
    ]


async def run_previews(targets: list[str], workdir: Path) -> dict[str, float]:
    settings = Settings(
        _env_file=None,
        database=workdir / "bench.sqlite3",
        fetch_previews=True,
        allow_private_networks=True,
    )
    async with Database(settings.database) as db:
        await migrate(db)
        chats = ChatRepository(db)
        await chats.upsert(GROUP, type="supergroup", title="Bench", username=None)
        service = PreviewService(settings, db, chats)
        drafts = tuple(LinkDraft(url, url_domain(url)) for url in targets)
        share = MessageShare(GROUP, 1, int(time.time()), drafts)
        [saved] = await db.run_write(lambda conn: _save_and_queue(conn, service, share))
        assert len(saved.links) == len(targets)
        outcomes: list[PreviewOutcome] = []
        started = time.perf_counter()
        service.start(observe=outcomes.append)
        await service.wait_idle()
        elapsed = time.perf_counter() - started
        await service.stop()
        titled = await count_rows(db, "SELECT count(*) FROM links WHERE title LIKE 'Article %'")
    assert titled == len(targets), f"only {titled} titles stored"
    return {
        "seconds": elapsed,
        "pages_per_s": len(targets) / elapsed,
        "p95_s": _p95([outcome.seconds for outcome in outcomes]),
        "done": sum(outcome.status == "done" for outcome in outcomes),
        "concurrency": settings.preview_concurrency,
        "per_host": settings.preview_per_host,
    }


def _save_and_queue(
    conn: sqlite3.Connection, service: PreviewService, share: MessageShare
) -> list[SaveResult]:
    results = save_messages(conn, [share])
    service.enqueue_new_links(conn, [share], results)  # capture's hook, as capture runs it
    return results


async def run_baseline(targets: list[str]) -> dict[str, float]:
    concurrency = Settings.model_fields["preview_concurrency"].default
    slots = asyncio.Semaphore(concurrency)
    durations: list[float] = []
    async with httpx.AsyncClient(trust_env=False) as client:

        async def get(url: str) -> None:
            async with slots:
                began = time.perf_counter()
                response = await client.get(url)
                assert response.status_code == 200 and len(response.content) > BODY_BYTES
                durations.append(time.perf_counter() - began)

        started = time.perf_counter()
        await asyncio.gather(*(get(url) for url in targets))
        elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "pages_per_s": len(targets) / elapsed, "p95_s": _p95(durations)}


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def child(variant: str, targets: list[str]) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        if variant == "previews":
            figures = asyncio.run(run_previews(targets, Path(workdir)))
        else:
            figures = asyncio.run(run_baseline(targets))
    print_figures(figures)


def measure(variant: str, targets: list[str]) -> dict[str, float]:
    return run_child("bench.previews", "--child", variant, stdin=json.dumps(targets))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--child", choices=["previews", "baseline"])
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--quick", action="store_true", help="100 pages (a smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.pages = 100
    if args.serve:
        asyncio.run(serve(args.pages))
        return
    if args.child:
        child(args.child, json.loads(sys.stdin.read()))
        return
    with served_web("bench.previews", "--pages", str(args.pages)) as sites:
        targets = urls(sites, args.pages)
        baseline = measure("baseline", targets)
        previews = measure("previews", targets)
    print(json.dumps(_report(args.pages, previews, baseline)))


def _report(pages: int, previews: dict[str, float], baseline: dict[str, float]) -> dict[str, Any]:
    return {
        "benchmark": "previews",
        "pages": pages,
        "sites": SITES,
        "concurrency": previews["concurrency"],
        "per_host": previews["per_host"],
        "pages_stored": previews["done"],
        "pages_per_s": round(previews["pages_per_s"], 1),
        "p95_ms_per_page": round(previews["p95_s"] * 1000, 1),
        "peak_rss_mib": round(previews["peak_rss_mib"], 1),
        "baseline_pages_per_s": round(baseline["pages_per_s"], 1),
        "baseline_p95_ms_per_page": round(baseline["p95_s"] * 1000, 1),
        "baseline_peak_rss_mib": round(baseline["peak_rss_mib"], 1),
        "ratio": round(previews["pages_per_s"] / baseline["pages_per_s"], 3),
    }


if __name__ == "__main__":
    main()
