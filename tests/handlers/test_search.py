"""/search, its page buttons and inline queries, through the real Application and fake Bot API.

Alice is a member of group A, Bob of group B. Whatever the way in (a group, a private chat, an
inline query, a replayed button), Alice never sees B's links, and stops seeing A's once she left.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes import FakeBotApi, FakeChat, FakeUser, SentMessage
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
        for group, member in ((group_a, alice), (group_b, bob)):
            await serve(h, group, member)
        await h.send(fake.message(group_a, alice, "Vidéosurveillance à Lyon https://a.org/1 #VSA"))
        await h.send(fake.message(group_b, bob, "vidéosurveillance secrète https://b.org/1"))
        yield h


def buttons(message: SentMessage) -> dict[str, str]:
    markup = message.reply_markup or {"inline_keyboard": []}
    return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}


async def test_a_group_search_finds_only_the_groups_links(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser
) -> None:
    await harness.send(command(fake, group_a, alice, "/search videosurveillance"))
    reply = last(fake, group_a)
    assert reply.parse_mode == "HTML"
    assert "https://a.org/1" in (reply.text or "") and "b.org" not in (reply.text or "")
    assert "#VSA" in (reply.text or "") and "par Alice" in (reply.text or "")


async def test_search_alone_answers_with_help_and_examples(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser
) -> None:
    await harness.send(command(fake, group_a, alice, "/search@veille_test_bot"))
    text = last(fake, group_a).text or ""
    assert "Exemples" in text and "@veille_test_bot" in text


@pytest.mark.parametrize(
    "query", ['"unbalanced', "NEAR(", "title:x", "*", "OR", "'; DROP TABLE links; --", "é" * 300]
)
async def test_hostile_queries_get_an_answer(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser, query: str
) -> None:
    await harness.send(command(fake, group_a, alice, f"/search {query}"))
    assert last(fake, group_a).text
    assert len(await harness.rows("SELECT * FROM links")) == 2


async def test_an_unapproved_group_is_told_so(
    harness: Harness, fake: FakeBotApi, alice: FakeUser
) -> None:
    pending = fake.add_chat(-1001000000333, "supergroup", "Inconnu")
    fake.add_bot_to(pending, "administrator")
    await harness.send(command(fake, pending, alice, "/search x"))
    assert "pas (encore) servi" in (last(fake, pending).text or "")


async def test_a_private_search_covers_the_askers_groups_only(
    harness: Harness, fake: FakeBotApi, alice: FakeUser
) -> None:
    private = fake.private_chat(alice)
    await harness.send(command(fake, private, alice, "/search vidéosurveillance"))
    text = last(fake, private).text or ""
    assert "https://a.org/1" in text and "dans Groupe A" in text
    assert "b.org" not in text
    checks = [call.params for call in fake.calls_to("getChatMember")]
    assert {(int(p["chat_id"]), int(p["user_id"])) for p in checks} == {(-1001000000111, 11)}


async def test_a_stranger_gets_an_explanation_in_private(
    harness: Harness, fake: FakeBotApi
) -> None:
    carol = fake.add_user(33, "Carol")
    private = fake.private_chat(carol)
    await harness.send(command(fake, private, carol, "/search vidéosurveillance"))
    assert "aucun groupe" in (last(fake, private).text or "")


async def test_someone_who_left_stops_seeing_the_group(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser
) -> None:
    private = fake.private_chat(alice)
    await harness.send(command(fake, private, alice, "/search vidéosurveillance"))
    assert "a.org" in (last(fake, private).text or "")
    await harness.send(fake.chat_member(group_a, alice, alice, "member", "left"))
    await harness.send(command(fake, private, alice, "/search vidéosurveillance"))
    assert "a.org" not in (last(fake, private).text or "")
    await harness.send(fake.inline_query(alice, "vidéosurveillance"))
    assert fake.inline_answers()[-1].results == ()


async def test_searching_in_a_group_makes_the_member_known_for_private_searches(
    harness: Harness, fake: FakeBotApi, group_b: FakeChat, alice: FakeUser
) -> None:
    fake.set_member(group_b, alice, "member")
    await harness.send(command(fake, group_b, alice, "/search secrète"))
    sightings = await harness.rows("SELECT chat_id FROM chat_people WHERE person_id = 11")
    assert {row[0] for row in sightings} == {-1001000000111, -1001000000222}
    private = fake.private_chat(alice)
    await harness.send(command(fake, private, alice, "/search vidéosurveillance"))
    text = last(fake, private).text or ""
    assert "a.org" in text and "b.org" in text


async def test_inline_queries_are_personal_and_scoped(
    harness: Harness, fake: FakeBotApi, alice: FakeUser
) -> None:
    await harness.send(fake.inline_query(alice, "vidéosurveillance"))
    [answer] = fake.inline_answers()
    assert answer.is_personal and answer.cache_time is not None and answer.cache_time <= 60
    [result] = answer.results
    assert result["input_message_content"]["message_text"] == "https://a.org/1"
    assert result["description"] == "a.org · #VSA · Groupe A"


async def test_inline_results_come_fifty_at_a_time(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser
) -> None:
    for n in range(60):
        await harness.send(fake.message(group_a, alice, f"drone n{n} https://a.org/d{n}"))
    await harness.send(fake.inline_query(alice, "drone"))
    first = fake.inline_answers()[-1]
    assert len(first.results) == 50 and first.next_offset == "50"
    await harness.send(fake.inline_query(alice, "drone", offset="50"))
    second = fake.inline_answers()[-1]
    assert len(second.results) == 10 and not second.next_offset
    ids = {r["id"] for r in first.results} | {r["id"] for r in second.results}
    assert len(ids) == 60


async def test_an_inline_query_with_no_result_offers_a_way_forward(
    harness: Harness, fake: FakeBotApi, alice: FakeUser
) -> None:
    await harness.send(fake.inline_query(alice, "introuvable"))
    assert fake.inline_answers()[-1].results == ()
    [call] = fake.calls_to("answerInlineQuery")
    assert call.params["button"]["start_parameter"] == "help"


async def test_a_chosen_inline_result_is_accepted_quietly(
    harness: Harness, fake: FakeBotApi, alice: FakeUser
) -> None:
    before = len(fake.calls)
    await harness.send(fake.chosen_inline_result(alice, "1", "vidéosurveillance"))
    assert len(fake.calls) == before


async def share_many(harness: Harness, fake: FakeBotApi, group: FakeChat, user: FakeUser) -> None:
    for n in range(20):
        await harness.send(fake.message(group, user, f"caméra numéro {n} https://a.org/c{n}"))


async def test_page_buttons_edit_the_message(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser
) -> None:
    await share_many(harness, fake, group_a, alice)
    await harness.send(command(fake, group_a, alice, "/search caméra"))
    reply = last(fake, group_a)
    assert (reply.text or "").count('href="https://a.org/c') == 8
    assert set(buttons(reply)) == {"▶"}
    assert all(len(data.encode()) <= 64 for data in buttons(reply).values())
    await harness.send(fake.callback_query(alice, reply, buttons(reply)["▶"]))
    page = fake.current_message(group_a.id, reply.message_id)
    assert page is not None and "page 2" in (page.text or "") and "\n\n9. " in (page.text or "")
    assert set(buttons(page)) == {"◀", "▶"}
    await harness.send(fake.callback_query(alice, page, buttons(page)["▶"]))
    third = fake.current_message(group_a.id, reply.message_id)
    assert third is not None and set(buttons(third)) == {"◀"}
    assert fake.callback_answers()[-1].text is None


async def test_an_unknown_or_expired_page_is_answered_with_a_notice(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser
) -> None:
    await share_many(harness, fake, group_a, alice)
    await harness.send(command(fake, group_a, alice, "/search caméra"))
    reply = last(fake, group_a)
    for data in ("sp:inconnu1:1", "sp:x", "sp:"):
        await harness.send(fake.callback_query(alice, reply, data))
        answer = fake.callback_answers()[-1]
        assert answer.show_alert and "expiré" in (answer.text or "")
    assert fake.edits(group_a.id) == []


async def test_a_button_from_another_group_shows_nothing(
    harness: Harness,
    fake: FakeBotApi,
    group_a: FakeChat,
    group_b: FakeChat,
    alice: FakeUser,
    bob: FakeUser,
) -> None:
    await share_many(harness, fake, group_b, bob)
    await harness.send(command(fake, group_b, bob, "/search caméra"))
    from_b = last(fake, group_b)
    await harness.send(command(fake, group_a, alice, "/search vidéosurveillance"))
    in_a = last(fake, group_a)
    await harness.send(fake.callback_query(alice, in_a, buttons(from_b)["▶"]))
    await harness.send(fake.callback_query(alice, from_b, buttons(from_b)["▶"]))  # not a member
    answers = fake.callback_answers()
    assert all(a.show_alert and "expiré" in (a.text or "") for a in answers[-2:])
    assert fake.edits() == []


async def test_a_private_button_is_only_for_its_owner(
    harness: Harness, fake: FakeBotApi, group_a: FakeChat, alice: FakeUser, bob: FakeUser
) -> None:
    await share_many(harness, fake, group_a, alice)
    private = fake.private_chat(alice)
    await harness.send(command(fake, private, alice, "/search caméra"))
    reply = last(fake, private)
    await harness.send(fake.callback_query(bob, reply, buttons(reply)["▶"]))
    assert fake.callback_answers()[-1].show_alert
    await harness.send(fake.callback_query(alice, reply, buttons(reply)["▶"]))
    assert fake.callback_answers()[-1].text is None
    assert len(fake.edits(private.id)) == 1
