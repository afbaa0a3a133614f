"""/alerts, /subscribe, /unsubscribe, /subscriptions and /status."""

from __future__ import annotations

from telegram import Chat, Message, Update
from telegram.constants import ParseMode

from bot.alerts import Target
from bot.alerts_render import (
    describe_subscription,
    render_my_subscriptions,
    render_refusal,
    render_subscribed,
    target_name,
)
from bot.announce import FilterError, SubscribeArgs, parse_subscribe_args
from bot.chat_settings import parse_switch
from bot.i18n import Lang, core
from bot.i18n import alerts as texts
from bot.status import render_status
from handlers.context import (
    Context,
    chat_ref,
    is_chat_admin,
    language,
    reply,
    sender_id,
    services,
)


async def set_alerts(update: Update, context: Context) -> None:
    """/alerts on|off: announce the petitions and campaigns shared here (admins only)."""
    message = update.effective_message
    if message is None:
        return
    svc = services(context)
    lang = await language(update, context)
    chat = await svc.access.get(message.chat_id)
    switch = parse_switch(context.args[0]) if context.args else None
    if message.chat.type == Chat.PRIVATE:
        await reply(message, texts.GROUPS_ONLY(lang))
    elif switch is None or chat is None:
        state = texts.STATE_ON if chat is None or chat.alerts_enabled else texts.STATE_OFF
        await reply(message, texts.ALERTS_USAGE(lang, state=state(lang)))
    elif not await is_chat_admin(message, context):
        await reply(message, core.ADMIN_ONLY(lang))
    else:
        await svc.access.set_alerts(chat.id, switch)
        done = texts.ALERTS_SET_ON if switch else texts.ALERTS_SET_OFF
        await reply(message, done(lang))


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe [pétitions|campagnes] [#tags]: announcements posted here (or in @channel)."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    args = await _parsed(message, context, lang)
    target = await _target(message, context, args, lang, to_post=True) if args else None
    if args is None or target is None:
        return
    await services(context).alerts.subscribe(target, sender_id(message), args.filters)
    await _reply(message, render_subscribed(target, args.filters, lang))


async def unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe [@channel]: no more announcements there (admins only)."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    args = await _parsed(message, context, lang)
    target = await _target(message, context, args, lang, to_post=False) if args else None
    if target is None:
        return
    ended = await services(context).alerts.unsubscribe(target.ref.id)
    text = texts.UNSUBSCRIBED if ended else texts.NOT_SUBSCRIBED
    await _reply(message, text(lang, chat=target_name(target, lang)))


async def subscriptions(update: Update, context: Context) -> None:
    """/subscriptions: the filters in force here; in private, the chats you subscribed."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    alerts = services(context).alerts
    if message.chat.type != Chat.PRIVATE:
        found = await alerts.repo.get(message.chat_id)
        here = target_name(Target(chat_ref(message.chat)), lang)
        await _reply(message, describe_subscription(found, here, lang))
        return
    user_id = message.from_user.id if message.from_user else message.chat_id
    mine = await alerts.repo.by_user(user_id)
    await _reply(message, render_my_subscriptions(mine, lang))


async def status(update: Update, context: Context) -> None:
    """/status: the deployment at a glance (operators, in a private chat)."""
    message = update.effective_message
    if message is None:
        return
    svc = services(context)
    lang = await language(update, context)
    user = message.from_user
    if user is None or not svc.access.is_operator(user.id):
        await reply(message, core.OPERATORS_ONLY(lang))
    elif message.chat.type != Chat.PRIVATE:
        await reply(message, texts.STATUS_PRIVATE_ONLY(lang))
    else:
        report = await svc.alerts.status()
        text = render_status(report.counts, report.outbox, report.errors, lang, markup=True)
        await _reply(message, text)


async def _parsed(message: Message, context: Context, lang: Lang) -> SubscribeArgs | None:
    try:
        return parse_subscribe_args(context.args or [])
    except FilterError as error:
        usage = texts.SUBSCRIBE_USAGE(lang)
        await reply(message, texts.BAD_FILTER(lang, word=error.word, usage=usage))
        return None


async def _target(
    message: Message, context: Context, args: SubscribeArgs, lang: Lang, *, to_post: bool
) -> Target | None:
    """The chat the command is about, if the sender may act on it; otherwise say why not."""
    alerts = services(context).alerts
    if args.target is not None:
        user_id = sender_id(message) or 0
        target = await alerts.target_named(args.target, user_id, to_post=to_post)
    elif message.chat.type == Chat.PRIVATE:
        await reply(message, texts.REFUSED_PRIVATE(lang))
        return None
    elif not await is_chat_admin(message, context):
        target = Target(chat_ref(message.chat), "not_admin")
    else:
        target = await alerts.target_here(chat_ref(message.chat), to_post=to_post)
    if target.refusal is None:
        return target
    await _reply(message, render_refusal(target.refusal, target, lang))
    return None


async def _reply(message: Message, text: str) -> None:
    await reply(message, text, parse_mode=ParseMode.HTML)
