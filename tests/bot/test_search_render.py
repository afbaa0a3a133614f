"""Rendering result pages: escaped, French first, never over Telegram's 4,096 characters."""

from __future__ import annotations

import dataclasses

import pytest

from bot.i18n import Lang
from bot.search_render import (
    MAX_HREF,
    MAX_MESSAGE,
    inline_description,
    inline_message,
    render_empty,
    render_page,
    render_tags,
    utf16_len,
)
from storage.search import Hit, TagCount

HIT = Hit(
    id=1,
    chat_id=-100,
    chat_title="Collectif <Lyon> & co",
    url="https://www.lemonde.fr/a?x=1&y=<2>",
    domain="lemonde.fr",
    kind="link",
    title="Reconnaissance faciale : la <b>CNIL</b> alerte",
    tags=("Vidéosurveillance", "a&b"),
    share_count=3,
    first_shared_at=1_710_201_600,  # 2024-03-12
    last_shared_at=1_710_201_600,
    sharer_name="Alice <admin>",
    sharer_username="alice",
)


def page(*hits: Hit, lang: Lang = "fr", show_chat: bool = False, query: str = "cnil") -> str:
    return render_page(hits, query=query, page=0, page_size=8, lang=lang, show_chat=show_chat)


def test_a_result_shows_title_domain_tags_sharer_date_and_count_escaped() -> None:
    text = page(HIT)
    assert '<a href="https://www.lemonde.fr/a?x=1&amp;y=&lt;2&gt;">' in text
    assert "Reconnaissance faciale : la &lt;b&gt;CNIL&lt;/b&gt; alerte</a>" in text
    assert (
        "lemonde.fr · #Vidéosurveillance #a&amp;b · par Alice &lt;admin&gt; 12/03/2024 · ×3"
        in text
    )
    assert "Collectif" not in text  # a group search does not name the group
    assert text.startswith("🔎 <b>cnil</b> · page 1")


def test_private_results_name_their_group_and_english_dates() -> None:
    text = page(HIT, lang="en", show_chat=True)
    assert "by Alice &lt;admin&gt; 2024-03-12" in text
    assert "in Collectif &lt;Lyon&gt; &amp; co" in text


def test_a_link_without_title_shows_its_url_and_kinds_are_named() -> None:
    petition = dataclasses.replace(HIT, title=None, kind="petition", share_count=1, tags=())
    text = page(petition)
    assert ">https://www.lemonde.fr/a?x=1&amp;y=&lt;2&gt;</a>" in text
    assert "✍️ pétition" in text and "×" not in text


def test_without_a_sharer_only_the_date_shows() -> None:
    anonymous = dataclasses.replace(HIT, sharer_name=None, sharer_username=None)
    assert "lemonde.fr · #Vidéosurveillance #a&amp;b · 12/03/2024 · ×3" in page(anonymous)
    by_username = dataclasses.replace(HIT, sharer_name=None)
    assert "par @alice" in page(by_username)


@pytest.mark.parametrize(
    "huge",
    [
        dataclasses.replace(HIT, title="é" * 10_000, url="https://x.org/" + "a" * 2000),
        dataclasses.replace(HIT, title="🔥" * 5000, tags=tuple("#" * 300 for _ in range(50))),
        dataclasses.replace(HIT, title=None, url="https://x.org/" + "<&>" * 3000),
        dataclasses.replace(HIT, chat_title="🔥" * 3000, sharer_name="<" * 3000),
    ],
)
def test_a_page_never_exceeds_telegrams_limit(huge: Hit) -> None:
    for show_chat in (False, True):
        text = page(*[huge] * 10, show_chat=show_chat, query="<" * 400)
        assert utf16_len(text) <= MAX_MESSAGE
        assert "1. " in text


def test_very_long_urls_are_shown_but_not_linked() -> None:
    long = dataclasses.replace(HIT, url="https://x.org/" + "a" * MAX_HREF)
    assert "<a href" not in page(long)


def test_no_results_and_no_links() -> None:
    assert page(query="<x>") == "Aucun lien ne correspond à <b>&lt;x&gt;</b>."
    assert render_empty("", "fr") == "Aucun lien enregistré pour l'instant."
    assert render_empty("x", "fr", ["since:hier"]).endswith("(ignoré : since:hier)")


def test_recent_links_have_their_own_header() -> None:
    assert page(HIT, query="").startswith("🕑 <b>Derniers liens</b> · page 1")


def test_numbers_continue_across_pages() -> None:
    text = render_page([HIT], query="x", page=2, page_size=8, lang="fr", show_chat=False)
    assert "\n\n17. " in text and "page 3" in text


def test_tags_list_with_counts_within_the_limit() -> None:
    assert render_tags([], "fr") == "Aucun hashtag pour l'instant."
    text = render_tags([TagCount("CNIL", 12), TagCount("<vsa>", 1)], "fr")
    assert "#CNIL — 12 lien(s)" in text and "#&lt;vsa&gt; — 1 lien(s)" in text
    many = render_tags([TagCount("t" * 60, 1)] * 500, "fr")
    assert utf16_len(many) <= MAX_MESSAGE


def test_inline_results_post_the_link_with_its_title() -> None:
    assert inline_message(HIT) == (
        "<b>Reconnaissance faciale : la &lt;b&gt;CNIL&lt;/b&gt; alerte</b>\n"
        "https://www.lemonde.fr/a?x=1&amp;y=&lt;2&gt;"
    )
    assert inline_message(dataclasses.replace(HIT, title=None)).startswith("https://")
    assert inline_description(HIT, "fr") == (
        "lemonde.fr · #Vidéosurveillance #a&b · Collectif <Lyon> & co"
    )
