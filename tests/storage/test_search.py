"""The search index and its queries, on a real SQLite file with the real migrations."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from collections.abc import Sequence

import pytest

from bot.folding import fold_key
from bot.query import parse_query
from storage.chats import ChatRepository
from storage.db import Database
from storage.links import (
    LinkDraft,
    MessageShare,
    PersonRecord,
    delete_message_shares,
    save_messages,
)
from storage.people import PeopleRepository
from storage.search import BLOCK, Filters, Hit, SearchRepository, chat_token, key_range

A = -1001000000111
B = -1001000000222
ALICE = PersonRecord(11, "Alice Martin", "alice")
BOB = PersonRecord(22, "Bob", "bob")


@pytest.fixture
async def repo(db: Database) -> SearchRepository:
    chats = ChatRepository(db)
    for chat_id, title in ((A, "Groupe A"), (B, "Groupe B")):
        await chats.upsert(
            chat_id, type="supergroup", title=title, username=None, status="approved"
        )
    return SearchRepository(db)


_serial = iter(range(1, 1_000_000))


async def share(
    db: Database,
    chat: int,
    url: str,
    comment: str = "",
    tags: Sequence[str] = (),
    person: PersonRecord = ALICE,
    at: int = 1_700_000_000,
    kind: str = "link",
    message_id: int | None = None,
) -> int:
    domain = url.split("/")[2].removeprefix("www.")
    item = MessageShare(
        chat_id=chat,
        message_id=message_id or next(_serial),
        shared_at=at,
        links=(LinkDraft(url, domain, kind),),
        tags=tuple((fold_key(tag), tag) for tag in tags),
        comment=comment,
        person=person,
    )
    [result] = await db.run_write(lambda conn: save_messages(conn, [item]))
    return result.links[0].link_id


async def find(
    repo: SearchRepository, text: str, chats: Sequence[int] = (A,), **filters: object
) -> list[Hit]:
    query = parse_query(text)
    base = Filters(tags=query.tags, sites=query.sites, kinds=query.kinds)
    chosen = dataclasses.replace(base, **filters)  # type: ignore[arg-type]
    page = await repo.search(chats, query.match, query.exclude, chosen, 0, 50)
    return list(page.hits)


def urls(hits: Sequence[Hit]) -> list[str]:
    return [hit.url for hit in hits]


async def integrity(db: Database) -> None:
    await db.execute_write("INSERT INTO links_fts(links_fts) VALUES ('integrity-check')")


def test_chat_tokens_and_key_ranges() -> None:
    assert chat_token(-1001234567890) == "n1001234567890"
    assert chat_token(42) == "p42"
    low, high = key_range(A)
    assert high - low == (1 << 32) - 1 and low % (1 << 32) == 0
    assert key_range(A) != key_range(B)


async def test_french_matching_ignores_accents_and_case_and_splits_elisions(
    db: Database, repo: SearchRepository
) -> None:
    await share(db, A, "https://www.lemonde.fr/a", "L’État étend la VIDÉOSURVEILLANCE", ["VSA"])
    await share(db, A, "https://example.org/b", "rien à voir", ["Vidéosurveillance"])
    for text in ("l'État", "état", "ETAT", "l’etat", "VSA", "étend"):
        assert urls(await find(repo, text)) == ["https://www.lemonde.fr/a"], text
    for text in ("videosurveillance", "Vidéosurveillance", "VIDEOSURVEILLANCE", "vidéosurv*"):
        assert len(await find(repo, text)) == 2, text  # one in its comment, one in its tags
    assert urls(await find(repo, "#videosurveillance")) == ["https://example.org/b"]
    assert urls(await find(repo, "#Vidéosurveillance")) == ["https://example.org/b"]
    assert urls(await find(repo, "#vsa")) == ["https://www.lemonde.fr/a"]


async def test_a_group_never_sees_another_groups_links(
    db: Database, repo: SearchRepository
) -> None:
    await share(db, A, "https://example.org/a", "reconnaissance faciale")
    await share(db, B, "https://example.org/b", "reconnaissance faciale")
    assert urls(await find(repo, "reconnaissance", [A])) == ["https://example.org/a"]
    assert urls(await find(repo, "reconnaissance", [B])) == ["https://example.org/b"]
    both = await find(repo, "reconnaissance", [A, B])
    assert sorted(urls(both)) == ["https://example.org/a", "https://example.org/b"]
    assert {hit.chat_title for hit in both} == {"Groupe A", "Groupe B"}
    assert await find(repo, "reconnaissance", []) == []


async def test_previews_filled_later_are_indexed(db: Database, repo: SearchRepository) -> None:
    link_id = await share(db, A, "https://example.org/a", "un lien")
    assert await find(repo, "biométrie") == []
    await db.execute_write(
        "UPDATE links SET title = ?, description = ?, site_name = ? WHERE id = ?",
        ("La biométrie à l'école", "Un rapport", "Le Site", link_id),
    )
    [hit] = await find(repo, "biometrie")
    assert hit.title == "La biométrie à l'école"
    assert urls(await find(repo, "rapport")) == urls(await find(repo, "site")) == [hit.url]
    await integrity(db)


async def test_a_reshare_updates_tags_and_comments_in_the_index(
    db: Database, repo: SearchRepository
) -> None:
    await share(db, A, "https://example.org/a", "premier", ["un"])
    await share(db, A, "https://example.org/a", "second", ["deux"], person=BOB)
    [hit] = await find(repo, "premier second #un #deux")
    assert hit.share_count == 2 and hit.sharer_name == "Alice Martin"
    assert set(hit.tags) == {"un", "deux"}
    await integrity(db)


async def test_a_migrated_group_keeps_its_links_findable(
    db: Database, repo: SearchRepository
) -> None:
    await share(db, A, "https://example.org/a", "drones")
    moved = await ChatRepository(db).migrate(A, -1009999999999)
    assert moved
    assert await find(repo, "drones", [A]) == []
    [hit] = await find(repo, "drones", [-1009999999999])
    assert hit.chat_id == -1009999999999
    await integrity(db)


async def test_a_deleted_link_is_not_found_and_a_shared_one_loses_only_that_share(
    db: Database, repo: SearchRepository
) -> None:
    await share(db, A, "https://example.org/a", "drones police", message_id=500)
    await share(db, A, "https://example.org/b", "drones mairie", message_id=501)
    await share(db, A, "https://example.org/b", "autre avis", person=BOB, message_id=502)
    removed = await db.run_write(lambda conn: delete_message_shares(conn, A, 500))
    assert (removed.shares, removed.links) == (1, 1)
    assert urls(await find(repo, "police")) == []
    removed = await db.run_write(lambda conn: delete_message_shares(conn, A, 501))
    assert (removed.shares, removed.links) == (1, 0)
    assert urls(await find(repo, "mairie")) == []  # its comment went with the share
    assert urls(await find(repo, "avis")) == ["https://example.org/b"]
    await integrity(db)


async def test_forgetting_a_person_erases_their_shares_everywhere(
    db: Database, repo: SearchRepository
) -> None:
    await share(db, A, "https://example.org/a", "secret alice", ["alicetag"])
    await share(db, B, "https://example.org/b", "secret alice")
    await share(db, A, "https://example.org/c", "commun alice")
    await share(db, A, "https://example.org/c", "commun bob", person=BOB)
    forgotten = await PeopleRepository(db).forget(ALICE.id)
    assert (forgotten.shares, forgotten.links, forgotten.chats) == (3, 2, 2)
    assert await find(repo, "alice", [A, B]) == []
    assert urls(await find(repo, "commun", [A, B])) == ["https://example.org/c"]
    rows = await db.reader.execute_fetchall("SELECT * FROM people WHERE id = ?", (ALICE.id,))
    assert list(rows) == []
    tags = await db.reader.execute_fetchall("SELECT key FROM tags")
    assert [row[0] for row in tags] == []
    await integrity(db)


async def test_titles_and_tags_rank_above_comments(db: Database, repo: SearchRepository) -> None:
    await share(db, A, "https://example.org/comment", "un mot sur la biométrie, en passant")
    await share(db, A, "https://example.org/tag", "voir", ["biometrie"])
    titled = await share(db, A, "https://example.org/title", "voir")
    await db.execute_write("UPDATE links SET title = 'Biométrie' WHERE id = ?", (titled,))
    assert urls(await find(repo, "biométrie")) == [
        "https://example.org/title",
        "https://example.org/tag",
        "https://example.org/comment",
    ]


async def test_equal_scores_come_most_recent_first(db: Database, repo: SearchRepository) -> None:
    for n, at in enumerate((100, 300, 200)):
        await share(db, A, f"https://example.org/{n}", "même texte", at=at)
    assert urls(await find(repo, "texte")) == [
        "https://example.org/1",
        "https://example.org/2",
        "https://example.org/0",
    ]


async def test_filters(db: Database, repo: SearchRepository) -> None:
    await share(db, A, "https://www.lemonde.fr/a", "loi", at=1_704_067_200)  # 2024-01-01
    await share(db, A, "https://blog.lemonde.fr/b", "loi", at=1_717_200_000, person=BOB)
    await share(db, A, "https://www.change.org/p/c", "loi", kind="petition", at=1_720_000_000)
    await share(db, A, "https://notlemonde.fr/d", "loi", at=1_730_000_000)
    assert sorted(urls(await find(repo, "loi site:lemonde.fr"))) == [
        "https://blog.lemonde.fr/b",
        "https://www.lemonde.fr/a",
    ]
    assert urls(await find(repo, "loi kind:petition")) == ["https://www.change.org/p/c"]
    assert urls(await find(repo, "loi", since=1_725_000_000)) == ["https://notlemonde.fr/d"]
    assert urls(await find(repo, "loi", until=1_710_000_000)) == ["https://www.lemonde.fr/a"]
    assert urls(await find(repo, "loi", person_ids=(BOB.id,))) == ["https://blog.lemonde.fr/b"]
    assert await find(repo, "loi", person_ids=()) == []


async def test_exclusions_alone_list_everything_else(db: Database, repo: SearchRepository) -> None:
    await share(db, A, "https://example.org/a", "drones")
    await share(db, A, "https://example.org/b", "caméras")
    assert urls(await find(repo, "-drones")) == ["https://example.org/b"]


async def test_pages_run_through_every_match_across_blocks(
    db: Database, repo: SearchRepository
) -> None:
    total = 2 * BLOCK + 30
    items = [
        MessageShare(
            A,
            n,
            1_700_000_000 + n,
            (LinkDraft(f"https://e.org/{n}", "e.org"),),
            comment="commun " + ("rare" if n % 7 == 0 else ""),
        )
        for n in range(1, total + 1)
    ]
    await db.run_write(lambda conn: save_messages(conn, items))
    seen: list[str] = []
    offset = 0
    while True:
        page = await repo.search([A], '"commun"', "", Filters(), offset, 9)
        seen += urls(page.hits)
        offset += 9
        if not page.has_more:
            break
    assert len(seen) == len(set(seen)) == total
    # The first page ranks the most recent block: no link from the oldest block is on it.
    first = await repo.search([A], '"commun"', "", Filters(), 0, 10)
    assert all(int(url.rsplit("/", 1)[1]) > total - BLOCK for url in urls(first.hits))
    straddling = await repo.search([A], '"commun"', "", Filters(), BLOCK - 3, 6)
    assert len(straddling.hits) == 6 and straddling.has_more
    assert len(urls(await find(repo, "commun rare"))) == total // 7


async def test_recent_lists_newest_first_with_pages(db: Database, repo: SearchRepository) -> None:
    for n in range(5):
        await share(db, A, f"https://example.org/{n}", at=1_700_000_000 + n)
    page = await repo.recent([A], Filters(), 0, 3)
    assert urls(page.hits) == [f"https://example.org/{n}" for n in (4, 3, 2)] and page.has_more
    page = await repo.recent([A], Filters(), 3, 3)
    assert urls(page.hits) == ["https://example.org/1", "https://example.org/0"]
    assert not page.has_more


async def test_top_tags_count_links(db: Database, repo: SearchRepository) -> None:
    await share(db, A, "https://example.org/a", tags=["CNIL", "vsa"])
    await share(db, A, "https://example.org/b", tags=["cnil"])
    await share(db, B, "https://example.org/c", tags=["autre"])
    tags = await repo.top_tags([A])
    assert [(t.display, t.links) for t in tags] == [("CNIL", 2), ("vsa", 1)]


async def test_rebuilding_the_index_keeps_every_link_findable(
    db: Database, repo: SearchRepository
) -> None:
    await share(db, A, "https://example.org/a", "drones")
    await share(db, B, "https://example.org/b", "drones")
    assert await repo.rebuild_index() == 2
    assert urls(await find(repo, "drones", [A])) == ["https://example.org/a"]
    await integrity(db)


async def test_the_migration_indexes_links_that_existed_before(tmp_path: object) -> None:
    from pathlib import Path

    from storage.migrate import available_migrations, split_statements

    path = Path(str(tmp_path)) / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    first, search, *_ = available_migrations()
    for statement in split_statements(first.sql):
        conn.execute(statement)
    conn.execute(
        "INSERT INTO chats(id, type, title, created_at, updated_at) VALUES (?, 'group', '', 0, 0)",
        (A,),
    )
    conn.execute(
        "INSERT INTO links(chat_id, url, domain, comment_text, first_shared_at, last_shared_at) "
        "VALUES (?, 'https://x.org/', 'x.org', 'ancienne vidéosurveillance', 0, 0)",
        (A,),
    )
    for statement in split_statements(search.sql):
        conn.execute(statement)
    query = f'chat_token:"{chat_token(A)}" AND "videosurveillance"'
    found = conn.execute("SELECT rowid FROM links_fts WHERE links_fts MATCH ?", (query,))
    assert len(found.fetchall()) == 1
    conn.close()


async def test_searches_share_the_reader_with_pending_statements(
    db: Database, repo: SearchRepository
) -> None:
    """Other coroutines keep cursors open on the reader between two awaits; searches run
    their read transaction in between without breaking them (and vice versa)."""
    for n in range(30):
        await share(db, A, f"https://example.org/{n}", "drones")
    async with db.reader.execute("SELECT id FROM links ORDER BY id") as cursor:
        first = list(await cursor.fetchmany(5))
        pages = await asyncio.gather(*(find(repo, "drones") for _ in range(5)))
        rest = list(await cursor.fetchall())
    assert len(first) + len(rest) == 30
    assert all(len(page) == 30 for page in pages)
