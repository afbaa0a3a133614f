"""`veille outbox`: what /status shows, the dead letters, and retrying or dropping them.

    veille outbox                      counts by state, the last errors, the dead letters
    veille outbox retry --all | ID...  dead letters (dead, unconfirmed) -> pending again
    veille outbox drop --all | ID...   dead letters -> dropped (kept for the record)

A running bot picks retried deliveries up within `Pace.rescan_seconds` (30 s). Retrying an
`unconfirmed` delivery may post it a second time: Telegram may have accepted the first try.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any, TextIO

from bot.config import Settings
from bot.status import delivery_line, render_status
from storage.alerts import AlertRepository
from storage.db import Database
from storage.migrate import migrate
from storage.outbox import OutboxRepository

EXIT_USAGE = 2


def add_outbox_parser(sub: Any) -> None:
    """The `outbox` subcommand, for bot/cli.py's parser."""
    outbox: argparse.ArgumentParser = sub.add_parser(
        "outbox", help="show the delivery outbox; retry or drop dead-lettered deliveries"
    )
    outbox.add_argument("action", nargs="?", choices=("show", "retry", "drop"), default="show")
    outbox.add_argument("ids", nargs="*", type=int, help="delivery ids (see `veille outbox`)")
    outbox.add_argument("--all", action="store_true", help="every dead-lettered delivery")


def outbox_command(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(run_outbox(settings, args.action, args.ids, args.all, sys.stdout))


async def run_outbox(
    settings: Settings, action: str, ids: list[int], every: bool, out: TextIO
) -> int:
    if action != "show" and not ids and not every:
        print(f"veille: outbox {action} needs delivery ids or --all", file=sys.stderr)
        return EXIT_USAGE
    db = Database(settings.database)
    await db.open()
    try:
        await migrate(db)
        outbox = OutboxRepository(db)
        chosen = None if every else ids
        if action == "retry":
            count = await outbox.retry(chosen, time.time())
            out.write(f"{count} deliveries queued again\n")
        elif action == "drop":
            count = await outbox.drop(chosen)
            out.write(f"{count} deliveries dropped\n")
        else:
            await _show(db, outbox, out)
    finally:
        await db.close()
    return 0


async def _show(db: Database, outbox: OutboxRepository, out: TextIO) -> None:
    counts = await AlertRepository(db).counts()
    report = render_status(
        counts, await outbox.counts(), await outbox.last_errors(), "en", markup=False
    )
    out.write(report + "\n")
    dead = await outbox.dead_letters()
    if dead:
        out.write(f"Dead letters ({len(dead)}; `veille outbox retry|drop ID... | --all`):\n")
        out.writelines(f"  {delivery_line(line)}\n" for line in dead)
