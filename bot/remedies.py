"""What to do about a send that failed: Telegram's errors sorted by remedy. Pure.

    Exception
    ├── RetryAfter                  -> FloodWait: the chat (or every chat) waits exactly that
    ├── ChatMigrated                -> Migrated: move the chat to its new id, send there
    ├── Forbidden                   -> ChatGone: end the subscription, tell the subscriber
    │     ("kicked", "not a member" -> removed; blocked, deactivated... -> forbidden)
    ├── BadRequest
    │   ├── chat not found, deactivated, invalid peer    -> ChatGone(not_found)
    │   ├── no right to post (need administrator rights,
    │   │   not enough rights, write forbidden)          -> ChatGone(cannot_post)
    │   └── anything else                                -> Rejected: will never pass
    ├── NetworkError (TimedOut included)
    │   ├── the request may have reached Telegram
    │   │   (read timeout, connection lost while waiting
    │   │   for the answer)                              -> Unconfirmed: never resent on its own
    │   └── it cannot have (no connection, pool busy, an
    │       answer came: 5xx, nginx error page)          -> Retry, with backoff
    └── anything else (InvalidToken, a bug)              -> Retry, with backoff

Unconfirmed is what keeps deliveries at most once: resending after a read timeout would post a
second copy whenever Telegram had in fact accepted the first (the Bot API has no way to ask).
Such deliveries are dead letters that operators see and may retry (`veille outbox retry`).
"""

from __future__ import annotations

import datetime as dtm
from dataclasses import dataclass
from typing import Literal

import httpx
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

GoneReason = Literal["removed", "forbidden", "not_found", "cannot_post"]

_NOT_FOUND = ("chat not found", "peer_id_invalid", "group chat was deactivated")
_CANNOT_POST = (
    "need administrator rights",
    "not enough rights",
    "have no rights",
    "chat_write_forbidden",
    "chat_admin_required",
)
_REMOVED = ("kicked", "not a member")
# httpx errors after which the request may have been received and acted on.
_MAYBE_DELIVERED: tuple[type[Exception], ...] = (
    httpx.ReadTimeout,
    httpx.ReadError,
    httpx.RemoteProtocolError,
)


@dataclass(frozen=True, slots=True)
class FloodWait:
    seconds: float


@dataclass(frozen=True, slots=True)
class Migrated:
    new_chat_id: int


@dataclass(frozen=True, slots=True)
class ChatGone:
    reason: GoneReason
    detail: str


@dataclass(frozen=True, slots=True)
class _Failed:
    detail: str  # what went wrong, for the outbox and the logs (`describe`)


@dataclass(frozen=True, slots=True)
class Retry(_Failed):
    """Send again after a backoff; a dead letter after the last attempt."""


@dataclass(frozen=True, slots=True)
class Unconfirmed(_Failed):
    """The send may have reached Telegram: never resent on its own."""


@dataclass(frozen=True, slots=True)
class Rejected(_Failed):
    """Telegram will never accept this send: a dead letter at once."""


Remedy = FloodWait | Migrated | ChatGone | Retry | Unconfirmed | Rejected


def remedy_for(error: Exception) -> Remedy:
    """The remedy for an exception raised by a send."""
    detail = describe(error)
    if isinstance(error, RetryAfter):
        return FloodWait(_seconds(error.retry_after))
    if isinstance(error, ChatMigrated):
        return Migrated(int(error.new_chat_id))
    if isinstance(error, Forbidden):
        removed = _mentions(error.message, _REMOVED)
        return ChatGone("removed" if removed else "forbidden", detail)
    if isinstance(error, BadRequest):
        if _mentions(error.message, _NOT_FOUND):
            return ChatGone("not_found", detail)
        if _mentions(error.message, _CANNOT_POST):
            return ChatGone("cannot_post", detail)
        return Rejected(detail)
    if isinstance(error, NetworkError) and isinstance(error.__cause__, _MAYBE_DELIVERED):
        return Unconfirmed(detail)
    return Retry(detail)


def describe(error: Exception) -> str:
    """A short line for the outbox and the logs (never the request, which holds the token)."""
    name = type(error).__name__
    message = getattr(error, "message", None) or str(error)
    message = message.split(". Parsing the server response")[0]  # not nginx's whole page
    cause = error.__cause__
    if isinstance(cause, httpx.HTTPError):
        message = f"{message} ({type(cause).__name__})" if message else type(cause).__name__
    if not message:
        return name
    line = message if message.startswith(name) else f"{name}: {message}"
    return line[:300]


def _mentions(message: str, needles: tuple[str, ...]) -> bool:
    lowered = message.lower()
    return any(needle in lowered for needle in needles)


def _seconds(value: float | dtm.timedelta) -> float:
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)
