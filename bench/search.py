"""Search latency at 1,000,000 links: Veille's search against raw FTS5 and a LIKE scan.

Builds (once, cached under /tmp, keyed by VERSION and size: bench/search_db.py) a database of
synthetic links across 200 chats: French vocabulary with accents, Zipf-distributed words and
hashtags, titles and descriptions as previews fill them, one share per link. Then runs 200 mixed
queries, each scoped to one chat as the /search handler scopes it, three ways in the same run:

  veille  SearchService.group_scope + .page, as handlers/search.py calls them (aiosqlite)
  fts     `MATCH 'chat_token:… AND (…)' ORDER BY rank LIMIT n` on the same index and connection
  like    `chat_id = ? AND (title LIKE '%w%' OR …)`: a count, then the page newest first, as
          telegram-search-bot does (linkding's paginator counts too)

    python -m bench.search [--links 1000000] [--queries 200] [--rebuild]

Each query runs in ROUNDS rounds and counts with the median of its times; the p50 and p95 of a
class are taken over its queries. Prints one JSON line: p50/p95 ms per query class for each way,
the ratios, the database size per link and peak RSS. Targets: selective classes >= 30x faster
than LIKE at p50; no class slower than 1.5x raw FTS5; Veille's common-word and phrase p95 within
5x of its rare-word p95.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram import Bot

from bench.common import peak_rss_mib
from bench.corpus import SITES
from bench.search_db import CHATS, build, chat_ids, database_path, ensure_database
from bot.access import AccessService
from bot.permissions import MembershipCache
from bot.query import parse_query
from bot.search import SearchService
from storage.chats import ChatRepository
from storage.db import Database
from storage.people import PeopleRepository
from storage.search import SearchRepository, chat_token

PAGE = 8
ROUNDS = 5  # each query's time is the median of its rounds (the machine is shared)
CLASSES = ("common", "rare", "two_words", "phrase", "common_phrase", "tag", "tag_word", "site")
SELECTIVE = ("rare", "two_words", "phrase", "tag_word")


def queries(terms: dict[str, Any], total: int) -> list[tuple[str, str, int]]:
    """(class, query text, chat) for `total` queries, classes interleaved."""
    rng = random.Random(11)
    chats = chat_ids()
    makers: dict[str, Callable[[], str]] = {
        "common": lambda: terms["common"],
        "rare": lambda: rng.choice(terms["rare"]),
        "two_words": lambda: rng.choice(terms["two_words"]),
        "phrase": lambda: f'"{rng.choice(terms["phrase"])}"',
        "common_phrase": lambda: f'"{terms["top"][0]} {terms["top"][1]}"',
        "tag": lambda: f"#{rng.choice(terms['tag'])}",
        "tag_word": lambda: rng.choice(terms["tag_word"]),
        "site": lambda: f"site:{rng.choice(SITES).removeprefix('www.')}",
    }
    return [
        (CLASSES[n % len(CLASSES)], makers[CLASSES[n % len(CLASSES)]](), rng.choice(chats))
        for n in range(total)
    ]


def like_sql(text: str) -> tuple[str, list[object]]:
    """The same query as LIKE conditions: each word (or phrase) in some column."""
    query = parse_query(text)
    conditions: list[str] = []
    params: list[object] = []
    for group in query.groups:
        term = group[0]
        if term.kind == "tag":
            conditions.append("tags_text LIKE ?")
            params.append(f"%{term.text}%")
        else:
            columns = ("title", "description", "comment_text", "tags_text", "url")
            conditions.append("(" + " OR ".join(f"{c} LIKE ?" for c in columns) + ")")
            params += [f"%{term.text}%"] * len(columns)
    for site in query.sites:
        conditions.append("domain LIKE ?")
        params.append(f"%{site}")
    return " AND ".join(conditions), params


async def measure(
    path: Path, plan: list[tuple[str, str, int]]
) -> dict[str, dict[str, list[float]]]:
    db = Database(path)
    await db.open()
    bot = Bot("1:bench")  # never initialised: group scopes make no Telegram call
    chats = ChatRepository(db)
    access = AccessService(chats, bot, operators=frozenset(), open_registration=False,
                           default_language="fr")  # fmt: skip
    service = SearchService(
        SearchRepository(db), PeopleRepository(db), access, MembershipCache(bot), page_size=PAGE
    )
    timings: dict[str, dict[str, list[float]]] = {w: {c: [] for c in CLASSES} for w in WAYS}

    async def veille(text: str, chat: int) -> object:
        scope = await service.group_scope(chat)
        assert scope is not None
        return await service.page(scope, text, 0)

    async def fts(text: str, chat: int) -> object:
        query = parse_query(text)
        expression = f'chat_token:"{chat_token(chat)}" AND ({query.match})'
        sql = "SELECT rowid FROM links_fts WHERE links_fts MATCH ? ORDER BY rank LIMIT ?"
        async with db.reader.execute(sql, (expression, PAGE)) as cursor:
            return await cursor.fetchall()

    async def like(text: str, chat: int) -> object:
        """A count for the page numbers, then the page: what telegram-search-bot does."""
        where, params = like_sql(text)
        count = f"SELECT count(*) FROM links WHERE chat_id = ? AND {where}"
        async with db.reader.execute(count, (chat, *params)) as cursor:
            await cursor.fetchall()
        sql = (f"SELECT id FROM links WHERE chat_id = ? AND {where} "
               "ORDER BY last_shared_at DESC LIMIT ?")  # fmt: skip
        async with db.reader.execute(sql, (chat, *params, PAGE)) as cursor:
            return await cursor.fetchall()

    ways: dict[str, Callable[[str, int], Awaitable[object]]] = {
        "veille": veille, "fts": fts, "like": like}  # fmt: skip
    for _, text, chat in plan[:30]:  # warm the page cache and the statement caches
        for run in ways.values():
            await run(text, chat)
    samples: dict[str, list[list[float]]] = {name: [[] for _ in plan] for name in ways}
    for _ in range(ROUNDS):
        for index, (_, text, chat) in enumerate(plan):
            for name, run in ways.items():
                started = time.perf_counter()
                await run(text, chat)
                samples[name][index].append((time.perf_counter() - started) * 1000)
    await db.close()
    for name in ways:
        for index, (klass, _, _) in enumerate(plan):
            timings[name][klass].append(statistics.median(samples[name][index]))
    return timings


WAYS = ("veille", "fts", "like")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summarise(timings: dict[str, dict[str, list[float]]]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for way in WAYS:
        figures[way] = {
            c: {"p50": round(statistics.median(v), 2), "p95": round(percentile(v, 0.95), 2)}
            for c, v in timings[way].items()
        }
    p = {w: {c: figures[w][c] for c in CLASSES} for w in WAYS}
    figures["like_over_veille_p50"] = {
        c: round(p["like"][c]["p50"] / p["veille"][c]["p50"], 1) for c in CLASSES
    }
    figures["veille_over_fts"] = {
        c: {q: round(p["veille"][c][q] / p["fts"][c][q], 2) for q in ("p50", "p95")}
        for c in CLASSES
    }
    rare_p95 = p["veille"]["rare"]["p95"]
    figures["veille_p95_over_rare_p95"] = {
        c: round(p["veille"][c]["p95"] / rare_p95, 2)
        for c in ("common", "phrase", "common_phrase")
    }
    figures["targets_met"] = {
        "selective_30x_faster_than_like_p50": all(
            figures["like_over_veille_p50"][c] >= 30 for c in SELECTIVE
        ),
        "no_class_over_1_5x_fts": all(
            max(r.values()) <= 1.5 for r in figures["veille_over_fts"].values()
        ),
        "common_and_phrase_p95_within_5x_rare": all(
            r <= 5 for r in figures["veille_p95_over_rare_p95"].values()
        ),
    }
    return figures


def headline(figures: dict[str, Any]) -> dict[str, float | bool]:
    """The few figures the runner's table shows (it skips nested values)."""
    veille = figures["veille"]
    return {
        "veille_rare_p50_ms": veille["rare"]["p50"],
        "veille_common_p95_ms": veille["common"]["p95"],
        "veille_phrase_p95_ms": veille["phrase"]["p95"],
        "min_like_over_veille_selective_p50": min(
            figures["like_over_veille_p50"][c] for c in SELECTIVE
        ),
        "max_veille_over_fts": max(max(r.values()) for r in figures["veille_over_fts"].values()),
        "max_p95_over_rare_p95": max(figures["veille_p95_over_rare_p95"].values()),
        "all_targets_met": all(figures["targets_met"].values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--quick", action="store_true", help="50,000 links, 70 queries (smoke)")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    if args.build_only:
        build(database_path(args.links), args.links)
        return
    if args.quick:
        args.links, args.queries = 50_000, 70
    path, terms, build_seconds = ensure_database(args.links, args.rebuild)
    plan = queries(terms, args.queries)
    figures = summarise(asyncio.run(measure(path, plan)))
    size = sum(f.stat().st_size for f in path.parent.glob(path.name + "*"))
    figures = {"benchmark": "search", **headline(figures), **figures}
    figures |= {
        "links": args.links,
        "chats": CHATS,
        "queries": len(plan),
        "rounds": ROUNDS,
        "terms": {k: v[:3] if isinstance(v, list) else v for k, v in terms.items()},
        "db_bytes_per_link": round(size / args.links),
        "build_seconds": round(build_seconds, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
