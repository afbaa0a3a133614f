"""Accent- and case-insensitive matching keys for hashtags and search terms.

French matching ignores accents and case: `#Vidéosurveillance`, `#VIDEOSURVEILLANCE`, a
decomposed `vide\u0301o…` and the fullwidth `ｖｉｄéｏ…` all meet on `videosurveillance`.

Only Latin letters lose their marks. In other scripts a mark is often part of the letter
(Cyrillic `й` is not `и`, a Devanagari vowel sign is not decoration), so those keep it and
are only case-folded.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Blocks whose letters are Latin: a mark after one of them is an accent to drop.
_LATIN_RANGES = (
    (0x0041, 0x024F),  # Basic Latin letters .. Latin Extended-B
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese and others)
    (0x2C60, 0x2C7F),  # Latin Extended-C
    (0xA720, 0xA7FF),  # Latin Extended-D
    (0xAB30, 0xAB6F),  # Latin Extended-E
)


# Latin letters that Unicode does not decompose but that people type without the stroke or
# the ligature: "coeur" must find "cœur".
_LATIN_SPELLINGS = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d"})


def fold_text(text: str) -> str:
    """Fold a whole text for indexing or searching; spacing is left as it is."""
    if text.isascii():
        return text.lower()  # NFKC and NFKD leave ASCII alone; casefold is lower here
    compatible = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", compatible)
    unmarked = _drop_latin_marks(decomposed).translate(_LATIN_SPELLINGS)
    return unicodedata.normalize("NFC", unmarked)


@lru_cache(maxsize=16384)
def fold_key(text: str) -> str:
    """The matching key of a hashtag (given without '#') or a search term.

    Cached: a community uses the same few hundred hashtags over and over.
    """
    return " ".join(fold_text(text).split())


def _drop_latin_marks(decomposed: str) -> str:
    kept: list[str] = []
    base_is_latin = False
    for char in decomposed:
        if unicodedata.combining(char) or unicodedata.category(char) == "Mn":
            if not base_is_latin:
                kept.append(char)
            continue
        base_is_latin = _is_latin(char)
        kept.append(char)
    return "".join(kept)


def _is_latin(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _LATIN_RANGES) and char.isalpha()
