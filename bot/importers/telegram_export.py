"""Telegram Desktop chat exports (`result.json`), read as a stream.

Telegram Desktop writes one object: the chat's `name`, `type` and `id`, then `messages`, an
array that can hold hundreds of thousands of entries. The header is read first (ijson events,
stopping at `messages`), then the file is read again from the start and each message is built
alone (`ijson.items`), so memory stays flat whatever the size.

Both formats are read:
- older exports (before Telegram Desktop 3.x): `date` only, in the exporting computer's local
  time without a zone; `from_id` a number or "user123"; `text` a string or a list of parts;
  no `text_entities`;
- current ones: `date_unixtime` and `edited_unixtime` (UTC), `from_id` "user123" or
  "channel123", and `text_entities`, where every part is typed ("plain" included).

A part is a plain string or `{"type": ..., "text": ..., "href": ...}`. Parts become the text
and the Bot API entities (UTF-16 offsets) a live message would have had, so that extraction
treats an imported message exactly like a captured one: links from `link`/`text_link` parts,
hashtags from `hashtag` parts, and Telegram's own rules when a message has no typed part.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

import ijson

from bot.entities import Entity, utf16_len
from bot.importers import MalformedFile, Skipped
from bot.importers.tracked import TrackedReader
from storage.links import Origin, PersonRecord

BUFFER_SIZE = 64 * 1024
CHANNEL_ID_BASE = 1_000_000_000_000  # Bot API id of channel/supergroup N: -(10^12 + N)

# Export part type -> Bot API entity type. "plain" and "unknown" parts are plain text.
ENTITY_TYPES = {
    "link": "url",
    "text_link": "text_link",
    "hashtag": "hashtag",
    "mention": "mention",
    "mention_name": "text_mention",
    "email": "email",
    "phone": "phone_number",
    "cashtag": "cashtag",
    "bot_command": "bot_command",
    "bank_card": "bank_card",
}
PLAIN_TYPES = frozenset({"plain", "unknown"})
# Export chat type -> Bot API chat type.
CHAT_TYPES = {
    "private_supergroup": "supergroup",
    "public_supergroup": "supergroup",
    "private_channel": "channel",
    "public_channel": "channel",
    "private_group": "group",
    "personal_chat": "private",
    "bot_chat": "private",
    "saved_messages": "private",
}


@dataclass(frozen=True, slots=True)
class ExportHeader:
    name: str
    type: str  # as the export says: "private_supergroup", "public_channel", ...
    id: int | None  # the bare id the export gives

    @property
    def chat_type(self) -> str | None:
        """The Bot API type ("supergroup", "channel", "group", "private"), if known."""
        return CHAT_TYPES.get(self.type)

    @property
    def chat_id(self) -> int | None:
        """The Bot API id of the exported chat (-100… for supergroups and channels)."""
        kind = self.chat_type
        if self.id is None or kind is None:
            return None
        if kind in ("supergroup", "channel"):
            return -(CHANNEL_ID_BASE + self.id)
        return -self.id if kind == "group" else self.id


@dataclass(frozen=True, slots=True)
class ExportedMessage:
    """One message of the export, as capture needs it."""

    message_id: int
    date: int  # Unix seconds
    text: str
    entities: tuple[Entity, ...]  # UTF-16 offsets into `text`; empty when no part is typed
    sender: PersonRecord | None
    origin: Origin | None
    edited: int | None


def read_header(reader: TrackedReader) -> ExportHeader:
    """The chat the export is of; stops reading where `messages` starts."""
    found: dict[str, Any] = {}
    try:
        events = ijson.parse(reader, buf_size=BUFFER_SIZE, use_float=True)
        first = next(events, None)
        if first is None or first[1] != "start_map":
            raise MalformedFile("not a Telegram Desktop export (expected a JSON object)")
        for prefix, event, value in events:
            if prefix == "" and event == "map_key":
                if value == "messages":
                    return _header(found)
                if value == "chats":
                    raise MalformedFile(FULL_EXPORT_HINT)
            elif "." not in prefix and event in ("string", "number"):
                found[prefix] = value
    except ijson.JSONError as error:
        detail = f"{_detail(error)} (is this a Telegram Desktop export in JSON?)"
        raise MalformedFile(detail, reader.locate_yajl_error(error.args[0])) from None
    raise MalformedFile(NO_MESSAGES_HINT)


FULL_EXPORT_HINT = (
    "this is a whole-account export; export the group alone instead "
    "(in the group: ⋮ → Export chat history, format JSON)"
)
NO_MESSAGES_HINT = 'no "messages" list: is this a Telegram Desktop chat export (result.json)?'


def _header(found: Mapping[str, Any]) -> ExportHeader:
    raw_id = found.get("id")
    return ExportHeader(
        name=str(found.get("name") or ""),
        type=str(found.get("type") or ""),
        id=raw_id if isinstance(raw_id, int) else None,
    )


def read_messages(
    reader: TrackedReader, timezone: tzinfo = UTC
) -> Iterator[ExportedMessage | Skipped]:
    """Every message of the export, in file order; what cannot be used comes as `Skipped`.

    `timezone` applies to old exports' dates, which carry none.
    """
    reader.rewind()
    items = ijson.items(reader, "messages.item", buf_size=BUFFER_SIZE, use_float=True)
    while True:
        try:
            raw = next(items)
        except StopIteration:
            return
        except ijson.JSONError as error:
            raise MalformedFile(_detail(error), reader.locate_yajl_error(error.args[0])) from None
        yield message_record(raw, timezone)


def _detail(error: ijson.JSONError) -> str:
    message = error.args[0] if error.args else error
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return text.split("\n", 1)[0]


def message_record(raw: object, timezone: tzinfo = UTC) -> ExportedMessage | Skipped:
    """Pure: one entry of `messages` as a record, or why it is left out."""
    if not isinstance(raw, dict):
        return Skipped("malformed")
    kind = raw.get("type", "message")
    if kind == "service":
        return Skipped("service")
    if kind != "message":
        return Skipped("unsupported")
    message_id = raw.get("id")
    date = timestamp(raw, "date_unixtime", "date", timezone)
    if not isinstance(message_id, int) or isinstance(message_id, bool) or date is None:
        return Skipped("malformed")
    text, entities = text_and_entities(_parts_of(raw))
    return ExportedMessage(
        message_id=message_id,
        date=date,
        text=text,
        entities=entities,
        sender=sender_of(raw),
        origin=origin_of(raw),
        edited=timestamp(raw, "edited_unixtime", "edited", timezone),
    )


def _parts_of(raw: Mapping[str, Any]) -> str | Sequence[object]:
    """`text` when it is a list of parts; else `text_entities` (typed parts); else `text`.

    Some files carry a plain `text` beside typed `text_entities` (the types are only there),
    others a placeholder in `text_entities` beside a list in `text`: the list wins.
    """
    text = raw.get("text")
    if isinstance(text, list):
        return text
    typed = raw.get("text_entities")
    if isinstance(typed, list) and typed and all(isinstance(part, dict) for part in typed):
        return typed
    return text if isinstance(text, str) else ""


def text_and_entities(parts: str | Sequence[object]) -> tuple[str, tuple[Entity, ...]]:
    """Pure: the message text and its entities, offsets in UTF-16 code units."""
    if isinstance(parts, str):
        return parts, ()
    pieces: list[str] = []
    entities: list[Entity] = []
    offset = 0
    for part in parts:
        if isinstance(part, str):
            piece, kind, href = part, "plain", None
        elif isinstance(part, dict):
            piece, kind, href = _typed_part(part)
        else:
            continue
        length = utf16_len(piece)
        if kind not in PLAIN_TYPES and length:
            url = href if kind == "text_link" else None
            entities.append(Entity(ENTITY_TYPES.get(kind, kind), offset, length, url))
        pieces.append(piece)
        offset += length
    return "".join(pieces), tuple(entities)


def _typed_part(part: Mapping[str, Any]) -> tuple[str, str, str | None]:
    text, href = part.get("text"), part.get("href")
    return (
        text if isinstance(text, str) else "",
        str(part.get("type") or "plain"),
        href if isinstance(href, str) else None,
    )


def timestamp(
    raw: Mapping[str, Any], unix_key: str, iso_key: str, timezone: tzinfo = UTC
) -> int | None:
    """Unix seconds from `<unix_key>` ("1652135033"), else from `<iso_key>` (local time)."""
    unix = raw.get(unix_key)
    if isinstance(unix, int) and not isinstance(unix, bool):
        return unix
    if isinstance(unix, str) and unix.strip().isdigit():
        return int(unix)
    iso = raw.get(iso_key)
    if not isinstance(iso, str):
        return None
    try:
        moment = datetime.fromisoformat(iso.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone)
    return int(moment.timestamp())


def peer_id(value: object) -> tuple[str, int] | None:
    """("user", 123) from "user123" or 123; ("channel", N) and ("chat", N) likewise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return ("user", value)
    if isinstance(value, str):
        for kind in ("user", "channel", "chat"):
            rest = value[len(kind) :]
            if value.startswith(kind) and rest.isdigit():
                return (kind, int(rest))
    return None


def bot_api_id(kind: str, bare: int) -> int:
    if kind == "channel":
        return -(CHANNEL_ID_BASE + bare)
    return -bare if kind == "chat" else bare


def sender_of(raw: Mapping[str, Any]) -> PersonRecord | None:
    """The author: a user, or a channel (its posts, anonymous admins), as live capture has it."""
    peer = peer_id(raw.get("from_id"))
    if peer is None:
        return None
    name = raw.get("from")
    return PersonRecord(id=bot_api_id(*peer), display_name=name if isinstance(name, str) else "")


def origin_of(raw: Mapping[str, Any]) -> Origin | None:
    """Where a forwarded message came from; a name alone (older exports) is a hidden user."""
    if "forwarded_from" not in raw and "forwarded_from_id" not in raw:
        return None
    name = raw.get("forwarded_from")
    shown = name if isinstance(name, str) else None
    peer = peer_id(raw.get("forwarded_from_id"))
    if peer is None:
        return Origin("hidden_user", name=shown)
    kind, bare = peer
    return Origin(kind, name=shown, chat_id=bot_api_id(kind, bare))
