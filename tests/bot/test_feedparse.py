"""Feed documents -> entries: formats, encodings, identities, titles, links, tags, discovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.feedparse import (
    MalformedFeed,
    NotAFeed,
    ParsedFeed,
    category_tags,
    discover_alternates,
    entry_key,
    parse_feed,
)

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
URL = "https://feeds.example.org/dir/feed"


def parsed(name: str, content_type: str | None = None) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), content_type, URL)


@pytest.mark.parametrize(
    ("name", "content_type", "fmt", "title", "entries"),
    [
        ("rss_fr.xml", "application/rss+xml", "rss20", "Observatoire des libertés numériques", 3),
        ("atom.xml", "application/atom+xml", "atom10", "Collectif Technopolice", 2),
        ("feed.json", "application/feed+json", "json1.1", "Campagnes – Association Vigie", 3),
        ("feed_v1.json", "application/json", "json1", "Vigie 1.0", 1),
        ("latin1_undeclared.xml", None, "rss20", "Le Cercle des Libertés", 1),
        ("latin1_undeclared.xml", "text/xml", "rss20", "Le Cercle des Libertés", 1),
        ("cp1252_undeclared.xml", None, "rss20", "Trésorerie – 5 € par mois", 1),
        ("cp1252_undeclared.xml", "application/rss+xml; charset=utf-8", "rss20", None, 1),
        ("no_guids_no_dates.xml", "text/xml", "rss20", "Sans guid ni date", 3),
        ("truncated.xml", "application/rss+xml", "rss20", "Coupé", 2),
        ("malformed.xml", "application/rss+xml", "rss20", "Mal formé & fier", 2),
        # A feed served as text/html by a misconfigured server is still a feed.
        ("rss_fr.xml", "text/html", "rss20", None, 3),
    ],
)
def test_formats_and_encodings(
    name: str, content_type: str | None, fmt: str, title: str | None, entries: int
) -> None:
    feed = parsed(name, content_type)
    assert feed.format == fmt
    if title is not None:
        assert feed.title == title
    assert len(feed.entries) == entries


def test_undeclared_legacy_encodings_keep_their_accents() -> None:
    [latin] = parsed("latin1_undeclared.xml").entries
    assert latin.title == "« Sécurité globale » : réunion à Besançon"
    [windows] = parsed("cp1252_undeclared.xml", "application/rss+xml").entries
    assert windows.title == "L’appel aux dons : 10 € pour l’hiver"


def test_french_rss_entries() -> None:
    feed = parsed("rss_fr.xml", "application/rss+xml")
    first, second, third = feed.entries
    assert first.title == "Pétition : non à la vidéosurveillance algorithmique à Marseille"
    assert first.url == "https://www.change.org/p/non-a-la-vsa-marseille"  # trackers stripped
    assert first.tags == ("Vidéosurveillance", "LibertésNumériques")
    assert first.published == 1795854600  # 09:30 +01:00
    assert second.url == "https://feeds.example.org/campagnes/rendez-nous-nos-donnees"
    assert third.tags == ()
    assert feed.site_url == "https://libertes.example.org/"
    assert feed.newest() == first


def test_atom_titles_lose_html_and_links_resolve_against_xml_base() -> None:
    feed = parsed("atom.xml", "application/atom+xml")
    drones, letter = feed.entries
    assert drones.title == "Mobilisation contre les drones policiers"
    assert drones.url == "https://collectif.example.net/blog/drones-policiers.html"
    assert drones.tags == ("Drones", "mobilisation")
    assert letter.url == "https://collectif.example.net/lettres/prefet.html"  # xtor= dropped
    assert letter.published == 1795158000  # published wins over updated
    assert feed.site_url == "https://collectif.example.net/"


def test_json_feed_items() -> None:
    feed = parsed("feed.json")
    campaign, petition, unlinked = feed.entries
    assert campaign.title == "Interdire la reconnaissance faciale – maintenant"
    assert campaign.url == "https://vigie.example.org/campagnes/reconnaissance-faciale"
    assert campaign.tags == ("ReconnaissanceFaciale", "VSA")
    assert petition.url == "https://feeds.example.org/petitions/fichier-tes"
    assert petition.published == 1794992400  # RFC 822, as some publishers send
    assert unlinked.url is None and unlinked.title == "Sans lien"
    assert petition.key == entry_key("", petition.url, "", "")  # no id: its link
    assert unlinked.key == entry_key("18", None, "", "")  # a numeric id is still an id


def test_entries_without_guid_or_date() -> None:
    first, second, bare = parsed("no_guids_no_dates.xml").entries
    assert first.key == entry_key("", "https://sans.example.org/un", "ignored", "ignored")
    assert first.published is None and second.published is None
    assert bare.url is None
    assert bare.key == entry_key("", None, "Brève sans lien", "Rien qu'un texte.")


@pytest.mark.parametrize(
    ("guid", "link", "title", "summary", "same_as"),
    [
        ("g-1", "https://a.example/1", "Nouveau titre", "", ("g-1", None, "Ancien", "x")),
        ("", "https://a.example/1", "Nouveau titre", "", ("", "https://a.example/1", "", "")),
        ("", None, "Titre  avec\nespaces", "Résumé", ("", None, "Titre avec espaces", "Résumé")),
    ],
)
def test_identity_survives_edits(
    guid: str, link: str | None, title: str, summary: str, same_as: tuple[str, ...]
) -> None:
    other_guid, other_link, other_title, other_summary = same_as
    assert entry_key(guid, link, title, summary) == entry_key(
        other_guid, other_link, other_title, other_summary
    )


def test_identities_differ_and_fit_in_sqlite_integers() -> None:
    keys = {entry_key("", None, f"Titre {n}", "") for n in range(2000)}
    assert len(keys) == 2000
    assert all(-(2**63) <= key < 2**63 for key in keys)
    assert entry_key("x", None, "", "") != entry_key("", "x", "", "")


@pytest.mark.parametrize(
    ("name", "content_type", "problem", "reason"),
    [
        ("page.html", "text/html; charset=utf-8", NotAFeed, "html"),
        ("page.html", None, NotAFeed, "html"),
        ("not_a_feed.json", "application/json", NotAFeed, "json"),
        ("truncated_empty.xml", "application/rss+xml", MalformedFeed, "SAXParseException"),
    ],
)
def test_documents_that_are_not_feeds(
    name: str, content_type: str | None, problem: type[Exception], reason: str
) -> None:
    with pytest.raises(problem) as raised:
        parsed(name, content_type)
    assert reason in str(raised.value)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "unknown format"),
        (b"\x00\x01\x02binary", "unknown format"),
        (b"{not json", "invalid JSON"),
        (b"plain text, nothing else", "unknown format"),
    ],
)
def test_garbage_is_refused_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises((NotAFeed, MalformedFeed)) as raised:
        parse_feed(body, None, URL)
    assert reason in str(raised.value)


def test_html_page_names_its_feeds() -> None:
    with pytest.raises(NotAFeed) as raised:
        parsed("page.html", "text/html")
    assert raised.value.alternates == (
        "https://vigie.example.org/fr/actualites.rss",
        "https://vigie.example.org/atom.xml",
    )
    assert discover_alternates(b"<html><head></head><body>rien</body></html>", URL) == ()


@pytest.mark.parametrize(
    ("categories", "tags"),
    [
        (["Libertés numériques"], ("LibertésNumériques",)),
        (["Europe, Surveillance"], ("Europe", "Surveillance")),
        (["Société/Justice", "société"], ("Société", "Justice")),
        (["#VSA", "vsa", "  "], ("VSA",)),
        (["2026", "!!!"], ()),
        (["x" * 41], ()),
        ([f"tag{n}" for n in range(15)], tuple(f"tag{n}" for n in range(10))),
    ],
)
def test_categories_become_hashtags(categories: list[str], tags: tuple[str, ...]) -> None:
    assert category_tags(categories) == tags
