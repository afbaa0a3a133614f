"""Composition root: builds the Application, its services and its handlers.

This is the only module of `bot/` that imports `handlers/`. Handler order, in one place:

group -2  members joining or leaving (chat_member, left_chat_member): membership cache upkeep
group -1  the bot's own membership (my_chat_member), group migrations, approval buttons
group  0  commands (/start, /help, /lang, /ack, /previews, /alerts, /subscribe, /unsubscribe,
          /subscriptions, /status, /feed, /search, /recent, /tags, /delete, /forgetme,
          /import); a file sent privately with the caption /import; the buttons of search
          pages, /forgetme and /import; inline queries and chosen inline results
group  1  capture of group messages and channel posts (text and captions, edits included)

Commands and capture sit in different groups so that a message is never both; capture excludes
commands itself, and the groups document which runs first.
"""

from __future__ import annotations

import gc
import logging

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.access import APPROVE_PREFIX
from bot.commands import commands_for
from bot.config import Settings
from bot.erasure import FORGET_PREFIX
from bot.i18n import LANGUAGES
from bot.search import PAGE_PREFIX
from bot.services import Services
from handlers import alerts, basics, capture, errors, imports, manage, membership, previews
from handlers import feeds as feed_handlers
from handlers import search as searching

log = logging.getLogger(__name__)

# Commands are read in groups, supergroups and private chats, and in channels as channel posts.
COMMAND_UPDATES = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
SHARED_MESSAGES = (
    (filters.UpdateType.MESSAGES | filters.UpdateType.CHANNEL_POSTS)
    & (filters.TEXT | filters.CAPTION)
    & ~filters.COMMAND
    & ~filters.ChatType.PRIVATE
)


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    tune_gc: bool = False,
) -> Application:  # type: ignore[type-arg]
    """The Application for these settings; `request` replaces the network (tests, benchmarks).

    `tune_gc` is for long-running processes (`veille run`, benchmarks): see
    `tune_garbage_collector`. Test suites leave it off, so that leaks still surface.
    """
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .concurrent_updates(settings.concurrent_updates)
        .post_init(start_services)
        .post_stop(stop_sending)
        .post_shutdown(stop_services)
    )
    if settings.api_base_file_url:
        builder = builder.base_file_url(settings.api_base_file_url)
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data["settings"] = settings
    application.bot_data["tune_gc"] = tune_gc
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:  # type: ignore[type-arg]
    add = application.add_handler
    add(ChatMemberHandler(membership.bot_membership, ChatMemberHandler.MY_CHAT_MEMBER), -1)
    add(MessageHandler(filters.StatusUpdate.MIGRATE, membership.migrated), -1)
    add(CallbackQueryHandler(membership.approval_button, pattern=f"^{APPROVE_PREFIX}"), -1)

    for name, callback in (
        ("start", basics.start),
        ("help", basics.help_command),
        ("lang", basics.set_language),
        ("ack", basics.set_ack_mode),
        ("previews", previews.set_previews),
        ("alerts", alerts.set_alerts),
        ("subscribe", alerts.subscribe),
        ("unsubscribe", alerts.unsubscribe),
        ("subscriptions", alerts.subscriptions),
        ("status", alerts.status),
        ("feed", feed_handlers.feed_command),
        ("search", searching.search_command),
        ("recent", searching.recent_command),
        ("tags", manage.tags_command),
        ("delete", manage.delete_command),
        ("forgetme", manage.forgetme_command),
    ):
        add(CommandHandler(name, callback, filters=COMMAND_UPDATES), 0)
    add(CommandHandler("import", imports.how_to, filters=filters.ChatType.PRIVATE), 0)
    add(MessageHandler(imports.FILE_WITH_IMPORT_CAPTION, imports.offered_file), 0)
    add(CallbackQueryHandler(imports.chosen_chat, pattern=f"^{imports.BUTTON_PREFIX}"), 0)
    add(CallbackQueryHandler(searching.page_button, pattern=f"^{PAGE_PREFIX}"), 0)
    add(CallbackQueryHandler(manage.forget_button, pattern=f"^{FORGET_PREFIX}"), 0)
    add(InlineQueryHandler(searching.inline_search), 0)
    add(ChosenInlineResultHandler(searching.chosen_result), 0)
    add(ChatMemberHandler(searching.member_changed, ChatMemberHandler.CHAT_MEMBER), -2)
    add(MessageHandler(filters.StatusUpdate.LEFT_CHAT_MEMBER, searching.member_changed), -2)

    add(MessageHandler(SHARED_MESSAGES, capture.capture), 1)
    application.add_error_handler(errors.log_error)


async def start_services(application: Application) -> None:  # type: ignore[type-arg]
    """post_init: open the database, start the workers, publish the command menus."""
    settings: Settings = application.bot_data["settings"]
    services = await Services.open(settings, application.bot)
    application.bot_data["services"] = services
    services.start()
    await publish_commands(application)
    if application.bot_data.get("tune_gc"):
        tune_garbage_collector()


def tune_garbage_collector() -> None:
    """Keep the cyclic collector from rescanning what start-up built, and run it less often.

    A busy bot holds hundreds of in-flight updates (each a tree of PTB objects); with Python's
    default thresholds the collector walks them again and again (measured: a quarter of capture's
    CPU at 2,000 messages/s). Start-up objects never die, so they are frozen out of collection;
    reference counting still frees everything that is not in a cycle, immediately.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


async def stop_sending(application: Application) -> None:  # type: ignore[type-arg]
    """post_stop: let announcements in flight finish while the bot can still reach Telegram."""
    services = application.bot_data.get("services")
    if isinstance(services, Services):
        await services.alerts.stop()


async def stop_services(application: Application) -> None:  # type: ignore[type-arg]
    """post_shutdown: finish queued writes, stop the workers, close the database."""
    services = application.bot_data.pop("services", None)
    if isinstance(services, Services):
        await services.close()


async def publish_commands(application: Application) -> None:  # type: ignore[type-arg]
    """Register every command with Telegram, in French and English, per chat kind."""
    bot = application.bot
    scopes = (
        ("private", BotCommandScopeAllPrivateChats()),
        ("groups", BotCommandScopeAllGroupChats()),
    )
    try:
        for where, scope in scopes:
            for lang in LANGUAGES:
                commands = [
                    BotCommand(spec.name, spec.description(lang)[:256])
                    for spec in commands_for(where)  # type: ignore[arg-type]
                ]
                await bot.set_my_commands(commands, scope=scope, language_code=lang)
            default = [BotCommand(s.name, s.description("en")) for s in commands_for(where)]  # type: ignore[arg-type]
            await bot.set_my_commands(default, scope=scope)
    except TelegramError as error:
        log.warning("could not publish the command menus: %s", error)
