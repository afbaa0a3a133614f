"""/tags, /recent, /delete, /forgetme and the command menus, through the real Application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes import FakeBotApi, FakeChat, FakeUser
from tests.handlers.harness import Harness, command, last, running, serve


@pytest.fixture
async def harness(
    tmp_path: Path,
    fake: FakeBotApi,
    alice: FakeUser,
    bob: FakeUser,
    group_a: FakeChat,
    group_b: FakeChat,
) -> AsyncIterator[Harness]:
    async with running(tmp_path, fake) as h:
        for chat in (group_a, group_b):
            await serve(h, chat, alice, bob)
        yield h


async def search_text(h: Harness, fake: FakeBotApi, chat: FakeChat, user: FakeUser, q: str) -> str:
    await h.send(command(fake, chat, user, f"/search {q}"))
    return last(fake, chat).text or ""


async def test_tags_lists_this_groups_hashtags_with_counts(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, group_b: FakeChat, alice: FakeUser
) -> None:
    await harness.send(fake.message(group_a, alice, "https://a.org/1 #CNIL #vsa"))
    await harness.send(fake.message(group_a, alice, "https://a.org/2 #cnil"))
    await harness.send(fake.message(group_b, alice, "https://b.org/1 #ailleurs"))
    await harness.send(command(fake, group_a, alice, "/tags"))
    text = last(fake, group_a).text or ""
    assert "#CNIL — 2 lien(s)" in text and "#vsa — 1 lien(s)" in text
    assert "ailleurs" not in text


async def test_recent_lists_the_latest_links_newest_first(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser
) -> None:
    for n in range(3):
        await harness.send(fake.message(group_a, alice, f"lien {n} https://a.org/{n}"))
    await harness.send(command(fake, group_a, alice, "/recent"))
    text = last(fake, group_a).text or ""
    assert text.startswith("🕑 <b>Derniers liens</b>")
    assert text.index("a.org/2") < text.index("a.org/1") < text.index("a.org/0")


async def test_the_sharer_deletes_a_message_links_and_they_are_not_found_again(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser
) -> None:
    shared = fake.message(group_a, alice, "drones https://a.org/1 https://a.org/2")
    await harness.send(shared)
    await harness.send(command(fake, group_a, alice, "/delete", reply_to=shared))
    assert "2 partage(s), 2 lien(s)" in (last(fake, group_a).text or "")
    assert await harness.rows("SELECT * FROM links") == []
    assert "Aucun lien" in await search_text(harness, fake, group_a, alice, "drones")


async def test_someone_else_may_not_delete_but_an_admin_may(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser, bob: FakeUser
) -> None:
    shared = fake.message(group_a, alice, "drones https://a.org/1")
    await harness.send(shared)
    await harness.send(command(fake, group_a, bob, "/delete", reply_to=shared))
    assert "Seuls l'auteur" in (last(fake, group_a).text or "")
    assert len(await harness.rows("SELECT * FROM links")) == 1
    fake.set_member(group_a, bob, "administrator")
    harness.services.members.invalidate(group_a.id, bob.id)
    await harness.send(command(fake, group_a, bob, "/delete", reply_to=shared))
    assert "Supprimé" in (last(fake, group_a).text or "")
    assert await harness.rows("SELECT * FROM links") == []


async def test_a_link_shared_twice_stays_until_its_last_share_goes(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser, bob: FakeUser
) -> None:
    first = fake.message(group_a, alice, "drones https://a.org/1")
    await harness.send(first)
    await harness.send(fake.message(group_a, bob, "caméras https://a.org/1"))
    await harness.send(command(fake, group_a, alice, "/delete", reply_to=first))
    assert "1 partage(s), 0 lien(s)" in (last(fake, group_a).text or "")
    assert "Aucun lien" in await search_text(harness, fake, group_a, alice, "drones")
    assert "a.org/1" in await search_text(harness, fake, group_a, alice, "caméras")


@pytest.mark.parametrize("reply", [False, True])
async def test_delete_needs_a_reply_to_a_saved_message(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser, reply: bool
) -> None:
    plain = fake.message(group_a, alice, "bonjour")
    await harness.send(command(fake, group_a, alice, "/delete", reply_to=plain if reply else None))
    expected = "Aucun lien enregistré pour ce message" if reply else "Répondez avec /delete"
    assert expected in (last(fake, group_a).text or "")


async def test_forgetme_asks_first_then_erases_everything(
    harness: Harness,
    fake: FakeBotApi,
    group_a: FakeChat,
    group_b: FakeChat,
    alice: FakeUser,
    bob: FakeUser,
) -> None:
    await harness.send(fake.message(group_a, alice, "secret https://a.org/1 #perso"))
    await harness.send(fake.message(group_b, alice, "secret https://b.org/1"))
    await harness.send(fake.message(group_a, bob, "commun https://a.org/2"))
    private = fake.private_chat(alice)
    await harness.send(command(fake, private, alice, "/forgetme"))
    question = last(fake, private)
    assert "(2 partage(s))" in (question.text or "")
    assert len(await harness.rows("SELECT * FROM shares")) == 3  # nothing erased yet
    markup = question.reply_markup or {}
    yes = markup["inline_keyboard"][0][0]["callback_data"]
    await harness.send(fake.callback_query(alice, question, yes))
    done = fake.current_message(private.id, question.message_id)
    assert done is not None and "2 partage(s) et 2 lien(s)" in (done.text or "")
    assert "2 groupe(s)" in (done.text or "")
    assert await harness.rows("SELECT * FROM people WHERE id = 11") == []
    assert await harness.rows("SELECT * FROM chat_people WHERE person_id = 11") == []
    assert "Aucun lien" in await search_text(harness, fake, group_a, bob, "secret")
    assert "a.org/2" in await search_text(harness, fake, group_a, bob, "commun")


async def test_forgetme_can_be_cancelled_and_only_by_its_owner(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser, bob: FakeUser
) -> None:
    await harness.send(fake.message(group_a, alice, "https://a.org/1"))
    private = fake.private_chat(alice)
    await harness.send(command(fake, private, alice, "/forgetme"))
    question = last(fake, private)
    await harness.send(fake.callback_query(bob, question, "fm:y"))
    assert fake.callback_answers()[-1].show_alert
    assert len(await harness.rows("SELECT * FROM shares")) == 1
    await harness.send(fake.callback_query(alice, question, "fm:n"))
    cancelled = fake.current_message(private.id, question.message_id)
    assert cancelled is not None and cancelled.text == "Rien n'a été effacé."
    assert len(await harness.rows("SELECT * FROM shares")) == 1


async def test_forgetme_in_a_group_points_to_the_private_chat(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser
) -> None:
    await harness.send(command(fake, group_a, alice, "/forgetme"))
    assert "en privé" in (last(fake, group_a).text or "")


async def test_the_commands_are_published_in_french_and_english(harness: Harness) -> None:
    fake = harness.fake
    groups = {"type": "all_group_chats"}
    private = {"type": "all_private_chats"}
    for lang in ("fr", "en"):
        in_groups = dict(fake.commands(groups, lang))
        in_private = dict(fake.commands(private, lang))
        assert {"search", "recent", "tags", "delete"} <= set(in_groups)
        assert {"search", "recent", "tags", "forgetme"} <= set(in_private)
        assert "forgetme" not in in_groups and "delete" not in in_private
    assert dict(fake.commands(groups, "fr"))["search"].startswith("chercher")
    assert dict(fake.commands(groups, "en"))["search"].startswith("search")
