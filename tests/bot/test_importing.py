"""The import service on real SQLite files: Telegram exports, bookmarks, malformed files."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from bot.access import ChatRef
from bot.capture import IncomingMessage, build_share
from bot.classify import default_rules
from bot.entities import Entity
from bot.importing import ImportProgress, ImportService, ImportSummary, WrongChat
from storage.db import Database
from storage.links import PersonRecord, save_messages
from tests.bot.export_factory import CHAT_ID, write_telegram_export

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
LYON = -1001234567890  # the chat of telegram_current.json
TECHNOPOLICE = -1000987654321  # the channel of telegram_old.json


@pytest.fixture
def service(db: Database) -> ImportService:
    return ImportService(db, default_rules())


async def rows(db: Database, sql: str, *params: object) -> list[tuple[Any, ...]]:
    async with db.reader.execute(sql, params) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def table_counts(db: Database) -> tuple[object, ...]:
    [counts] = await rows(
        db,
        "SELECT (SELECT count(*) FROM links), (SELECT count(*) FROM shares), "
        "(SELECT count(*) FROM share_tags), (SELECT count(*) FROM people), "
        "(SELECT count(*) FROM tags), (SELECT sum(share_count) FROM links)",
    )
    return counts


async def import_fixture(
    service: ImportService, name: str, chat: int, **options: Any
) -> ImportSummary:
    with (FIXTURES / name).open("rb") as file:
        if name.endswith(".json"):
            return await service.telegram(file, chat, create_chat=True, **options)
        return await service.bookmarks(file, chat, create_chat=True, **options)


async def test_a_telegram_export_becomes_links_with_their_tags_sharer_and_date(
    service: ImportService, db: Database
) -> None:
    summary = await import_fixture(service, "telegram_current.json", LYON)
    assert summary.failure is None and summary.chat_created
    assert (summary.read, summary.stored) == (10, 5)
    assert summary.skipped == {"service": 1, "unsupported": 1, "no_links": 3}
    assert (summary.links_added, summary.links_merged, summary.shares_added) == (5, 1, 6)
    [chat] = await rows(db, "SELECT type, title, status FROM chats WHERE id = ?", LYON)
    assert chat == ("supergroup", "Veille Lyon", "approved")
    links = dict(await rows(db, "SELECT url, kind FROM links ORDER BY id"))
    assert links == {
        "https://www.lemonde.fr/pixels/article/2024/03/cnil.html?id=4": "link",
        "https://www.laquadrature.net/2024/03/rapport/": "link",
        "https://www.change.org/p/stop-vsa": "petition",
        "https://reporterre.net/rassemblement": "link",
        "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000049": "link",
    }
    [first] = await rows(
        db,
        "SELECT s.shared_at, s.person_id, p.display_name, s.comment, s.source, l.tags_text "
        "FROM shares s JOIN links l ON l.id = s.link_id JOIN people p ON p.id = s.person_id "
        "WHERE s.message_id = 2",
    )
    assert first == (
        1709287200,
        11,
        "Alice Martin",
        "Reconnaissance faciale : la CNIL alerte",
        "telegram_export",
        "bigbrother videosurveillance",  # recomputed: message 7 shares the link too
    )


async def test_edits_forwards_and_channel_senders_are_kept(
    service: ImportService, db: Database
) -> None:
    await import_fixture(service, "telegram_current.json", LYON)
    edited = await rows(db, "SELECT DISTINCT edited_at FROM shares WHERE message_id = 3")
    assert edited == [(1709287620,)]
    [forward] = await rows(
        db,
        "SELECT person_id, origin_type, origin_name, origin_chat_id FROM shares "
        "WHERE message_id = 5",
    )
    assert forward == (-1000000000555, "channel", "La Quadrature du Net", -1000000000777)
    [lemonde] = await rows(db, "SELECT share_count FROM links WHERE url LIKE '%lemonde%'")
    assert lemonde == (2,)  # messages 2 and 7
    [tags] = await rows(
        db,
        "SELECT group_concat(t.key, ' ') FROM shares s JOIN share_tags st ON st.share_id = s.id "
        "JOIN tags t ON t.id = st.tag_id WHERE s.message_id = 3 AND s.link_id = 3",
    )
    assert tags == ("videosurveillance",)  # #VIDEOSURVEILLANCE folds onto #Vidéosurveillance


async def test_importing_the_same_export_again_adds_nothing(
    service: ImportService, db: Database
) -> None:
    await import_fixture(service, "telegram_current.json", LYON)
    before = await table_counts(db)
    again = await import_fixture(service, "telegram_current.json", LYON)
    assert await table_counts(db) == before
    assert (again.links_added, again.shares_added, again.links_merged) == (0, 0, 6)
    assert not again.chat_created


async def test_a_message_captured_live_and_imported_is_one_share(
    service: ImportService, db: Database
) -> None:
    text = "Vu https://www.lemonde.fr/pixels/article/2024/03/cnil.html?id=4 #CNIL"
    live = IncomingMessage(
        chat=ChatRef(LYON, "supergroup", "Veille Lyon"),
        message_id=7,
        date=1709373600,
        text=text,
        entities=(Entity("url", 3, 60), Entity("hashtag", 64, 5)),
        sender=PersonRecord(13, "Chloé", username="chloe", language="fr"),
    )
    share, _ = build_share(live, default_rules())
    await service.ensure_chat(LYON, "supergroup", "Veille Lyon")
    await db.run_write(lambda conn: save_messages(conn, [share]))
    await import_fixture(service, "telegram_current.json", LYON)
    shares = await rows(db, "SELECT source, person_id FROM shares WHERE message_id = 7")
    assert shares == [("live", 13)]
    # The export knows neither usernames nor this deleted account's name: nothing is lost.
    [person] = await rows(db, "SELECT display_name, username, language FROM people WHERE id = 13")
    assert person == ("Chloé", "chloe", "fr")


async def test_the_old_export_format(service: ImportService, db: Database) -> None:
    summary = await import_fixture(service, "telegram_old.json", TECHNOPOLICE)
    assert summary.skipped == {"service": 1, "malformed": 1, "no_links": 1}
    found = await rows(
        db,
        "SELECT l.url, s.shared_at, s.edited_at, s.person_id, l.tags_text "
        "FROM links l JOIN shares s ON s.link_id = l.id ORDER BY l.id",
    )
    assert found == [
        ("https://technopolice.fr/carte", 1559392200, None, TECHNOPOLICE, "technopolice vsa"),
        (
            "http://www.conseil-etat.fr/decision/123",
            1559463300,
            1559463600,
            TECHNOPOLICE,
            "recours",
        ),
        ("https://forum.example.fr/t/cameras", 1559584800, None, 4242, ""),
    ]
    [chat] = await rows(db, "SELECT type, title FROM chats WHERE id = ?", TECHNOPOLICE)
    assert chat == ("channel", "Collectif Technopolice")


async def test_an_export_of_another_chat_is_refused_unless_asked(
    service: ImportService, db: Database
) -> None:
    with pytest.raises(WrongChat) as caught:
        await import_fixture(service, "telegram_current.json", TECHNOPOLICE)
    assert caught.value.exported_id == LYON and caught.value.exported_name == "Veille Lyon"
    assert await table_counts(db) == (0, 0, 0, 0, 0, None)
    summary = await import_fixture(service, "telegram_current.json", -4321, any_chat=True)
    assert summary.links_added == 5
    [chat] = await rows(db, "SELECT type, title FROM chats WHERE id = -4321")
    assert chat == ("group", "Veille Lyon")  # the exported type is not this chat's: guessed


async def test_a_file_broken_half_way_keeps_what_came_before(tmp_path: Path, db: Database) -> None:
    export = tmp_path / "result.json"
    write_telegram_export(export, 40, link_ratio=1.0)
    text = export.read_text()
    cut = text.index('"id": 31,')
    broken = text[:cut] + '"id": 31 "oops": 1}\n ]}'
    service = ImportService(db, default_rules(), batch_size=4)
    summary = await service.telegram(io.BytesIO(broken.encode()), CHAT_ID, create_chat=True)
    assert summary.failure is not None and summary.failure.position is not None
    assert summary.failure.position.line == broken[:cut].count("\n") + 1
    ids = await rows(db, "SELECT DISTINCT message_id FROM shares ORDER BY message_id")
    stored = [row[0] for row in ids]
    assert stored == sorted(stored) and len(stored) == summary.stored
    assert max(stored) == 30  # everything before the broken message
    consistent = await rows(
        db,
        "SELECT count(*) FROM links l WHERE share_count != "
        "(SELECT count(*) FROM shares s WHERE s.link_id = l.id)",
    )
    assert consistent == [(0,)]


async def test_a_large_export_streams_in_batches(tmp_path: Path, db: Database) -> None:
    export = tmp_path / "result.json"
    write_telegram_export(export, 100_000, link_ratio=0.02)
    seen: list[ImportProgress] = []
    service = ImportService(db, default_rules(), batch_size=500)
    with export.open("rb") as file:
        summary = await service.telegram(file, CHAT_ID, create_chat=True, progress=seen.append)
    assert summary.failure is None and summary.read == 100_000
    assert summary.stored + sum(summary.skipped.values()) == 100_000
    [messages] = await rows(db, "SELECT count(DISTINCT message_id) FROM shares")
    assert messages == (summary.stored,)
    assert len(seen) >= 4  # one report per batch written
    done = [report.done_bytes for report in seen]
    assert done == sorted(done) and done[-1] == export.stat().st_size == seen[-1].total_bytes
