"""Telegram's entity rules for text that arrived without entities.

A port of tdlib `td/telegram/MessageEntity.cpp` (`match_hashtags`, `match_tg_urls`,
`match_urls`, `is_email_address`, `fix_url`, `is_common_tld`, `find_entities`), so that an
imported or entity-less message yields the hashtags and links Telegram itself would mark.
tdlib walks UTF-8 bytes; this port walks code points and counts bytes only where tdlib's
limits are in bytes (domain labels). Unicode classes come from `unicodedata`: tdlib's
`get_unicode_simple_category` table is exactly L -> letter, Nd -> decimal, Nl/No -> number,
Z* -> separator (checked against its table for Unicode 14, Python 3.11's version). This module
holds the hashtags and the entities; the URL rules are in bot/entity_urls.py.

Deliberate differences, each in a comment where it applies: the top-level domain list is the
Public Suffix List's ICANN section (bundled with the `tld` package) plus Telegram's `.ton`;
control characters are treated as the spaces tdlib's `clean_input_string` makes of them; only
hashtags, URLs, e-mail addresses and tg:// links are detected (no mentions, cashtags, bot
commands, bank cards or media timestamps).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from bot.entity_urls import ASCII_WORD, match_tg_urls, url_spans

HASHTAG_MAX_LENGTH = 256  # letters after '#', counted in code points as tdlib does
_USERNAME_MAX_LENGTH = 32  # "#tag@channel": the username part, at most this long
_USERNAME_MIN_LENGTH = 3
# tdlib's clean_input_string blanks C0 controls but '\n', and drops '\r' and U+2028..U+202E,
# before any matching. Spaces instead of deletions keep our offsets equal to the caller's.
_CLEANED_CHARS = {
    code: " " for code in (*range(0x00, 0x0A), *range(0x0B, 0x20), *range(0x2028, 0x202F))
}
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class Entity:
    type: str  # "url", "text_link", "hashtag", "email" (other Telegram types pass through)
    offset: int  # in UTF-16 code units, as Telegram counts
    length: int  # in UTF-16 code units
    url: str | None = None  # only for text_link


class Utf16Index:
    """Converts between code point indexes of one text and Telegram's UTF-16 offsets."""

    def __init__(self, text: str) -> None:
        self._astral = [match.start() for match in _ASTRAL.finditer(text)]
        self._astral_utf16 = [index + rank for rank, index in enumerate(self._astral)]
        self.utf16_size = len(text) + len(self._astral)

    def utf16_of(self, index: int) -> int:
        return index + bisect.bisect_left(self._astral, index)

    def index_of(self, utf16: int) -> int | None:
        """The code point index at a UTF-16 offset; None outside or inside a surrogate pair."""
        if utf16 < 0 or utf16 > self.utf16_size:
            return None
        before = bisect.bisect_left(self._astral_utf16, utf16)
        if before and self._astral_utf16[before - 1] + 1 == utf16:
            return None
        return utf16 - before


def utf16_len(text: str) -> int:
    return len(text) + len(_ASTRAL.findall(text))


def slice_utf16(text: str, offset: int, length: int) -> str | None:
    """The text an entity covers, or None when it falls outside or splits a character."""
    if length < 0:
        return None
    index = Utf16Index(text)
    begin, end = index.index_of(offset), index.index_of(offset + length)
    if begin is None or end is None:
        return None
    return text[begin:end]


def find_hashtags(text: str) -> list[Entity]:
    index = Utf16Index(text)
    return [_entity("hashtag", span, index) for span in _match_hashtags(_clean(text))]


def find_urls(text: str) -> list[Entity]:
    """URLs and e-mail addresses ("email" entities), as tdlib's find_urls returns them."""
    index = Utf16Index(text)
    return [_entity(kind, (b, e), index) for kind, b, e in url_spans(_clean(text))]


def detect_entities(text: str) -> list[Entity]:
    """Hashtags, URLs (tg:// ones too) and e-mails, sorted, overlaps resolved as tdlib does."""
    clean = _clean(text)
    spans = [("hashtag", b, e) for b, e in _match_hashtags(clean)]
    spans += [("url", b, e) for b, e in match_tg_urls(clean)]
    spans += url_spans(clean)
    # tdlib sorts by offset, longer first, and keeps each entity that starts after the
    # previous kept one ends. All these types share one priority, so ties keep this order.
    spans.sort(key=lambda span: (span[1], span[1] - span[2]))
    index = Utf16Index(text)
    kept: list[Entity] = []
    last_end = 0
    for kind, begin, end in spans:
        if begin >= last_end:
            kept.append(_entity(kind, (begin, end), index))
            last_end = end
    return kept


def _entity(kind: str, span: tuple[int, int], index: Utf16Index) -> Entity:
    begin = index.utf16_of(span[0])
    return Entity(kind, begin, index.utf16_of(span[1]) - begin)


def _clean(text: str) -> str:
    return text.translate(_CLEANED_CHARS)


def _is_hashtag_letter(char: str) -> bool:
    if char in "_\u200c\u00b7" or "\u0d80" <= char <= "\u0dff":  # ZWNJ, middle dot, Sinhala
        return True
    category = unicodedata.category(char)
    return category[0] == "L" or category == "Nd"


def _match_hashtags(text: str) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    pos = text.find("#")
    while pos >= 0:
        if pos > 0 and _is_hashtag_letter(text[pos - 1]):
            pos = text.find("#", pos + 1)
            continue
        span, pos = _hashtag_at(text, pos)
        if span is not None:
            result.append(span)
        pos = text.find("#", pos)
    return result


def _hashtag_at(text: str, hash_pos: int) -> tuple[tuple[int, int] | None, int]:
    """The hashtag starting at '#' (if any) and where to look for the next one."""
    ptr = hash_pos + 1
    size, was_letter, tag_end = 0, False, -1
    while ptr < len(text) and _is_hashtag_letter(text[ptr]):
        if size < HASHTAG_MAX_LENGTH:
            was_letter |= unicodedata.category(text[ptr])[0] == "L"
            size += 1
            tag_end = ptr + 1
        ptr += 1
    # "#a#b" is no hashtag, "#123" neither (a letter is required).
    if size == 0 or (ptr < len(text) and text[ptr] == "#") or not was_letter:
        return None, ptr
    if tag_end == ptr and ptr < len(text) and text[ptr] == "@":
        tag_end = ptr = _username_end(text, ptr + 1, ptr)
    return (hash_pos, tag_end), ptr


def _username_end(text: str, start: int, fallback: int) -> int:
    # "#tag@channel" (tdlib test suite, 2025): 3 to 32 username characters, longer ones cut.
    end = start
    while end < len(text) and end - start < _USERNAME_MAX_LENGTH and text[end] in ASCII_WORD:
        end += 1
    return end if end - start >= _USERNAME_MIN_LENGTH else fallback
