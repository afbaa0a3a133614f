"""`veille import telegram|bookmarks|jsonl`: the command-line side of imports.

Progress goes to stderr: a progress bar on a terminal, a plain line every few seconds
otherwise (logs, CI, `nohup`). The summary goes to stdout, in the deployment's default
language. A target chat that is not known yet is created as approved: whoever runs the command
line operates the deployment.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tqdm import tqdm

from bot.classify import RulesFileError, load_rules
from bot.config import Settings
from bot.import_report import render_summary
from bot.importing import ImportProgress, ImportService, ImportSummary, WrongChat
from storage.db import Database
from storage.migrate import migrate

PLAIN_PROGRESS_SECONDS = 5.0


def add_import_parser(sub: Any) -> None:
    """The `import` subcommand and its three kinds, on `veille`'s subparsers."""
    parser = sub.add_parser("import", help="import past links (Telegram export, bookmarks, JSONL)")
    kinds = parser.add_subparsers(dest="import_kind", required=True, metavar="KIND")
    telegram = kinds.add_parser("telegram", help="a Telegram Desktop chat export (result.json)")
    telegram.add_argument("file", type=Path)
    telegram.add_argument("--chat", type=int, required=True, help="target chat id (-100…)")
    telegram.add_argument(
        "--timezone",
        default="UTC",
        help="time zone of old exports' dates, which carry none (e.g. Europe/Paris)",
    )
    telegram.add_argument(
        "--any-chat", action="store_true", help="import even if the export is of another chat"
    )
    bookmarks = kinds.add_parser("bookmarks", help="a Netscape bookmark file (.html)")
    bookmarks.add_argument("file", type=Path)
    bookmarks.add_argument("--chat", type=int, required=True, help="target chat id (-100…)")
    bookmarks.add_argument(
        "--include-private",
        action="store_true",
        help='also import bookmarks marked PRIVATE="1" (every member of the chat will see them)',
    )
    jsonl = kinds.add_parser("jsonl", help="a `veille export --format jsonl` file")
    jsonl.add_argument("file", type=Path)


def import_command(settings: Settings, args: argparse.Namespace) -> int:
    try:
        timezone = ZoneInfo(getattr(args, "timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        print(f"veille: unknown time zone {args.timezone!r} (try Europe/Paris)", file=sys.stderr)
        return 2
    if not args.file.is_file():
        print(f"veille: {args.file}: no such file", file=sys.stderr)
        return 1
    with open(args.file, "rb") as file:
        return asyncio.run(_run(settings, args, file, timezone))


async def _run(
    settings: Settings, args: argparse.Namespace, file: BinaryIO, timezone: ZoneInfo
) -> int:
    try:
        rules = load_rules(settings.rules_file)
    except RulesFileError as error:
        print(f"veille: {error}", file=sys.stderr)
        return 2
    db = Database(settings.database)
    await db.open()
    try:
        await migrate(db)
        service = ImportService(db, rules)
        with ProgressReport(sys.stderr) as report:
            summary = await _dispatch(service, args, file, timezone, report)
    except WrongChat as error:
        hint = "use --any-chat to import it anyway"
        print(f"veille: {args.file}: {error} ({hint})", file=sys.stderr)
        return 1
    finally:
        await db.close()
    print(render_summary(summary, settings.default_language))
    return 1 if summary.failure is not None else 0


async def _dispatch(
    service: ImportService,
    args: argparse.Namespace,
    file: BinaryIO,
    timezone: ZoneInfo,
    report: ProgressReport,
) -> ImportSummary:
    if args.import_kind == "telegram":
        return await service.telegram(
            file,
            args.chat,
            create_chat=True,
            any_chat=args.any_chat,
            timezone=timezone,
            progress=report,
        )
    if args.import_kind == "bookmarks":
        return await service.bookmarks(
            file,
            args.chat,
            include_private=args.include_private,
            create_chat=True,
            progress=report,
        )
    return await service.jsonl(file, progress=report)


class ProgressReport:
    """A progress bar on a terminal; otherwise a plain line every few seconds."""

    def __init__(self, out: TextIO, interval: float = PLAIN_PROGRESS_SECONDS) -> None:
        self._out = out
        self._interval = interval
        self._bar: tqdm[Any] | None = None
        self._last_line = time.monotonic()
        self._terminal = out.isatty()

    def __enter__(self) -> ProgressReport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.close()

    def __call__(self, progress: ImportProgress) -> None:
        if self._terminal:
            self._update_bar(progress)
        elif time.monotonic() - self._last_line >= self._interval:
            self._last_line = time.monotonic()
            self._out.write(progress_line(progress) + "\n")
            self._out.flush()

    def _update_bar(self, progress: ImportProgress) -> None:
        if self._bar is None:
            self._bar = tqdm(
                total=progress.total_bytes,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                file=self._out,
                desc="import",
            )
        self._bar.update(progress.done_bytes - self._bar.n)
        self._bar.set_postfix(records=progress.records, refresh=False)


def progress_line(progress: ImportProgress) -> str:
    """'veille import: 12,000 records read, 4.1 of 9.8 MiB (42%)'."""
    done = progress.done_bytes / 1024 / 1024
    line = f"veille import: {progress.records:,} records read, {done:.1f}"
    if progress.total_bytes:
        total = progress.total_bytes / 1024 / 1024
        percent = 100 * progress.done_bytes / progress.total_bytes
        line += f" of {total:.1f} MiB ({percent:.0f}%)"
    else:
        line += " MiB"
    return line
