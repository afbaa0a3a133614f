"""What every handler needs from the update and the application, in one place."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Chat, Message, Update, User
from telegram.error import BadRequest, ChatMigrated, Forbidden
from telegram.ext import ContextTypes

from bot.access import Actor, ChatRef
from bot.capture import PersonRecord
from bot.i18n import Lang
from bot.services import Services

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE


def services(context: Context) -> Services:
    found = context.application.bot_data.get("services")
    if not isinstance(found, Services):
        raise RuntimeError("services are not started (post_init did not run)")
    return found


def chat_ref(chat: Chat) -> ChatRef:
    title = chat.title or chat.full_name or chat.username or str(chat.id)
    return ChatRef(id=chat.id, type=chat.type, title=title, username=chat.username)


def actor_of(user: User | None) -> Actor | None:
    if user is None:
        return None
    return Actor(id=user.id, name=user.full_name, language=user.language_code)


def person_of(user: User) -> PersonRecord:
    return PersonRecord(
        id=user.id,
        display_name=user.full_name,
        username=user.username,
        language=user.language_code,
    )


def sender_of(message: Message) -> PersonRecord | None:
    """Who wrote the message: its user, or the chat it was sent on behalf of."""
    if message.sender_chat is not None:
        chat = message.sender_chat
        return PersonRecord(id=chat.id, display_name=chat.title or "", username=chat.username)
    return None if message.from_user is None else person_of(message.from_user)


def sender_id(message: Message) -> int | None:
    """The person who sent a command; None for a channel post or an anonymous admin."""
    user = message.from_user
    return user.id if user is not None and message.sender_chat is None else None


async def reply(message: Message, text: str, **options: Any) -> Message | None:
    """Answer a message. A chat where the bot may no longer write is logged, not raised.

    The bot can lose the right to write at any moment (removed, muted, chat deleted, message
    deleted before the answer): that is not an error of the bot. Flood waits and network
    trouble still raise, for the error handler to log.
    """
    try:
        return await message.reply_text(text, **options)
    except (Forbidden, BadRequest, ChatMigrated) as error:
        log.info("could not answer in chat %s: %s", message.chat_id, error)
        return None


async def language(update: Update, context: Context) -> Lang:
    """The language to answer in: chat setting, then the user's Telegram language."""
    svc = services(context)
    chat = update.effective_chat
    stored = await svc.access.get(chat.id) if chat else None
    user = update.effective_user
    return svc.language(stored.language if stored else None, user.language_code if user else None)


async def is_chat_admin(message: Message, context: Context) -> bool:
    """May the sender of this message change the chat's settings?

    Operators may, everywhere. In a channel, a post has no user sender: a command posted there is
    the channel's own. In a group, an anonymous admin writes as the group itself.
    """
    svc = services(context)
    chat = message.chat
    if chat.type == Chat.PRIVATE:
        return True
    if message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    user = message.from_user
    if user is None:
        return False
    if svc.access.is_operator(user.id):
        return True
    return await svc.members.is_admin(chat.id, user.id)
