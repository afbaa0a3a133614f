"""/feed add|list|remove|public|private|interval|resume: organisations' feeds."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import Chat, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode

from bot.alerts import Target
from bot.feed_args import FeedArgs, FeedArgsError, parse_feed_args
from bot.feed_render import render_added, render_feed_list
from bot.feed_schedule import MAX_CHAT_INTERVAL, MIN_CHAT_INTERVAL, describe_interval
from bot.feeds import AddRefused, FeedRequest
from bot.i18n import Lang, core
from bot.i18n import feeds as texts
from handlers.alerts import REFUSALS
from handlers.context import Context, chat_ref, is_chat_admin, language, reply, services
from storage.feeds import Feed

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
    user = _user_id(message)
    request = FeedRequest(
        url=args.url or "",
        chat_id=None if target is None else target.ref.id,
        kind=args.kind,
        tags=args.tags,
        sample=args.sample,
        added_by=user,
        language=message.from_user.language_code if user and message.from_user else None,
        limited=not svc.access.is_operator(user),
    )
    try:
        added = await svc.feeds.add(request)
    except AddRefused as refusal:
        await _reply(message, _refusal_text(refusal, args.url or "", lang))
        return
    chat = _chat_name(target, lang)
    sampled = added.sampled if args.sample else None
    interval = svc.feeds.interval_of(added.feed)
    await _reply(message, render_added(added.feed, added.entries, sampled, chat, lang, interval))


async def _add_target(
    message: Message, context: Context, args: FeedArgs, lang: Lang
) -> tuple[bool, Target | None]:
    """Whether to go on, and the chat the feed is for (None: the community, operators only)."""
    svc = services(context)
    user = _user_id(message)
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
    await _reply(message, REFUSALS[target.refusal](lang, chat=_chat_name(target, lang)))
    return False, None


def _refusal_text(refusal: AddRefused, url: str, lang: Lang) -> str:
    shown = html.escape(url)
    if refusal.code == "not_a_feed" and "html" in refusal.detail:
        if not refusal.alternates:
            return texts.NOT_A_FEED_HTML_NONE(lang)
        found = "\n".join(html.escape(link) for link in refusal.alternates)
        return texts.NOT_A_FEED_HTML(lang, alternates=found)
    detail = html.escape(refusal.detail)
    return {
        "invalid_url": lambda: texts.INVALID_URL(lang, url=shown),
        "unreachable": lambda: texts.UNREACHABLE(lang, url=shown, reason=detail),
        "not_a_feed": lambda: texts.NOT_A_FEED(lang, reason=detail),
        "unreadable": lambda: texts.UNREADABLE(lang, reason=detail),
        "duplicate": lambda: texts.DUPLICATE(lang),
        "too_many": lambda: texts.TOO_MANY(lang, limit=refusal.detail),
    }[refusal.code]()


async def _list(message: Message, context: Context, args: FeedArgs, lang: Lang) -> None:
    svc = services(context)
    user = _user_id(message)
    if message.chat.type != Chat.PRIVATE:
        feeds = await svc.feeds.repo.for_chat(message.chat_id)
        header = texts.LIST_HEADER(lang, chat=_chat_name(Target(chat_ref(message.chat)), lang))
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
    operator = svc.access.is_operator(_user_id(message))
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
    """The feed, if the sender may change it here; otherwise say why not and return None.

    Operators may change any feed. In a chat, its admins change its own feeds; in a private
    chat, the admins of the feed's chat (checked with Telegram, fresh).
    """
    svc = services(context)
    feed = await svc.feeds.repo.get(feed_id)
    user = _user_id(message)
    here = message.chat.type != Chat.PRIVATE
    if feed is None or (here and feed.chat_id != message.chat_id):
        await _reply(message, texts.NOT_FOUND(lang, id=feed_id))
        return None
    if svc.access.is_operator(user):
        return feed
    if here:
        allowed = await is_chat_admin(message, context)
    elif feed.chat_id is None or user is None:
        allowed = False
    else:
        svc.members.invalidate(feed.chat_id, user)
        allowed = await svc.members.is_admin(feed.chat_id, user)
    if not allowed:
        await _reply(message, core.ADMIN_ONLY(lang) if here else texts.NOT_FOUND(lang, id=feed_id))
        return None
    return feed


def _user_id(message: Message) -> int | None:
    """The person who sent the command; None for a channel post or an anonymous admin."""
    user = message.from_user
    return user.id if user is not None and message.sender_chat is None else None


def _chat_name(target: Target | None, lang: Lang) -> str:
    if target is None:
        return texts.WHAT_COMMUNITY(lang)
    ref = target.ref
    if ref.id == 0:
        return f"<b>{html.escape(ref.title)}</b>"
    return f"<b>{html.escape(f'@{ref.username}' if ref.username else ref.title)}</b>"


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
