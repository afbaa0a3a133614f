"""Announcements as subscribers read them, and the filters of /subscribe. Pure functions.

- `parse_subscribe_args` reads what follows /subscribe, in French or English: kinds
  (`pétitions`, `petitions`, `campagnes`, `campaigns`, `tout`/`all`...), `#hashtags`, and from
  a private chat the channel first (`@channel` or its numeric id). Unknown words are refused
  rather than guessed: a typo must not become a filter that silently matches nothing.
- `Filters.matches` decides whether a subscription wants an announcement: its kind is one of
  the subscription's kinds and, when the subscription names hashtags, the announcement carries
  at least one of them (compared folded: `#Surveillance` = `#surveillance`).
- `render` writes the message: kind label, title, link, hashtags and source, in HTML, always
  within Telegram's 4,096 characters (counted as Telegram counts them: UTF-16 units of the text
  once the markup is gone).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from bot.folding import fold_key
from bot.i18n import Lang
from bot.i18n import alerts as texts

NotableKind = Literal["petition", "campaign"]
NOTABLE_KINDS: tuple[NotableKind, ...] = get_args(NotableKind)
SourceKind = Literal["chat", "feed"]

MAX_TEXT = 4096
MAX_TITLE = 300
MAX_TAGS = 20
MAX_FILTER_TAGS = 20
_ELLIPSIS = "…"

_KIND_WORDS: dict[str, tuple[NotableKind, ...]] = {
    **dict.fromkeys(("petition", "petitions"), ("petition",)),
    **dict.fromkeys(("campagne", "campagnes", "campaign", "campaigns"), ("campaign",)),
    **dict.fromkeys(("tout", "tous", "toutes", "all", "both"), NOTABLE_KINDS),
}
_TAG_TRIM = ".,;:!?…»«\"'()[]{}"


class FilterError(ValueError):
    """A word of /subscribe that is neither a kind, a #hashtag nor (first) a channel."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


@dataclass(frozen=True, slots=True)
class Filters:
    """What a subscription wants: some kinds, and optionally any one of some hashtags."""

    kinds: frozenset[NotableKind] = frozenset(NOTABLE_KINDS)
    tags: tuple[tuple[str, str], ...] = ()  # (folded key, display form)

    def matches(self, kind: str, tag_keys: Iterable[str]) -> bool:
        if kind not in self.kinds:
            return False
        if not self.tags:
            return True
        wanted = {key for key, _ in self.tags}
        return any(key in wanted for key in tag_keys)


@dataclass(frozen=True, slots=True)
class SubscribeArgs:
    target: str | None  # "@channel" or "-100…", when the command names another chat
    filters: Filters = field(default_factory=Filters)


def parse_subscribe_args(args: Sequence[str]) -> SubscribeArgs:
    """The words after /subscribe (or /unsubscribe) -> target and filters; `FilterError`."""
    words = [part for arg in args for part in arg.split(",") if part.strip()]
    target = None
    if words and _is_chat_reference(words[0]):
        target, words = words[0], words[1:]
    kinds: set[NotableKind] = set()
    tags: dict[str, str] = {}
    for word in words:
        if word.startswith("#"):
            display = word[1:].strip(_TAG_TRIM)
            key = fold_key(display)
            if not key or " " in key:
                raise FilterError(word)
            tags.setdefault(key, display)
            continue
        found = _KIND_WORDS.get(fold_key(word).replace(" ", ""))
        if found is None:
            raise FilterError(word)
        kinds.update(found)
    chosen = frozenset(kinds) if kinds else frozenset(NOTABLE_KINDS)
    return SubscribeArgs(target, Filters(chosen, tuple(tags.items())[:MAX_FILTER_TAGS]))


def _is_chat_reference(word: str) -> bool:
    if word.startswith("@") and len(word) > 1:
        return True
    return word.startswith("-") and word[1:].isdigit()


# --- rendering ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """Where an announcement comes from; `name` and `url` only when it is public."""

    kind: SourceKind = "chat"
    name: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class AnnouncementView:
    kind: NotableKind
    url: str
    title: str | None
    tags: tuple[str, ...] = ()  # display forms, without '#'
    source: Source = field(default_factory=Source)


@dataclass(frozen=True, slots=True)
class _Part:
    """One line of the message: its HTML and the text Telegram counts."""

    markup: str
    visible: str


def render(view: AnnouncementView, lang: Lang) -> str:
    """The announcement as an HTML message of at most `MAX_TEXT` visible characters.

    When a line does not fit, the least useful goes first: hashtags, then the title; a URL too
    long to show becomes a short link text that points to it.
    """
    label = (texts.KIND_PETITION if view.kind == "petition" else texts.KIND_CAMPAIGN)(lang)
    head = _Part(f"<b>{html.escape(label)}</b>", label)
    title = _title_part(view.title)
    link = _Part(html.escape(view.url), view.url)
    tags = _tags_part(view.tags)
    source = _source_part(view.source, lang)
    for parts in (
        (head, title, link, tags, source),
        (head, title, link, source),
        (head, link, source),
    ):
        kept = [part for part in parts if part is not None]
        if _visible_length(kept) <= MAX_TEXT:
            return "\n".join(part.markup for part in kept)
    short = texts.LINK_TEXT(lang)
    link = _Part(f'<a href="{html.escape(view.url)}">{html.escape(short)}</a>', short)
    return "\n".join(part.markup for part in (head, link, source) if part is not None)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _visible_length(parts: Sequence[_Part]) -> int:
    return sum(utf16_length(part.visible) for part in parts) + len(parts) - 1


def _title_part(title: str | None) -> _Part | None:
    text = " ".join((title or "").split())
    if not text:
        return None
    if len(text) > MAX_TITLE:
        text = text[: MAX_TITLE - 1].rstrip() + _ELLIPSIS
    return _Part(f"<b>{html.escape(text)}</b>", text)


def _tags_part(tags: Sequence[str]) -> _Part | None:
    shown = [f"#{tag}" for tag in dict.fromkeys(tags) if tag][:MAX_TAGS]
    if not shown:
        return None
    text = " ".join(shown)
    return _Part(html.escape(text), text)


def _source_part(source: Source, lang: Lang) -> _Part | None:
    name = " ".join((source.name or "").split())[:MAX_TITLE]
    if source.kind == "feed":
        if not name:
            return None
        template = texts.FROM_FEED
    elif not name:
        text = texts.SHARED_IN_COMMUNITY(lang)
        return _Part(f"<i>{html.escape(text)}</i>", text)
    else:
        template = texts.SHARED_IN
    visible = template(lang, source=name)
    shown = html.escape(name)
    if source.url:
        shown = f'<a href="{html.escape(source.url)}">{shown}</a>'
    return _Part(f"<i>{template(lang, source=shown)}</i>", visible)


def describe_filters(filters: Filters, lang: Lang) -> str:
    """'les pétitions marquées #surveillance #vsa', for confirmations and /subscriptions."""
    if filters.kinds == frozenset(NOTABLE_KINDS):
        kinds = texts.WHAT_BOTH(lang)
    elif "petition" in filters.kinds:
        kinds = texts.WHAT_PETITIONS(lang)
    else:
        kinds = texts.WHAT_CAMPAIGNS(lang)
    if not filters.tags:
        return kinds
    tags = " ".join(f"#{display}" for _, display in filters.tags)
    return texts.WHAT_TAGS(lang, kinds=kinds, tags=tags)
