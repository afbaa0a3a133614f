"""/search and /recent, their page buttons, inline queries, and membership-cache upkeep."""

from __future__ import annotations

import logging

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.i18n import Lang
from bot.i18n import search as texts
from bot.search import Hit, SavedSearch, Scope, page_callback
from bot.search_render import inline_description, inline_message, label, render_saved_page
from handlers.context import Context, language, reply, sender_of, services

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def command_argument(text: str | None) -> str:
    """What follows `/search` (or `/search@bot`) in a message."""
    parts = (text or "").split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def search_command(update: Update, context: Context) -> None:
    """/search words: the best matching links, with ◀ ▶ buttons when there are more."""
    message = update.effective_message
    if message is None:
        return
    text = command_argument(message.text)
    if not text.strip():
        lang = await language(update, context)
        help_text = texts.SEARCH_HELP(lang, bot=context.bot.username or "bot")
        await reply(message, help_text, parse_mode=ParseMode.HTML)
        return
    await send_results(update, context, message, text)


async def recent_command(update: Update, context: Context) -> None:
    """/recent: the latest links, with page buttons."""
    if update.effective_message is not None:
        await send_results(update, context, update.effective_message, "")


async def send_results(update: Update, context: Context, message: Message, text: str) -> None:
    lang = await language(update, context)
    scope = await scope_of(update, context, message, lang)
    if scope is None:
        return
    search = services(context).search
    result = await search.page(scope, text, 0)
    owner = message.from_user.id if scope.private and message.from_user else None
    saved = SavedSearch(text, message.chat_id, owner, scope.private)
    search_id = search.remember(saved) if result.has_more else ""
    await reply(
        message,
        render_saved_page(result.hits, saved, 0, search.page_size, lang),
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
        reply_markup=_buttons(search_id, 0, result.has_more),
    )


async def scope_of(update: Update, context: Context, message: Message, lang: Lang) -> Scope | None:
    """What this chat may search; says why not (and returns None) when nothing."""
    search = services(context).search
    user = message.from_user
    if message.chat.type == Chat.PRIVATE:
        scope = await search.private_scope(user.id if user else message.chat_id)
        if not scope.chat_ids:
            await reply(message, texts.NO_GROUPS(lang))
            return None
        return scope
    group = await search.group_scope(message.chat_id)
    if group is None:
        await reply(message, texts.NOT_SERVED(lang))
        return None
    person = sender_of(message)
    if person is not None and message.sender_chat is None:
        await search.record_sighting(message.chat_id, person)
    return group


async def page_button(update: Update, context: Context) -> None:
    """◀ or ▶ under a result message: show another page of the same search."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    search = services(context).search
    lang = await language(update, context)
    chat_id = query.message.chat.id if query.message else None
    pressed = await search.pressed_page(query.data, chat_id, query.from_user.id)
    if pressed is None:
        await query.answer(texts.PAGE_EXPIRED(lang), show_alert=True)
        return
    page = pressed.page
    result = await search.page(pressed.scope, pressed.saved.text, page)
    await query.answer()
    try:
        await query.edit_message_text(
            render_saved_page(result.hits, pressed.saved, page, search.page_size, lang),
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            reply_markup=_buttons(pressed.search_id, page, result.has_more),
        )
    except TelegramError as error:  # "message is not modified", a deleted message...
        log.debug("could not show page %s: %s", page, error)


def _buttons(search_id: str, page: int, has_more: bool) -> InlineKeyboardMarkup | None:
    if not search_id:
        return None
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("◀", callback_data=page_callback(search_id, page - 1)))
    if has_more:
        row.append(InlineKeyboardButton("▶", callback_data=page_callback(search_id, page + 1)))
    return InlineKeyboardMarkup([row]) if row else None


async def inline_search(update: Update, context: Context) -> None:
    """@bot words, from any chat: the asker's groups' links, 50 at a time."""
    inline = update.inline_query
    if inline is None:
        return
    svc = services(context)
    lang = svc.language(None, inline.from_user.language_code)
    offset = int(inline.offset) if inline.offset.isdigit() else 0
    result = await svc.search.inline_page(inline.from_user.id, inline.query, offset)
    button = None
    if not result.hits and offset == 0:
        button = InlineQueryResultsButton(texts.INLINE_NO_RESULTS(lang), start_parameter="help")
    await inline.answer(
        [_article(hit, lang) for hit in result.hits],
        cache_time=10,
        is_personal=True,
        next_offset=str(offset + len(result.hits)) if result.has_more else "",
        button=button,
    )


def _article(hit: Hit, lang: Lang) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=str(hit.id),
        title=label(hit),
        description=inline_description(hit, lang),
        input_message_content=InputTextMessageContent(
            inline_message(hit), parse_mode=ParseMode.HTML
        ),
    )


async def chosen_result(update: Update, context: Context) -> None:
    """An inline result was posted (Telegram posted it; nothing is stored about it)."""
    chosen = update.chosen_inline_result
    if chosen is not None:
        log.debug("inline result chosen: link %s", chosen.result_id)


async def member_changed(update: Update, context: Context) -> None:
    """Someone joined or left a group: their cached membership is stale now."""
    members = services(context).members
    if update.chat_member is not None:
        change = update.chat_member
        members.invalidate(change.chat.id, change.new_chat_member.user.id)
    message = update.effective_message
    if message is not None and message.left_chat_member is not None:
        members.invalidate(message.chat_id, message.left_chat_member.id)
