"""What follows /feed, read in French or English. Pure.

    add [@channel | -100…] URL [petitions|campaigns|auto] [#tag …] [sample]
    list | remove N | public N | private N | resume N | interval N DURATION

Unknown words are refused rather than guessed (`FeedArgsError`), as /subscribe does: a typo
must not become a filter nobody asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.feed_schedule import parse_interval
from bot.folding import fold_key

Action = Literal["help", "add", "list", "remove", "public", "private", "resume", "interval"]
FeedKind = Literal["auto", "petition", "campaign"]

_ACTIONS: dict[str, Action] = {
    **dict.fromkeys(("add", "ajouter", "ajout", "suivre"), "add"),
    **dict.fromkeys(("list", "liste", "lister", "ls"), "list"),
    **dict.fromkeys(("remove", "rm", "delete", "del", "retirer", "supprimer"), "remove"),
    **dict.fromkeys(("public", "publique"), "public"),
    **dict.fromkeys(("private", "prive", "privee"), "private"),
    **dict.fromkeys(("resume", "reprendre", "relancer"), "resume"),
    **dict.fromkeys(("interval", "intervalle", "frequence", "every"), "interval"),
    **dict.fromkeys(("help", "aide"), "help"),
}
_KINDS: dict[str, FeedKind] = {
    **dict.fromkeys(("petition", "petitions"), "petition"),
    **dict.fromkeys(("campagne", "campagnes", "campaign", "campaigns"), "campaign"),
    **dict.fromkeys(("auto", "automatique", "tout", "all"), "auto"),
}
_SAMPLE = frozenset({"sample", "exemple", "example", "echantillon"})
_TAG_TRIM = ".,;:!?…»«\"'()[]{}"
MAX_FEED_TAGS = 10


class FeedArgsError(ValueError):
    """A word of /feed that does not fit where it stands."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


@dataclass(frozen=True, slots=True)
class FeedArgs:
    action: Action
    target: str | None = None  # "@channel" or "-100…" (add, from a private chat)
    url: str | None = None
    kind: FeedKind = "auto"
    tags: tuple[tuple[str, str], ...] = ()  # (folded key, display form)
    sample: bool = False
    feed_id: int | None = None
    interval: int | None = None  # seconds


def parse_feed_args(args: Sequence[str]) -> FeedArgs:
    """The words after /feed -> `FeedArgs`; raises `FeedArgsError` naming the first bad word."""
    words = [word for word in args if word.strip()]
    if not words:
        return FeedArgs("help")
    action = _ACTIONS.get(_folded(words[0]))
    if action is None:
        raise FeedArgsError(words[0])
    rest = words[1:]
    if action == "add":
        return _parse_add(rest, words[0])
    if action in ("help", "list"):
        if rest:
            raise FeedArgsError(rest[0])
        return FeedArgs(action)
    return _parse_numbered(action, rest, words[0])


def _parse_add(words: list[str], said: str) -> FeedArgs:
    target = None
    if words and _is_chat_reference(words[0]):
        target, words = words[0], words[1:]
    if not words:
        raise FeedArgsError(said)
    url, *options = words
    if _is_chat_reference(url) or url.startswith("#"):
        raise FeedArgsError(url)
    kind: FeedKind = "auto"
    tags: dict[str, str] = {}
    sample = False
    for word in options:
        if word.startswith("#"):
            display = word[1:].strip(_TAG_TRIM)
            key = fold_key(display)
            if not key or " " in key:
                raise FeedArgsError(word)
            tags.setdefault(key, display)
        elif _folded(word) in _SAMPLE:
            sample = True
        elif _folded(word) in _KINDS:
            kind = _KINDS[_folded(word)]
        else:
            raise FeedArgsError(word)
    return FeedArgs("add", target, url, kind, tuple(tags.items())[:MAX_FEED_TAGS], sample=sample)


def _parse_numbered(action: Action, words: list[str], said: str) -> FeedArgs:
    if not words:
        raise FeedArgsError(said)
    feed_id = _feed_number(words[0])
    if action == "interval":
        duration = " ".join(words[1:])
        seconds = parse_interval(duration) if duration else None
        if seconds is None:
            raise FeedArgsError(duration or said)
        return FeedArgs(action, feed_id=feed_id, interval=seconds)
    if len(words) > 1:
        raise FeedArgsError(words[1])
    return FeedArgs(action, feed_id=feed_id)


def _feed_number(word: str) -> int:
    text = word.lstrip("#").removeprefix("n°").strip()
    if not text.isdigit() or len(text) > 18:
        raise FeedArgsError(word)
    return int(text)


def _folded(word: str) -> str:
    return fold_key(word).replace(" ", "")


def _is_chat_reference(word: str) -> bool:
    if word.startswith("@") and len(word) > 1:
        return True
    return word.startswith("-") and word[1:].isdigit()
