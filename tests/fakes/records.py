"""What the fake received (calls, uploads), the files it keeps, and what the bot did.

Frozen snapshots, appended in order to `Records` under the fake's lock and handed out in fresh
lists by `FakeBotApi`'s views (`calls`, `sent_messages`, `edits`, `reactions`...).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from tests.fakes.payloads import JSONDict

Params = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Call:
    """One request as the fake received it; `status` is the HTTP status it chose."""

    method: str
    params: Params
    time: float
    status: int


@dataclass(frozen=True, slots=True)
class Upload:
    """A file part of a multipart body."""

    filename: str
    mime_type: str | None
    data: bytes


@dataclass(frozen=True, slots=True)
class FakeFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the bot sent; `payload` is the `Message` JSON Telegram answered."""

    chat_id: int
    message_id: int
    text: str | None
    parse_mode: str | None
    entities: tuple[JSONDict, ...]
    reply_markup: JSONDict | None
    link_preview_options: JSONDict | None
    reply_to_message_id: int | None
    message_thread_id: int | None
    payload: JSONDict
    caption: str | None = None
    document: FakeFile | None = None
    edited: bool = False


@dataclass(frozen=True, slots=True)
class Edit:
    chat_id: int | None
    message_id: int | None
    inline_message_id: str | None
    text: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None


@dataclass(frozen=True, slots=True)
class Deletion:
    chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class Reaction:
    chat_id: int
    message_id: int
    emojis: tuple[str, ...]
    is_big: bool


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True, slots=True)
class InlineAnswer:
    inline_query_id: str
    results: tuple[JSONDict, ...]
    next_offset: str | None
    cache_time: int | None
    is_personal: bool


@dataclass(frozen=True, slots=True)
class Records:
    """Every record, oldest first; the lists grow, they are never replaced."""

    calls: list[Call] = field(default_factory=list)
    sent: list[SentMessage] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    deletions: list[Deletion] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    callback_answers: list[CallbackAnswer] = field(default_factory=list)
    inline_answers: list[InlineAnswer] = field(default_factory=list)
    left_chats: list[int] = field(default_factory=list)


class _InChat(Protocol):
    @property
    def chat_id(self) -> int | None: ...


ChatRecord = TypeVar("ChatRecord", bound=_InChat)


def in_chat(records: Iterable[ChatRecord], chat_id: int | None) -> list[ChatRecord]:
    """The records of one chat, or all of them when `chat_id` is None."""
    return [record for record in records if chat_id is None or record.chat_id == chat_id]
