"""Netscape bookmark files: browsers, Shaarli and linkding, Pocket; dates, tags, odd markup."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.importers import MalformedFile, Skipped
from bot.importers.bookmarks import (
    Bookmark,
    bookmark_date,
    bookmark_of,
    read_bookmarks,
    split_tags,
)
from bot.importers.conversions import bookmark_message, hashtag_form
from bot.importers.tracked import TrackedReader

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def read(name: str) -> list[Bookmark | Skipped]:
    with (FIXTURES / name).open("rb") as file:
        return list(read_bookmarks(TrackedReader(file)))


def parse(html: str, encoding: str = "utf-8") -> list[Bookmark | Skipped]:
    return list(read_bookmarks(TrackedReader(io.BytesIO(html.encode(encoding)))))


def test_a_browser_export_with_nested_folders() -> None:
    found = read("bookmarks_firefox.html")
    skipped = [r.reason for r in found if isinstance(r, Skipped)]
    marks = {r.title: r for r in found if isinstance(r, Bookmark)}
    assert skipped == ["non_http_url"] * 3  # two place: queries and a javascript: bookmarklet
    cnil = marks["La reconnaissance faciale – CNIL"]
    assert cnil.tags == ("CNIL", "reconnaissance faciale")
    assert cnil.description == "Le point de la CNIL & ses recommandations"
    assert cnil.added == 1700000100
    lqdn = marks["Technopolice – La Quadrature du Net"]
    assert lqdn.url == "https://www.laquadrature.net/technopolice/?utm_campaign=x&id=7"
    assert lqdn.tags == ("Libertés publiques",)
    assert lqdn.description == ""  # the folder's <DD> is the folder's, not this link's
    nested = marks["Caméras algorithmiques"]
    assert nested.tags == ("VSA", "Libertés publiques", "Vidéosurveillance")
    assert nested.description == "Enquête sur plusieurs lignes"
    assert marks["Débuter avec Firefox"].tags == ()  # the toolbar folder is no topic


def test_a_shaarli_export() -> None:
    found = read("bookmarks_shaarli.html")
    assert found[0] == Skipped("relative_url")  # a Shaarli note ("?aBc123")
    law, private, monde = found[1:]
    assert isinstance(law, Bookmark) and isinstance(private, Bookmark)
    assert isinstance(monde, Bookmark)
    assert law.title == "Proposition de loi JO 2024"
    assert law.tags == ("loi", "JO2024", "sénat")  # space-separated
    assert law.added == 1710075336  # "10/Mar/2024:13:55:36 +0100"
    assert (
        law.description
        == '"Article 7" : expérimentation de la VSA. Voir aussi l\'avis de la CNIL.'
    )
    assert private.private and not law.private
    assert monde.added is None and monde.url.endswith("?id=4&utm_source=shaarli")


def test_a_linkding_export() -> None:
    drones, petition, undated = read("bookmarks_linkding.html")
    assert isinstance(drones, Bookmark) and isinstance(petition, Bookmark)
    assert drones.tags == ("drones", "surveillance", "police")
    assert drones.description.startswith("Synthèse de la loi")
    assert petition.added == 1709300100  # milliseconds in the file
    assert isinstance(undated, Bookmark) and undated.added is None and undated.tags == ()


def test_a_pocket_export() -> None:
    found = read("bookmarks_pocket.html")
    assert [r.title for r in found if isinstance(r, Bookmark)] == [
        "Fichage : l'enquête",
        "Les drones arrivent",
        "Un vieil article",
    ]
    first = found[0]
    assert isinstance(first, Bookmark)
    assert first.added == 1709310000 and first.tags == ("fichage", "police")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1700000000", 1700000000),
        ("1700000000.5", 1700000000),
        ("1700000000000", 1700000000),  # milliseconds
        ("1700000000000000", 1700000000),  # microseconds
        ("10/Oct/2000:13:55:36 +0300", 971175336),
        ("2024-03-01T10:00:00Z", 1709287200),
        ("2024-03-01", 1709251200),
        ("Fri, 01 Mar 2024 10:00:00 +0000", 1709287200),
        ("0", None),
        ("-5", None),
        ("nan", None),
        ("pas une date", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_malformed_ones_tolerated(raw: str | None, expected: int | None) -> None:
    assert bookmark_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a,b c, d", ["a", "b c", "d"]),
        ("a b  c", ["a", "b", "c"]),
        ("a|b", ["a", "b"]),
        (" , ,", []),
        ("", []),
    ],
)
def test_tags_comma_or_space_separated(raw: str, expected: list[str]) -> None:
    assert split_tags(raw) == expected


@pytest.mark.parametrize(
    ("href", "reason"),
    [
        ("?lY47tw", "relative_url"),
        ("/chemin", "relative_url"),
        ("//cdn.example.org/x", "relative_url"),
        ("", "relative_url"),
        ("place:sort=8", "non_http_url"),
        ("javascript:alert(1)", "non_http_url"),
        ("ftp://ftp.example.org/", "non_http_url"),
        ("data:text/html,x", "non_http_url"),
    ],
)
def test_addresses_that_are_skipped(href: str, reason: str) -> None:
    assert bookmark_of({"href": href}, "t", "") == Skipped(reason)


def test_last_modified_stands_in_for_a_missing_add_date() -> None:
    found = bookmark_of({"href": "https://a.fr", "last_modified": "1700000000"}, "t", "")
    assert isinstance(found, Bookmark) and found.added == 1700000000


def test_odd_markup_still_gives_the_bookmarks() -> None:
    html = (
        "<DL><DT><A HREF='https://a.fr/1' TAGS='x'>Un<b>gras</b>\n titre"  # no </A>
        "<DT><A HREF=https://b.fr/2>Deux</A><DD>desc <br> suite"
        "</DL></DL></DL><DT><a href='HTTPS://c.fr/3'>Trois</a>"
    )
    found = parse(html)
    assert [(r.url, r.title, r.description) for r in found if isinstance(r, Bookmark)] == [
        ("https://a.fr/1", "Ungras titre", ""),
        ("https://b.fr/2", "Deux", "desc suite"),
        ("HTTPS://c.fr/3", "Trois", ""),
    ]


def test_the_declared_charset_is_honoured() -> None:
    html = (
        '<META CONTENT="text/html; charset=windows-1252"><DT><A HREF="https://a.fr">Libertés</A>'
    )
    [found] = parse(html, "windows-1252")
    assert isinstance(found, Bookmark) and found.title == "Libertés"


def test_a_file_without_bookmarks_is_refused() -> None:
    with pytest.raises(MalformedFile, match="no bookmarks"):
        parse('{"name": "pas du HTML"}')


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("VSA", "VSA"),
        ("reconnaissance faciale", "reconnaissance_faciale"),
        ("Libertés publiques", "Libertés_publiques"),
        ("best-practices", "best_practices"),
        ("c++", "c"),
        ("#déjà", "déjà"),
        ("418", ""),  # a hashtag needs a letter
        ("---", ""),
        ("", ""),
    ],
)
def test_tags_become_hashtags(tag: str, expected: str) -> None:
    assert hashtag_form(tag) == expected


def test_a_bookmark_becomes_the_message_a_member_would_post() -> None:
    mark = Bookmark(
        "https://a.fr/x", "Titre", 1, ("VSA", "Libertés publiques"), "Le 🔥 texte", False
    )
    message = bookmark_message(mark, -100, 1, None)
    assert message.text == "Le 🔥 texte #VSA #Libertés_publiques\nhttps://a.fr/x"
    assert message.message_id == 0
    covered = [
        message.text.encode("utf-16-le")[2 * e.offset : 2 * (e.offset + e.length)].decode(
            "utf-16-le"
        )
        for e in message.entities or ()
    ]
    assert covered == ["#VSA", "#Libertés_publiques", "https://a.fr/x"]
