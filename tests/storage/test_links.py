from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.chats import ChatRepository
from storage.db import Database
from storage.links import (
    LinkDraft,
    LinkRepository,
    MessageShare,
    Origin,
    PersonRecord,
    SaveResult,
)

GROUP = -100200
OTHER = -100300
ALICE = PersonRecord(id=11, display_name="Alice Martin", username="alice", language="fr")
BOB = PersonRecord(id=22, display_name="Bob", username=None, language="en")
LEMONDE = LinkDraft("https://www.lemonde.fr/pixels/article/2024/cnil.html", "lemonde.fr")
PETITION = LinkDraft(
    "https://www.change.org/p/stop-reconnaissance-faciale", "change.org", "petition"
)


async def _chats(db: Database, *ids: int) -> None:
    repo = ChatRepository(db)
    for chat_id in ids:
        await repo.upsert(chat_id, type="supergroup", title=f"g{chat_id}", username=None)


def share(
    message_id: int,
    *links: LinkDraft,
    chat_id: int = GROUP,
    tags: tuple[tuple[str, str], ...] = (),
    comment: str = "",
    person: PersonRecord | None = ALICE,
    at: int = 1_700_000_000,
    edited_at: int | None = None,
    origin: Origin | None = None,
) -> MessageShare:
    return MessageShare(
        chat_id=chat_id,
        message_id=message_id,
        shared_at=at,
        links=links,
        tags=tags,
        comment=comment,
        person=person,
        edited_at=edited_at,
        origin=origin,
    )


async def rows(db: Database, sql: str, *params: object) -> list[sqlite3.Row]:
    async with db.reader.execute(sql, params) as cursor:
        return list(await cursor.fetchall())


async def save(db: Database, *items: MessageShare) -> list[SaveResult]:
    return await LinkRepository(db).save_messages(items)


async def test_a_new_link_is_stored_with_its_share_tags_and_comment(db: Database) -> None:
    await _chats(db, GROUP)
    tags = (("videosurveillance", "Vidéosurveillance"), ("cnil", "CNIL"))
    [result] = await save(db, share(1, LEMONDE, tags=tags, comment="La CNIL alerte"))
    [saved] = result.links
    assert saved.new and saved.kind == "link" and not saved.became_notable
    [link] = await rows(db, "SELECT * FROM links")
    assert link["url"] == LEMONDE.url and link["domain"] == "lemonde.fr"
    assert link["share_count"] == 1
    assert link["tags_text"] == "videosurveillance cnil"
    assert link["comment_text"] == "La CNIL alerte"
    displays = await rows(db, "SELECT display FROM tags ORDER BY key")
    assert [r[0] for r in displays] == ["CNIL", "Vidéosurveillance"]
    [person] = await rows(db, "SELECT * FROM people")
    assert person["display_name"] == "Alice Martin" and person["username"] == "alice"


async def test_same_url_again_in_the_same_chat_is_one_link_with_two_shares(db: Database) -> None:
    await _chats(db, GROUP)
    await save(db, share(1, LEMONDE, tags=(("cnil", "CNIL"),), comment="premier"))
    [result] = await save(
        db,
        share(2, LEMONDE, tags=(("surveillance", "surveillance"),), person=BOB, at=1_700_000_500),
    )
    assert not result.links[0].new
    [link] = await rows(db, "SELECT * FROM links")
    assert link["share_count"] == 2
    assert link["tags_text"] == "cnil surveillance"  # merged
    assert link["first_shared_at"] == 1_700_000_000 and link["last_shared_at"] == 1_700_000_500
    sharers = await rows(db, "SELECT person_id FROM shares ORDER BY id")
    assert [r[0] for r in sharers] == [ALICE.id, BOB.id]


async def test_same_url_in_two_chats_is_two_links(db: Database) -> None:
    await _chats(db, GROUP, OTHER)
    await save(db, share(1, LEMONDE), share(1, LEMONDE, chat_id=OTHER))
    assert len(await rows(db, "SELECT id FROM links")) == 2


async def test_one_batch_with_the_same_url_twice_counts_both_shares(db: Database) -> None:
    await _chats(db, GROUP)
    results = await save(db, share(1, LEMONDE, comment="a"), share(2, LEMONDE, comment="b"))
    assert results[0].links[0].new
    [link] = await rows(db, "SELECT share_count, comment_text FROM links")
    assert link[0] == 2 and link[1] == "a\nb"


async def test_processing_the_same_message_twice_adds_nothing(db: Database) -> None:
    await _chats(db, GROUP)
    await save(db, share(1, LEMONDE, tags=(("cnil", "CNIL"),)))
    await save(db, share(1, LEMONDE, tags=(("cnil", "CNIL"),)))
    [link] = await rows(db, "SELECT share_count FROM links")
    assert link[0] == 1
    assert len(await rows(db, "SELECT * FROM share_tags")) == 1


async def test_an_edit_updates_tags_and_comment_without_a_new_share(db: Database) -> None:
    await _chats(db, GROUP)
    await save(db, share(1, LEMONDE, tags=(("cnil", "CNIL"),), comment="avant"))
    edit = share(
        1,
        LEMONDE,
        tags=(("reconnaissance", "Reconnaissance"),),
        comment="après",
        edited_at=1_700_000_100,
    )
    await save(db, edit)
    [link] = await rows(db, "SELECT * FROM links")
    assert link["share_count"] == 1
    assert link["tags_text"] == "reconnaissance"
    assert link["comment_text"] == "après"
    [row] = await rows(db, "SELECT edited_at, shared_at FROM shares")
    assert row[0] == 1_700_000_100 and row[1] == 1_700_000_000


async def test_an_edit_that_removes_a_link_drops_its_share_and_the_orphan_link(
    db: Database,
) -> None:
    await _chats(db, GROUP)
    await save(db, share(1, LEMONDE, PETITION))
    await save(db, share(2, LEMONDE, person=BOB))
    [result] = await save(db, share(1, PETITION, edited_at=1_700_000_100))
    assert result.removed_links == 0  # lemonde still has Bob's share
    [lemonde] = await rows(db, "SELECT share_count FROM links WHERE url = ?", LEMONDE.url)
    assert lemonde[0] == 1
    [result] = await save(db, share(1, edited_at=1_700_000_200))  # every link removed
    assert result.removed_links == 1
    urls = [r[0] for r in await rows(db, "SELECT url FROM links")]
    assert urls == [LEMONDE.url]


async def test_a_petition_becomes_notable_once(db: Database) -> None:
    await _chats(db, GROUP)
    [first] = await save(db, share(1, PETITION))
    [second] = await save(db, share(2, PETITION))
    assert first.links[0].became_notable and first.links[0].kind == "petition"
    assert not second.links[0].became_notable


async def test_a_link_upgraded_to_petition_by_a_later_share_is_notable(db: Database) -> None:
    await _chats(db, GROUP)
    await save(db, share(1, LEMONDE))
    upgraded = LinkDraft(LEMONDE.url, LEMONDE.domain, "campaign")
    [result] = await save(db, share(2, upgraded, tags=(("mobilisation", "mobilisation"),)))
    assert result.links[0].kind == "campaign" and result.links[0].became_notable


async def test_forward_origin_is_recorded(db: Database) -> None:
    await _chats(db, GROUP)
    origin = Origin("channel", name="La Quadrature du Net", chat_id=-1009, message_id=77, date=5)
    await save(db, share(1, LEMONDE, origin=origin))
    [row] = await rows(db, "SELECT origin_type, origin_name, origin_chat_id FROM shares")
    assert tuple(row) == ("channel", "La Quadrature du Net", -1009)


async def test_a_message_without_links_only_records_the_sighting(db: Database) -> None:
    await _chats(db, GROUP)
    [result] = await save(db, share(1))
    assert result.links == ()
    assert await rows(db, "SELECT * FROM links") == []
    [seen] = await rows(db, "SELECT chat_id, person_id FROM chat_people")
    assert tuple(seen) == (GROUP, ALICE.id)


async def test_an_unknown_chat_is_refused_by_the_foreign_key(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await save(db, share(1, LEMONDE, chat_id=-999))
    assert await rows(db, "SELECT * FROM links") == []


async def test_export_lists_links_with_their_shares(db: Database) -> None:
    await _chats(db, GROUP, OTHER)
    await save(db, share(1, LEMONDE, tags=(("cnil", "CNIL"),), comment="un"))
    await save(db, share(2, LEMONDE, person=BOB, tags=(("vs", "VS"),), at=1_700_000_900))
    await save(db, share(3, PETITION, chat_id=OTHER))
    repo = LinkRepository(db)
    exported = [link async for link in repo.export(GROUP)]
    assert [link.url for link in exported] == [LEMONDE.url]
    [link] = exported
    assert link.tags == ("CNIL", "VS") and link.share_count == 2
    assert [s.person_name for s in link.shares] == ["Alice Martin", "Bob"]
    assert len([link async for link in repo.export()]) == 2


async def test_migrating_a_chat_moves_its_links(db: Database) -> None:
    await _chats(db, GROUP)
    await save(db, share(1, LEMONDE))
    chats = ChatRepository(db)
    assert await chats.migrate(GROUP, OTHER)
    assert await chats.get(GROUP) is None
    moved = await chats.get(OTHER)
    assert moved is not None and moved.type == "supergroup"
    [link] = await rows(db, "SELECT chat_id FROM links")
    assert link[0] == OTHER
    [share_row] = await rows(db, "SELECT chat_id FROM shares")
    assert share_row[0] == OTHER


async def test_migrating_into_an_already_known_chat_folds_both(db: Database) -> None:
    await _chats(db, GROUP, OTHER)
    await save(db, share(1, LEMONDE), share(2, PETITION))
    await save(db, share(9, LEMONDE, chat_id=OTHER, person=BOB))
    chats = ChatRepository(db)
    assert await chats.migrate(GROUP, OTHER)
    links = await rows(db, "SELECT url, chat_id, share_count FROM links ORDER BY url")
    assert [tuple(r) for r in links] == [(PETITION.url, OTHER, 1), (LEMONDE.url, OTHER, 2)]


async def test_purge_erases_everything_of_a_chat(db: Database) -> None:
    await _chats(db, GROUP, OTHER)
    await save(db, share(1, LEMONDE, tags=(("cnil", "CNIL"),)), share(1, LEMONDE, chat_id=OTHER))
    counts = await ChatRepository(db).purge(GROUP)
    assert (counts.links, counts.shares) == (1, 1)
    assert [r[0] for r in await rows(db, "SELECT chat_id FROM links")] == [OTHER]
    assert len(await rows(db, "SELECT * FROM shares")) == 1


async def test_a_batch_commits_atomically_on_disk(tmp_path: Path) -> None:
    from storage.migrate import migrate

    path = tmp_path / "a.sqlite3"
    async with Database(path) as first:
        await migrate(first)
        await _chats(first, GROUP)
        await save(first, share(1, LEMONDE), share(2, PETITION))
    async with Database(path) as second:
        assert len(await rows(second, "SELECT * FROM links")) == 2


async def test_an_original_arriving_after_its_edit_changes_nothing(db: Database) -> None:
    await _chats(db, GROUP)
    edit = share(1, PETITION, tags=(("apres", "après"),), comment="après", edited_at=1_700_000_100)
    original = share(1, LEMONDE, PETITION, tags=(("avant", "avant"),), comment="avant")
    await save(db, edit)
    [late] = await save(db, original)
    assert late.links == ()
    [link] = await rows(db, "SELECT url, tags_text, comment_text, share_count FROM links")
    assert tuple(link) == (PETITION.url, "apres", "après", 1)


async def test_an_edit_and_its_original_in_one_batch_keep_the_edit(db: Database) -> None:
    await _chats(db, GROUP)
    edit = share(1, PETITION, tags=(("apres", "après"),), comment="après", edited_at=1_700_000_100)
    original = share(1, LEMONDE, PETITION, tags=(("avant", "avant"),), comment="avant")
    results = await save(db, edit, original)
    assert [len(r.links) for r in results] == [1, 0]
    [link] = await rows(db, "SELECT url, tags_text, comment_text FROM links")
    assert tuple(link) == (PETITION.url, "apres", "après")
