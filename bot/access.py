"""Which chats Veille serves: approval by operators, open registration, chat lifecycle.

A chat is approved when an operator added the bot, or when open registration is on. Otherwise
every operator is asked privately (Approve / Deny buttons) and nothing from the chat is stored
until one of them approves. A chat first heard of through a message (the bot was added while it
was down) follows the same rule.
"""

from __future__ import annotations

import asyncio
import html
import logging
from dataclasses import dataclass
from typing import Literal

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.i18n import Lang, core
from storage.chats import AckMode, ChatRepository
from storage.chats import Chat as Chat  # re-exported: handlers answer with its state

log = logging.getLogger(__name__)

APPROVE_PREFIX = "acc:"


@dataclass(frozen=True, slots=True)
class ChatRef:
    """A chat as Telegram describes it in an update."""

    id: int
    type: str
    title: str
    username: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    id: int
    name: str
    language: str | None = None


Decision = Literal["approved", "denied", "already", "unknown"]


def approval_callback(chat_id: int, approve: bool) -> str:
    """`callback_data` of an Approve or Deny button."""
    return f"{APPROVE_PREFIX}{'y' if approve else 'n'}:{chat_id}"


def parse_approval_callback(data: str) -> tuple[bool, int] | None:
    """(approve, chat id) of a pressed button; None when the chat id is not a number."""
    verdict, _, raw_id = data.removeprefix(APPROVE_PREFIX).partition(":")
    try:
        return verdict == "y", int(raw_id)
    except ValueError:
        return None


class AccessService:
    """Approval and lifecycle of chats, with a small in-memory cache of their rows."""

    def __init__(
        self,
        chats: ChatRepository,
        bot: Bot,
        *,
        operators: frozenset[int],
        open_registration: bool,
        default_language: Lang,
    ) -> None:
        self._chats = chats
        self._bot = bot
        self.operators = operators
        self._open = open_registration
        self._lang = default_language
        self._cache: dict[int, Chat] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def is_operator(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.operators

    async def get(self, chat_id: int) -> Chat | None:
        chat = self._cache.get(chat_id)
        if chat is None:
            chat = await self._chats.get(chat_id)
            if chat is not None:
                self._cache[chat_id] = chat
        return chat

    def forget(self, chat_id: int) -> None:
        """Drop a cached row after a change made elsewhere."""
        self._cache.pop(chat_id, None)

    async def set_language(self, chat_id: int, language: Lang) -> None:
        await self._chats.set_language(chat_id, language)
        self.forget(chat_id)

    async def set_ack_mode(self, chat_id: int, mode: AckMode) -> None:
        await self._chats.set_ack_mode(chat_id, mode)
        self.forget(chat_id)

    async def set_alerts(self, chat_id: int, enabled: bool) -> None:
        await self._chats.set_alerts(chat_id, enabled)
        self.forget(chat_id)

    async def set_previews(self, chat_id: int, enabled: bool) -> None:
        await self._chats.set_previews(chat_id, enabled)
        self.forget(chat_id)

    async def reload(self, chat_id: int) -> Chat | None:
        self.forget(chat_id)
        return await self.get(chat_id)

    async def on_message(self, ref: ChatRef) -> Chat:
        """The chat of an incoming message, registered (and put up for approval) if new."""
        chat = await self.get(ref.id)
        if chat is not None and chat.active and chat.title == ref.title:
            return chat
        async with self._locks.setdefault(ref.id, asyncio.Lock()):
            chat = await self.get(ref.id)
            if chat is None or not chat.active or chat.title != ref.title:
                first_time = chat is None
                chat = await self._register(ref, None)
                if first_time and not chat.approved:
                    await self.request_approval(chat, None)
        return chat

    async def on_bot_added(self, ref: ChatRef, actor: Actor | None) -> Chat:
        """The bot became a member (or admin) of a chat."""
        chat = await self._register(ref, actor)
        if chat.status == "pending":
            await self.request_approval(chat, actor)
        return chat

    async def on_bot_removed(self, chat_id: int) -> None:
        """Kicked or left: the chat becomes inactive; its data stays until an operator purges."""
        if await self.get(chat_id) is not None:
            await self._chats.set_active(chat_id, False)
            self.forget(chat_id)

    async def _register(self, ref: ChatRef, actor: Actor | None) -> Chat:
        existing = await self.get(ref.id)
        status: Literal["approved"] | None = None
        if actor is not None and self.is_operator(actor.id):
            status = "approved"  # an operator adding the bot decides, even after a denial
        elif self._open and (existing is None or existing.status != "denied"):
            status = "approved"
        chat = await self._chats.upsert(
            ref.id,
            type=ref.type,
            title=ref.title,
            username=ref.username,
            status=status,
            added_by=actor.id if actor else None,
        )
        self._cache[chat.id] = chat
        return chat

    async def request_approval(self, chat: Chat, actor: Actor | None) -> None:
        """Ask every operator, privately, to approve or deny the chat."""
        if not self.operators:
            log.warning(
                "chat %s is waiting for approval but VEILLE_OPERATORS is empty; "
                "set it, or VEILLE_OPEN_REGISTRATION=true",
                chat.id,
            )
        for operator in sorted(self.operators):
            await self._ask(operator, chat, actor)
        await self._chats.mark_approval_requested(chat.id)
        self.forget(chat.id)

    async def _ask(self, operator: int, chat: Chat, actor: Actor | None) -> None:
        lang = self._lang
        by = core.APPROVAL_BY(lang, who=html.escape(actor.name)) if actor else ""
        text = core.APPROVAL_REQUEST(
            lang, title=html.escape(chat.title), kind=chat.type, chat_id=chat.id, by=by
        )
        buttons = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        core.BUTTON_APPROVE(lang), callback_data=approval_callback(chat.id, True)
                    ),
                    InlineKeyboardButton(
                        core.BUTTON_DENY(lang), callback_data=approval_callback(chat.id, False)
                    ),
                ]
            ]
        )
        try:
            await self._bot.send_message(
                operator, text, parse_mode=ParseMode.HTML, reply_markup=buttons
            )
        except TelegramError as error:
            # An operator who never opened a private chat with the bot cannot be messaged.
            log.warning("could not ask operator %s about chat %s: %s", operator, chat.id, error)

    async def decide(
        self, chat_id: int, operator: int, approve: bool
    ) -> tuple[Decision, Chat | None]:
        """An operator's answer. Deny also makes the bot leave the chat."""
        chat = await self.reload(chat_id)
        if chat is None:
            return "unknown", None
        if chat.status != "pending":
            return "already", chat
        await self._chats.set_status(chat_id, "approved" if approve else "denied", operator)
        if not approve:
            await self._leave(chat_id)
        return ("approved" if approve else "denied"), await self.reload(chat_id)

    async def _leave(self, chat_id: int) -> None:
        try:
            await self._bot.leave_chat(chat_id)
        except TelegramError as error:
            log.info("leaving chat %s failed: %s", chat_id, error)
        await self._chats.set_active(chat_id, False)

    async def migrate(self, old_id: int, new_id: int) -> bool:
        """A group became a supergroup: its links follow it to the new id."""
        async with self._locks.setdefault(old_id, asyncio.Lock()):
            moved = await self._chats.migrate(old_id, new_id)
            self.forget(old_id)
            self.forget(new_id)
        if moved:
            log.info("chat %s migrated to %s", old_id, new_id)
        return moved

    async def warn_privacy_once(self, chat: Chat, lang: Lang) -> None:
        """Say once, in the group, that the bot cannot read messages and how to fix it."""
        if chat.privacy_warned_at is not None:
            return
        try:
            await self._bot.send_message(chat.id, core.PRIVACY_WARNING(lang))
        except TelegramError as error:
            log.info("privacy warning in chat %s failed: %s", chat.id, error)
            return
        await self._chats.mark_privacy_warned(chat.id)
        self.forget(chat.id)
