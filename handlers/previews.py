"""/previews on|off: whether Veille fetches the pages of links shared in this chat."""

from __future__ import annotations

from telegram import Chat, Update

from bot.chat_settings import parse_switch
from bot.i18n import core
from bot.i18n import previews as texts
from handlers.context import Context, chat_ref, is_chat_admin, language, reply, services


async def set_previews(update: Update, context: Context) -> None:
    """/previews on|off: fetch titles and descriptions for this chat's links (admins only)."""
    message = update.effective_message
    if message is None:
        return
    svc = services(context)
    lang = await language(update, context)
    private = message.chat.type == Chat.PRIVATE
    chat = None if private else await svc.access.on_message(chat_ref(message.chat))
    enabled = parse_switch(context.args[0]) if context.args else None
    if not svc.previews.enabled:
        await reply(message, texts.DISABLED_FOR_DEPLOYMENT(lang))
    elif chat is None:
        await reply(message, texts.GROUPS_ONLY(lang))
    elif enabled is None:
        state = texts.STATE_ON if chat.previews_enabled else texts.STATE_OFF
        await reply(message, texts.USAGE(lang, state=state(lang)))
    elif not await is_chat_admin(message, context):
        await reply(message, core.ADMIN_ONLY(lang))
    else:
        await svc.previews.set_chat_previews(chat.id, enabled)
        await reply(message, (texts.TURNED_ON if enabled else texts.TURNED_OFF)(lang))
