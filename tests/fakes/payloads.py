"""Bot API JSON as Telegram writes it: messages, what updates carry, forward origins.

Pure builders without state; `FakeBotApi` (botapi.py) allocates the ids and keeps what they
describe. Every dict built here (and in chats.py) parses with python-telegram-bot 22's `de_json`
with nothing left over in `api_kwargs` (tests/test_fake_botapi_updates.py checks it), so a
payload PTB would reject is a bug here, not in the code under test.

It also re-exports the other payload modules, users, chats and members (chats.py), error
answers (errors.py) and Telegram's limits (checks.py), so that tests need one import:
`payloads.retry_after(5)`, `payloads.FakeChat`.
"""

import json
import time
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from telegram import Bot, Update

from tests.fakes.chats import (
    ALL_ADMIN_RIGHTS,
    CHANNEL_ADMIN_RIGHTS,
    COMMON_ADMIN_RIGHTS,
    DEFAULT_ADMIN_RIGHTS,
    GROUP_ADMIN_RIGHTS,
    GROUP_ANONYMOUS_BOT,
    PRESENT_STATUSES,
    SUPERGROUP_ADMIN_RIGHTS,
    TELEGRAM_SERVICE,
    ChatType,
    FakeChat,
    FakeUser,
    JSONDict,
    Membership,
    MemberStatus,
    bot_user_info,
    chat_full_info,
    chat_member,
    membership,
    put_optional,
)
from tests.fakes.checks import (
    MAX_CAPTION,
    MAX_TEXT,
    checked_commands,
    checked_inline_results,
    checked_reactions,
    checked_text,
    utf16_length,
    visible_length,
)
from tests.fakes.errors import (
    FakeError,
    Refusal,
    bad_gateway,
    bad_request,
    chat_not_found,
    conflict,
    forbidden,
    migrated,
    not_found,
    retry_after,
    server_error,
    timeout,
    unauthorized,
)

_ONE_HOUR = 3600


def now() -> int:
    """Bot API dates are Unix seconds."""
    return int(time.time())


# --- messages -------------------------------------------------------------------------------


def entity_for(
    text: str,
    substring: str,
    type: str,
    url: str | None = None,
    occurrence: int = 0,
) -> JSONDict:
    """The `MessageEntity` covering the `occurrence`-th `substring` of `text`."""
    if not substring:
        raise ValueError("an entity cannot be empty")
    index = -1
    for _ in range(occurrence + 1):
        index = text.find(substring, index + 1)
        if index < 0:
            raise ValueError(f"{substring!r} occurs fewer than {occurrence + 1} times")
    if type == "text_link" and url is None:
        raise ValueError("a text_link entity needs a url")
    entity: JSONDict = {
        "type": type,
        "offset": utf16_length(text[:index]),
        "length": utf16_length(substring),
    }
    return put_optional(entity, url=url)


def message_base(
    message_id: int,
    chat: FakeChat,
    *,
    date: int,
    from_user: FakeUser | None,
    sender_chat: FakeChat | None = None,
    message_thread_id: int | None = None,
) -> JSONDict:
    """The fields every `Message` has; channel posts have a sender_chat and no `from`."""
    data: JSONDict = {"message_id": message_id}
    if from_user is not None:
        data["from"] = from_user.to_dict()
    if sender_chat is not None:
        data["sender_chat"] = sender_chat.to_dict()
    data["chat"] = chat.to_dict()
    data["date"] = date
    if message_thread_id is not None:
        data["message_thread_id"] = message_thread_id
        data["is_topic_message"] = True
    return data


def photo_sizes(seed: int) -> list[JSONDict]:
    """The three sizes Telegram sends for a photo, largest last."""
    return [
        {
            "file_id": f"AgACAgQAAx{seed}-{side}",
            "file_unique_id": f"AQAD{seed}{side}",
            "file_size": side * side // 10,
            "width": side,
            "height": side * 3 // 4,
        }
        for side in (90, 320, 1280)
    ]


def add_text(
    data: JSONDict,
    text: str | None,
    entities: Sequence[JSONDict] | None,
    *,
    as_caption: bool,
) -> JSONDict:
    """Text and entities, or caption and caption_entities for media."""
    if text is None:
        return data
    data["caption" if as_caption else "text"] = text
    if entities:
        data["caption_entities" if as_caption else "entities"] = list(entities)
    return data


def without_reply(message: Mapping[str, Any]) -> JSONDict:
    """Telegram nests replies one level deep only."""
    return {key: value for key, value in message.items() if key != "reply_to_message"}


def message_of(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Accepts a message dict or an update dict that carries one."""
    if "message_id" in data:
        return data
    for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if key in data:
            inner: Mapping[str, Any] = data[key]
            return inner
    raise ValueError("not a message nor an update carrying one")


def unique_id_for(file_id: str) -> str:
    """Telegram's file_unique_id is stable for a file; derive it so it is reproducible too."""
    return f"AgAD{zlib.crc32(file_id.encode()):08x}"


def document(file_id: str, file_name: str, size: int, mime_type: str | None) -> JSONDict:
    data: JSONDict = {
        "file_name": file_name,
        "file_id": file_id,
        "file_unique_id": unique_id_for(file_id),
        "file_size": size,
    }
    return put_optional(data, mime_type=mime_type)


def chat_member_updated(
    chat: FakeChat,
    from_user: FakeUser,
    old: JSONDict,
    new: JSONDict,
    date: int,
) -> JSONDict:
    """The payload of my_chat_member and chat_member updates."""
    return {
        "chat": chat.to_dict(),
        "from": from_user.to_dict(),
        "date": date,
        "old_chat_member": old,
        "new_chat_member": new,
    }


def callback_query(
    query_id: str, user: FakeUser, message: Mapping[str, Any], data: str
) -> JSONDict:
    chat_id: int = message["chat"]["id"]
    return {
        "id": query_id,
        "from": user.to_dict(),
        "message": dict(message),
        "chat_instance": str(zlib.crc32(f"{user.id}:{chat_id}".encode())),
        "data": data,
    }


def inline_query(
    query_id: str, user: FakeUser, query: str, offset: str, chat_type: str | None
) -> JSONDict:
    data: JSONDict = {"id": query_id, "from": user.to_dict(), "query": query, "offset": offset}
    return put_optional(data, chat_type=chat_type)


def chosen_inline_result(
    user: FakeUser, result_id: str, query: str, inline_message_id: str | None
) -> JSONDict:
    data: JSONDict = {"result_id": result_id, "from": user.to_dict(), "query": query}
    return put_optional(data, inline_message_id=inline_message_id)


# --- forward origins --------------------------------------------------------------------------


def origin_user(user: FakeUser, date: int | None = None) -> JSONDict:
    return {"type": "user", "date": date or now() - _ONE_HOUR, "sender_user": user.to_dict()}


def origin_hidden_user(name: str, date: int | None = None) -> JSONDict:
    return {"type": "hidden_user", "date": date or now() - _ONE_HOUR, "sender_user_name": name}


def origin_chat(
    chat: FakeChat, date: int | None = None, author_signature: str | None = None
) -> JSONDict:
    data = {"type": "chat", "date": date or now() - _ONE_HOUR, "sender_chat": chat.to_dict()}
    return put_optional(data, author_signature=author_signature)


def origin_channel(
    channel: FakeChat,
    message_id: int,
    date: int | None = None,
    author_signature: str | None = None,
) -> JSONDict:
    data = {
        "type": "channel",
        "date": date or now() - _ONE_HOUR,
        "chat": channel.to_dict(),
        "message_id": message_id,
    }
    return put_optional(data, author_signature=author_signature)


def to_update(data: JSONDict, bot: Bot | None) -> Update:
    """The `telegram.Update` PTB would build from this JSON (for `app.process_update`)."""
    return Update.de_json(data, bot)


def ok_body(result: object) -> bytes:
    return json.dumps({"ok": True, "result": result}).encode()


__all__ = [
    "ALL_ADMIN_RIGHTS",
    "CHANNEL_ADMIN_RIGHTS",
    "COMMON_ADMIN_RIGHTS",
    "DEFAULT_ADMIN_RIGHTS",
    "GROUP_ADMIN_RIGHTS",
    "GROUP_ANONYMOUS_BOT",
    "MAX_CAPTION",
    "MAX_TEXT",
    "PRESENT_STATUSES",
    "SUPERGROUP_ADMIN_RIGHTS",
    "TELEGRAM_SERVICE",
    "ChatType",
    "FakeChat",
    "FakeError",
    "FakeUser",
    "JSONDict",
    "MemberStatus",
    "Membership",
    "Refusal",
    "add_text",
    "bad_gateway",
    "bad_request",
    "bot_user_info",
    "callback_query",
    "chat_full_info",
    "chat_member",
    "chat_member_updated",
    "chat_not_found",
    "checked_commands",
    "checked_inline_results",
    "checked_reactions",
    "checked_text",
    "chosen_inline_result",
    "conflict",
    "document",
    "entity_for",
    "forbidden",
    "inline_query",
    "membership",
    "message_base",
    "message_of",
    "migrated",
    "not_found",
    "now",
    "ok_body",
    "origin_channel",
    "origin_chat",
    "origin_hidden_user",
    "origin_user",
    "photo_sizes",
    "retry_after",
    "server_error",
    "timeout",
    "to_update",
    "unauthorized",
    "unique_id_for",
    "utf16_length",
    "visible_length",
    "without_reply",
]
