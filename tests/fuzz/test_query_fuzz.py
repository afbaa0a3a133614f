"""Any text typed after /search gives a query that FTS5 accepts, on the real index."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.query import parse_query
from storage.links import LinkDraft, MessageShare, save_messages
from storage.migrate import available_migrations, split_statements
from storage.search import Filters, _prepare_reader, _search

CHAT = -1001000000321
PIECES = st.sampled_from(
    [
        "surveillance",
        "vidéo",
        "l'État",
        '"',
        "«",
        "»",
        "(",
        ")",
        "*",
        "-",
        "+",
        ":",
        "^",
        "OR",
        "OU",
        "AND",
        "NOT",
        "NEAR",
        "NEAR(",
        "#",
        "#Vidéosurveillance",
        "site:",
        "site:lemonde.fr",
        "from:",
        "from:@",
        "par:",
        "since:",
        "until:2024-13-99",
        "depuis:2024",
        "kind:",
        "kind:petition",
        "type:pétition",
        "title:",
        "tags:",
        "{",
        "}",
        "'",
        ";",
        "--",
        "DROP TABLE links",
        "\u200b",
        "\x00",
        "🔥",
        " ",
        "  ",
    ]
)
QUERY = st.one_of(
    st.text(max_size=120),
    st.lists(PIECES, max_size=20).map("".join),
    st.lists(PIECES, max_size=20).map(" ".join),
)


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path: Path = tmp_path_factory.mktemp("fts") / "q.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for migration in available_migrations():
        for statement in split_statements(migration.sql):
            db.execute(statement)
    db.execute(
        "INSERT INTO chats(id, type, title, status, created_at, updated_at) "
        "VALUES (?, 'supergroup', 'g', 'approved', 0, 0)",
        (CHAT,),
    )
    db.execute("BEGIN")
    save_messages(
        db,
        [
            MessageShare(
                chat_id=CHAT,
                message_id=i,
                shared_at=1_700_000_000 + i,
                links=(LinkDraft(f"https://www.lemonde.fr/a/{i}", "lemonde.fr"),),
                tags=(("videosurveillance", "Vidéosurveillance"),),
                comment=f"La vidéosurveillance et l'État, épisode {i}",
            )
            for i in range(1, 40)
        ],
    )
    db.execute("COMMIT")
    db.row_factory = sqlite3.Row
    _prepare_reader(db)
    yield db
    db.close()


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(QUERY)
def test_every_query_is_valid_fts5(conn: sqlite3.Connection, text: str) -> None:
    query = parse_query(text)
    filters = Filters(since=query.since, until=query.until, kinds=query.kinds, tags=query.tags)
    page = _search(conn, [CHAT], query.match, query.exclude, filters, 0, 8)
    assert len(page.hits) <= 8


def test_the_fixture_index_answers_real_queries(conn: sqlite3.Connection) -> None:
    """The property above would pass on a broken index; this proves the index works."""
    for text in ("vidéosurveillance", "videosurveillance", "#Vidéosurveillance", "état"):
        query = parse_query(text)
        filters = Filters(tags=query.tags)
        assert _search(conn, [CHAT], query.match, query.exclude, filters, 0, 8).hits, text
