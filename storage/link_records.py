"""The frozen records of the link aggregate: what capture and imports write, what the export
reads, what erasing shares removed. No I/O: the write path is storage/link_writes.py, the
export reads storage/link_export.py, the erasure storage/share_erasure.py."""

from __future__ import annotations

from dataclasses import dataclass

Key = tuple[int, str]  # (chat_id, normalised url)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: int
    display_name: str
    username: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a forwarded message came from."""

    type: str  # user, hidden_user, chat, channel
    name: str | None = None
    chat_id: int | None = None
    message_id: int | None = None
    date: int | None = None


@dataclass(frozen=True, slots=True)
class LinkDraft:
    url: str
    domain: str
    kind: str = "link"


@dataclass(frozen=True, slots=True)
class MessageShare:
    """One captured message: its links share its tags and comment."""

    chat_id: int
    message_id: int
    shared_at: int
    links: tuple[LinkDraft, ...]
    tags: tuple[tuple[str, str], ...] = ()  # (folded key, display form)
    comment: str = ""
    person: PersonRecord | None = None
    origin: Origin | None = None
    edited_at: int | None = None
    source: str = "live"


@dataclass(frozen=True, slots=True)
class SavedLink:
    link_id: int
    chat_id: int
    url: str
    kind: str
    new: bool
    became_notable: bool  # newly a petition or campaign: a candidate announcement


@dataclass(frozen=True, slots=True)
class SaveResult:
    links: tuple[SavedLink, ...]
    removed_links: int = 0


@dataclass(frozen=True, slots=True)
class ExportedShare:
    message_id: int
    person_id: int | None
    person_name: str | None
    person_username: str | None
    shared_at: int
    edited_at: int | None
    comment: str
    tags: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class ExportedLink:
    chat_id: int
    url: str
    domain: str
    kind: str
    title: str | None
    description: str | None
    site_name: str | None
    tags: tuple[str, ...]  # display forms
    comment: str
    first_shared_at: int
    last_shared_at: int
    share_count: int
    shares: tuple[ExportedShare, ...]
    canonical_url: str | None = None  # from the page's preview, like title and description
    language: str | None = None
    chat_type: str = ""  # so that `veille import jsonl` recreates the chat on a new server
    chat_title: str = ""


@dataclass(frozen=True, slots=True)
class RemovedShares:
    """What erasing shares removed: the shares, and the links whose last share they were."""

    shares: int
    links: int
