"""What a captured message carries: its links, its hashtags and the words around them.

Telegram's own entities are trusted when the message has any; otherwise the text goes
through the same rules Telegram applies (`bot.entities.detect_entities`). Offsets are
UTF-16 code units. Nothing here raises on odd input: malformed entities are counted and
left out, so that the caller can log them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.entities import Entity, Utf16Index, detect_entities
from bot.folding import fold_key

_TRUSTED_TYPES = frozenset({"url", "text_link", "hashtag"})
_REMOVED_FROM_COMMENT = frozenset({"url", "hashtag"})  # a text_link's words are prose
# Control characters (NUL, ESC, C1...) are no words; str.split() does not see them as spaces.
_CONTROLS_TO_SPACES = {code: " " for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))}


@dataclass(frozen=True, slots=True)
class Extraction:
    urls: tuple[str, ...]  # raw, in order of appearance, exact duplicates removed
    hashtags: tuple[str, ...]  # display forms without '#', first occurrence per fold_key
    comment: str  # the text without URL and hashtag spans, whitespace collapsed
    skipped_entities: int  # entities left out: outside the text or otherwise malformed


@dataclass(frozen=True, slots=True)
class _Span:
    entity: Entity
    begin: int  # code point indexes into the text
    end: int


def extract(text: str | None, entities: Sequence[Entity] | None) -> Extraction:
    body = text or ""
    if entities:
        spans, skipped = _trusted_spans(body, entities)
    else:
        spans, skipped = _trusted_spans(body, detect_entities(body))
    return Extraction(
        urls=_unique(_url_of(body, span) for span in spans if span.entity.type != "hashtag"),
        hashtags=_hashtags(body, spans),
        comment=_comment(body, spans),
        skipped_entities=skipped,
    )


def _trusted_spans(text: str, entities: Sequence[Entity]) -> tuple[list[_Span], int]:
    """Well-formed url/text_link/hashtag entities, in order, without overlaps."""
    index = Utf16Index(text)
    spans: list[_Span] = []
    skipped = 0
    for entity in entities:
        if entity.type not in _TRUSTED_TYPES:
            continue
        span = _span(text, index, entity)
        if span is None:
            skipped += 1
        else:
            spans.append(span)
    spans.sort(key=lambda span: (span.begin, span.begin - span.end))
    kept: list[_Span] = []
    for span in spans:
        # Telegram never lets links and hashtags intersect; when a client did, the first wins.
        if kept and span.begin < kept[-1].end:
            skipped += 1
        else:
            kept.append(span)
    return kept, skipped


def _span(text: str, index: Utf16Index, entity: Entity) -> _Span | None:
    if entity.length <= 0:
        return None
    begin = index.index_of(entity.offset)
    end = index.index_of(entity.offset + entity.length)
    if begin is None or end is None:
        return None
    if entity.type == "text_link" and not (isinstance(entity.url, str) and entity.url.strip()):
        return None
    if entity.type == "hashtag" and not _tag_of(text[begin:end]):
        return None
    return _Span(entity, begin, end)


def _url_of(text: str, span: _Span) -> str:
    if span.entity.type == "text_link" and span.entity.url is not None:
        return span.entity.url
    return text[span.begin : span.end]


def _tag_of(covered: str) -> str:
    """The display form of a hashtag entity's text, or "" when it is no hashtag."""
    if not covered.startswith("#"):
        return ""
    # "#tag@channel" is the tag "tag" as seen in one channel: the tag is what members search.
    return covered[1:].partition("@")[0]


def _hashtags(text: str, spans: Sequence[_Span]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for span in spans:
        if span.entity.type == "hashtag":
            tag = _tag_of(text[span.begin : span.end])
            seen.setdefault(fold_key(tag), tag)
    return tuple(tag for key, tag in seen.items() if key)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _comment(text: str, spans: Sequence[_Span]) -> str:
    pieces: list[str] = []
    start = 0
    for span in spans:
        if span.entity.type in _REMOVED_FROM_COMMENT:
            pieces.append(text[start : span.begin])
            start = span.end
    pieces.append(text[start:])
    # A space where a span was, so that "voir:https://…/et" does not glue "voir" to "et".
    spaced = " ".join(pieces).translate(_CONTROLS_TO_SPACES)
    if spaced.isprintable():  # no format character anywhere: nothing to trim (the usual case)
        comment = " ".join(spaced.split())
    else:
        words = (_trim_invisible(word) for word in spaced.split())
        comment = " ".join(word for word in words if word)
    return comment if any(_is_meaningful(char) for char in comment) else ""


def _trim_invisible(word: str) -> str:
    """Drop format characters (RTL marks, zero-width spaces, BOM) at a word's edges.

    Inside a word they stay: an emoji ZWJ sequence or a Persian ZWNJ carries meaning.
    """
    begin, end = 0, len(word)
    while begin < end and unicodedata.category(word[begin]) == "Cf":
        begin += 1
    while end > begin and unicodedata.category(word[end - 1]) == "Cf":
        end -= 1
    return word[begin:end]


def _is_meaningful(char: str) -> bool:
    """Letters, digits and symbols (emoji included); a comment of bare punctuation is none."""
    return unicodedata.category(char)[0] in "LNS"
