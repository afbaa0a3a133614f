"""/start, /help, /lang and /ack."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.constants import ParseMode

from bot.chat_settings import parse_ack_mode
from bot.commands import help_lines
from bot.i18n import as_lang, core
from handlers.context import Context, chat_ref, is_chat_admin, language, reply, services


async def start(update: Update, context: Context) -> None:
    """Introduce the bot."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    if message.chat.type == Chat.PRIVATE:
        user_id = message.from_user.id if message.from_user else message.chat_id
        text = core.START_PRIVATE(lang, user_id=user_id)
    else:
        text = core.START_GROUP(lang)
    await reply(message, text, parse_mode=ParseMode.HTML)


async def help_command(update: Update, context: Context) -> None:
    """List the commands available here."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    private = message.chat.type == Chat.PRIVATE
    lines = help_lines(lang, "private" if private else "groups")
    await reply(message, core.HELP(lang, commands=lines), parse_mode=ParseMode.HTML)


async def set_language(update: Update, context: Context) -> None:
    """/lang fr|en: the language of the bot in this chat (admins only)."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    chosen = as_lang(context.args[0]) if context.args else None
    if chosen is None:
        await reply(message, core.LANG_USAGE(lang, current=lang))
    elif not await is_chat_admin(message, context):
        await reply(message, core.ADMIN_ONLY(lang))
    else:
        await _ensure_chat_row(update, context)
        await services(context).access.set_language(message.chat_id, chosen)
        await reply(message, core.LANG_SET(chosen))


async def set_ack_mode(update: Update, context: Context) -> None:
    """/ack reaction|reply|silent: how saved links are acknowledged (admins only)."""
    message = update.effective_message
    if message is None:
        return
    svc = services(context)
    lang = await language(update, context)
    chat = await svc.access.get(message.chat_id)
    mode = parse_ack_mode(context.args[0]) if context.args else None
    if mode is None or chat is None:
        current = chat.ack_mode if chat else "react"
        await reply(message, core.ACK_USAGE(lang, current=current))
    elif not await is_chat_admin(message, context):
        await reply(message, core.ADMIN_ONLY(lang))
    else:
        await svc.access.set_ack_mode(chat.id, mode)
        await reply(message, core.ACK_SET(lang, mode=mode))


async def _ensure_chat_row(update: Update, context: Context) -> None:
    """Private chats get a row too, so that their language setting has a home."""
    chat = update.effective_chat
    if chat is None:
        return
    svc = services(context)
    if await svc.access.get(chat.id) is None:
        if chat.type == Chat.PRIVATE:
            await svc.chats.upsert(
                chat.id,
                type=chat.type,
                title=chat.full_name or "",
                username=chat.username,
                status="approved",
            )
        else:
            await svc.access.on_message(chat_ref(chat))
