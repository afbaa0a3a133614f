"""Bookmark files and Veille's own JSON Lines export through the import service (real SQLite)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from bot.access import ChatRef
from bot.capture import IncomingMessage, build_share
from bot.classify import default_rules
from bot.export import entry
from bot.importing import ImportService, ImportSummary
from storage.db import Database
from storage.links import LinkRepository, Origin, PersonRecord, save_messages
from storage.migrate import migrate

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
GROUP = -1001000000111
CHANNEL = -1001000000222
BOOKMARK_FILES = (
    "bookmarks_firefox.html",
    "bookmarks_shaarli.html",
    "bookmarks_linkding.html",
    "bookmarks_pocket.html",
)


@pytest.fixture
def service(db: Database) -> ImportService:
    return ImportService(db, default_rules())


async def rows(db: Database, sql: str, *params: object) -> list[tuple[Any, ...]]:
    async with db.reader.execute(sql, params) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def import_bookmarks(service: ImportService, name: str, **options: Any) -> ImportSummary:
    with (FIXTURES / name).open("rb") as file:
        return await service.bookmarks(file, GROUP, create_chat=True, **options)


async def test_bookmarks_become_links_with_tags_comments_and_titles(
    service: ImportService, db: Database
) -> None:
    summary = await import_bookmarks(service, "bookmarks_firefox.html")
    assert summary.skipped == {"non_http_url": 3}
    assert (summary.read, summary.links_added) == (7, 4)
    found = await rows(
        db,
        "SELECT l.url, l.title, l.tags_text, l.comment_text, s.message_id, s.shared_at, s.source "
        "FROM links l JOIN shares s ON s.link_id = l.id WHERE l.url LIKE '%reporterre%'",
    )
    assert found == [
        (
            "https://reporterre.net/cameras-algorithmiques",
            "Caméras algorithmiques",
            "vsa libertes_publiques videosurveillance",
            "Enquête sur plusieurs lignes",
            0,
            1700000700,
            "bookmarks",
        )
    ]
    [lqdn] = await rows(db, "SELECT url FROM links WHERE url LIKE '%laquadrature%'")
    assert lqdn == ("https://www.laquadrature.net/technopolice/?id=7",)  # utm_campaign gone


async def test_private_bookmarks_stay_out_unless_asked(
    service: ImportService, db: Database
) -> None:
    summary = await import_bookmarks(service, "bookmarks_shaarli.html")
    assert summary.skipped == {"relative_url": 1, "private": 1}
    assert summary.notes["undated"] == 1
    assert not await rows(db, "SELECT 1 FROM links WHERE url LIKE '%strategie-interne%'")
    again = await import_bookmarks(service, "bookmarks_shaarli.html", include_private=True)
    assert again.links_added == 1 and again.links_merged == 2


@pytest.mark.parametrize("name", BOOKMARK_FILES)
async def test_importing_a_bookmark_file_again_adds_nothing(
    service: ImportService, db: Database, name: str
) -> None:
    first = await import_bookmarks(service, name)
    assert first.links_added > 0 and first.failure is None
    counts = await rows(db, "SELECT (SELECT count(*) FROM links), (SELECT count(*) FROM shares)")
    again = await import_bookmarks(service, name)
    assert (again.links_added, again.shares_added) == (0, 0)
    assert (
        await rows(db, "SELECT (SELECT count(*) FROM links), (SELECT count(*) FROM shares)")
        == counts
    )


async def test_a_bookmark_title_does_not_replace_a_known_page_title(
    service: ImportService, db: Database
) -> None:
    await import_bookmarks(service, "bookmarks_pocket.html")
    await db.execute_write(
        "UPDATE links SET title = 'Titre de la page' WHERE url LIKE '%numerama%'"
    )
    await db.execute_write("UPDATE links SET title = NULL WHERE url LIKE '%nextinpact%'")
    await import_bookmarks(service, "bookmarks_pocket.html")
    titles = dict(await rows(db, "SELECT domain, title FROM links"))
    assert titles["numerama.com"] == "Titre de la page"
    assert titles["nextinpact.com"] == "Un vieil article"


async def test_bookmarks_sent_by_a_person_are_theirs(service: ImportService, db: Database) -> None:
    with (FIXTURES / "bookmarks_linkding.html").open("rb") as file:
        await service.bookmarks(file, GROUP, person=PersonRecord(11, "Alice"), create_chat=True)
    assert await rows(db, "SELECT DISTINCT person_id FROM shares") == [(11,)]
    assert await rows(db, "SELECT chat_id, person_id FROM chat_people") == [(GROUP, 11)]


# --- JSON Lines: export -> import into an empty database -> export -----------------------


async def export_jsonl(db: Database) -> str:
    return "".join([entry(link, "jsonl") async for link in LinkRepository(db).export()])


def message(
    chat: int, message_id: int, text: str, person: PersonRecord | None, **extra: Any
) -> IncomingMessage:
    return IncomingMessage(
        chat=ChatRef(chat, "supergroup", ""),
        message_id=message_id,
        date=1_700_000_000 + message_id * 60,
        text=text,
        entities=None,  # Telegram's rules find the links and hashtags
        sender=person,
        **extra,
    )


async def a_varied_database(db: Database, service: ImportService) -> None:
    """Live shares (edits, forwards, several links), imports, preview metadata, a bare link."""
    alice = PersonRecord(11, "Alice « la veilleuse »", "alice", "fr")
    await service.ensure_chat(GROUP, "supergroup", "Veille Lyon")
    await service.ensure_chat(CHANNEL, "channel", "Canal")
    lives = [
        message(CHANNEL, 1, "#Zèbre d'abord https://a.fr/1 #Alpha", None),
        message(GROUP, 5, "Deux liens https://a.fr/1 https://b.fr/2 #Alpha #zebre", alice),
        message(
            GROUP,
            6,
            "Pétition https://www.change.org/p/x #Mobilisation",
            alice,
            edit_date=1_700_009_999,
        ),
        message(
            GROUP,
            7,
            "transféré https://b.fr/2 #VSA #Alpha",
            PersonRecord(12, "Bruno"),
            origin=Origin("channel", "LQDN", -100777, 3, 1_699_000_000),
        ),
        message(GROUP, 8, "encore https://a.fr/1", None),
    ]
    shares = [build_share(live, default_rules())[0] for live in lives]
    await db.run_write(lambda conn: save_messages(conn, shares))
    await db.execute_write(
        "UPDATE links SET title = 'Titre « A »', description = 'Desc', site_name = 'A', "
        "canonical_url = 'https://a.fr/un', language = 'fr' WHERE url = 'https://a.fr/1'"
    )
    await db.execute_write(
        "INSERT INTO links(chat_id, url, domain, kind, comment_text, share_count, "
        "first_shared_at, last_shared_at) "
        "VALUES (?, 'https://c.fr/', 'c.fr', 'link', 'seul', 0, 5, 6)",
        (GROUP,),
    )
    with (FIXTURES / "telegram_current.json").open("rb") as file:
        await service.telegram(file, GROUP, any_chat=True)
    with (FIXTURES / "bookmarks_firefox.html").open("rb") as file:
        await service.bookmarks(file, CHANNEL)


async def test_export_import_export_gives_identical_jsonl(
    tmp_path: Path, db: Database, service: ImportService
) -> None:
    await a_varied_database(db, service)
    exported = await export_jsonl(db)
    assert exported.count("\n") >= 10 and '"edited_at":1700009999' in exported
    async with Database(tmp_path / "new-server.sqlite3") as fresh:
        await migrate(fresh)
        moved = ImportService(fresh, default_rules())
        summary = await moved.jsonl(io.BytesIO(exported.encode()))
        assert summary.failure is None and summary.notes["chats_created"] == 2
        assert await export_jsonl(fresh) == exported
        [chat] = await rows(fresh, "SELECT type, title, status FROM chats WHERE id = ?", CHANNEL)
        assert chat == ("channel", "Canal", "approved")
        again = await moved.jsonl(io.BytesIO(exported.encode()))
        assert (again.links_added, again.shares_added) == (0, 0)
        assert await export_jsonl(fresh) == exported


async def test_a_broken_jsonl_line_stops_there(service: ImportService, db: Database) -> None:
    await a_varied_database(db, service)
    lines = (await export_jsonl(db)).splitlines(keepends=True)
    broken = "".join(lines[:3]) + '{"chat_id": 1, "url": \n' + "".join(lines[3:])
    await db.execute_write("DELETE FROM chats")
    summary = await service.jsonl(io.BytesIO(broken.encode()))
    assert summary.failure is not None and summary.failure.position is not None
    assert summary.failure.position.line == 4
    assert (
        summary.read == 0 and summary.links_added == 0
    )  # the first pass found it: nothing written
