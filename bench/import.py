"""Import throughput and memory: a generated Telegram Desktop export into a fresh database.

100,000 synthetic messages (60% with 1-3 links, hashtags, French text, a few service messages
and edits; tests/bot/export_factory.py) are written to a result.json, then imported in a child
process exactly as `veille import telegram` does (ImportService, batches of 500), so that peak
RSS is the import's own. The baseline is live capture in the same session: bench/capture.py's
capture variant (the real Application, long polling against the fake Bot API).

    python -m bench.import [--messages 100000] [--capture-messages 20000] [--quick]

Prints one JSON line. Targets: peak RSS under 200 MB whatever the file size (the file is
streamed), and messages/s at least live capture's updates/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from pathlib import Path

from bench.capture import measure as measure_capture
from bench.common import print_figures, run_child
from bot.classify import default_rules
from bot.importing import ImportService
from storage.db import Database
from storage.migrate import migrate
from tests.bot.export_factory import CHAT_ID, write_telegram_export

TARGET_PEAK_RSS_MIB = 200


async def run_import(export: Path, database: Path) -> dict[str, float]:
    async with Database(database) as db:
        await migrate(db)
        service = ImportService(db, default_rules())
        with export.open("rb") as file:
            summary = await service.telegram(file, CHAT_ID, create_chat=True)
        async with db.reader.execute("SELECT count(*) FROM shares") as cursor:
            row = await cursor.fetchone()
    assert summary.failure is None and row is not None
    return {
        "seconds": summary.seconds,
        "messages": summary.read,
        "link_shares": row[0],
        "links_added": summary.links_added,
    }


def child(export: Path, database: Path) -> None:
    print_figures(asyncio.run(run_import(export, database)))


def measure_import(export: Path, database: Path) -> dict[str, float]:
    return run_child("bench.import", "--child", str(export), str(database))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--link-ratio", type=float, default=0.6)
    parser.add_argument("--capture-messages", type=int, default=20_000, help="0: no baseline")
    parser.add_argument("--child", nargs=2, type=Path, metavar=("EXPORT", "DATABASE"))
    parser.add_argument("--quick", action="store_true", help="10,000 messages, a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.capture_messages = 10_000, min(args.capture_messages, 2_000)
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as workdir:
        export = Path(workdir) / "result.json"
        write_telegram_export(export, args.messages, link_ratio=args.link_ratio)
        size_mib = export.stat().st_size / 1024 / 1024
        figures = measure_import(export, Path(workdir) / "bench.sqlite3")
    capture = measure_capture("capture", args.capture_messages) if args.capture_messages else None
    seconds = figures["seconds"]
    result: dict[str, object] = {
        "benchmark": "import",
        "messages": args.messages,
        "export_mib": round(size_mib, 1),
        "messages_per_s": round(figures["messages"] / seconds, 1),
        "links_per_s": round(figures["link_shares"] / seconds, 1),
        "link_shares": figures["link_shares"],
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(figures["peak_rss_mib"], 1),
        "target_peak_rss_mib": TARGET_PEAK_RSS_MIB,
    }
    if capture is not None:
        result["capture_messages"] = args.capture_messages
        result["capture_updates_per_s"] = round(capture["updates_per_s"], 1)
        result["ratio_to_capture"] = round(
            figures["messages"] / seconds / capture["updates_per_s"], 2
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
