"""The /search query parser: a table of cases, each also run against the real FTS5 index.

The index is the one the migrations build, on a real SQLite file, with a few French links in
two chats; every case must give a valid FTS5 expression (no OperationalError) and, where the
table says so, exactly the expected links of chat A (never one of chat B).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.query import (
    MAX_TERMS,
    PersonFilter,
    SearchQuery,
    matches_person,
    parse_date,
    parse_query,
    parse_site,
)
from storage.migrate import available_migrations, split_statements
from storage.search import Filters, _candidates

CHAT_A = -1001000000111
CHAT_B = -1001000000222

# name -> (chat, url, domain, kind, title, comment, tags_text)
LINKS = {
    "cnil": (
        CHAT_A,
        "https://www.lemonde.fr/pixels/cnil.html",
        "lemonde.fr",
        "link",
        "Reconnaissance faciale : la CNIL alerte",
        "à lire avant la réunion",
        "videosurveillance bigbrother",
    ),
    "etat": (
        CHAT_A,
        "https://blog.lemonde.fr/vsa",
        "blog.lemonde.fr",
        "link",
        "L’État étend la vidéosurveillance algorithmique",
        "",
        "vsa",
    ),
    "drones": (
        CHAT_A,
        "https://www.change.org/p/drones",
        "change.org",
        "petition",
        "Pétition : non aux drones de police",
        "signez et partagez",
        "drones police",
    ),
    "conseil": (
        CHAT_A,
        "https://www.conseil-etat.fr/jo",
        "conseil-etat.fr",
        "link",
        "Conseil d'État : décision sur les caméras des JO",
        "",
        "jo2024 reconnaissance_faciale",
    ),
    "other": (
        CHAT_B,
        "https://www.lemonde.fr/lyon",
        "lemonde.fr",
        "link",
        "Vidéosurveillance et reconnaissance faciale à Lyon",
        "",
        "videosurveillance",
    ),
}


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path: Path = tmp_path_factory.mktemp("query") / "veille.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    for migration in available_migrations():
        for statement in split_statements(migration.sql):
            connection.execute(statement)
    for chat in (CHAT_A, CHAT_B):
        connection.execute(
            "INSERT INTO chats(id, type, title, status, created_at, updated_at) "
            "VALUES (?, 'supergroup', 'G', 'approved', 0, 0)",
            (chat,),
        )
    for number, (chat, url, domain, kind, title, comment, tags) in enumerate(LINKS.values()):
        connection.execute(
            "INSERT INTO links(chat_id, url, domain, kind, title, comment_text, tags_text, "
            "share_count, first_shared_at, last_shared_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            (chat, url, domain, kind, title, comment, tags, 1000 + number, 1000 + number),
        )
    yield connection
    connection.close()


def found(conn: sqlite3.Connection, text: str) -> set[str]:
    """Names of the links of chat A that the query's words select (filters left out)."""
    query = parse_query(text)
    filters = Filters(tags=query.tags, sites=query.sites, kinds=query.kinds)
    ids = _candidates(conn, [CHAT_A], query.match, query.exclude, filters, 100)
    names = {
        row[0]: name
        for name, row in zip(
            LINKS, conn.execute("SELECT id FROM links ORDER BY id").fetchall(), strict=True
        )
    }
    return {names[link_id] for link_id in ids}


EVERYTHING = {"cnil", "etat", "drones", "conseil"}

# (query typed, FTS5 expression of the words, exclusion, links of chat A found, or None if the
# query selects words only: None means "whatever, but valid")
CASES: list[tuple[str, str, str, set[str] | None]] = [
    # plain words, accents and case
    ("cnil", '"cnil"', "", {"cnil"}),
    ("CNIL", '"CNIL"', "", {"cnil"}),
    ("videosurveillance", '"videosurveillance"', "", {"etat", "cnil"}),
    ("vidéosurveillance", '"vidéosurveillance"', "", {"etat", "cnil"}),
    ("VIDÉOSURVEILLANCE", '"VIDÉOSURVEILLANCE"', "", {"etat", "cnil"}),
    ("reconnaissance faciale", '"reconnaissance" AND "faciale"', "", {"cnil", "conseil"}),
    ("petition", '"petition"', "", {"drones"}),
    ("camera", '"camera"', "", set()),
    ("caméras", '"caméras"', "", {"conseil"}),
    # elision: l'État finds état, whatever the apostrophe
    ("l'État", '"État"', "", {"etat", "conseil"}),
    ("l’état", '"état"', "", {"etat", "conseil"}),
    ("d'État", '"État"', "", {"etat", "conseil"}),
    ("qu'alerte", '"alerte"', "", {"cnil"}),
    ("aujourd'hui", '"aujourd\'hui"', "", set()),
    ("L'", "", "", EVERYTHING),
    # phrases
    ('"reconnaissance faciale"', '"reconnaissance faciale"', "", {"cnil", "conseil"}),
    ('"faciale reconnaissance"', '"faciale reconnaissance"', "", set()),
    ('"conseil d\'état"', '"conseil d\'état"', "", {"conseil"}),
    ("« non aux drones »", '"non aux drones"', "", {"drones"}),
    ("“la CNIL”", '"la CNIL"', "", {"cnil"}),
    ('"unbalanced quote', '"unbalanced quote"', "", set()),
    ('"', "", "", EVERYTHING),
    ('""', "", "", EVERYTHING),
    ('" "', "", "", EVERYTHING),
    # OR
    ("drones OR cnil", '("drones" OR "cnil")', "", {"drones", "cnil"}),
    ("drones OU cnil", '("drones" OR "cnil")', "", {"drones", "cnil"}),
    ("drones | cnil", '("drones" OR "cnil")', "", {"drones", "cnil"}),
    ("police drones OR cnil", '"police" AND ("drones" OR "cnil")', "", {"drones"}),
    ("drones or cnil", '"drones" AND "or" AND "cnil"', "", set()),
    ("OR", "", "", EVERYTHING),
    ("OR cnil", '"cnil"', "", {"cnil"}),
    ("cnil OR", '"cnil"', "", {"cnil"}),
    ("cnil OR OR drones", '("cnil" OR "drones")', "", {"cnil", "drones"}),
    ("cnil AND drones", '"cnil" AND "drones"', "", set()),
    # exclusion
    ("-drones", "", '"drones"', {"cnil", "etat", "conseil"}),
    ("vidéosurveillance -vsa", '"vidéosurveillance"', '"vsa"', {"cnil"}),
    ('faciale -"la CNIL"', '"faciale"', '"la CNIL"', {"conseil"}),
    ("-#drones", "", 'tags_text:"drones"', {"cnil", "etat", "conseil"}),
    ("-", "", "", EVERYTHING),
    ("--", "", "", EVERYTHING),
    ("NOT", '"NOT"', "", set()),
    ("cnil OR -drones", '"cnil"', '"drones"', {"cnil"}),
    # prefixes
    ("surveil*", '"surveil" *', "", set()),
    ("vidéosurv*", '"vidéosurv" *', "", {"cnil", "etat"}),
    ("algo*", '"algo" *', "", {"etat"}),
    ("al*", '"al"', "", set()),
    ("*", "", "", EVERYTHING),
    ("**", "", "", EVERYTHING),
    ("*cnil", '"cnil"', "", {"cnil"}),
    # tags (folded like stored tags)
    ("#Vidéosurveillance", 'tags_text:"videosurveillance"', "", {"cnil"}),
    ("#VSA", 'tags_text:"vsa"', "", {"etat"}),
    ("#reconnaissance_faciale", 'tags_text:"reconnaissance_faciale"', "", {"conseil"}),
    ("#reconnaissance", 'tags_text:"reconnaissance"', "", set()),
    ("#", "", "", EVERYTHING),
    ("##", "", "", EVERYTHING),
    ("#cnil OR #vsa", '(tags_text:"cnil" OR tags_text:"vsa")', "", {"etat"}),
    ("police #drones", '"police" AND tags_text:"drones"', "", {"drones"}),
    # filters
    ("site:lemonde.fr", '(domain:"lemonde fr")', "", {"cnil", "etat"}),
    ("site:www.lemonde.fr", '(domain:"lemonde fr")', "", {"cnil", "etat"}),
    ("site:https://blog.lemonde.fr/x", '(domain:"blog lemonde fr")', "", {"etat"}),
    ("site:monde.fr", '(domain:"monde fr")', "", set()),
    ("site:", "", "", EVERYTHING),
    ("site:'; DROP TABLE links; --", '"DROP" AND "TABLE" AND "links;"', "", set()),
    ("kind:petition", "", "", {"drones"}),
    ("kind:pétition", "", "", {"drones"}),
    ("kind:campaign", "", "", set()),
    ("kind:nonsense", "", "", EVERYTHING),
    ("from:@alice cnil", '"cnil"', "", {"cnil"}),
    ("since:2024-01-01", "", "", EVERYTHING),
    ("since:yesterday", "", "", EVERYTHING),
    ("until:2024-13-01", "", "", EVERYTHING),
    # hostile input: FTS5 syntax is never passed through
    ("title:cnil", '"title:cnil"', "", set()),
    ("chat_token:n1001000000222", '"chat_token:n1001000000222"', "", set()),
    ("NEAR(reconnaissance faciale)", '"NEAR(reconnaissance" AND "faciale)"', "", set()),
    ("NEAR", '"NEAR"', "", set()),
    ("(cnil", '"(cnil"', "", {"cnil"}),
    ("cnil)", '"cnil)"', "", {"cnil"}),
    ("()", "", "", EVERYTHING),
    (":", "", "", EVERYTHING),
    ("cnil:", '"cnil:"', "", {"cnil"}),
    ("^cnil", '"^cnil"', "", {"cnil"}),
    ("{title}: cnil", '"{title}:" AND "cnil"', "", set()),
    ("' OR 1=1 --", '"1=1"', "", set()),
    ('cnil" OR "1"="1', '("cnil" OR "1") AND "=1"', "", set()),
    ("SELECT * FROM links;", '"SELECT" AND "FROM" AND "links;"', "", set()),
    ("🔥📷", "", "", EVERYTHING),
    ("\x00cnil", '"cnil"', "", {"cnil"}),
    ("vidéo\u00adsurveillance", '"vidéosurveillance"', "", {"cnil", "etat"}),
    ("مراقبة", '"مراقبة"', "", set()),
    ("   ", "", "", EVERYTHING),
    ("", "", "", EVERYTHING),
]


@pytest.mark.parametrize(("text", "match", "exclude", "expected"), CASES)
def test_the_parser_gives_a_valid_fts5_query(
    conn: sqlite3.Connection, text: str, match: str, exclude: str, expected: set[str] | None
) -> None:
    query = parse_query(text)
    assert (query.match, query.exclude) == (match, exclude)
    links = found(conn, text)  # raises sqlite3.OperationalError if the expression were invalid
    if expected is not None:
        assert links == expected


def test_the_table_has_at_least_sixty_cases() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("length", [300, 301, 400, 1000, 5000])
def test_very_long_queries_are_cut_and_still_valid(conn: sqlite3.Connection, length: int) -> None:
    text = ("surveillance " * 500)[:length]
    query = parse_query(text)
    assert sum(len(group) for group in query.groups) <= MAX_TERMS
    found(conn, text)
    long_word = parse_query("a" * length)
    assert long_word.groups and len(long_word.groups[0][0].text) <= 400
    found(conn, "a" * length)


def test_terms_beyond_the_limit_are_ignored_and_reported() -> None:
    query = parse_query(" ".join(f"mot{n}" for n in range(MAX_TERMS + 3)))
    assert len(query.groups) == MAX_TERMS
    assert query.ignored == tuple(f"mot{n}" for n in range(MAX_TERMS, MAX_TERMS + 3))


@pytest.mark.parametrize(
    ("text", "ignored"),
    [
        ("cnil since:hier", ("since:hier",)),
        ("kind:tract cnil", ("kind:tract",)),
        ("site:localhost", ("site:localhost",)),
        ("from:@x", ("from:@x",)),
        ("🔥 cnil", ("🔥",)),
        ("cnil", ()),
    ],
)
def test_what_cannot_be_understood_is_reported(text: str, ignored: tuple[str, ...]) -> None:
    assert parse_query(text).ignored == ignored


def test_filters_are_parsed() -> None:
    query = parse_query(
        "cnil from:@Alice par:jean_dupont site:LeMonde.fr depuis:2024-01 "
        "until:31/12/2024 type:campagne kind:petition"
    )
    assert query.people == (PersonFilter("alice", True), PersonFilter("jean dupont", False))
    assert query.sites == ("lemonde.fr",)
    assert query.since == 1704067200  # 2024-01-01 00:00 UTC
    assert query.until == 1735689600  # 2025-01-01 00:00 UTC: 31/12 included
    assert query.kinds == ("campaign", "petition")
    assert query.has_filters and not query.is_empty


def test_an_empty_query_is_empty() -> None:
    assert parse_query("").is_empty and parse_query(None).is_empty
    assert parse_query("   ") == SearchQuery()


@pytest.mark.parametrize(
    ("value", "span"),
    [
        ("2024", (1704067200, 1735689600)),
        ("2024-02", (1706745600, 1709251200)),
        ("2024-12", (1733011200, 1735689600)),
        ("2024-02-29", (1709164800, 1709251200)),
        ("29/02/2024", (1709164800, 1709251200)),
        ("2024-12-31", (1735603200, 1735689600)),
        ("2023-02-29", None),
        ("2024-00-10", None),
        ("9999-12-31", None),
        ("0000", None),
        ("24-01-01", None),
        ("hier", None),
        ("", None),
    ],
)
def test_dates(value: str, span: tuple[int, int] | None) -> None:
    assert parse_date(value) == span


@pytest.mark.parametrize(
    ("value", "site"),
    [
        ("lemonde.fr", "lemonde.fr"),
        ("WWW.LeMonde.FR", "lemonde.fr"),
        ("https://www.lemonde.fr/pixels/", "lemonde.fr"),
        ("lemonde.fr:443", "lemonde.fr"),
        ("user@lemonde.fr", "lemonde.fr"),
        ("quadrature.net.", "quadrature.net"),
        ("exemple.québec", "exemple.xn--qubec-csa"),
        ("localhost", None),
        ("%", None),
        ("a b", None),
        ("", None),
    ],
)
def test_sites(value: str, site: str | None) -> None:
    assert parse_site(value) == site


@pytest.mark.parametrize(
    ("wanted", "name", "username", "expected"),
    [
        (PersonFilter("alice", True), "Alice Martin", "Alice", True),
        (PersonFilter("alice", True), "Alice Martin", None, False),
        (PersonFilter("alice", False), "Alice Martin", None, True),
        (PersonFilter("martin", False), "Alice Martin", None, True),
        (PersonFilter("alice martin", False), "ALICE  Martin", None, True),
        (PersonFilter("ali", False), "Alice Martin", None, False),
        (PersonFilter("helene", False), "Hélène Dupont", None, True),
        (PersonFilter("jean dupont", False), "Someone", "jean_dupont", True),
    ],
)
def test_people(wanted: PersonFilter, name: str, username: str | None, expected: bool) -> None:
    assert matches_person(wanted, name, username) is expected


def test_links_of_another_chat_are_never_found(conn: sqlite3.Connection) -> None:
    everything_in_b = found(conn, "lyon")
    assert everything_in_b == set()
