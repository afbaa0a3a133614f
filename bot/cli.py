"""The `veille` command line (also `python -m bot`).

Settings are read here, in `main()`, and passed down. A settings problem is one line on stderr
and exit code 2; an operational failure is one line and exit code 1; never a traceback for
something the operator can fix.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TextIO

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

from bot import export as export_format
from bot.app import build_application
from bot.classify import RulesFileError, load_rules
from bot.config import Settings, SettingsError, load_settings
from bot.doctor import diagnose, print_findings
from bot.feeds_cli import add_feeds_parser, feeds_command
from bot.i18n import Lang
from bot.i18n import cli as texts
from bot.import_cli import add_import_parser, import_command
from bot.logs import configure_logging
from bot.outbox_cli import add_outbox_parser, outbox_command
from storage.chats import ChatRepository
from storage.db import Database, StorageError
from storage.links import LinkRepository
from storage.migrate import migrate
from storage.search import SearchRepository

log = logging.getLogger("veille")

EXIT_USAGE = 2
EXIT_FAILURE = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="veille", description="Veille: a Telegram bot that keeps a community's links."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="run the bot (long polling)")
    sub.add_parser("migrate", help="apply pending database migrations")
    export = sub.add_parser("export", help="write links to stdout")
    export.add_argument("--chat", type=int, help="only this chat id")
    export.add_argument("--format", choices=export_format.FORMATS, default="jsonl")
    add_import_parser(sub)
    add_outbox_parser(sub)
    add_feeds_parser(sub)
    sub.add_parser("doctor", help="check this deployment and say what is wrong")
    sub.add_parser("reindex", help="rebuild and optimise the search index")
    purge = sub.add_parser("purge-chat", help="erase a chat and everything stored for it")
    purge.add_argument("chat_id", type=int)
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Opt in to PTB 22's timedelta durations now, rather than get its deprecation warnings.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "run":
            settings.require_token()
            load_rules(settings.rules_file)
    except (SettingsError, RulesFileError) as error:
        print(f"veille: {error}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level, [settings.token] if settings.bot_token else [])
    command = COMMANDS[args.command]
    try:
        return command(settings, args)
    except (StorageError, SettingsError) as error:
        print(f"veille: {error}", file=sys.stderr)
        return EXIT_FAILURE


def run(settings: Settings, args: argparse.Namespace) -> int:
    problem = asyncio.run(preflight(settings))
    if problem is not None:
        code, message = problem
        print(f"veille: {message}", file=sys.stderr)
        return code
    application = build_application(settings, tune_gc=True)
    log.info("Veille starting (database %s)", settings.database)
    application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=5)
    return 0


async def preflight(settings: Settings) -> tuple[int, str] | None:
    """Check the token and the Bot API before starting, so failures are one clear line."""
    bot = Bot(settings.token, base_url=settings.api_base_url)
    try:
        async with bot:
            pass
    except InvalidToken:
        return EXIT_USAGE, texts.TOKEN_REJECTED(settings.default_language)
    except TelegramError as error:
        url = settings.api_base_url
        return EXIT_FAILURE, texts.API_UNREACHABLE(settings.default_language, url=url, error=error)
    return None


def run_async(
    body: Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]],
) -> Callable[[Settings, argparse.Namespace], int]:
    def runner(settings: Settings, args: argparse.Namespace) -> int:
        return asyncio.run(body(settings, args))

    return runner


async def _open(settings: Settings) -> Database:
    db = Database(settings.database)
    await db.open()
    await migrate(db)
    return db


@run_async
async def migrate_command(settings: Settings, args: argparse.Namespace) -> int:
    async with Database(settings.database) as db:
        applied = await migrate(db)
    lang = settings.default_language
    print(texts.MIGRATED(lang, names=", ".join(applied)) if applied else texts.UP_TO_DATE(lang))
    return 0


@run_async
async def export_command(settings: Settings, args: argparse.Namespace) -> int:
    return await write_export(settings, args.chat, args.format, sys.stdout)


async def write_export(settings: Settings, chat: int | None, fmt: str, out: TextIO) -> int:
    db = await _open(settings)
    try:
        kind: export_format.Format = fmt  # type: ignore[assignment]
        out.write(export_format.header(kind))
        async for link in LinkRepository(db).export(chat):
            out.write(export_format.entry(link, kind))
        out.write(export_format.footer(kind))
        out.flush()
    finally:
        await db.close()
    return 0


@run_async
async def purge_chat_command(settings: Settings, args: argparse.Namespace) -> int:
    db = await _open(settings)
    lang = settings.default_language
    try:
        chats = ChatRepository(db)
        chat = await chats.get(args.chat_id)
        if chat is None:
            missing = texts.NO_CHAT(lang, chat_id=args.chat_id, path=settings.database)
            print(f"veille: {missing}", file=sys.stderr)
            return EXIT_FAILURE
        counts = await chats.counts(chat.id)
        question = texts.PURGE_CONFIRM(
            lang, chat_id=chat.id, title=repr(chat.title), links=counts.links, shares=counts.shares
        )
        if not args.yes and not _confirm(question, lang):
            print(texts.NOTHING_ERASED(lang))
            return EXIT_FAILURE
        await chats.purge(chat.id)
        print(texts.ERASED(lang, chat_id=chat.id, links=counts.links, shares=counts.shares))
        return 0
    finally:
        await db.close()


@run_async
async def doctor_command(settings: Settings, args: argparse.Namespace) -> int:
    return print_findings(await diagnose(settings))


def _confirm(prompt: str, lang: Lang) -> bool:
    if not sys.stdin.isatty():
        print(f"veille: {texts.NEEDS_YES(lang)}", file=sys.stderr)
        return False
    return input(prompt).strip().lower() in {"y", "yes", "o", "oui"}


@run_async
async def reindex_command(settings: Settings, args: argparse.Namespace) -> int:
    db = await _open(settings)
    try:
        started = time.monotonic()
        count = await SearchRepository(db).rebuild_index()
        seconds = f"{time.monotonic() - started:.1f}"
        print(texts.REINDEXED(settings.default_language, count=count, seconds=seconds))
        return 0
    finally:
        await db.close()


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "run": run,
    "migrate": migrate_command,
    "export": export_command,
    "purge-chat": purge_chat_command,
    "doctor": doctor_command,
    "import": import_command,
    "outbox": outbox_command,
    "feeds": feeds_command,
    "reindex": reindex_command,
}
