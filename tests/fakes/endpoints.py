"""The Bot API methods the fake answers, and the endpoints not about messages.

`bind_endpoints(state)` gives `FakeBotApi` its table: lower-cased method name -> endpoint
taking the decoded parameters and the moment of the call. Message endpoints live in
messaging.py. Every endpoint returns the `result` Telegram would send or raises `Refusal`;
callers hold `state.lock`.
"""

from collections.abc import Callable, Mapping
from functools import partial
from itertools import islice

from tests.fakes import messaging, payloads
from tests.fakes.access import known_chat, present_chat
from tests.fakes.payloads import JSONDict, Membership, Refusal, bad_request
from tests.fakes.records import CallbackAnswer, InlineAnswer, Params
from tests.fakes.state import DEFAULT_ALLOWED_UPDATES, TelegramState, scope_key, update_type

Endpoint = Callable[[Params, float], object]
_StateEndpoint = Callable[[TelegramState, Params, float], object]
_MAX_DOWNLOAD = 20 * 1024 * 1024


def get_updates(state: TelegramState, params: Params, moment: float) -> list[JSONDict]:
    """Confirm everything before `offset`, then hand out up to `limit` allowed updates."""
    if params.get("allowed_updates") is not None:
        chosen = frozenset(params["allowed_updates"])
        state.allowed_updates = chosen or DEFAULT_ALLOWED_UPDATES
    offset = int(params.get("offset") or 0)
    limit = min(max(int(params.get("limit") or 100), 1), 100)
    if offset < 0:
        while len(state.pending) > -offset:
            state.pending.popleft()
    while offset > 0 and state.pending and state.pending[0]["update_id"] < offset:
        state.pending.popleft()
    allowed = state.allowed_updates
    return list(islice((u for u in state.pending if update_type(u) in allowed), limit))


def delete_webhook(state: TelegramState, params: Params, moment: float) -> bool:
    if params.get("drop_pending_updates"):
        state.pending.clear()
    return True


def answer_callback_query(state: TelegramState, params: Params, moment: float) -> bool:
    query_id = str(params.get("callback_query_id", ""))
    state.close_query(query_id)
    show_alert = bool(params.get("show_alert", False))
    answer = CallbackAnswer(query_id, params.get("text"), show_alert, params.get("url"))
    state.records.callback_answers.append(answer)
    return True


def answer_inline_query(state: TelegramState, params: Params, moment: float) -> bool:
    query_id = str(params.get("inline_query_id", ""))
    results = payloads.checked_inline_results(params.get("results") or [])
    state.close_query(query_id)
    answer = InlineAnswer(
        query_id,
        results,
        params.get("next_offset"),
        params.get("cache_time"),
        bool(params.get("is_personal", False)),
    )
    state.records.inline_answers.append(answer)
    return True


def get_chat(state: TelegramState, params: Params, moment: float) -> JSONDict:
    chat = known_chat(state, params)
    # Public chats can be looked up by anyone; private groups only from inside.
    if chat.type != "private" and chat.username is None:
        present_chat(state, params)
    return payloads.chat_full_info(chat, description=state.descriptions.get(chat.id))


def get_chat_member(state: TelegramState, params: Params, moment: float) -> JSONDict:
    chat = present_chat(state, params)
    user = state.users.get(int(params.get("user_id") or 0))
    if user is None:
        raise Refusal(bad_request("user not found"))
    return payloads.chat_member(user, state.standing(chat, user), chat.type)


def get_chat_administrators(state: TelegramState, params: Params, moment: float) -> list[JSONDict]:
    chat = present_chat(state, params)
    if chat.type == "private":
        raise Refusal(bad_request("there are no administrators in the private chat"))
    admins = [
        (standing.status != "creator", user_id, standing)
        for user_id, standing in state.members[chat.id].items()
        if standing.status in ("creator", "administrator")
    ]
    return [
        payloads.chat_member(state.users[user_id], standing, chat.type)
        for _, user_id, standing in sorted(admins, key=lambda row: row[:2])
    ]


def get_chat_member_count(state: TelegramState, params: Params, moment: float) -> int:
    chat = present_chat(state, params)
    if chat.type == "private":
        return 2
    return sum(standing.is_present for standing in state.members[chat.id].values())


def leave_chat(state: TelegramState, params: Params, moment: float) -> bool:
    chat = present_chat(state, params)
    if chat.type == "private":
        raise Refusal(bad_request("chat member status can't be changed in private chats"))
    state.members[chat.id][state.bot_user.id] = Membership("left")
    state.records.left_chats.append(chat.id)
    return True


def _command_key(state: TelegramState, params: Params) -> tuple[str, str]:
    scope = params.get("scope")
    if isinstance(scope, Mapping) and "chat_id" in scope:
        known_chat(state, scope)
    return scope_key(scope), str(params.get("language_code") or "")


def set_my_commands(state: TelegramState, params: Params, moment: float) -> bool:
    commands = payloads.checked_commands(params.get("commands") or [])
    state.commands[_command_key(state, params)] = commands
    return True


def get_my_commands(state: TelegramState, params: Params, moment: float) -> list[JSONDict]:
    commands = state.commands.get(_command_key(state, params), ())
    return [{"command": name, "description": text} for name, text in commands]


def delete_my_commands(state: TelegramState, params: Params, moment: float) -> bool:
    state.commands.pop(_command_key(state, params), None)
    return True


def get_file(state: TelegramState, params: Params, moment: float) -> JSONDict:
    stored = state.files.get(str(params.get("file_id", "")))
    if stored is None:
        raise Refusal(bad_request("invalid file_id"))
    if len(stored.data) > _MAX_DOWNLOAD:
        raise Refusal(bad_request("file is too big"))
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }


def _webhook_info(state: TelegramState, params: Params, moment: float) -> JSONDict:
    return {"url": "", "has_custom_certificate": False, "pending_update_count": len(state.pending)}


_ENDPOINTS: dict[str, _StateEndpoint] = {
    "getMe": lambda s, p, t: payloads.bot_user_info(s.bot_user, **s.capabilities),
    "getUpdates": get_updates,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": _webhook_info,
    "close": lambda s, p, t: True,
    "logOut": lambda s, p, t: True,
    "sendMessage": messaging.send_message,
    "sendDocument": messaging.send_document,
    "editMessageText": messaging.edit_message_text,
    "editMessageReplyMarkup": messaging.edit_message_reply_markup,
    "deleteMessage": messaging.delete_message,
    "setMessageReaction": messaging.set_message_reaction,
    "answerCallbackQuery": answer_callback_query,
    "answerInlineQuery": answer_inline_query,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getChatMemberCount": get_chat_member_count,
    "leaveChat": leave_chat,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getFile": get_file,
}


def bind_endpoints(state: TelegramState) -> dict[str, Endpoint]:
    """Every endpoint bound to `state`, keyed as Telegram matches names: case-insensitively."""
    return {name.lower(): partial(endpoint, state) for name, endpoint in _ENDPOINTS.items()}
