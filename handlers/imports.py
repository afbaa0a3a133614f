"""/import in a private chat: an admin's Telegram export or bookmark file -> a group's history."""

from __future__ import annotations

import html

from telegram import CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.ext import filters

from bot.i18n import Lang, Text
from bot.i18n import imports as texts
from bot.import_report import render_run
from bot.import_requests import (
    BUTTON_PREFIX,
    MAX_DOWNLOAD_BYTES,
    Verdict,
    choice_keyboard,
    file_kind,
)
from handlers.context import Context, language, person_of, reply, services

__all__ = ["BUTTON_PREFIX", "FILE_WITH_IMPORT_CAPTION", "chosen_chat", "how_to", "offered_file"]

FILE_WITH_IMPORT_CAPTION = (
    filters.ChatType.PRIVATE & filters.Document.ALL & filters.CaptionRegex(r"^/import(@\w+)?\b")
)
LIMIT_MB = MAX_DOWNLOAD_BYTES // (1024 * 1024)
_ANSWERS: dict[Verdict, Text] = {
    "expired": texts.EXPIRED,
    "not_yours": texts.NOT_YOURS,
    "cancelled": texts.CANCELLED,
    "not_admin": texts.NOT_ADMIN,
    "busy": texts.BUSY,
}


async def how_to(update: Update, context: Context) -> None:
    """/import without a file: how to export a group's history and send it here."""
    message = update.effective_message
    if message is None:
        return
    lang = await language(update, context)
    await reply(message, texts.HOW_TO(lang, limit=LIMIT_MB), parse_mode=ParseMode.HTML)


async def offered_file(update: Update, context: Context) -> None:
    """A document with the caption /import: remember it and ask which group it is for."""
    message = update.effective_message
    if message is None or message.document is None or message.from_user is None:
        return
    lang = await language(update, context)
    document, imports = message.document, services(context).imports
    kind = file_kind(document.file_name, document.mime_type)
    if kind is None:
        text = texts.UNKNOWN_FILE(lang)
    elif (document.file_size or 0) > MAX_DOWNLOAD_BYTES:
        size = round((document.file_size or 0) / 1024 / 1024, 1)
        text = texts.TOO_BIG(lang, size=size, limit=LIMIT_MB)
    elif not (chats := await imports.candidates(message.from_user.id)):
        text = texts.NO_CHAT(lang)
    else:
        name = document.file_name or "result.json"
        offer = imports.offer(message.from_user.id, document.file_id, name, kind)
        keyboard = choice_keyboard(offer, chats, lang)
        await reply(message, texts.PICK_CHAT(lang, file=name), reply_markup=keyboard)
        return
    await reply(message, text, parse_mode=ParseMode.HTML)


async def chosen_chat(update: Update, context: Context) -> None:
    """A group picked under the question: import the file there, answer with the summary."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    lang = await language(update, context)
    imports = services(context).imports
    press = await imports.press(query.from_user.id, query.data)
    if press.verdict != "go" or press.offer is None or press.chat is None:
        await _refuse(query, press.verdict, lang)
        return
    await query.answer()
    file, title = html.escape(press.offer.file_name), html.escape(press.chat.title)
    running = texts.RUNNING(lang, file=file, chat=title)
    await query.edit_message_text(running, parse_mode=ParseMode.HTML)
    run = await imports.run(context.bot, press.offer, press.chat, person_of(query.from_user))
    answer = render_run(run, press.chat.title, lang)
    await query.edit_message_text(answer, parse_mode=ParseMode.HTML)


async def _refuse(query: CallbackQuery, verdict: Verdict, lang: Lang) -> None:
    text = _ANSWERS[verdict](lang) if verdict in _ANSWERS else texts.EXPIRED(lang)
    if verdict in ("expired", "cancelled"):
        await query.answer()
        await query.edit_message_text(text)
    else:
        await query.answer(text, show_alert=True)
