"""Telegram's access rules: which chat a call names, and whether the bot may act there.

Each rule returns what it found or raises `Refusal` with Telegram's own error, the way the
endpoints (endpoints.py, messaging.py) use them. Callers hold `state.lock`.
"""

from tests.fakes import payloads
from tests.fakes.payloads import FakeChat, JSONDict, Refusal, bad_request
from tests.fakes.records import Params, SentMessage
from tests.fakes.state import TelegramState


def chat_id_of(state: TelegramState, raw: object) -> int | None:
    """chat_id as sent: an int, its decimal string, or @username of a public chat."""
    if isinstance(raw, int):
        return raw
    if not isinstance(raw, str):
        return None
    if raw.startswith("@"):
        name = raw[1:].lower()
        for chat in state.chats.values():
            if chat.type != "private" and (chat.username or "").lower() == name:
                return chat.id
        return None
    try:
        return int(raw)
    except ValueError:
        return None


def known_chat(state: TelegramState, params: Params) -> FakeChat:
    """The chat named by `chat_id`; a migrated group answers with its new id."""
    chat_id = chat_id_of(state, params.get("chat_id"))
    if chat_id in state.migrated_to:
        raise Refusal(payloads.migrated(state.migrated_to[chat_id]))
    chat = state.chats.get(chat_id) if chat_id is not None else None
    if chat is None:
        raise Refusal(payloads.chat_not_found())
    return chat


def present_chat(state: TelegramState, params: Params) -> FakeChat:
    """The chat, if the bot is still in it (and, in private, not blocked)."""
    chat = known_chat(state, params)
    if chat.type == "private":
        if chat.id in state.blocked_by:
            raise Refusal(payloads.forbidden())
        return chat
    bot = state.members[chat.id].get(state.bot_user.id)
    if bot is None or not bot.is_present:
        kicked = bot is not None and bot.status == "kicked"
        verb = "was kicked from" if kicked else "is not a member of"
        raise Refusal(payloads.forbidden(f"Forbidden: bot {verb} the {chat.type} chat"))
    return chat


def sendable_chat(state: TelegramState, params: Params) -> FakeChat:
    chat = present_chat(state, params)
    bot = state.members[chat.id].get(state.bot_user.id)
    if chat.type == "channel" and not (bot and bot.has_right("can_post_messages")):
        raise Refusal(bad_request("need administrator rights in the channel chat"))
    if bot is not None and bot.status == "restricted":
        raise Refusal(bad_request("not enough rights to send text messages to the chat"))
    return chat


def bot_has_right(state: TelegramState, chat: FakeChat, right: str) -> bool:
    bot = state.members[chat.id].get(state.bot_user.id)
    return bot is not None and bot.has_right(right)


def reply_target(state: TelegramState, chat: FakeChat, params: Params) -> JSONDict | None:
    reply = params.get("reply_parameters") or {}
    target_id = reply.get("message_id") or params.get("reply_to_message_id")
    if target_id is None:
        return None
    target = state.messages.get((chat.id, int(target_id)))
    if target is None and not reply.get("allow_sending_without_reply"):
        raise Refusal(bad_request("message to be replied not found"))
    return target


def own_message(
    state: TelegramState, chat: FakeChat, params: Params
) -> tuple[tuple[int, int], SentMessage]:
    """The bot's own message named by `message_id`: only those can be edited."""
    key = (chat.id, int(params.get("message_id") or 0))
    if key not in state.messages:
        raise Refusal(bad_request("message to edit not found"))
    current = state.bot_messages.get(key)
    if current is None:
        raise Refusal(bad_request("message can't be edited"))
    return key, current
