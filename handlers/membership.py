"""The bot's own membership: added, removed, promoted; group migrations; operator approvals."""

from __future__ import annotations

import html
import logging

from telegram import CallbackQuery, Chat, ChatMember, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.access import Chat as StoredChat
from bot.access import Decision, parse_approval_callback
from bot.i18n import Lang, core
from handlers.context import Context, actor_of, chat_ref, language, services

log = logging.getLogger(__name__)

_PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}


async def bot_membership(update: Update, context: Context) -> None:
    """my_chat_member: register the chat when added, deactivate it when removed."""
    change = update.my_chat_member
    if change is None or change.chat.type == Chat.PRIVATE:
        return
    svc = services(context)
    was = change.old_chat_member.status in _PRESENT
    now = change.new_chat_member.status in _PRESENT
    if was and not now:
        await svc.access.on_bot_removed(change.chat.id)
        await svc.alerts.on_bot_removed(change.chat.id)
        return
    if not now:
        return
    chat = await svc.access.on_bot_added(chat_ref(change.chat), actor_of(change.from_user))
    svc.members.invalidate(change.chat.id, context.bot.id)
    if change.chat.type == Chat.CHANNEL and not _can_post(change.new_chat_member):
        await svc.alerts.on_bot_removed(change.chat.id, "cannot_post")
    lang = await language(update, context)
    if not was and chat.status == "pending":
        await _say(context, chat.id, core.PENDING_IN_CHAT(lang))
    is_admin = change.new_chat_member.status == ChatMember.ADMINISTRATOR
    if change.chat.type != Chat.CHANNEL and not is_admin and not svc.can_read_all_group_messages:
        await svc.access.warn_privacy_once(chat, lang)


def _can_post(member: ChatMember) -> bool:
    return bool(getattr(member, "can_post_messages", False))


async def migrated(update: Update, context: Context) -> None:
    """A group became a supergroup: move its links to the new id."""
    message = update.effective_message
    if message is None:
        return
    access = services(context).access
    if message.migrate_to_chat_id:
        await access.migrate(message.chat_id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await access.migrate(message.migrate_from_chat_id, message.chat_id)


async def approval_button(update: Update, context: Context) -> None:
    """An operator pressed Approve or Deny under an approval request."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    svc = services(context)
    lang = await language(update, context)
    if not svc.access.is_operator(query.from_user.id):
        await query.answer(core.OPERATORS_ONLY(lang), show_alert=True)
        return
    pressed = parse_approval_callback(query.data)
    if pressed is None:
        await query.answer(core.UNKNOWN_CHAT(lang))
        return
    approve, chat_id = pressed
    outcome, chat = await svc.access.decide(chat_id, query.from_user.id, approve)
    await _answer_decision(query, outcome, chat, lang)


async def _answer_decision(
    query: CallbackQuery, outcome: Decision, chat: StoredChat | None, lang: Lang
) -> None:
    if outcome == "unknown" or chat is None:
        await query.answer(core.UNKNOWN_CHAT(lang))
    elif outcome == "already":
        await query.answer(core.ALREADY_DECIDED(lang, status=chat.status), show_alert=True)
    else:
        text = core.APPROVED if outcome == "approved" else core.DENIED
        await query.answer()
        await query.edit_message_text(
            text(lang, title=html.escape(chat.title)), parse_mode=ParseMode.HTML
        )


async def _say(context: Context, chat_id: int, text: str) -> None:
    try:
        await context.bot.send_message(chat_id, text)
    except TelegramError as error:
        log.info("could not post in chat %s: %s", chat_id, error)
