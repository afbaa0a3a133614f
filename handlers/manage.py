"""/tags, /delete and /forgetme (with its confirmation button)."""

from __future__ import annotations

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.erasure import FORGET_PREFIX, delete_decision
from bot.i18n import search as texts
from bot.search_render import render_tags
from handlers.context import Context, is_chat_admin, language, reply, services
from handlers.search import scope_of


async def tags_command(update: Update, context: Context) -> None:
    """/tags: the most used hashtags here (in private: in the asker's groups)."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    scope = await scope_of(update, context, message, lang)
    if scope is not None:
        tags = await services(context).search.top_tags(scope)
        await reply(message, render_tags(tags, lang), parse_mode=ParseMode.HTML)


async def delete_command(update: Update, context: Context) -> None:
    """/delete, in reply to a message: forget its links (its sharer or a chat admin)."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    target = message.reply_to_message
    if target is None or message.chat.type == Chat.PRIVATE:
        await reply(message, texts.DELETE_USAGE(lang))
        return
    erasure = services(context).erasure
    owners = await erasure.share_owners(message.chat_id, target.message_id)
    requester = {x.id for x in (message.from_user, message.sender_chat) if x is not None}
    decision = delete_decision(owners, requester)
    if not decision.found:
        await reply(message, texts.DELETE_NOTHING(lang))
    elif not decision.owned and not await is_chat_admin(message, context):
        await reply(message, texts.DELETE_NOT_ALLOWED(lang))
    else:
        removed = await erasure.delete_message(message.chat_id, target.message_id)
        await reply(message, texts.DELETE_DONE(lang, shares=removed.shares, links=removed.links))


async def forgetme_command(update: Update, context: Context) -> None:
    """/forgetme, in private: ask for confirmation before erasing everything."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    if message.chat.type != Chat.PRIVATE or message.from_user is None:
        await reply(message, texts.FORGET_PRIVATE_ONLY(lang))
        return
    shares = await services(context).erasure.share_count(message.from_user.id)
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.FORGET_YES(lang), callback_data=f"{FORGET_PREFIX}y"),
                InlineKeyboardButton(texts.FORGET_NO(lang), callback_data=f"{FORGET_PREFIX}n"),
            ]
        ]
    )
    await reply(
        message,
        texts.FORGET_CONFIRM(lang, shares=shares),
        parse_mode=ParseMode.HTML,
        reply_markup=buttons,
    )


async def forget_button(update: Update, context: Context) -> None:
    """Yes or Cancel under /forgetme's question."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    lang = await language(update, context)
    user_id = query.from_user.id
    if query.message is None or query.message.chat.id != user_id:
        await query.answer(texts.FORGET_NOT_YOURS(lang), show_alert=True)
        return
    await query.answer()
    if query.data != f"{FORGET_PREFIX}y":
        await query.edit_message_text(texts.FORGET_CANCELLED(lang))
        return
    svc = services(context)
    forgotten = await svc.erasure.forget(user_id)
    svc.search.pages.forget_owner(user_id)
    await query.edit_message_text(
        texts.FORGET_DONE(
            lang, shares=forgotten.shares, links=forgotten.links, chats=forgotten.chats
        )
    )
