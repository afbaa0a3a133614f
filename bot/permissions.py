"""Who may do what: chat membership and admin rights, checked with Telegram, cached briefly.

One `getChatMember` answer serves every question about the same (chat, user) pair for
`ttl` seconds, so a search over many results or a burst of commands costs one call.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from telegram import Bot, ChatMember, ChatMemberAdministrator, ChatMemberOwner
from telegram.error import BadRequest, Forbidden, TelegramError

log = logging.getLogger(__name__)

MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})
ADMIN_STATUSES = frozenset({"creator", "administrator"})


@dataclass(frozen=True, slots=True)
class Membership:
    status: str  # creator, administrator, member, restricted, left, kicked, unknown
    can_post: bool = False  # channels: may post messages
    can_change_info: bool = False
    is_member_flag: bool = True  # "restricted" members can be outside the chat

    @property
    def is_member(self) -> bool:
        return self.status in MEMBER_STATUSES and self.is_member_flag

    @property
    def is_admin(self) -> bool:
        return self.status in ADMIN_STATUSES


NOT_A_MEMBER = Membership(status="left")


def membership_of(member: ChatMember) -> Membership:
    if isinstance(member, ChatMemberOwner):
        return Membership("creator", can_post=True, can_change_info=True)
    if isinstance(member, ChatMemberAdministrator):
        return Membership(
            "administrator",
            can_post=bool(member.can_post_messages) or member.can_post_messages is None,
            can_change_info=member.can_change_info,
        )
    flag = getattr(member, "is_member", True)
    return Membership(member.status, is_member_flag=bool(flag))


class MembershipCache:
    """`getChatMember` with a short-lived cache; errors count as "not a member"."""

    def __init__(self, bot: Bot, ttl: float = 300.0) -> None:
        self._bot = bot
        self._ttl = ttl
        self._entries: dict[tuple[int, int], tuple[float, Membership]] = {}

    async def get(self, chat_id: int, user_id: int) -> Membership:
        key = (chat_id, user_id)
        cached = self._entries.get(key)
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        membership = await self._fetch(chat_id, user_id)
        self._entries[key] = (time.monotonic(), membership)
        if len(self._entries) > 50_000:
            self._evict()
        return membership

    async def _fetch(self, chat_id: int, user_id: int) -> Membership:
        try:
            return membership_of(await self._bot.get_chat_member(chat_id, user_id))
        except (BadRequest, Forbidden) as error:
            log.debug("getChatMember(%s, %s) refused: %s", chat_id, user_id, error)
            return NOT_A_MEMBER
        except TelegramError as error:
            # Network trouble: do not cache a guess; deny this time.
            log.warning("getChatMember(%s, %s) failed: %s", chat_id, user_id, error)
            raise

    def invalidate(self, chat_id: int, user_id: int | None = None) -> None:
        if user_id is not None:
            self._entries.pop((chat_id, user_id), None)
            return
        for key in [key for key in self._entries if key[0] == chat_id]:
            del self._entries[key]

    def _evict(self) -> None:
        cutoff = time.monotonic() - self._ttl
        for key in [key for key, (at, _) in self._entries.items() if at < cutoff]:
            del self._entries[key]

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        return (await self.get(chat_id, user_id)).is_admin

    async def is_member(self, chat_id: int, user_id: int) -> bool:
        return (await self.get(chat_id, user_id)).is_member
