"""Pure conversions of imported records into what capture takes or what storage writes.

A bookmark becomes the message a member would have posted: its description, its tags as
hashtags, its address, with the entities Telegram would attach, so that `build_share` applies
the live rules to it. A JSON Lines link becomes the shares it was exported from, untouched:
a move keeps addresses, kinds and tags as they were stored, even if the rules changed since.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bot.access import ChatRef
from bot.capture import IncomingMessage
from bot.entities import HASHTAG_MAX_LENGTH, Entity, utf16_len
from bot.folding import fold_key
from bot.importers.bookmarks import Bookmark
from storage.links import ExportedLink, LinkDraft, MessageShare, PersonRecord

BOOKMARK_MESSAGE_ID = 0  # storage's "no message": one bookmark share per link per chat
_NOT_HASHTAG_LETTERS = re.compile(r"[^\w]+")


def hashtag_form(tag: str) -> str:
    """'Libertés publiques' -> 'Libertés_publiques'; '' when nothing would make a hashtag.

    Telegram hashtags hold letters, digits and underscores, and at least one letter.
    """
    text = _NOT_HASHTAG_LETTERS.sub("_", unicodedata.normalize("NFC", tag)).strip("_")
    if not any(char.isalpha() for char in text):
        return ""
    return text[:HASHTAG_MAX_LENGTH]


def bookmark_message(
    bookmark: Bookmark, chat_id: int, date: int, sender: PersonRecord | None
) -> IncomingMessage:
    """The message that shares this bookmark: "description #tag #tag url", with entities."""
    pieces: list[str] = []
    entities: list[Entity] = []
    offset = 0

    def add(piece: str, kind: str | None) -> None:
        nonlocal offset
        if pieces:
            pieces.append("\n" if kind == "url" else " ")
            offset += 1
        length = utf16_len(piece)
        if kind is not None:
            entities.append(Entity(kind, offset, length))
        pieces.append(piece)
        offset += length

    if bookmark.description:
        add(bookmark.description, None)
    for tag in dict.fromkeys(filter(None, map(hashtag_form, bookmark.tags))):
        add(f"#{tag}", "hashtag")
    add(bookmark.url, "url")
    return IncomingMessage(
        chat=ChatRef(id=chat_id, type="", title=""),
        message_id=BOOKMARK_MESSAGE_ID,
        date=date,
        text="".join(pieces),
        entities=tuple(entities),
        sender=sender,
    )


def restored_shares(link: ExportedLink) -> tuple[MessageShare, ...]:
    """One share per exported share, without its edit date (see storage.imports)."""
    draft = (LinkDraft(url=link.url, domain=link.domain, kind=link.kind),)
    return tuple(
        MessageShare(
            chat_id=link.chat_id,
            message_id=share.message_id,
            shared_at=share.shared_at,
            links=draft,
            tags=_tags(share.tags),
            comment=share.comment,
            person=_person(share.person_id, share.person_name, share.person_username),
            source=share.source,
        )
        for share in link.shares
    )


def _tags(displays: Sequence[str]) -> tuple[tuple[str, str], ...]:
    tags: dict[str, str] = {}
    for display in displays:
        key = fold_key(display)
        if key:
            tags.setdefault(key, display)
    return tuple(tags.items())


def _person(person_id: int | None, name: str | None, username: str | None) -> PersonRecord | None:
    if person_id is None:
        return None
    return PersonRecord(id=person_id, display_name=name or "", username=username)
