"""`veille doctor`: check a deployment and say what is wrong, in plain words.

Each check returns a `Finding` (ok, warning or problem) with a sentence for the operator; the
command prints them all and exits 1 when there is at least one problem. Nothing is changed.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from dataclasses import dataclass
from typing import Literal, TextIO

from telegram import Bot, User
from telegram.error import InvalidToken, TelegramError

from bot.config import Settings
from bot.i18n import Lang
from bot.i18n import doctor as texts
from bot.permissions import MembershipCache
from storage.chats import Chat, ChatRepository
from storage.db import Database, StorageError
from storage.migrate import pending_migrations

Level = Literal["ok", "warning", "problem"]
MARKS: dict[Level, str] = {"ok": "✓", "warning": "!", "problem": "✗"}
LOW_DISK_BYTES = 1 << 30  # 1 GiB


@dataclass(frozen=True, slots=True)
class Finding:
    level: Level
    text: str


@dataclass
class Doctor:
    settings: Settings
    bot: Bot
    lang: Lang

    async def run(self) -> list[Finding]:
        findings: list[Finding] = []
        me = await self._check_token(findings)
        chats = await self._check_database(findings)
        findings.append(self._check_disk())
        findings.append(self._check_operators())
        if me is not None:
            findings.append(self._check_privacy(me))
            for chat in chats:
                findings.append(await self._check_chat(me, chat))
        return findings

    async def _check_token(self, findings: list[Finding]) -> User | None:
        try:
            me = await self.bot.get_me()
        except InvalidToken:
            findings.append(Finding("problem", texts.TOKEN_REJECTED(self.lang)))
            return None
        except TelegramError as error:
            url = self.settings.api_base_url
            findings.append(
                Finding("problem", texts.API_UNREACHABLE(self.lang, url=url, error=error))
            )
            return None
        findings.append(Finding("ok", texts.TOKEN_OK(self.lang, username=me.username)))
        return me

    async def _check_database(self, findings: list[Finding]) -> list[Chat]:
        path = self.settings.database
        db = Database(path)
        try:
            await db.open()
            pending = await pending_migrations(db)
            await db.run_write(lambda conn: conn.execute("CREATE TEMP TABLE t(x)"))
            chats = [] if pending else await ChatRepository(db).list()
        except (StorageError, OSError, sqlite3.Error) as error:
            findings.append(
                Finding("problem", texts.DB_UNUSABLE(self.lang, path=path, error=error))
            )
            return []
        finally:
            await db.close()
        if pending:
            names = ", ".join(pending)
            findings.append(
                Finding("warning", texts.DB_PENDING(self.lang, path=path, names=names))
            )
            return []
        served = [chat for chat in chats if chat.approved]
        findings.append(Finding("ok", texts.DB_OK(self.lang, path=path, chats=len(served))))
        return served

    def _check_disk(self) -> Finding:
        folder = self.settings.database.expanduser().resolve().parent
        while not folder.exists():
            folder = folder.parent
        free = shutil.disk_usage(folder).free
        gib = f"{free / (1 << 30):.1f}"
        if free < LOW_DISK_BYTES:
            return Finding("warning", texts.DISK_LOW(self.lang, free=gib, folder=folder))
        return Finding("ok", texts.DISK_OK(self.lang, free=gib, folder=folder))

    def _check_operators(self) -> Finding:
        count = len(self.settings.operators)
        if count:
            return Finding("ok", texts.OPERATORS_OK(self.lang, count=count))
        if self.settings.open_registration:
            return Finding("warning", texts.OPERATORS_NONE_OPEN(self.lang))
        return Finding("problem", texts.OPERATORS_NONE(self.lang))

    def _check_privacy(self, me: User) -> Finding:
        if me.can_read_all_group_messages:
            return Finding("ok", texts.PRIVACY_OFF(self.lang))
        return Finding("warning", texts.PRIVACY_ON(self.lang))

    async def _check_chat(self, me: User, chat: Chat) -> Finding:
        try:
            member = await MembershipCache(self.bot, ttl=0).get(chat.id, me.id)
        except TelegramError as error:
            return Finding(
                "warning", texts.CHAT_UNCHECKED(self.lang, title=chat.title, error=error)
            )
        if not member.is_member:
            return Finding("problem", texts.CHAT_NOT_MEMBER(self.lang, title=chat.title))
        if chat.type == "channel" and not member.can_post:
            return Finding("warning", texts.CHANNEL_CANNOT_POST(self.lang, title=chat.title))
        if chat.type != "channel" and not member.is_admin and not me.can_read_all_group_messages:
            return Finding("problem", texts.GROUP_CANNOT_READ(self.lang, title=chat.title))
        return Finding("ok", texts.CHAT_OK(self.lang, title=chat.title))


def print_findings(findings: list[Finding], out: TextIO = sys.stdout) -> int:
    for finding in findings:
        out.write(f"{MARKS[finding.level]} {finding.text}\n")
    return 1 if any(f.level == "problem" for f in findings) else 0


async def diagnose(settings: Settings) -> list[Finding]:
    """Every check, against the Bot API and the database the settings name."""
    lang = settings.default_language
    if settings.bot_token is None:
        return [Finding("problem", texts.TOKEN_MISSING(lang))]
    bot = Bot(settings.token, base_url=settings.api_base_url)
    try:
        async with bot:
            return await Doctor(settings, bot, lang).run()
    except InvalidToken:
        return [Finding("problem", texts.TOKEN_REJECTED(lang))]
    except TelegramError as error:
        url = settings.api_base_url
        return [Finding("problem", texts.API_UNREACHABLE(lang, url=url, error=error))]
