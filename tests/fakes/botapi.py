"""A fake Telegram Bot API: the state behind the network seam every Veille test uses.

`FakeBotApi.handle(method, token, params)` answers like api.telegram.org: the same JSON, HTTP
statuses and descriptions, so python-telegram-bot's status -> exception mapping (`RetryAfter`,
`ChatMigrated`, `Forbidden`, `BadRequest`, `TimedOut`, `NetworkError`) runs for real above it.
Two front-ends feed it: `FakeRequest` (request.py, in process) and `FakeBotApiServer`
(server.py, loopback HTTP). It records every call, keeps chats, members and the messages the bot
sent, injects errors on demand and can enforce flood limits.

Building an update (`fake.message(...)`, `fake.my_chat_member(...)`...) records the event as
Telegram would (updates.py); `push_update` queues the JSON for getUpdates; `payloads.to_update`
parses it for `app.process_update`.

This class holds set-up, views and the wire, and inherits the update builders and the getUpdates
queue (updates.py). Every part shares one `TelegramState` (state.py) under one lock: the loopback
server answers from its own threads while the test thread inspects the state. The endpoints are
in endpoints.py and messaging.py, Telegram's access rules in access.py, the flood windows in
flood.py, the records tests read in records.py.
"""

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.fakes import payloads
from tests.fakes.access import chat_id_of
from tests.fakes.endpoints import Endpoint, bind_endpoints
from tests.fakes.flood import FloodLimits, FloodWindows
from tests.fakes.payloads import (
    FakeChat,
    FakeError,
    FakeUser,
    JSONDict,
    Membership,
    MemberStatus,
    Refusal,
    membership,
)
from tests.fakes.records import (
    Call,
    CallbackAnswer,
    Deletion,
    Edit,
    FakeFile,
    InlineAnswer,
    Params,
    Reaction,
    SentMessage,
    Upload,
    in_chat,
)
from tests.fakes.state import (
    DEFAULT_ALLOWED_UPDATES,
    Failure,
    TelegramState,
    scope_key,
    update_type,
)
from tests.fakes.updates import UpdateBuilders, UpdateQueue

if TYPE_CHECKING:
    from tests.fakes.request import FakeRequest

DEFAULT_TOKEN = "123456:TEST-secret-token"


@dataclass(frozen=True, slots=True)
class Answer:
    """What a front-end sends back: status and body, or nothing for `hang_seconds`."""

    status: int
    body: bytes
    content_type: str = "application/json"
    hang_seconds: float | None = None


def _answer_for(error: FakeError) -> Answer:
    content_type = "application/json" if error.raw_body is None else "text/html"
    return Answer(error.status, error.body(), content_type, error.hang_seconds)


class FakeBotApi(UpdateBuilders, UpdateQueue):
    """Telegram's side of the Bot API for one bot, in memory."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_user: FakeUser | None = None,
        can_read_all_group_messages: bool = True,
        supports_inline_queries: bool = True,
        can_join_groups: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`can_read_all_group_messages`: privacy mode off; `clock` paces the flood windows."""
        self.token = token
        self.bot_user = bot_user or FakeUser(
            int(token.split(":", 1)[0]), "Veille", username="veille_test_bot", is_bot=True
        )
        capabilities = {
            "can_read_all_group_messages": can_read_all_group_messages,
            "supports_inline_queries": supports_inline_queries,
            "can_join_groups": can_join_groups,
        }
        self.clock = clock
        self._state = TelegramState(self.bot_user, capabilities)
        self._endpoints = bind_endpoints(self._state)

    # --- set-up -------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = "fr",
    ) -> FakeUser:
        user = FakeUser(user_id, first_name, username, last_name, language_code)
        with self._state.lock:
            self._state.users[user_id] = user
        return user

    def add_chat(
        self,
        chat_id: int,
        type: payloads.ChatType,
        title: str | None = None,
        username: str | None = None,
        *,
        is_forum: bool = False,
        description: str | None = None,
    ) -> FakeChat:
        """A group, supergroup or channel (ids: groups -N, the others -100N)."""
        if type == "private":
            raise ValueError("use private_chat(user) for private chats")
        if (type == "group") != (-1_000_000_000_000 < chat_id < 0):
            raise ValueError(f"{chat_id} is not a {type} id")
        chat = FakeChat(chat_id, type, title=title, username=username, is_forum=is_forum)
        with self._state.lock:
            self._state.know_chat(chat)
            if description is not None:
                self._state.descriptions[chat_id] = description
        return chat

    def private_chat(self, user: FakeUser) -> FakeChat:
        chat = FakeChat(
            user.id,
            "private",
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )
        with self._state.lock:
            self._state.users.setdefault(user.id, user)
            self._state.know_chat(chat)
        return chat

    def set_member(
        self,
        chat: FakeChat,
        user: FakeUser,
        status: MemberStatus,
        rights: Iterable[str] | None = None,
    ) -> None:
        """`rights` apply to administrators; omitted, they are Telegram's default switches."""
        standing = membership(status, None if rights is None else frozenset(rights))
        with self._state.lock:
            self._state.users.setdefault(user.id, user)
            self._state.know_chat(chat)
            self._state.members[chat.id][user.id] = standing

    def add_bot_to(
        self,
        chat: FakeChat,
        status: MemberStatus = "member",
        rights: Iterable[str] | None = None,
    ) -> None:
        self.set_member(chat, self.bot_user, status, rights)

    def block_bot(self, user: FakeUser, *, blocked: bool = True) -> None:
        with self._state.lock:
            self._state.set_blocked(user.id, blocked=blocked)

    def add_file(
        self,
        file_id: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> FakeFile:
        with self._state.lock:
            return self._state.store_file(file_id, data, file_name, mime_type)

    def fail_next(
        self,
        method: str,
        error: FakeError,
        times: int = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """The next `times` calls to `method` (to `chat_id` if given) answer `error`."""
        with self._state.lock:
            self._state.failures.append(Failure(method.lower(), error, times, chat_id))

    def set_flood_limits(
        self,
        per_second: float = 30.0,
        per_chat_per_minute: int = 20,
        group_per_minute: int = 20,
    ) -> None:
        """Refuse sends over these rates with 429 (sendMessage, sendDocument, editMessageText)."""
        limits = FloodLimits(per_second, per_chat_per_minute, group_per_minute)
        with self._state.lock:
            self._state.flood.windows = FloodWindows(limits)

    def clear_flood_limits(self) -> None:
        with self._state.lock:
            self._state.flood.windows = None

    def request(self) -> "FakeRequest":
        """A `BaseRequest` serving this fake in process (build one per Bot request slot)."""
        from tests.fakes.request import FakeRequest

        return FakeRequest(self)

    # --- what happened ------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._state.lock:
            return list(self._state.records.calls)

    def calls_to(self, method: str) -> list[Call]:
        wanted = method.lower()
        with self._state.lock:
            return [call for call in self._state.records.calls if call.method.lower() == wanted]

    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """Messages as the bot sent them, oldest first (`current_message` shows edits)."""
        with self._state.lock:
            return in_chat(self._state.records.sent, chat_id)

    def current_message(self, chat_id: int, message_id: int) -> SentMessage | None:
        """A bot message as it stands now: edits applied, None once deleted."""
        with self._state.lock:
            return self._state.bot_messages.get((chat_id, message_id))

    def edits(self, chat_id: int | None = None) -> list[Edit]:
        with self._state.lock:
            return in_chat(self._state.records.edits, chat_id)

    def deletions(self, chat_id: int | None = None) -> list[Deletion]:
        with self._state.lock:
            return in_chat(self._state.records.deletions, chat_id)

    def reactions(self, chat_id: int | None = None) -> list[Reaction]:
        with self._state.lock:
            return in_chat(self._state.records.reactions, chat_id)

    def callback_answers(self) -> list[CallbackAnswer]:
        with self._state.lock:
            return list(self._state.records.callback_answers)

    def inline_answers(self) -> list[InlineAnswer]:
        with self._state.lock:
            return list(self._state.records.inline_answers)

    def commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """The (command, description) pairs set for exactly this scope and language."""
        with self._state.lock:
            return list(self._state.commands.get((scope_key(scope), language_code), ()))

    def left_chats(self) -> list[int]:
        with self._state.lock:
            return list(self._state.records.left_chats)

    def member(self, chat: FakeChat, user: FakeUser) -> Membership:
        with self._state.lock:
            return self._state.standing(chat, user)

    def migrated_to(self, chat_id: int) -> int | None:
        with self._state.lock:
            return self._state.migrated_to.get(chat_id)

    def pending_updates(self) -> list[JSONDict]:
        with self._state.lock:
            return list(self._state.pending)

    @property
    def flood_violations(self) -> int:
        with self._state.lock:
            return self._state.flood.violations

    # --- the wire -----------------------------------------------------------------------------

    def handle(self, method: str, token: str, params: Params) -> Answer:
        """Answer one Bot API call as Telegram would; `params` already decoded."""
        moment = self.clock()
        with self._state.lock:
            outcome = self._outcome_locked(method, token, params, moment)
            status = outcome.status if isinstance(outcome, FakeError) else 200
            self._state.records.calls.append(Call(method, params, moment, status))
        if isinstance(outcome, FakeError):
            return _answer_for(outcome)
        return Answer(200, payloads.ok_body(outcome))

    def download(self, token: str, file_path: str) -> Answer:
        """Serve `<base_file_url><token>/<file_path>`, where getFile said the file is."""
        with self._state.lock:
            stored = self._state.files_by_path.get(file_path)
            if token != self.token:
                answer = _answer_for(payloads.unauthorized())
            elif stored is None:
                answer = _answer_for(payloads.not_found())
            else:
                answer = Answer(200, stored.data, "application/octet-stream")
            call = Call("download", {"file_path": file_path}, self.clock(), answer.status)
            self._state.records.calls.append(call)
        return answer

    def _outcome_locked(
        self, method: str, token: str, params: Params, moment: float
    ) -> FakeError | object:
        if token != self.token:
            return payloads.unauthorized()
        endpoint = self._endpoints.get(method.lower())
        if endpoint is None:
            return payloads.not_found()
        failure = self._take_failure_locked(method.lower(), params)
        if failure is not None and not failure.applied:
            return failure
        try:
            result = endpoint(params, moment)
        except Refusal as refusal:
            return failure or refusal.error
        return failure or result

    def _take_failure_locked(self, method: str, params: Params) -> FakeError | None:
        for failure in self._state.failures:
            if failure.method != method or not self._same_chat_locked(failure.chat_id, params):
                continue
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._state.failures.remove(failure)
            return failure.error
        return None

    def _same_chat_locked(self, wanted: int | str | None, params: Params) -> bool:
        if wanted is None:
            return True
        target = chat_id_of(self._state, params.get("chat_id"))
        return target is not None and target == chat_id_of(self._state, wanted)


__all__ = [
    "DEFAULT_ALLOWED_UPDATES",
    "DEFAULT_TOKEN",
    "Answer",
    "Call",
    "CallbackAnswer",
    "Deletion",
    "Edit",
    "Endpoint",
    "FakeBotApi",
    "FakeFile",
    "FloodLimits",
    "FloodWindows",
    "InlineAnswer",
    "Params",
    "Reaction",
    "SentMessage",
    "Upload",
    "scope_key",
    "update_type",
]
