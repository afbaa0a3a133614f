"""`TelegramState`: everything the fake Telegram knows about one bot's world.

One object is shared by `FakeBotApi` (set-up, views, the wire), the update builders
(updates.py), the access rules (access.py) and the endpoints (endpoints.py, messaging.py). It
takes no lock itself: every caller holds `state.lock`, because the loopback server answers from
its own threads while the test thread inspects the state.
"""

import json
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import count
from typing import Any

from telegram.constants import UpdateType

from tests.fakes import payloads
from tests.fakes.flood import FloodGate
from tests.fakes.payloads import (
    GROUP_ANONYMOUS_BOT,
    FakeChat,
    FakeError,
    FakeUser,
    JSONDict,
    Membership,
    Refusal,
    bad_request,
    membership,
    message_base,
    now,
)
from tests.fakes.records import FakeFile, Records, SentMessage

# What Telegram delivers while allowed_updates was never set (or set to []).
DEFAULT_ALLOWED_UPDATES: frozenset[str] = frozenset(UpdateType) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}


def update_type(update: Mapping[str, Any]) -> str:
    """The one field of an update besides update_id."""
    for key in update:
        if key != "update_id":
            return key
    raise ValueError("an update needs a payload")


def scope_key(scope: Mapping[str, Any] | None) -> str:
    """Commands are stored per scope; key them by its canonical JSON."""
    return json.dumps(dict(scope or {"type": "default"}), sort_keys=True)


@dataclass(slots=True)
class Failure:
    """An error queued by `fail_next`: the next `remaining` calls to `method` answer it."""

    method: str
    error: FakeError
    remaining: int
    chat_id: int | str | None


class TelegramState:
    """Chats, members, messages, files, queued updates and records; guarded by `lock`."""

    def __init__(self, bot_user: FakeUser, capabilities: Mapping[str, bool]) -> None:
        self.lock = threading.Lock()
        self.updates_changed = threading.Condition(self.lock)
        self.listeners: list[Callable[[], None]] = []
        self.bot_user = bot_user
        self.capabilities = dict(capabilities)
        self.users: dict[int, FakeUser] = {bot_user.id: bot_user}
        self.chats: dict[int, FakeChat] = {}
        self.descriptions: dict[int, str] = {}
        self.members: dict[int, dict[int, Membership]] = {}
        self.migrated_to: dict[int, int] = {}
        self.blocked_by: set[int] = set()
        self.messages: dict[tuple[int, int], JSONDict] = {}
        self.bot_messages: dict[tuple[int, int], SentMessage] = {}
        self.message_ids: dict[int, count[int]] = {}
        self.update_ids = count(1)
        self.query_ids = count(4_200_000_000_000_000_001)
        self.file_numbers = count(1)
        self.open_queries: set[str] = set()
        self.pending: deque[JSONDict] = deque()
        self.allowed_updates = DEFAULT_ALLOWED_UPDATES
        self.files: dict[str, FakeFile] = {}
        self.files_by_path: dict[str, FakeFile] = {}
        self.commands: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
        self.failures: list[Failure] = []
        self.flood = FloodGate()
        self.records = Records()

    def know_chat(self, chat: FakeChat) -> None:
        self.chats[chat.id] = chat
        self.members.setdefault(chat.id, {})
        self.message_ids.setdefault(chat.id, count(1))

    def know(self, chat: FakeChat, *users: FakeUser) -> None:
        if chat.id not in self.chats:
            self.know_chat(chat)
        for user in users:
            self.users.setdefault(user.id, user)

    def see(self, chat: FakeChat, *senders: FakeUser) -> None:
        """Telegram delivers a chat's messages only to a bot inside it, from its members."""
        self.know(chat, *senders)
        members = self.members[chat.id]
        if chat.type == "channel":
            members.setdefault(self.bot_user.id, membership("administrator"))
        elif chat.is_group:
            members.setdefault(self.bot_user.id, Membership("member"))
            for sender in senders:
                if sender.id not in (GROUP_ANONYMOUS_BOT.id, payloads.TELEGRAM_SERVICE.id):
                    members.setdefault(sender.id, Membership("member"))

    def standing(self, chat: FakeChat, user: FakeUser) -> Membership:
        if chat.type == "private":
            inside = user.id in (chat.id, self.bot_user.id)
            return Membership("member" if inside else "left")
        return self.members.get(chat.id, {}).get(user.id, Membership("left"))

    def creator_of(self, chat: FakeChat) -> FakeUser:
        for user_id, standing in self.members.get(chat.id, {}).items():
            if standing.status == "creator":
                return self.users[user_id]
        return GROUP_ANONYMOUS_BOT

    def set_blocked(self, user_id: int, *, blocked: bool) -> None:
        if blocked:
            self.blocked_by.add(user_id)
        else:
            self.blocked_by.discard(user_id)

    def incoming(
        self,
        chat: FakeChat,
        user: FakeUser | None,
        sender_chat: FakeChat | None,
        thread: int | None,
    ) -> JSONDict:
        """A new message in `chat`, kept so that replies, edits and reactions can find it."""
        message_id = next(self.message_ids[chat.id])
        message = message_base(
            message_id,
            chat,
            date=now(),
            from_user=user,
            sender_chat=sender_chat,
            message_thread_id=thread,
        )
        self.messages[(chat.id, message_id)] = message
        return message

    def new_update(self, kind: str, payload: JSONDict) -> JSONDict:
        return {"update_id": next(self.update_ids), kind: payload}

    def open_query(self) -> str:
        query_id = str(next(self.query_ids))
        self.open_queries.add(query_id)
        return query_id

    def close_query(self, query_id: str) -> None:
        """A callback or inline query is answered once, and only while it is open."""
        if query_id not in self.open_queries:
            raise Refusal(
                bad_request("query is too old and response timeout expired or query ID is invalid")
            )
        self.open_queries.discard(query_id)

    def store_file(
        self, file_id: str, data: bytes, file_name: str | None, mime_type: str | None
    ) -> FakeFile:
        folder = "documents" if file_name else "photos"
        suffix = file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else "jpg"
        path = f"{folder}/file_{next(self.file_numbers)}.{suffix}"
        unique = payloads.unique_id_for(file_id)
        stored = FakeFile(file_id, unique, data, path, file_name, mime_type)
        self.files[file_id] = stored
        self.files_by_path[path] = stored
        return stored
