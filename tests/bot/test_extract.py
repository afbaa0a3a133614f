"""Extraction: links, hashtags and comment of a message, with or without Telegram's entities."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.entities import Entity
from bot.extract import Extraction, extract

LE_MONDE = "https://www.lemonde.fr/pixels/article/2024/05/02/cnil_6231.html"


@pytest.mark.parametrize(
    ("text", "urls", "hashtags", "comment"),
    [
        (
            f"Reconnaissance faciale : la CNIL alerte #vidéosurveillance #BigBrother {LE_MONDE}",
            (LE_MONDE,),
            ("vidéosurveillance", "BigBrother"),
            "Reconnaissance faciale : la CNIL alerte",
        ),
        (
            "La CNIL alerte https://www.lemonde.fr/…",  # a link cut by the sharing app
            ("https://www.lemonde.fr/",),
            (),
            "La CNIL alerte …",
        ),
        (
            "🔥#surveillance https://laquadrature.net",
            ("https://laquadrature.net",),
            ("surveillance",),
            "🔥",
        ),
        ("#Vidéo #video #VIDEO https://a.fr", ("https://a.fr",), ("Vidéo",), ""),
        (
            "https://a.fr https://a.fr https://A.fr",
            ("https://a.fr", "https://A.fr"),  # exact duplicates only: no normalisation here
            (),
            "",
        ),
        ("\u200f#حرية\u200f https://x.org \u200b", ("https://x.org",), ("حرية",), ""),
        ("voir:https://x.fr/a/et la suite", ("https://x.fr/a/et",), (), "voir: la suite"),
        ("à lire\n\n  lemonde.fr  \t ce soir", ("lemonde.fr",), (), "à lire ce soir"),
        ("NUL\x00ici https://x.fr", ("https://x.fr",), (), "NUL ici"),
        ("https://x.fr, https://y.fr.", ("https://x.fr", "https://y.fr"), (), ""),
        ("écrire à mail@example.com", (), (), "écrire à mail@example.com"),
        ("tg://resolve?domain=lqdn", ("tg://resolve?domain=lqdn",), (), ""),
        ("#lqdn@laquadrature le communiqué", (), ("lqdn",), "le communiqué"),
        ("👩‍💻 #code", (), ("code",), "👩‍💻"),  # the ZWJ inside the emoji stays
        ("rien à voir", (), (), "rien à voir"),
        ("…", (), (), ""),
        ("", (), (), ""),
    ],
)
def test_extract_without_entities_applies_telegram_rules(
    text: str, urls: tuple[str, ...], hashtags: tuple[str, ...], comment: str
) -> None:
    assert extract(text, None) == Extraction(urls, hashtags, comment, 0)
    assert extract(text, []) == Extraction(urls, hashtags, comment, 0)


def test_none_text_is_an_empty_message() -> None:
    assert extract(None, None) == Extraction((), (), "", 0)


TEXT = "😀 Lire ici https://a.fr #Tag"  # "Lire" at UTF-16 offset 3, URL at 12, hashtag at 25


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        (
            [Entity("url", 12, 12), Entity("hashtag", 25, 4)],
            Extraction(("https://a.fr",), ("Tag",), "😀 Lire ici", 0),
        ),
        (  # a text_link's words are prose; only its URL is taken
            [Entity("text_link", 8, 3, "https://b.fr/doc")],
            Extraction(("https://b.fr/doc",), (), TEXT, 0),
        ),
        (  # the message has entities: they are trusted, nothing is detected
            [Entity("bold", 3, 4)],
            Extraction((), (), TEXT, 0),
        ),
        (  # order of appearance, whatever the order of the list
            [
                Entity("hashtag", 25, 4),
                Entity("text_link", 3, 4, "https://c.fr"),
                Entity("url", 12, 12),
            ],
            Extraction(("https://c.fr", "https://a.fr"), ("Tag",), "😀 Lire ici", 0),
        ),
        (
            [
                Entity("url", -1, 3),  # before the text
                Entity("url", 12, 10**9),  # past its end
                Entity("url", 1, 3),  # starts inside the emoji's surrogate pair
                Entity("url", 12, 0),  # empty
                Entity("text_link", 3, 4),  # no URL
                Entity("text_link", 3, 4, "  "),
                Entity("hashtag", 3, 4),  # "Lire": no '#'
                Entity("hashtag", 12, 12),  # the link: no '#' either
            ],
            Extraction((), (), TEXT, 8),
        ),
        (  # overlapping links: the first (then the longest) is kept
            [Entity("url", 12, 12), Entity("url", 20, 4), Entity("hashtag", 25, 4)],
            Extraction(("https://a.fr",), ("Tag",), "😀 Lire ici", 1),
        ),
    ],
)
def test_extract_trusts_telegram_entities(entities: list[Entity], expected: Extraction) -> None:
    assert extract(TEXT, entities) == expected


def test_entities_without_text_are_all_skipped() -> None:
    assert extract(None, [Entity("url", 0, 5), Entity("bold", 0, 5)]) == Extraction((), (), "", 1)


def test_a_ten_thousand_character_url_is_kept_whole() -> None:
    url = "https://exemple.fr/" + "a" * 10_000
    assert extract(f"voir {url} !", None) == Extraction((url,), (), "voir !", 0)


def test_a_full_message_with_a_hundred_links_takes_well_under_ten_milliseconds() -> None:
    links = " ".join(f"https://s{n}.fr/a-{n}?utm_source=x #tag{n}" for n in range(100))
    text = (links + " " + "commentaire " * 400)[:4096]
    assert len(text) == 4096
    extract("warm.up #cache", None)  # first use loads the TLD list
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        found = extract(text, None)
        best = min(best, time.perf_counter() - start)
    assert len(found.urls) == 100
    assert best < 0.010


entity_strategy = st.builds(
    Entity,
    type=st.sampled_from(["url", "text_link", "hashtag", "bold", "mention"]),
    offset=st.integers(-5, 60),
    length=st.integers(-5, 60),
    url=st.none() | st.text(max_size=20),
)


@given(
    st.none()
    | st.text(alphabet=st.sampled_from("a.#@/: é😀\u200f\u200b\x00\n") | st.characters()),
    st.none() | st.lists(entity_strategy, max_size=6),
)
def test_extract_never_raises_and_returns_tidy_values(
    text: str | None, entities: list[Entity] | None
) -> None:
    found = extract(text, entities)
    assert all(found.urls)
    assert len(set(found.urls)) == len(found.urls)
    assert all(found.hashtags)
    assert found.comment == found.comment.strip()
    assert "  " not in found.comment
    assert 0 <= found.skipped_entities <= len(entities or [])
