"""Who is who: users, chats and memberships, as the Bot API's JSON shows them.

The base of the payload modules (payloads.py re-exports all of it): `JSONDict`, `put_optional`
and the `User`, `Chat`, `ChatMember`, `ChatFullInfo` objects, pure and without state.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

JSONDict = dict[str, Any]
ChatType = Literal["private", "group", "supergroup", "channel"]
MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]

PRESENT_STATUSES: frozenset[str] = frozenset({"creator", "administrator", "member", "restricted"})
# Rights every administrator object carries, whatever the chat type.
COMMON_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
CHANNEL_ADMIN_RIGHTS = ("can_post_messages", "can_edit_messages")
GROUP_ADMIN_RIGHTS = ("can_pin_messages",)
SUPERGROUP_ADMIN_RIGHTS = ("can_pin_messages", "can_manage_topics")
ALL_ADMIN_RIGHTS: frozenset[str] = frozenset(
    COMMON_ADMIN_RIGHTS + CHANNEL_ADMIN_RIGHTS + SUPERGROUP_ADMIN_RIGHTS
)
# What a human admin promoted with Telegram's default switches gets.
DEFAULT_ADMIN_RIGHTS: frozenset[str] = frozenset(
    {
        "can_manage_chat",
        "can_delete_messages",
        "can_change_info",
        "can_invite_users",
        "can_restrict_members",
        "can_pin_messages",
        "can_post_messages",
        "can_edit_messages",
        "can_manage_video_chats",
    }
)
_CHAT_PERMISSIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)


def put_optional(data: JSONDict, **fields: object) -> JSONDict:
    """Telegram omits absent fields, and optional flags that are false, instead of null."""
    for key, value in fields.items():
        if value is not None and value is not False:
            data[key] = value
    return data


@dataclass(frozen=True, slots=True)
class FakeUser:
    """A Telegram account, as the `User` object shows it."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_dict(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        return put_optional(
            data,
            last_name=self.last_name,
            username=self.username,
            language_code=self.language_code,
        )


@dataclass(frozen=True, slots=True)
class FakeChat:
    """A chat as the short `Chat` object inside messages shows it."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False

    def to_dict(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "type": self.type}
        return put_optional(
            data,
            title=self.title,
            username=self.username,
            first_name=self.first_name,
            last_name=self.last_name,
            is_forum=self.is_forum,
        )

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")


# Accounts Telegram itself uses as senders: anonymous group admins, and the service account
# that forwards a linked channel's posts into its discussion group.
GROUP_ANONYMOUS_BOT = FakeUser(1087968824, "Group", username="GroupAnonymousBot", is_bot=True)
TELEGRAM_SERVICE = FakeUser(777000, "Telegram")


@dataclass(frozen=True, slots=True)
class Membership:
    """One user's standing in one chat."""

    status: MemberStatus
    rights: frozenset[str] = frozenset()
    until_date: int = 0
    custom_title: str | None = None

    @property
    def is_present(self) -> bool:
        return self.status in PRESENT_STATUSES

    def has_right(self, right: str) -> bool:
        return self.status == "creator" or (
            self.status == "administrator" and right in self.rights
        )


def membership(
    status: MemberStatus, rights: Sequence[str] | frozenset[str] | None = None
) -> Membership:
    """A membership; an administrator without explicit rights gets Telegram's defaults."""
    if rights is None:
        chosen = DEFAULT_ADMIN_RIGHTS if status == "administrator" else frozenset()
    else:
        chosen = frozenset(rights)
    unknown = chosen - ALL_ADMIN_RIGHTS
    if unknown:
        raise ValueError(f"unknown administrator rights: {sorted(unknown)}")
    return Membership(status=status, rights=chosen)


def _admin_rights_for(chat_type: ChatType) -> tuple[str, ...]:
    if chat_type == "channel":
        return COMMON_ADMIN_RIGHTS + CHANNEL_ADMIN_RIGHTS
    if chat_type == "supergroup":
        return COMMON_ADMIN_RIGHTS + SUPERGROUP_ADMIN_RIGHTS
    return COMMON_ADMIN_RIGHTS + GROUP_ADMIN_RIGHTS


def chat_member(user: FakeUser, member: Membership, chat_type: ChatType) -> JSONDict:
    """A `ChatMember` object; each status carries the fields its subclass requires."""
    data: JSONDict = {"user": user.to_dict(), "status": member.status}
    if member.status == "creator":
        data["is_anonymous"] = False
        put_optional(data, custom_title=member.custom_title)
    elif member.status == "administrator":
        data["can_be_edited"] = False
        data["is_anonymous"] = False
        data.update({right: right in member.rights for right in _admin_rights_for(chat_type)})
        put_optional(data, custom_title=member.custom_title)
    elif member.status == "restricted":
        data["is_member"] = True
        data["until_date"] = member.until_date
        data["can_edit_tag"] = False
        data["can_react_to_messages"] = False
        data.update(dict.fromkeys(_CHAT_PERMISSIONS, False))
    elif member.status == "kicked":
        data["until_date"] = member.until_date
    return data


def chat_full_info(chat: FakeChat, *, description: str | None = None) -> JSONDict:
    """What `getChat` answers: PTB 22 parses it as `ChatFullInfo`, with its required fields."""
    data = chat.to_dict()
    data["accent_color_id"] = chat.id % 7
    data["max_reaction_count"] = 11
    data["accepted_gift_types"] = {
        "unlimited_gifts": chat.type == "private",
        "limited_gifts": chat.type == "private",
        "unique_gifts": chat.type == "private",
        "premium_subscription": chat.type == "private",
        "gifts_from_channels": chat.type == "private",
    }
    if chat.is_group:
        data["permissions"] = dict.fromkeys(_CHAT_PERMISSIONS, True) | {
            "can_change_info": False,
            "can_pin_messages": False,
        }
    return put_optional(data, description=description)


def bot_user_info(
    user: FakeUser,
    *,
    can_read_all_group_messages: bool,
    supports_inline_queries: bool,
    can_join_groups: bool,
) -> JSONDict:
    """What `getMe` answers: the bot's `User` with its capabilities."""
    return user.to_dict() | {
        "can_join_groups": can_join_groups,
        "can_read_all_group_messages": can_read_all_group_messages,
        "supports_inline_queries": supports_inline_queries,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }
