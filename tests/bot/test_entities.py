"""Telegram's entity rules: tdlib's own expectations, plus the cases our members produce."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.entities import (
    Entity,
    detect_entities,
    find_hashtags,
    find_urls,
    slice_utf16,
    utf16_len,
)


def covered(text: str, entities: list[Entity], kind: str | None = None) -> list[str | None]:
    return [
        slice_utf16(text, entity.offset, entity.length)
        for entity in entities
        if kind is None or entity.type == kind
    ]


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("abc", 3),
        ("vidéo", 5),
        ("😀", 2),  # astral: a surrogate pair
        ("a😀b", 4),
        ("👩‍💻", 5),  # two astral emoji joined by a ZWJ
        ("\ud83d", 1),  # a lone surrogate from a bad JSON escape still counts once
    ],
)
def test_utf16_len(text: str, length: int) -> None:
    assert utf16_len(text) == length


@pytest.mark.parametrize(
    ("text", "offset", "length", "expected"),
    [
        ("a😀b", 1, 2, "😀"),
        ("a😀b", 3, 1, "b"),
        ("a😀b", 0, 4, "a😀b"),
        ("abc", 3, 0, ""),
        ("a😀b", 2, 1, None),  # starts inside the pair
        ("a😀b", 1, 1, None),  # ends inside the pair
        ("abc", -1, 2, None),
        ("abc", 1, -1, None),
        ("abc", 2, 2, None),
        ("abc", 10**12, 1, None),
        ("", 0, 1, None),
    ],
)
def test_slice_utf16(text: str, offset: int, length: int, expected: str | None) -> None:
    assert slice_utf16(text, offset, length) == expected


# Re-typed from tdlib test/message_entities.cpp, TEST(MessageEntities, hashtag).
TDLIB_HASHTAGS = [
    ("", []),
    ("#", []),
    ("##", []),
    ("###", []),
    ("#a", ["#a"]),
    (" #a", ["#a"]),
    ("#a ", ["#a"]),
    (" #я ", ["#я"]),
    (" я#a ", []),
    (" #a# ", []),
    (" #123 ", []),
    (" #123a ", ["#123a"]),
    (" #a123 ", ["#a123"]),
    (" #123a# ", []),
    (" #" + "1" * 300, []),
    (" #" + "1" * 256 + "a ", []),
    (" #" + "1" * 255 + "a", ["#" + "1" * 255 + "a"]),
    (" #" + "1" * 255 + "Я", ["#" + "1" * 255 + "Я"]),
    (" #" + "1" * 255 + "a" + "b" * 255 + "# ", []),
    ("#a#b #c #d", ["#c", "#d"]),
    ("#test@", ["#test"]),
    ("#test@ab", ["#test"]),
    ("#test@abc", ["#test@abc"]),
    ("#test@a-c", ["#test"]),
    ("#test@" + "abcdefghij" * 3 + "ab", ["#test@" + "abcdefghij" * 3 + "ab"]),
    ("#test@" + "abcdefghij" * 3 + "abc", ["#test@" + "abcdefghij" * 3 + "ab"]),
    ("#te·st", ["#te·st"]),
    ("😄😄😄😄 😄😄😄#" + "1" * 200 + "ООО" + "2" * 200, ["#" + "1" * 200 + "ООО" + "2" * 53]),
    ("#a\u2122", ["#a"]),
    ("#a൹", ["#a"]),
    ("#aඁං෴ก฿", ["#aඁං෴ก"]),
]

OUR_HASHTAGS = [
    ("🔥#surveillance", ["#surveillance"]),
    ("#Vidéosurveillance #BigBrother", ["#Vidéosurveillance", "#BigBrother"]),
    ("\u200f#حرية\u200f", ["#حرية"]),  # RTL marks around an Arabic tag
    ("\u200b#tag\u200b", ["#tag"]),  # zero-width spaces around
    ("#監視社会、", ["#監視社会"]),
    ("#ЗаСвободу!", ["#ЗаСвободу"]),
    ("l'#action", ["#action"]),
    ("mot#collé", []),  # a letter before '#' makes no hashtag
    ("#2024", []),
    ("#٣", []),  # Arabic-Indic digit: digits only
    ("#RGPD_2018", ["#RGPD_2018"]),
    ("#tag\tsuite", ["#tag"]),
    ("#tag\x00suite", ["#tag"]),
    # Telegram itself stops at a decomposed accent: U+0301 is no letter to tdlib.
    ("#vide\u0301osurveillance", ["#vide"]),
    ("#lqdn@laquadrature", ["#lqdn@laquadrature"]),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), TDLIB_HASHTAGS + OUR_HASHTAGS)
def test_find_hashtags(text: str, expected: list[str]) -> None:
    assert covered(text, find_hashtags(text)) == expected


def test_hashtag_offsets_are_utf16() -> None:
    assert find_hashtags("😀 #a") == [Entity("hashtag", 3, 2)]


# Re-typed from tdlib test/message_entities.cpp, TEST(MessageEntities, url): (text, urls, emails).
TDLIB_URLS: list[tuple[str, list[str], list[str]]] = [
    ("telegram.org", ["telegram.org"], []),
    ("(telegram.org)", ["telegram.org"], []),
    (".telegram.org)", [], []),
    ("()telegram.org/?q=()", ["telegram.org/?q=()"], []),
    (" telegram. org. www. com... telegram.org... ...google.com...", ["telegram.org"], []),
    (
        "Такой сайт: http://www.google.com или такой telegram.org ",
        ["http://www.google.com", "telegram.org"],
        [],
    ),
    ("http://google,.com", [], []),
    ("http://telegram.org/?asd=123#123.", ["http://telegram.org/?asd=123#123"], []),
    ("[http://google.com](test)", ["http://google.com"], []),
    ("http://@google.com", [], []),
    ("http://a@google.com", ["http://a@google.com"], []),
    ("google.com:᪉᪉᪉᪉᪉", ["google.com"], []),
    ("ftp://telegram.org", ["ftp://telegram.org"], []),
    ("sftp://telegram.org", [], []),
    ("tonsite://telegram.ton", ["tonsite://telegram.ton"], []),
    ("telegram.ton", ["telegram.ton"], []),
    ("telegram.onion", ["telegram.onion"], []),
    ("telegram.tonsite", [], []),
    ("hTtPs://telegram.org", ["hTtPs://telegram.org"], []),
    ("аHTTP://telegram.org", ["HTTP://telegram.org"], []),
    ("sHTTP://telegram.org", [], []),
    ("http://" + "abcdefghijk" * 60 + ".com", [], []),  # a 660-byte label
    (",ahttp://google.com", ["http://google.com"], []),
    (".ahttp://google.com", [], []),
    ("http://a.a", [], []),
    ("google.com:1#ab c", ["google.com:1#ab"], []),
    ("google.com:000000065535/abs", ["google.com:000000065535/abs"], []),
    ("google.com:65536", ["google.com"], []),
    ("127.0.0.1", ["127.0.0.1"], []),
    ("127.0.0.256", [], []),
    ("127.0.0.01", [], []),
    ("www.🤙.tk", ["www.🤙.tk"], []),
    ("a.ab", [], []),
    ("ТеСт.Москва", [], []),
    ("ТеСт.МоСкВа", ["ТеСт.МоСкВа"], []),
    ("http://ÀТеСт.МоСкВач", ["http://ÀТеСт.МоСкВач"], []),
    ("ÀÁ.com,ÀÁ.com.", ["ÀÁ.com", "ÀÁ.com"], []),
    ("teiegram.org/test", [], []),
    ("http://test.google.com/?q=abc()}[]def", ["http://test.google.com/?q=abc()"], []),
    ("http://test.google.com/?q=abc([{)]}def", ["http://test.google.com/?q=abc([{)]}def"], []),
    ("http://test-.google.com", [], []),
    ("http://test_.google.com", ["http://test_.google.com"], []),
    ("http://google_.com", [], []),
    ("tg://resolve", [], []),  # tg:// links are detect_entities' business
    ("/.b/..a    @.....@/. a.ba", ["a.ba"], []),
    ("http://google.com#", ["http://google.com"], []),
    ("http://google.com##", ["http://google.com##"], []),
    ("https://www.google.com/ab,", ["https://www.google.com/ab"], []),
    (
        "('http://telegram.org/a-b/?br=ie&lang=en',)",
        ["http://telegram.org/a-b/?br=ie&lang=en"],
        [],
    ),
    (
        "https://ai.telegram.org/bot%20bot/test-...",
        ["https://ai.telegram.org/bot%20bot/test-"],
        [],
    ),
    ("a.bc@c.com", [], ["a.bc@c.com"]),
    ("https://a.de[bc@c.com", ["https://a.de"], ["bc@c.com"]),
    ("https://a.de/bc@c.com", ["https://a.de/bc@c.com"], []),
    ("https://a.bc@test.com:cd.com", ["https://a.bc@test.com", "cd.com"], []),
    ("telegram.Org", [], []),
    ("telegram.ORG", ["telegram.ORG"], []),
    ("'views.py'", ["views.py"], []),
    ("Look mailto:test@example.com", [], ["test@example.com"]),
    ("http://test.com?#", ["http://test.com?#"], []),
    ("https://t.me/abcdef…", ["https://t.me/abcdef"], []),
    ("https://t.m…", [], []),
    ("👉http://ab.com/cdefgh-1IJ", ["http://ab.com/cdefgh-1IJ"], []),
    ("http://google.com/‖", ["http://google.com/"], []),
    ("a@b.com:c@1", [], ["a@b.com"]),
    ("test@test.software", [], ["test@test.software"]),
    ("a!:b@gmail.com", ["a!:b@gmail.com"], []),
    ("_.test.com", ["_.test.com"], []),
    ("_test.com", [], []),
]

OUR_URLS: list[tuple[str, list[str], list[str]]] = [
    ("la CNIL alerte https://www.lemonde.fr/…", ["https://www.lemonde.fr/"], []),
    ("lemonde.fr, laquadrature.net.", ["lemonde.fr", "laquadrature.net"], []),
    (
        "(voir https://fr.wikipedia.org/wiki/Loi_(France))",
        ["https://fr.wikipedia.org/wiki/Loi_(France)"],
        [],
    ),
    ("«https://exemple.fr/a»", ["https://exemple.fr/a"], []),
    ("https://exemple.fr/pétition?nom=élysée", ["https://exemple.fr/pétition?nom=élysée"], []),
    ("https://exemple.fr/a\tb", ["https://exemple.fr/a"], []),  # tab: a space to Telegram
    ("https://exemple.fr/a\r\nb", ["https://exemple.fr/a"], []),
    ("exemple.Fr", [], []),
    ("exemple.za", ["exemple.za"], []),  # only "*.za" rules in the Public Suffix List
    ("exemple.hotel", ["exemple.hotel"], []),  # delegated after tdlib's list was written
    ("exemple.bentley", [], []),  # retired since
    ("https://exemple.bentley", ["https://exemple.bentley"], []),  # a scheme skips the check
    ("contact@laquadrature.net", [], ["contact@laquadrature.net"]),
    ("https://exemple.fr/" + "a" * 10_000, ["https://exemple.fr/" + "a" * 10_000], []),
    ("", [], []),
]


@pytest.mark.parametrize(("text", "urls", "emails"), TDLIB_URLS + OUR_URLS)
def test_find_urls(text: str, urls: list[str], emails: list[str]) -> None:
    found = find_urls(text)
    assert covered(text, found, "url") == urls
    assert covered(text, found, "email") == emails


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "😀 https://a.fr 😀#b",
            [Entity("url", 3, 12), Entity("hashtag", 18, 2)],
        ),
        # The hashtag inside the link starts later: the link wins, as in Telegram.
        ("https://x.org/#tag #vrai", [Entity("url", 0, 18), Entity("hashtag", 19, 5)]),
        ("tg://resolve?domain=lqdn", [Entity("url", 0, 24)]),
        ("ouvrir tonsite://foo", [Entity("url", 7, 13)]),
        ("écrire à mail@example.com #contact", [Entity("email", 9, 16), Entity("hashtag", 26, 8)]),
        ("#a#b", []),
        ("", []),
    ],
)
def test_detect_entities(text: str, expected: list[Entity]) -> None:
    assert detect_entities(text) == expected


@given(st.text(alphabet=st.sampled_from("a.@/:#-_ 1(é😀\u200f\n") | st.characters()))
def test_detected_entities_are_sorted_disjoint_and_inside_the_text(text: str) -> None:
    entities = detect_entities(text)
    ends = [0]
    for entity in entities:
        assert entity.offset >= ends[-1]
        assert entity.length > 0
        assert slice_utf16(text, entity.offset, entity.length)
        ends.append(entity.offset + entity.length)
    assert ends[-1] <= utf16_len(text)
