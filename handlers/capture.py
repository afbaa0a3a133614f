"""Capture handler: a shared message -> stored links -> a quiet acknowledgement."""

from __future__ import annotations

import logging

from telegram import (
    Message,
    MessageOrigin,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    ReactionTypeEmoji,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.capture import CaptureOutcome, IncomingMessage, Origin
from bot.capture_render import render_saved
from bot.entities import Entity
from handlers.context import Context, chat_ref, language, sender_of, services

log = logging.getLogger(__name__)


async def capture(update: Update, context: Context) -> None:
    """Store the links of a group message or channel post, then acknowledge quietly."""
    message = update.effective_message
    if message is None:
        return
    outcome = await services(context).capture.capture(incoming(message))
    if outcome.status == "saved" and message.edit_date is None:
        await acknowledge(update, context, message, outcome)


async def acknowledge(
    update: Update, context: Context, message: Message, outcome: CaptureOutcome
) -> None:
    """A reaction by default; a short reply or nothing, as the chat's admins chose."""
    chat = await services(context).access.get(message.chat_id)
    mode = chat.ack_mode if chat else "react"
    try:
        if mode == "react":
            emoji = services(context).settings.reaction_emoji
            await message.set_reaction(ReactionTypeEmoji(emoji))
        elif mode == "reply":
            await message.reply_text(
                render_saved(outcome, await language(update, context)),
                parse_mode=ParseMode.HTML,
                do_quote=True,
                disable_notification=True,
            )
    except TelegramError as error:
        # Reactions can be disabled in a chat, or the bot lacks the right: not worth more.
        log.debug("acknowledgement refused in chat %s: %s", message.chat_id, error)


def incoming(message: Message) -> IncomingMessage:
    """The Telegram message as capture sees it."""
    raw = message.entities if message.text is not None else message.caption_entities
    entities = tuple(
        Entity(type=str(e.type), offset=e.offset, length=e.length, url=e.url) for e in raw
    )
    return IncomingMessage(
        chat=chat_ref(message.chat),
        message_id=message.message_id,
        date=int(message.date.timestamp()),
        text=message.text if message.text is not None else message.caption,
        entities=entities or None,
        sender=sender_of(message),
        origin=origin_of(message.forward_origin),
        edit_date=int(message.edit_date.timestamp()) if message.edit_date else None,
    )


def origin_of(origin: MessageOrigin | None) -> Origin | None:
    if origin is None:
        return None
    date = int(origin.date.timestamp())
    if isinstance(origin, MessageOriginUser):
        user = origin.sender_user
        return Origin("user", name=user.full_name, chat_id=user.id, date=date)
    if isinstance(origin, MessageOriginHiddenUser):
        return Origin("hidden_user", name=origin.sender_user_name, date=date)
    if isinstance(origin, MessageOriginChannel):
        return Origin(
            "channel",
            name=origin.chat.title,
            chat_id=origin.chat.id,
            message_id=origin.message_id,
            date=date,
        )
    if isinstance(origin, MessageOriginChat):
        return Origin(
            "chat", name=origin.sender_chat.title, chat_id=origin.sender_chat.id, date=date
        )
    return Origin(str(origin.type), date=date)
