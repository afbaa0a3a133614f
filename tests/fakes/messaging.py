"""The endpoints that send, edit, delete and react to messages.

Each takes the state, the decoded parameters and the moment of the call (for the flood
windows), and returns the `result` Telegram would send or raises `Refusal`. endpoints.py maps
method names to them; callers hold `state.lock`.
"""

import dataclasses

from tests.fakes import payloads
from tests.fakes.access import (
    bot_has_right,
    own_message,
    present_chat,
    reply_target,
    sendable_chat,
)
from tests.fakes.payloads import (
    MAX_CAPTION,
    MAX_TEXT,
    FakeChat,
    JSONDict,
    Refusal,
    add_text,
    bad_request,
    checked_text,
    message_base,
    now,
    without_reply,
)
from tests.fakes.records import Deletion, Edit, FakeFile, Params, Reaction, SentMessage, Upload
from tests.fakes.state import TelegramState

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def _inline_markup(params: Params) -> JSONDict | None:
    """Only inline keyboards are part of a message; reply keyboards live on the client."""
    markup = params.get("reply_markup")
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def send_message(state: TelegramState, params: Params, moment: float) -> JSONDict:
    chat = sendable_chat(state, params)
    parse_mode = params.get("parse_mode")
    text = checked_text(params.get("text"), parse_mode, limit=MAX_TEXT, what="message text")
    reply_to = reply_target(state, chat, params)
    state.flood.admit(chat, moment)
    message = _outgoing(state, chat, params, reply_to)
    add_text(message, text, params.get("entities"), as_caption=False)
    if params.get("link_preview_options") is not None:
        message["link_preview_options"] = params["link_preview_options"]
    return _record_sent(state, chat, message, params, text=text)


def send_document(state: TelegramState, params: Params, moment: float) -> JSONDict:
    chat = sendable_chat(state, params)
    upload = params.get("document")
    if not isinstance(upload, Upload) and upload not in state.files:
        raise Refusal(bad_request("wrong file identifier/HTTP URL specified"))
    caption = params.get("caption")
    if caption is not None:
        parse_mode = params.get("parse_mode")
        caption = checked_text(caption, parse_mode, limit=MAX_CAPTION, what="message caption")
    reply_to = reply_target(state, chat, params)
    state.flood.admit(chat, moment)
    if isinstance(upload, Upload):
        new_id = f"BQACAgQAAxkDAAI{next(state.file_numbers):06d}"
        stored = state.store_file(new_id, upload.data, upload.filename, upload.mime_type)
    else:
        stored = state.files[upload]
    message = _outgoing(state, chat, params, reply_to)
    name = stored.file_name or "document"
    message["document"] = payloads.document(
        stored.file_id, name, len(stored.data), stored.mime_type
    )
    add_text(message, caption, params.get("caption_entities"), as_caption=True)
    return _record_sent(state, chat, message, params, caption=caption, document=stored)


def _outgoing(
    state: TelegramState, chat: FakeChat, params: Params, reply_to: JSONDict | None
) -> JSONDict:
    """A bot message: from the bot, or in a channel signed by the channel itself."""
    channel = chat.type == "channel"
    message = message_base(
        next(state.message_ids[chat.id]),
        chat,
        date=now(),
        from_user=None if channel else state.bot_user,
        sender_chat=chat if channel else None,
        message_thread_id=params.get("message_thread_id"),
    )
    if reply_to is not None:
        message["reply_to_message"] = without_reply(reply_to)
    markup = _inline_markup(params)
    if markup is not None:
        message["reply_markup"] = markup
    return message


def _record_sent(
    state: TelegramState,
    chat: FakeChat,
    message: JSONDict,
    params: Params,
    *,
    text: str | None = None,
    caption: str | None = None,
    document: FakeFile | None = None,
) -> JSONDict:
    reply = message.get("reply_to_message")
    sent = SentMessage(
        chat_id=chat.id,
        message_id=message["message_id"],
        text=text,
        parse_mode=params.get("parse_mode"),
        entities=tuple(params.get("entities") or params.get("caption_entities") or ()),
        reply_markup=params.get("reply_markup"),
        link_preview_options=params.get("link_preview_options"),
        reply_to_message_id=reply["message_id"] if reply else None,
        message_thread_id=params.get("message_thread_id"),
        payload=message,
        caption=caption,
        document=document,
    )
    key = (chat.id, sent.message_id)
    state.messages[key] = message
    state.bot_messages[key] = sent
    state.records.sent.append(sent)
    return message


def edit_message_text(state: TelegramState, params: Params, moment: float) -> JSONDict | bool:
    parse_mode = params.get("parse_mode")
    text = checked_text(params.get("text"), parse_mode, limit=MAX_TEXT, what="message text")
    markup = _inline_markup(params)
    if params.get("inline_message_id") is not None:
        return _edit_inline(state, params, text, markup)
    chat = present_chat(state, params)
    key, current = own_message(state, chat, params)
    entities = tuple(params.get("entities") or ())
    before = (current.text, current.parse_mode, current.entities, current.reply_markup)
    if before == (text, parse_mode, entities, markup):
        raise Refusal(bad_request(_NOT_MODIFIED))
    state.flood.admit(chat, moment)
    # Telegram drops the inline keyboard of a message edited without one.
    dropped = ("text", "entities", "reply_markup", "link_preview_options", "edit_date")
    message = {k: v for k, v in current.payload.items() if k not in dropped}
    add_text(message, text, list(entities), as_caption=False)
    message["edit_date"] = now()
    if markup is not None:
        message["reply_markup"] = markup
    state.messages[key] = message
    state.bot_messages[key] = dataclasses.replace(
        current,
        text=text,
        parse_mode=parse_mode,
        entities=entities,
        reply_markup=markup,
        link_preview_options=params.get("link_preview_options"),
        payload=message,
        edited=True,
    )
    state.records.edits.append(Edit(chat.id, key[1], None, text, parse_mode, markup))
    return message


def edit_message_reply_markup(
    state: TelegramState, params: Params, moment: float
) -> JSONDict | bool:
    markup = _inline_markup(params)
    if params.get("inline_message_id") is not None:
        return _edit_inline(state, params, None, markup)
    chat = present_chat(state, params)
    key, current = own_message(state, chat, params)
    if current.reply_markup == markup:
        raise Refusal(bad_request(_NOT_MODIFIED))
    message = {k: v for k, v in current.payload.items() if k != "reply_markup"}
    if markup is not None:
        message["reply_markup"] = markup
    message["edit_date"] = now()
    state.messages[key] = message
    state.bot_messages[key] = dataclasses.replace(
        current, reply_markup=markup, payload=message, edited=True
    )
    state.records.edits.append(Edit(chat.id, key[1], None, None, None, markup))
    return message


def _edit_inline(
    state: TelegramState, params: Params, text: str | None, markup: JSONDict | None
) -> bool:
    inline_id = str(params["inline_message_id"])
    edit = Edit(None, None, inline_id, text, params.get("parse_mode"), markup)
    state.records.edits.append(edit)
    return True


def delete_message(state: TelegramState, params: Params, moment: float) -> bool:
    chat = present_chat(state, params)
    key = (chat.id, int(params.get("message_id") or 0))
    if key not in state.messages:
        raise Refusal(bad_request("message to delete not found"))
    others = key not in state.bot_messages and chat.type != "private"
    if others and not bot_has_right(state, chat, "can_delete_messages"):
        raise Refusal(bad_request("message can't be deleted"))
    del state.messages[key]
    state.bot_messages.pop(key, None)
    state.records.deletions.append(Deletion(*key))
    return True


def set_message_reaction(state: TelegramState, params: Params, moment: float) -> bool:
    chat = present_chat(state, params)
    emojis = payloads.checked_reactions(params.get("reaction"))
    key = (chat.id, int(params.get("message_id") or 0))
    if key not in state.messages:
        raise Refusal(bad_request("message to react not found"))
    is_big = bool(params.get("is_big", False))
    state.records.reactions.append(Reaction(chat.id, key[1], emojis, is_big))
    return True
