"""Matching keys: accents and case fold away for Latin letters, other scripts keep theirs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.folding import fold_key, fold_text


@pytest.mark.parametrize(
    "spelling",
    [
        "videosurveillance",
        "Vidéosurveillance",
        "VIDÉOSURVEILLANCE",
        "VIDEOSURVEILLANCE",
        "vide\u0301osurveillance",  # decomposed: e + COMBINING ACUTE ACCENT
        "ＶＩＤＥＯＳＵＲＶＥＩＬＬＡＮＣＥ",  # fullwidth
        "ｖｉｄéｏｓｕｒｖｅｉｌｌａｎｃｅ",  # fullwidth with a precomposed é
        " vidéosurveillance ",
    ],
)
def test_every_spelling_of_a_french_tag_meets_on_one_key(spelling: str) -> None:
    assert fold_key(spelling) == "videosurveillance"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("BigBrother", "bigbrother"),
        ("ÉLYSÉE", "elysee"),
        ("Reconnaissance_Faciale", "reconnaissance_faciale"),
        ("Straße", "strasse"),  # casefold, not lower
        ("İstanbul", "istanbul"),  # dotted capital I folds to a plain i
        ("cœur", "coeur"),  # typed without the ligature on most keyboards
        ("Ægir", "aegir"),
        ("Łódź", "lodz"),
        ("ﬁchage", "fichage"),  # compatibility ligature
        ("Ǆ", "dz"),
        ("Tiếng Việt", "tieng viet"),  # stacked marks
        ("  Big   Brother\n", "big brother"),  # a key has single spaces, no edges
        ("", ""),
    ],
)
def test_latin_keys(text: str, key: str) -> None:
    assert fold_key(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Йод", "йод"),  # й keeps its breve: it is not и
        ("ЁЛКА", "ёлка"),
        ("مُراقبة", "مُراقبة"),  # Arabic keeps its harakat
        ("監視社会", "監視社会"),
        ("हिंदी", "हिंदी"),  # Devanagari signs are part of the letters
        ("ΆΘΗΝΑ", "άθηνα"),  # Greek: case folded, tonos kept
        ("می‌خواهم", "می‌خواهم"),  # Persian zero-width non-joiner stays
    ],
)
def test_non_latin_letters_are_only_case_folded(text: str, key: str) -> None:
    assert fold_key(text) == key


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("La CNIL  alerte\nsur la Vidéosurveillance", "la cnil  alerte\nsur la videosurveillance"),
        ("ASCII only", "ascii only"),
        ("", ""),
    ],
)
def test_fold_text_keeps_spacing(text: str, folded: str) -> None:
    assert fold_text(text) == folded


@given(st.text())
def test_folding_is_idempotent(text: str) -> None:
    key = fold_key(text)
    assert fold_key(key) == key
    assert fold_text(fold_text(text)) == fold_text(text)
