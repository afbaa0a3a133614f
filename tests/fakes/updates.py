"""Updates: the builders that make them, the queue getUpdates serves them from.

`FakeBotApi` inherits both. Each builder (`fake.message(...)`, `fake.my_chat_member(...)`...)
records its event as Telegram would: the chat and users become known, the sender and the bot
become members unless the test already set their status, memberships change, a migrated group
answers "migrate" from then on. The update is returned, not queued: `push_update` queues it for
getUpdates (and wakes long polls), `payloads.to_update` parses it for `app.process_update`.
"""

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tests.fakes import payloads
from tests.fakes.payloads import (
    GROUP_ANONYMOUS_BOT,
    FakeChat,
    FakeUser,
    JSONDict,
    MemberStatus,
    add_text,
    membership,
    message_of,
    now,
    without_reply,
)
from tests.fakes.records import Params, SentMessage
from tests.fakes.state import TelegramState, update_type


class UpdateBuilders:
    """The builders of `FakeBotApi`; each takes `_state.lock` for the time it records."""

    _state: TelegramState

    def message(
        self,
        chat: FakeChat,
        user: FakeUser,
        text: str | None,
        entities: list[JSONDict] | None = None,
        caption: bool = False,
        photo: bool = False,
        reply_to: Mapping[str, Any] | None = None,
        forward_origin: JSONDict | None = None,
        sender_chat: FakeChat | None = None,
        message_thread_id: int | None = None,
    ) -> JSONDict:
        """A user's message; `caption=True` puts the text under a photo."""
        state = self._state
        with state.lock:
            state.see(chat, user)
            message = state.incoming(chat, user, sender_chat, message_thread_id)
            _fill(message, text, entities, caption or photo, reply_to, forward_origin)
            return state.new_update("message", message)

    def channel_post(
        self,
        channel: FakeChat,
        text: str | None,
        entities: list[JSONDict] | None = None,
        caption: bool = False,
        photo: bool = False,
        forward_origin: JSONDict | None = None,
        author_signature: str | None = None,
    ) -> JSONDict:
        state = self._state
        with state.lock:
            state.see(channel)
            message = state.incoming(channel, None, channel, None)
            _fill(message, text, entities, caption or photo, None, forward_origin)
            if author_signature is not None:
                message["author_signature"] = author_signature
            return state.new_update("channel_post", message)

    def edited_message(
        self, original: Mapping[str, Any], text: str, entities: list[JSONDict] | None = None
    ) -> JSONDict:
        """The same message_id with new text and an edit_date."""
        return _edited(self._state, "edited_message", original, text, entities)

    def edited_channel_post(
        self, original: Mapping[str, Any], text: str, entities: list[JSONDict] | None = None
    ) -> JSONDict:
        return _edited(self._state, "edited_channel_post", original, text, entities)

    def document_message(
        self,
        chat: FakeChat,
        user: FakeUser,
        file_id: str,
        file_name: str,
        size: int | None = None,
        caption: str | None = None,
        mime_type: str | None = None,
        caption_entities: list[JSONDict] | None = None,
    ) -> JSONDict:
        """A shared file; `size` defaults to the bytes given to `add_file`."""
        state = self._state
        with state.lock:
            state.see(chat, user)
            if size is None:
                known = state.files.get(file_id)
                size = len(known.data) if known else 0
            message = state.incoming(chat, user, None, None)
            message["document"] = payloads.document(file_id, file_name, size, mime_type)
            add_text(message, caption, caption_entities, as_caption=True)
            return state.new_update("message", message)

    def migrate(
        self, old_group: FakeChat, new_supergroup: FakeChat, from_user: FakeUser | None = None
    ) -> list[JSONDict]:
        """The two service messages of a group upgraded to a supergroup, old group first."""
        if old_group.type != "group" or new_supergroup.type != "supergroup":
            raise ValueError("a group migrates to a supergroup")
        state = self._state
        with state.lock:
            state.see(old_group)
            state.know_chat(new_supergroup)
            author = from_user or state.creator_of(old_group)
            old = state.incoming(old_group, author, None, None)
            old["migrate_to_chat_id"] = new_supergroup.id
            new = state.incoming(new_supergroup, GROUP_ANONYMOUS_BOT, new_supergroup, None)
            new["migrate_from_chat_id"] = old_group.id
            state.members[new_supergroup.id].update(state.members[old_group.id])
            state.migrated_to[old_group.id] = new_supergroup.id
            return [state.new_update("message", old), state.new_update("message", new)]

    def my_chat_member(
        self,
        chat: FakeChat,
        from_user: FakeUser,
        old_status: MemberStatus,
        new_status: MemberStatus,
        rights: Iterable[str] | None = None,
    ) -> JSONDict:
        """The bot added, promoted, removed; in a private chat "kicked" means blocked."""
        state = self._state
        with state.lock:
            state.know(chat, from_user)
            if chat.type == "private":
                state.set_blocked(chat.id, blocked=new_status == "kicked")
            change = (old_status, new_status, rights)
            payload = _member_change(state, chat, from_user, state.bot_user, *change)
            return state.new_update("my_chat_member", payload)

    def chat_member(
        self,
        chat: FakeChat,
        from_user: FakeUser,
        user: FakeUser,
        old_status: MemberStatus,
        new_status: MemberStatus,
        rights: Iterable[str] | None = None,
    ) -> JSONDict:
        """Someone joined, left, was promoted (delivered only if allowed_updates asks)."""
        state = self._state
        with state.lock:
            state.know(chat, from_user, user)
            change = (old_status, new_status, rights)
            payload = _member_change(state, chat, from_user, user, *change)
            return state.new_update("chat_member", payload)

    def callback_query(
        self, user: FakeUser, message: SentMessage | Mapping[str, Any], data: str
    ) -> JSONDict:
        """A press on an inline button of `message` (its current version if the bot edited it)."""
        source = message.payload if isinstance(message, SentMessage) else message_of(message)
        state = self._state
        with state.lock:
            state.users.setdefault(user.id, user)
            current = state.messages.get((source["chat"]["id"], source["message_id"]), source)
            query = payloads.callback_query(state.open_query(), user, current, data)
            return state.new_update("callback_query", query)

    def inline_query(
        self, user: FakeUser, query: str, offset: str = "", chat_type: str | None = None
    ) -> JSONDict:
        state = self._state
        with state.lock:
            state.users.setdefault(user.id, user)
            query_id = state.open_query()
            payload = payloads.inline_query(query_id, user, query, offset, chat_type)
            return state.new_update("inline_query", payload)

    def chosen_inline_result(
        self, user: FakeUser, result_id: str, query: str, inline_message_id: str | None = None
    ) -> JSONDict:
        payload = payloads.chosen_inline_result(user, result_id, query, inline_message_id)
        with self._state.lock:
            return self._state.new_update("chosen_inline_result", payload)


class UpdateQueue:
    """getUpdates' side of `FakeBotApi`: the queue, and long polls waiting on it."""

    token: str
    _state: TelegramState

    def poll_ready(self, token: str, params: Params) -> bool:
        """Whether getUpdates with these params answers now rather than waits."""
        with self._state.lock:
            return self._poll_ready_locked(token, params)

    def _poll_ready_locked(self, token: str, params: Params) -> bool:
        state = self._state
        if token != self.token or any(f.method == "getupdates" for f in state.failures):
            return True
        offset = int(params.get("offset") or 0)
        allowed = frozenset(params.get("allowed_updates") or ()) or state.allowed_updates
        return any(
            (offset <= 0 or update["update_id"] >= offset) and update_type(update) in allowed
            for update in state.pending
        )

    def wait_for_updates(
        self, token: str, params: Params, timeout: float, stopping: threading.Event
    ) -> None:
        """Block a server thread until getUpdates has something to say, or `timeout`."""
        with self._state.updates_changed:
            self._state.updates_changed.wait_for(
                lambda: stopping.is_set() or self._poll_ready_locked(token, params), timeout
            )

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` (from any thread) whenever updates arrive; returns unsubscribe."""
        with self._state.lock:
            self._state.listeners.append(listener)

        def unsubscribe() -> None:
            with self._state.lock:
                if listener in self._state.listeners:
                    self._state.listeners.remove(listener)

        return unsubscribe

    def wake_waiters(self) -> None:
        with self._state.updates_changed:
            self._state.updates_changed.notify_all()
            listeners = list(self._state.listeners)
        for listener in listeners:
            listener()

    def push_update(self, *updates: JSONDict) -> None:
        """Queue updates (built with the builders above) for getUpdates."""
        with self._state.lock:
            self._state.pending.extend(updates)
        self.wake_waiters()


def _fill(
    message: JSONDict,
    text: str | None,
    entities: list[JSONDict] | None,
    as_caption: bool,
    reply_to: Mapping[str, Any] | None,
    forward_origin: JSONDict | None,
) -> None:
    if forward_origin is not None:
        message["forward_origin"] = forward_origin
    if reply_to is not None:
        message["reply_to_message"] = without_reply(message_of(reply_to))
    if as_caption:
        message["photo"] = payloads.photo_sizes(message["message_id"])
    add_text(message, text, entities, as_caption=as_caption)


def _edited(
    state: TelegramState,
    kind: str,
    original: Mapping[str, Any],
    text: str,
    entities: list[JSONDict] | None,
) -> JSONDict:
    source = message_of(original)
    key = (source["chat"]["id"], source["message_id"])
    with state.lock:
        current = state.messages.get(key, source)
        as_caption = any(field in current for field in ("photo", "document", "caption"))
        dropped = ("text", "entities", "caption", "caption_entities", "edit_date")
        message = {k: v for k, v in current.items() if k not in dropped}
        add_text(message, text, entities, as_caption=as_caption)
        message["edit_date"] = now()
        state.messages[key] = message
        return state.new_update(kind, message)


def _member_change(
    state: TelegramState,
    chat: FakeChat,
    from_user: FakeUser,
    user: FakeUser,
    old_status: MemberStatus,
    new_status: MemberStatus,
    rights: Iterable[str] | None,
) -> JSONDict:
    """Record `user`'s new standing (private chats have none) and describe the change."""
    old = membership(old_status)
    new = membership(new_status, None if rights is None else frozenset(rights))
    if chat.type != "private":
        state.members[chat.id][user.id] = new
    return payloads.chat_member_updated(
        chat,
        from_user,
        payloads.chat_member(user, old, chat.type),
        payloads.chat_member(user, new, chat.type),
        now(),
    )
