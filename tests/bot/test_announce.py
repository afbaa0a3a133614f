"""Pure parts of alerts: /subscribe arguments, filter matching, the announcement message."""

from __future__ import annotations

import html
import re

import pytest

from bot.announce import (
    MAX_TEXT,
    NOTABLE_KINDS,
    AnnouncementView,
    FilterError,
    Filters,
    NotableKind,
    Source,
    SubscribeArgs,
    describe_filters,
    parse_subscribe_args,
    render,
    utf16_length,
)

BOTH: frozenset[NotableKind] = frozenset(NOTABLE_KINDS)
PETITIONS: frozenset[NotableKind] = frozenset({"petition"})
CAMPAIGNS: frozenset[NotableKind] = frozenset({"campaign"})


def visible(markup: str) -> int:
    """What Telegram counts: the text without tags, unescaped, in UTF-16 units."""
    return utf16_length(html.unescape(re.sub(r"<[^>]*>", "", markup)))


# --- /subscribe arguments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "target", "kinds", "tags"),
    [
        ([], None, BOTH, ()),
        (["pétitions"], None, PETITIONS, ()),
        (["Petitions"], None, PETITIONS, ()),
        (["pétition"], None, PETITIONS, ()),
        (["campagnes"], None, CAMPAIGNS, ()),
        (["campaigns"], None, CAMPAIGNS, ()),
        (["CAMPAGNE"], None, CAMPAIGNS, ()),
        (["pétitions", "campagnes"], None, BOTH, ()),
        (["tout"], None, BOTH, ()),
        (["all"], None, BOTH, ()),
        (["pétitions,campagnes"], None, BOTH, ()),
        (["#surveillance"], None, BOTH, (("surveillance", "surveillance"),)),
        (
            ["petitions", "#Vidéosurveillance", "#VSA"],
            None,
            PETITIONS,
            (("videosurveillance", "Vidéosurveillance"), ("vsa", "VSA")),
        ),
        (["#vsa", "#VSA"], None, BOTH, (("vsa", "vsa"),)),  # the same tag once
        (["#surveillance,"], None, BOTH, (("surveillance", "surveillance"),)),
        (["#vsa,#cnil"], None, BOTH, (("vsa", "vsa"), ("cnil", "cnil"))),
        (["@petitions_fr"], "@petitions_fr", BOTH, ()),
        (["@petitions_fr", "campagnes"], "@petitions_fr", CAMPAIGNS, ()),
        (["-1001234567890", "#cnil"], "-1001234567890", BOTH, (("cnil", "cnil"),)),
        (["#LibertésNumériques"], None, BOTH, (("libertesnumeriques", "LibertésNumériques"),)),
    ],
)
def test_subscribe_arguments(
    args: list[str], target: str | None, kinds: frozenset[str], tags: tuple[tuple[str, str], ...]
) -> None:
    assert parse_subscribe_args(args) == SubscribeArgs(target, Filters(kinds, tags))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["petitons"], "petitons"),  # a typo is refused, not turned into a filter
        (["surveillance"], "surveillance"),  # a tag needs its '#'
        (["#"], "#"),
        (["#,"], "#"),
        (["pétitions", "@canal"], "@canal"),  # the chat comes first
        (["123"], "123"),
    ],
)
def test_unknown_words_are_refused(args: list[str], word: str) -> None:
    with pytest.raises(FilterError) as raised:
        parse_subscribe_args(args)
    assert raised.value.word == word


def test_at_most_twenty_filter_tags() -> None:
    parsed = parse_subscribe_args([f"#tag{n}" for n in range(30)])
    assert len(parsed.filters.tags) == 20


# --- matching -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "kind", "tags", "expected"),
    [
        (Filters(), "petition", [], True),
        (Filters(), "campaign", ["x"], True),
        (Filters(PETITIONS), "campaign", [], False),
        (Filters(CAMPAIGNS), "campaign", [], True),
        (Filters(BOTH, (("surveillance", "Surveillance"),)), "petition", ["surveillance"], True),
        (Filters(BOTH, (("surveillance", "Surveillance"),)), "petition", ["cnil"], False),
        (Filters(BOTH, (("surveillance", "S"),)), "petition", [], False),
        (Filters(BOTH, (("vsa", "VSA"), ("cnil", "CNIL"))), "campaign", ["cnil", "x"], True),
        (Filters(PETITIONS, (("vsa", "VSA"),)), "campaign", ["vsa"], False),
        (Filters(), "link", [], False),  # plain links are never announced
    ],
)
def test_filters_match(filters: Filters, kind: str, tags: list[str], expected: bool) -> None:
    assert filters.matches(kind, tags) is expected


@pytest.mark.parametrize(
    ("filters", "lang", "expected"),
    [
        (Filters(), "fr", "les pétitions et les campagnes"),
        (Filters(PETITIONS), "fr", "les pétitions"),
        (Filters(CAMPAIGNS, (("vsa", "VSA"),)), "fr", "les campagnes marquées #VSA"),
        (Filters(BOTH, (("a", "A"), ("b", "B"))), "en", "petitions and campaigns tagged #A #B"),
    ],
)
def test_describe_filters(filters: Filters, lang: str, expected: str) -> None:
    assert describe_filters(filters, lang) == expected  # type: ignore[arg-type]


# --- the message ----------------------------------------------------------------------------

URL = "https://www.change.org/p/stop-reconnaissance-faciale?a=1&b=2"


def test_a_french_petition_from_a_public_group() -> None:
    view = AnnouncementView(
        "petition",
        URL,
        "Stop à la <reconnaissance> faciale & co",
        ("Surveillance", "VSA"),
        Source("chat", "Veille Lyon", "https://t.me/veille_lyon"),
    )
    assert render(view, "fr") == (
        "<b>🖊 Pétition</b>\n"
        "<b>Stop à la &lt;reconnaissance&gt; faciale &amp; co</b>\n"
        "https://www.change.org/p/stop-reconnaissance-faciale?a=1&amp;b=2\n"
        "#Surveillance #VSA\n"
        '<i>Partagée dans <a href="https://t.me/veille_lyon">Veille Lyon</a></i>'
    )


def test_an_english_campaign_from_a_private_group_names_no_one() -> None:
    view = AnnouncementView("campaign", "https://example.org/c", None, (), Source("chat"))
    assert render(view, "en") == (
        "<b>📣 Campaign</b>\nhttps://example.org/c\n<i>Shared in the community</i>"
    )


def test_a_feed_is_its_source() -> None:
    source = Source("feed", "La Quadrature <du> Net", "https://www.laquadrature.net/?a&b")
    view = AnnouncementView("campaign", "https://example.org/c", "T", (), source)
    last = render(view, "fr").splitlines()[-1]
    assert last == (
        '<i>Source : <a href="https://www.laquadrature.net/?a&amp;b">'
        "La Quadrature &lt;du&gt; Net</a></i>"
    )


def test_a_private_name_never_leaks_without_a_public_username() -> None:
    view = AnnouncementView("petition", URL, "t", (), Source("chat", None, None))
    assert "communauté" in render(view, "fr")


def test_a_long_title_is_cut_with_an_ellipsis_and_whitespace_folded() -> None:
    title = "Pétition  \n contre " + "é" * 500
    first_line = render(AnnouncementView("petition", URL, title), "fr").splitlines()[1]
    text = first_line.removeprefix("<b>").removesuffix("</b>")
    assert len(text) == 300 and text.endswith("…") and text.startswith("Pétition contre é")


@pytest.mark.parametrize(
    "view",
    [
        AnnouncementView("petition", URL, "🐘" * 2000, tuple(f"t{n}" * 10 for n in range(200))),
        AnnouncementView("petition", "https://e.org/" + "a" * 4000, "🐘" * 299, ("x",) * 20),
        AnnouncementView("campaign", "https://e.org/" + "é" * 6000, "t", ("x",)),
        AnnouncementView("campaign", URL, "&" * 299, ("&",), Source("chat", "<" * 400, URL)),
    ],
)
def test_every_message_fits_telegrams_limit(view: AnnouncementView) -> None:
    for lang in ("fr", "en"):
        text = render(view, lang)
        assert 0 < visible(text) <= MAX_TEXT
        assert view.url in html.unescape(text)  # the link is always there, shown or behind text


def test_a_url_too_long_to_show_becomes_a_link_text() -> None:
    url = "https://e.org/" + "a" * 5000
    text = render(AnnouncementView("petition", url, "t"), "fr")
    assert f'<a href="{url}">ouvrir le lien</a>' in text


def test_tags_are_dropped_before_the_title() -> None:
    url = "https://e.org/" + "a" * 3950
    view = AnnouncementView("petition", url, "Le titre", tuple(f"tag{n}" for n in range(20)))
    text = render(view, "fr")
    assert "Le titre" in text and "#tag0" not in text
