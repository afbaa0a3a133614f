"""`veille feeds`: the feeds and their state; OPML import and export.

    veille feeds [--chat ID]                          one line per feed
    veille feeds import FILE.opml [--chat ID] [--kind auto|petition|campaign] [--public]
    veille feeds export [--chat ID] > feeds.opml

An imported feed is read for the first time within one poll interval (first polls are spread
out, so that a thousand feeds do not start at once); that first read records the entries that
exist and announces none of them. Without --chat, imported feeds are the community's: their
entries go to every subscription whose filters match. OPML folders become hashtags, and a
feed's first hashtag becomes its folder on export, so that a file goes back and forth.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings
from bot.feed_schedule import first_delay
from bot.feedparse import category_tags
from bot.folding import fold_key
from bot.opml import OpmlError, OpmlFeed, read_opml, write_opml
from bot.urls import normalize_url
from storage.chats import ChatRepository
from storage.db import Database
from storage.feeds import Feed, FeedRepository, NewFeed
from storage.migrate import migrate

EXIT_FAILURE = 1


def add_feeds_parser(sub: Any) -> None:
    """The `feeds` subcommand, for bot/cli.py's parser."""
    feeds: argparse.ArgumentParser = sub.add_parser(
        "feeds", help="list feeds and their state; import or export them as OPML"
    )
    feeds.add_argument("action", nargs="?", choices=("list", "import", "export"), default="list")
    feeds.add_argument("file", nargs="?", type=Path, help="the OPML file to import")
    feeds.add_argument("--chat", type=int, help="only this chat's feeds; import into this chat")
    feeds.add_argument("--kind", choices=("auto", "petition", "campaign"), default="auto")
    feeds.add_argument(
        "--public", action="store_true", help="imported chat feeds also go to the community"
    )


def feeds_command(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(run_feeds(settings, args, sys.stdout))


async def run_feeds(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    if args.action == "import" and args.file is None:
        print("veille: feeds import needs an OPML file", file=sys.stderr)
        return 2
    async with Database(settings.database) as db:
        await migrate(db)
        repo = FeedRepository(db)
        if args.action == "import":
            return await _import(db, repo, settings, args, out)
        feeds = await repo.every(args.chat)
        if args.action == "export":
            out.write(write_opml(_as_opml(feed) for feed in feeds))
        else:
            _print_list(feeds, settings.feed_poll_seconds, out)
    return 0


async def _import(
    db: Database, repo: FeedRepository, settings: Settings, args: argparse.Namespace, out: TextIO
) -> int:
    try:
        found = read_opml(args.file.read_bytes())
    except (OSError, OpmlError) as error:
        print(f"veille: cannot import {args.file}: {error}", file=sys.stderr)
        return EXIT_FAILURE
    if args.chat is not None and await ChatRepository(db).get(args.chat) is None:
        print(f"veille: no chat {args.chat} in {settings.database}", file=sys.stderr)
        return EXIT_FAILURE
    now = int(time.time())
    rng = random.Random()  # noqa: S311 (spreading polls, not secrets)
    news, skipped = [], 0
    for item in found:
        url = normalize_url(item.url)
        if url is None:
            skipped += 1
            continue
        tags = tuple((fold_key(tag), tag) for tag in category_tags(item.folders))
        news.append(
            NewFeed(
                url=url,
                chat_id=args.chat,
                next_poll_at=now + first_delay(settings.feed_poll_seconds, rng),
                kind=args.kind,
                tags=tags,
                public=args.public or args.chat is None,
                title=item.title,
            )
        )
    added = await repo.insert_many(news, now)
    out.write(
        f"{added} feeds imported, {len(news) - added} already there, "
        f"{skipped} not http(s) addresses\n"
    )
    return 0


def _as_opml(feed: Feed) -> OpmlFeed:
    folders = tuple(display for _, display in feed.tags[:1])
    return OpmlFeed(feed.url, feed.title, folders)


def _print_list(feeds: list[Feed], default_interval: int, out: TextIO) -> None:
    if not feeds:
        out.write("no feeds (add one with /feed add URL, or `veille feeds import FILE.opml`)\n")
        return
    for feed in feeds:
        where = "community" if feed.chat_id is None else f"chat {feed.chat_id}"
        state = feed.state if feed.state == "active" else f"paused ({feed.paused_reason})"
        flags = " public" if feed.public and feed.chat_id is not None else ""
        interval = feed.interval_seconds or default_interval
        out.write(
            f"#{feed.id} {state} {where}{flags} {feed.kind} every {interval}s "
            f"{feed.url}\n    {feed.title or '?'} | last success {_when(feed.last_success_at)}"
            f" | next poll {_when(feed.next_poll_at) if feed.state == 'active' else '-'}"
            f" | announced {feed.announced}"
            + (f" | {feed.failures} failures, last: {feed.last_error}" if feed.failures else "")
            + "\n"
        )
    counts: dict[str, int] = {}
    for feed in feeds:
        counts[feed.state] = counts.get(feed.state, 0) + 1
    out.write(", ".join(f"{count} {state}" for state, count in sorted(counts.items())) + "\n")


def _when(stamp: int | None) -> str:
    if stamp is None:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stamp))
