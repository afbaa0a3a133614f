"""/feed add|list|remove|public|private|interval|resume: organisations' feeds."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import Chat, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode

from bot.alerts import Target
from bot.alerts_render import render_refusal
from bot.feed_args import FeedArgs, FeedArgsError, parse_feed_args
from bot.feed_render import feed_chat_name, render_add_refused, render_added, render_feed_list
from bot.feed_schedule import MAX_CHAT_INTERVAL, MIN_CHAT_INTERVAL, describe_interval
from bot.feeds import AddRefused, Feed, FeedRequest
from bot.i18n import Lang, core
from bot.i18n import feeds as texts
from handlers.context import (
    Context,
    chat_ref,
    is_chat_admin,
    language,
    reply,
    sender_id,
    services,
)

Action = Callable[[Message, Context, FeedArgs, Lang], Awaitable[None]]
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def feed_command(update: Update, context: Context) -> None:
    """/feed …: follow organisations' feeds here (admins), list them, change them."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    try:
        args = parse_feed_args(context.args or [])
    except FeedArgsError as error:
        word = html.escape(error.word)
        await _reply(message, texts.BAD_ARGS(lang, word=word, usage=texts.USAGE(lang)))
        return
    await ACTIONS[args.action](message, context, args, lang)


async def _help(message: Message, context: Context, args: FeedArgs, lang: Lang) -> None:
    await _reply(message, texts.USAGE(lang))


async def _add(message: Message, context: Context, args: FeedArgs, lang: Lang) -> None:
    svc = services(context)
    allowed, target = await _add_target(message, context, args, lang)
    if not allowed:
        return
    try:
        added = await svc.feeds.add(_request(message, context, args, target))
    except AddRefused as refusal:
        await _reply(message, render_add_refused(refusal, args.url or "", lang))
        return
    chat = feed_chat_name(target, lang)
    sampled = added.sampled if args.sample else None
    interval = svc.feeds.interval_of(added.feed)
    await _reply(message, render_added(added.feed, added.entries, sampled, chat, lang, interval))


def _request(
    message: Message, context: Context, args: FeedArgs, target: Target | None
) -> FeedRequest:
    user = sender_id(message)
    return FeedRequest(
        url=args.url or "",
        chat_id=None if target is None else target.ref.id,
        kind=args.kind,
        tags=args.tags,
        sample=args.sample,
        added_by=user,
        language=message.from_user.language_code if user and message.from_user else None,
        limited=not services(context).access.is_operator(user),
    )


async def _add_target(
    message: Message, context: Context, args: FeedArgs, lang: Lang
) -> tuple[bool, Target | None]:
    """Whether to go on, and the chat the feed is for (None: the community, operators only)."""
    svc = services(context)
    user = sender_id(message)
    if args.target is not None:
        target = await svc.alerts.target_named(args.target, user or 0, to_post=True)
    elif message.chat.type == Chat.PRIVATE:
        if svc.access.is_operator(user):
            return True, None
        await _reply(message, texts.NEED_CHANNEL(lang))
        return False, None
    elif not await is_chat_admin(message, context):
        await _reply(message, core.ADMIN_ONLY(lang))
        return False, None
    else:
        target = await svc.alerts.target_here(chat_ref(message.chat), to_post=True)
    if target.refusal is None:
        return True, target
    await _reply(message, render_refusal(target.refusal, target, lang))
    return False, None


async def _list(message: Message, context: Context, args: FeedArgs, lang: Lang) -> None:
    svc = services(context)
    user = sender_id(message)
    if message.chat.type != Chat.PRIVATE:
        feeds = await svc.feeds.repo.for_chat(message.chat_id)
        header = texts.LIST_HEADER(lang, chat=feed_chat_name(Target(chat_ref(message.chat)), lang))
    elif svc.access.is_operator(user):
        feeds, header = await svc.feeds.repo.every(), texts.LIST_ALL(lang)
    else:
        feeds, header = await svc.feeds.repo.by_user(user or 0), texts.LIST_MINE(lang)
    default = svc.settings.feed_poll_seconds
    await _reply(message, render_feed_list(feeds, header, lang, default))


async def _change(message: Message, context: Context, args: FeedArgs, lang: Lang) -> None:
    """remove, public, private, interval and resume: one feed, by its number."""
    svc = services(context)
    feed = await _manageable(message, context, args.feed_id or 0, lang)
    if feed is None:
        return
    operator = svc.access.is_operator(sender_id(message))
    if args.action in ("public", "private") and not operator:
        await _reply(message, core.OPERATORS_ONLY(lang))
    elif args.action == "remove":
        await svc.feeds.remove(feed.id)
        await _reply(message, texts.REMOVED(lang, id=feed.id))
    elif args.action == "public":
        await svc.feeds.set_public(feed.id, True)
        await _reply(message, texts.PUBLIC_ON(lang, id=feed.id))
    elif args.action == "private":
        done = await svc.feeds.set_public(feed.id, False)
        text = texts.PUBLIC_OFF if done else texts.STAYS_PUBLIC
        await _reply(message, text(lang, id=feed.id))
    elif args.action == "resume":
        done = await svc.feeds.resume(feed.id)
        await _reply(message, (texts.RESUMED if done else texts.NOT_PAUSED)(lang, id=feed.id))
    else:
        await _set_interval(message, context, feed, args.interval or 0, lang)


async def _set_interval(
    message: Message, context: Context, feed: Feed, seconds: int, lang: Lang
) -> None:
    if not MIN_CHAT_INTERVAL <= seconds <= MAX_CHAT_INTERVAL:
        least = describe_interval(MIN_CHAT_INTERVAL)
        await _reply(message, texts.INTERVAL_BAD(lang, least=least))
        return
    await services(context).feeds.set_interval(feed.id, seconds)
    interval = describe_interval(seconds)
    await _reply(message, texts.INTERVAL_SET(lang, id=feed.id, interval=interval))


async def _manageable(message: Message, context: Context, feed_id: int, lang: Lang) -> Feed | None:
    """The feed, if the sender may change it here; otherwise say why not and return None."""
    feed = await services(context).feeds.repo.get(feed_id)
    here = message.chat.type != Chat.PRIVATE
    if feed is None or (here and feed.chat_id != message.chat_id):
        await _reply(message, texts.NOT_FOUND(lang, id=feed_id))
        return None
    if await _may_change(message, context, feed):
        return feed
    await _reply(message, core.ADMIN_ONLY(lang) if here else texts.NOT_FOUND(lang, id=feed_id))
    return None


async def _may_change(message: Message, context: Context, feed: Feed) -> bool:
    """Operators may change any feed. In a chat, its admins change its own feeds; in a private
    chat, the admins of the feed's chat (checked with Telegram, fresh)."""
    svc = services(context)
    user = sender_id(message)
    if svc.access.is_operator(user):
        return True
    if message.chat.type != Chat.PRIVATE:
        return await is_chat_admin(message, context)
    if feed.chat_id is None or user is None:
        return False
    svc.members.invalidate(feed.chat_id, user)
    return await svc.members.is_admin(feed.chat_id, user)


async def _reply(message: Message, text: str) -> None:
    await reply(message, text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)


ACTIONS: dict[str, Action] = {
    "help": _help,
    "add": _add,
    "list": _list,
    "remove": _change,
    "public": _change,
    "private": _change,
    "resume": _change,
    "interval": _change,
}
