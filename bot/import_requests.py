"""The /import flow in a private chat: a file offered, a group picked, the import run.

An admin sends the export as a document with the caption /import. Nothing is downloaded yet:
the file is remembered in memory for `OFFER_SECONDS` under a short token, and the admin gets one
button per approved group they administer (operators: every approved group). A press checks
again that the presser may import there, downloads the file (a bot may download up to 20 MB)
into a temporary file, and runs the import; the summary is the answer. A restart forgets the
offers: the admin sends the file again.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from dataclasses import dataclass
from typing import Literal

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.access import AccessService
from bot.i18n import Lang
from bot.i18n import imports as texts
from bot.importing import ImportService, ImportSummary, WrongChat
from bot.permissions import MembershipCache
from storage.chats import Chat, ChatRepository
from storage.links import PersonRecord

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
OFFER_SECONDS = 15 * 60
MAX_OFFERS = 200
MAX_CHOICES = 40
BUTTON_PREFIX = "imp:"
_CANCEL = "x"

FileKind = Literal["telegram", "bookmarks"]
Verdict = Literal["expired", "not_yours", "cancelled", "not_admin", "busy", "go"]


@dataclass(frozen=True, slots=True)
class ImportOffer:
    token: str
    user_id: int
    file_id: str
    file_name: str
    kind: FileKind
    offered_at: float


@dataclass(frozen=True, slots=True)
class Press:
    """What a button press leads to; `offer` and `chat` are set when the verdict is "go"."""

    verdict: Verdict
    offer: ImportOffer | None = None
    chat: Chat | None = None


@dataclass(frozen=True, slots=True)
class ImportRun:
    """How a run ended: a summary, an export of another chat, or a failed download."""

    summary: ImportSummary | None = None
    wrong_chat: WrongChat | None = None
    download_error: str | None = None


def file_kind(file_name: str | None, mime_type: str | None) -> FileKind | None:
    """A Telegram Desktop export (.json) or a bookmark file (.html), else None."""
    name = (file_name or "").lower()
    if name.endswith(".json") or mime_type == "application/json":
        return "telegram"
    if name.endswith((".html", ".htm")) or mime_type == "text/html":
        return "bookmarks"
    return None


def parse_button(data: str) -> tuple[str, int | None] | None:
    """'imp:<token>:<chat id>' -> (token, chat id); 'imp:<token>:x' -> (token, None)."""
    token, _, target = data.removeprefix(BUTTON_PREFIX).partition(":")
    if not token or not target:
        return None
    if target == _CANCEL:
        return token, None
    try:
        return token, int(target)
    except ValueError:
        return None


class ImportRequests:
    """Offers waiting for a choice, the groups a person may import into, and the runs."""

    def __init__(
        self,
        service: ImportService,
        chats: ChatRepository,
        members: MembershipCache,
        access: AccessService,
    ) -> None:
        self.service = service
        self._chats = chats
        self._members = members
        self._access = access
        self._offers: dict[str, ImportOffer] = {}

    def offer(self, user_id: int, file_id: str, file_name: str, kind: FileKind) -> ImportOffer:
        self._forget_old()
        offer = ImportOffer(secrets.token_hex(4), user_id, file_id, file_name, kind, time.time())
        self._offers[offer.token] = offer
        return offer

    def _forget_old(self) -> None:
        cutoff = time.time() - OFFER_SECONDS
        for token in [t for t, o in self._offers.items() if o.offered_at < cutoff]:
            del self._offers[token]
        while len(self._offers) >= MAX_OFFERS:  # oldest first: dicts keep insertion order
            del self._offers[next(iter(self._offers))]

    async def candidates(self, user_id: int) -> list[Chat]:
        """Approved groups and channels this person may import into, by title."""
        found: list[Chat] = []
        for chat in await self._chats.list(status="approved"):
            if len(found) < MAX_CHOICES and await self._may_import(user_id, chat):
                found.append(chat)
        return sorted(found, key=lambda chat: chat.title.casefold())

    async def _may_import(self, user_id: int, chat: Chat) -> bool:
        if not chat.approved or chat.type == "private":
            return False
        if self._access.is_operator(user_id):
            return True
        try:
            return await self._members.is_admin(chat.id, user_id)
        except TelegramError:
            return False

    async def press(self, user_id: int, data: str) -> Press:
        """Decide what a button press does (nothing runs yet)."""
        parsed = parse_button(data)
        offer = self._offers.get(parsed[0]) if parsed else None
        if parsed is None or offer is None or time.time() - offer.offered_at > OFFER_SECONDS:
            return Press("expired")
        if offer.user_id != user_id:
            return Press("not_yours")
        if parsed[1] is None:
            del self._offers[offer.token]
            return Press("cancelled")
        chat = await self._chats.get(parsed[1])
        if chat is None or not await self._may_import(user_id, chat):
            return Press("not_admin")
        if self.service.busy:
            return Press("busy")
        del self._offers[offer.token]
        return Press("go", offer, chat)

    async def run(
        self, bot: Bot, offer: ImportOffer, chat: Chat, sender: PersonRecord
    ) -> ImportRun:
        """Download the offered file and import it into `chat`."""
        with tempfile.TemporaryFile() as spool:
            try:
                remote = await bot.get_file(offer.file_id)
                await remote.download_to_memory(spool)
            except TelegramError as error:
                return ImportRun(download_error=str(error))
            spool.seek(0)
            try:
                if offer.kind == "telegram":
                    return ImportRun(await self.service.telegram(spool, chat.id))
                return ImportRun(await self.service.bookmarks(spool, chat.id, person=sender))
            except WrongChat as error:
                return ImportRun(wrong_chat=error)


def choice_keyboard(offer: ImportOffer, chats: list[Chat], lang: Lang) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(chat.title or str(chat.id), callback_data=_data(offer, chat.id))]
        for chat in chats
    ]
    rows.append([InlineKeyboardButton(texts.BUTTON_CANCEL(lang), callback_data=_data(offer))])
    return InlineKeyboardMarkup(rows)


def _data(offer: ImportOffer, chat_id: int | None = None) -> str:
    return f"{BUTTON_PREFIX}{offer.token}:{_CANCEL if chat_id is None else chat_id}"
