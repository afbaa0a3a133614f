"""Capture through the real Application and the in-process fake Bot API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes import FakeBotApi, FakeChat, FakeUser, entity_for, payloads
from tests.handlers.harness import OPERATOR_ID, Harness, add_by_operator, running

TEXT = (
    "Reconnaissance faciale : la CNIL alerte #Vidéosurveillance #BigBrother "
    "https://www.lemonde.fr/pixels/article/2024/03/cnil.html?utm_source=twitter&id=4"
)


@pytest.fixture
def group(fake: FakeBotApi, alice: FakeUser) -> FakeChat:
    chat = fake.add_chat(-1001000000111, "supergroup", "Veille Lyon")
    fake.add_bot_to(chat, "administrator")
    fake.set_member(chat, alice, "member")
    return chat


@pytest.fixture
async def harness(tmp_path: Path, fake: FakeBotApi, group: FakeChat) -> AsyncIterator[Harness]:
    async with running(tmp_path, fake) as h:
        await add_by_operator(h, group)
        yield h


def entities(text: str) -> list[dict[str, object]]:
    """What Telegram would attach to TEXT: its two hashtags and its URL."""
    return [
        entity_for(text, "#Vidéosurveillance", "hashtag"),
        entity_for(text, "#BigBrother", "hashtag"),
        entity_for(text, text[text.index("https://") :], "url"),
    ]


async def test_a_shared_link_is_stored_normalised_and_acknowledged_with_a_reaction(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    update = fake.message(group, alice, TEXT, entities=entities(TEXT))
    await harness.send(update)
    [link] = await harness.rows("SELECT * FROM links")
    assert link["url"] == "https://www.lemonde.fr/pixels/article/2024/03/cnil.html?id=4"
    assert link["domain"] == "lemonde.fr"
    assert link["tags_text"] == "videosurveillance bigbrother"
    assert link["comment_text"] == "Reconnaissance faciale : la CNIL alerte"
    [reaction] = fake.reactions(group.id)
    assert reaction.message_id == update["message"]["message_id"]
    assert reaction.emojis == ("👀",)
    assert fake.sent_messages(group.id) == []  # quiet: no text reply


async def test_messages_without_entities_follow_telegrams_rules(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    await harness.send(fake.message(group, alice, "voir laquadrature.net/technopolice #123 #vs2"))
    [link] = await harness.rows("SELECT url, tags_text FROM links")
    assert link["url"] == "https://laquadrature.net/technopolice"
    assert link["tags_text"] == "vs2"


async def test_a_caption_is_captured(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    await harness.send(
        fake.message(group, alice, "photo https://example.org/x #cnil", caption=True, photo=True)
    )
    assert len(await harness.rows("SELECT * FROM links")) == 1


async def test_a_message_without_links_is_not_stored(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    await harness.send(fake.message(group, alice, "bonjour à tous #salut"))
    assert await harness.rows("SELECT * FROM links") == []
    assert await harness.rows("SELECT * FROM shares") == []
    assert fake.reactions(group.id) == []


async def test_an_edit_updates_tags_and_comment_without_a_second_share(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    original = fake.message(group, alice, "avant https://example.org/a #un")
    await harness.send(original)
    await harness.send(fake.edited_message(original, "après https://example.org/a #deux"))
    [link] = await harness.rows("SELECT * FROM links")
    assert link["share_count"] == 1
    assert link["tags_text"] == "deux"
    assert link["comment_text"] == "après"
    assert len(fake.reactions(group.id)) == 1  # the edit is not acknowledged again


async def test_the_same_link_twice_is_one_link_with_two_shares(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    bob = fake.add_user(22, "Bob")
    await harness.send(fake.message(group, alice, "https://example.org/a?fbclid=x #un"))
    await harness.send(fake.message(group, bob, "https://EXAMPLE.org:443/a #deux"))
    [link] = await harness.rows("SELECT share_count, tags_text FROM links")
    assert link["share_count"] == 2
    assert link["tags_text"] == "deux un"


async def test_forwarded_messages_record_their_origin(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    channel = fake.add_chat(-1001000000999, "channel", "La Quadrature du Net", "laquadrature")
    origin = payloads.origin_channel(channel, 42)
    await harness.send(
        fake.message(group, alice, "https://example.org/fwd", forward_origin=origin)
    )
    [share] = await harness.rows("SELECT origin_type, origin_name, origin_message_id FROM shares")
    assert tuple(share) == ("channel", "La Quadrature du Net", 42)


async def test_channel_posts_are_captured(harness: Harness, fake: FakeBotApi) -> None:
    channel = fake.add_chat(-1001000000777, "channel", "Veille Canal")
    fake.add_bot_to(channel, "administrator", ["can_post_messages"])
    operator = fake.add_user(OPERATOR_ID, "Opé", "ope")
    await harness.send(
        fake.my_chat_member(channel, operator, "left", "administrator", ["can_post_messages"])
    )
    await harness.send(fake.channel_post(channel, "https://example.org/canal #surveillance"))
    [share] = await harness.rows("SELECT chat_id, person_id FROM shares")
    assert tuple(share) == (channel.id, channel.id)  # the channel is the sharer


async def test_reply_mode_answers_with_the_tags_and_silent_mode_says_nothing(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    await harness.services.access.set_ack_mode(group.id, "reply")
    await harness.send(fake.message(group, alice, "https://example.org/r #CNIL #vs"))
    [reply] = fake.sent_messages(group.id)
    assert reply.text == "Lien enregistré · #CNIL #vs."
    await harness.services.access.set_ack_mode(group.id, "silent")
    await harness.send(fake.message(group, alice, "https://example.org/s"))
    assert len(fake.sent_messages(group.id)) == 1
    assert fake.reactions(group.id) == []


async def test_a_refused_reaction_is_logged_at_debug_only(
    harness: Harness,
    fake: FakeBotApi,
    group: FakeChat,
    alice: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.fail_next("setMessageReaction", payloads.bad_request("Bad Request: REACTION_INVALID"))
    with caplog.at_level(logging.DEBUG):
        await harness.send(fake.message(group, alice, "https://example.org/r"))
    assert len(await harness.rows("SELECT * FROM links")) == 1
    refused = [r for r in caplog.records if "acknowledgement refused" in r.getMessage()]
    assert [r.levelno for r in refused] == [logging.DEBUG]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "text",
    [
        " ".join(f"https://example.org/{i}" for i in range(100)) + " " + "x" * 1000,
        "https://example.org/" + "a" * 10_000,
        "ctrl \x00\x01\x07 https://example.org/ctrl \u202e#tag\u202c \u200b#zw",
        "🔥#surveillance🔥 https://example.org/emoji 👀",
        "مراقبة #مراقبة https://example.org/rtl",
        "",
    ],
    ids=["100-urls", "10k-url", "control", "emoji", "rtl", "empty"],
)
async def test_odd_messages_are_stored_or_ignored_never_crash(
    harness: Harness,
    fake: FakeBotApi,
    group: FakeChat,
    alice: FakeUser,
    text: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await harness.send(fake.message(group, alice, text or None, caption=not text))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    for link in await harness.rows("SELECT url FROM links"):
        assert link["url"].startswith("https://example.org/")


async def test_entities_outside_the_text_are_ignored(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    text = "court https://example.org/ok"
    broken = [
        {"type": "url", "offset": 500, "length": 20},
        {"type": "hashtag", "offset": -3, "length": 4},
        entity_for(text, "https://example.org/ok", "url"),
    ]
    await harness.send(fake.message(group, alice, text, entities=broken))
    [link] = await harness.rows("SELECT url FROM links")
    assert link["url"] == "https://example.org/ok"


async def test_a_message_without_a_sender_is_stored_without_a_person(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    update = fake.message(group, alice, "https://example.org/nobody")
    del update["message"]["from"]
    await harness.send(update)
    [share] = await harness.rows("SELECT person_id FROM shares")
    assert share["person_id"] is None


async def test_text_links_are_captured_with_their_target(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    text = "Lisez cet article #cnil"
    links = [
        entity_for(
            text, "cet article", "text_link", url="https://www.cnil.fr/fr/article?xtor=RSS-1"
        ),
        entity_for(text, "#cnil", "hashtag"),
    ]
    await harness.send(fake.message(group, alice, text, entities=links))
    [link] = await harness.rows("SELECT url, comment_text FROM links")
    assert link["url"] == "https://www.cnil.fr/fr/article"
    assert link["comment_text"] == "Lisez cet article"
