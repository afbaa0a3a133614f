"""The fake Bot API's update builders, `entity_for`, and getUpdates' offset, limit and filter.

Every update parses with python-telegram-bot with nothing left over in `api_kwargs`.
"""

from collections.abc import Callable
from typing import Any

import pytest
from telegram import (
    ChatMemberAdministrator,
    Message,
    MessageEntity,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)

from tests.fakes import payloads
from tests.fakes.fixtures import ptb_timedelta_fixture, world_fixture  # noqa: F401 (fixtures)
from tests.fakes.payloads import GROUP_ANONYMOUS_BOT, FakeChat, JSONDict, entity_for, to_update
from tests.fakes.request import offline_bot
from tests.fakes.world import World, leftovers

# --- updates ----------------------------------------------------------------------------------

Probe = Callable[[list[Any], World], tuple[object, object]]


def _text_with_entities(w: World) -> list[JSONDict]:
    text = "Reconnaissance faciale 🎥 #vidéosurveillance https://exemple.fr/a?utm_source=x"
    entities = [
        entity_for(text, "#vidéosurveillance", "hashtag"),
        entity_for(text, "https://exemple.fr/a?utm_source=x", "url"),
    ]
    return [w.fake.message(w.group, w.bob, text, entities)]


def _reply(w: World) -> list[JSONDict]:
    first = w.fake.message(w.group, w.bob, "https://exemple.fr")
    return [first, w.fake.message(w.group, w.alice, "/save", reply_to=first)]


def _edited(w: World) -> list[JSONDict]:
    original = w.fake.message(w.group, w.bob, "brouillon")
    return [original, w.fake.edited_message(original, "version finale #climat")]


def _edited_post(w: World) -> list[JSONDict]:
    post = w.fake.channel_post(w.channel, "Signez !", caption=True)
    return [w.fake.edited_channel_post(post, "Signez vite !")]


def _callback(w: World) -> list[JSONDict]:
    shown = w.fake.message(w.group, w.bob, "menu")
    return [shown, w.fake.callback_query(w.alice, shown, "page:2")]


UPDATE_CASES: list[tuple[str, Callable[[World], list[JSONDict]], Probe]] = [
    (
        "entities",
        _text_with_entities,
        lambda u, w: (
            sorted(u[0].message.parse_entities().values()),
            ["#vidéosurveillance", "https://exemple.fr/a?utm_source=x"],
        ),
    ),
    (
        "photo caption",
        lambda w: [w.fake.message(w.group, w.bob, "Manif 14h 📣", caption=True)],
        lambda u, w: ((u[0].message.caption, len(u[0].message.photo)), ("Manif 14h 📣", 3)),
    ),
    (
        "reply",
        _reply,
        lambda u, w: (u[1].message.reply_to_message.message_id, u[0].message.message_id),
    ),
    (
        "forward from user",
        lambda w: [
            w.fake.message(w.basic, w.bob, "fwd", forward_origin=payloads.origin_user(w.leila))
        ],
        lambda u, w: (
            (type(u[0].message.forward_origin), u[0].message.forward_origin.sender_user.id),
            (MessageOriginUser, w.leila.id),
        ),
    ),
    (
        "forward hidden",
        lambda w: [
            w.fake.message(
                w.basic, w.bob, "fwd", forward_origin=payloads.origin_hidden_user("Anonyme")
            )
        ],
        lambda u, w: (type(u[0].message.forward_origin), MessageOriginHiddenUser),
    ),
    (
        "forward chat",
        lambda w: [
            w.fake.message(w.basic, w.bob, "fwd", forward_origin=payloads.origin_chat(w.group))
        ],
        lambda u, w: (type(u[0].message.forward_origin), MessageOriginChat),
    ),
    (
        "forward channel",
        lambda w: [
            w.fake.message(
                w.group, w.bob, "fwd", forward_origin=payloads.origin_channel(w.channel, 77)
            )
        ],
        lambda u, w: (
            (type(u[0].message.forward_origin), u[0].message.forward_origin.message_id),
            (MessageOriginChannel, 77),
        ),
    ),
    (
        "anonymous admin",
        lambda w: [w.fake.message(w.group, GROUP_ANONYMOUS_BOT, "annonce", sender_chat=w.group)],
        lambda u, w: (u[0].message.sender_chat.id, w.group.id),
    ),
    (
        "topic",
        lambda w: [w.fake.message(w.group, w.bob, "sujet", message_thread_id=42)],
        lambda u, w: (
            (u[0].message.message_thread_id, u[0].message.is_topic_message),
            (42, True),
        ),
    ),
    (
        "edited message",
        _edited,
        lambda u, w: (
            (u[1].edited_message.message_id, u[1].edited_message.text),
            (u[0].message.message_id, "version finale #climat"),
        ),
    ),
    (
        "channel post",
        lambda w: [w.fake.channel_post(w.channel, "Nouvelle pétition", author_signature="Ana")],
        lambda u, w: (
            (u[0].channel_post.sender_chat.id, u[0].channel_post.from_user),
            (w.channel.id, None),
        ),
    ),
    (
        "edited channel post",
        _edited_post,
        lambda u, w: (u[0].edited_channel_post.caption, "Signez vite !"),
    ),
    (
        "migrate",
        lambda w: w.fake.migrate(w.basic, FakeChat(-1004001, "supergroup", "Collectif Gare")),
        lambda u, w: (
            (u[0].message.migrate_to_chat_id, u[1].message.migrate_from_chat_id),
            (-1004001, w.basic.id),
        ),
    ),
    (
        "bot promoted",
        lambda w: [w.fake.my_chat_member(w.basic, w.alice, "member", "administrator")],
        lambda u, w: (
            type(u[0].my_chat_member.new_chat_member),
            ChatMemberAdministrator,
        ),
    ),
    (
        "member left",
        lambda w: [w.fake.chat_member(w.group, w.bob, w.bob, "member", "left")],
        lambda u, w: (u[0].chat_member.new_chat_member.status, "left"),
    ),
    ("callback", _callback, lambda u, w: (u[1].callback_query.data, "page:2")),
    (
        "inline query",
        lambda w: [w.fake.inline_query(w.leila, "#حرية", offset="20", chat_type="sender")],
        lambda u, w: ((u[0].inline_query.query, u[0].inline_query.offset), ("#حرية", "20")),
    ),
    (
        "chosen inline",
        lambda w: [w.fake.chosen_inline_result(w.leila, "r1", "#climat", "AgAAAB")],
        lambda u, w: (u[0].chosen_inline_result.result_id, "r1"),
    ),
    (
        "document",
        lambda w: [
            w.fake.document_message(
                w.group, w.bob, "BQAD", "liens.html", 2048, "Mes favoris", "text/html"
            )
        ],
        lambda u, w: (
            (u[0].message.document.file_name, u[0].message.caption),
            ("liens.html", "Mes favoris"),
        ),
    ),
]


@pytest.mark.parametrize(
    ("build", "probe"),
    [case[1:] for case in UPDATE_CASES],
    ids=[case[0] for case in UPDATE_CASES],
)
def test_update_builders_round_trip_through_ptb(
    world: World, build: Callable[[World], list[JSONDict]], probe: Probe
) -> None:
    raw = build(world)
    updates = [to_update(data, None) for data in raw]
    actual, expected = probe(updates, world)
    assert actual == expected
    assert [leftovers(update) for update in updates] == [[] for _ in updates]
    ids = [update.update_id for update in updates]
    assert ids == sorted(set(ids))


def test_builders_record_their_event(world: World) -> None:
    fake = world.fake
    fake.message(world.basic, world.leila, "bonjour")
    assert fake.member(world.basic, world.leila).status == "member"
    fake.my_chat_member(world.basic, world.alice, "member", "kicked")
    assert fake.member(world.basic, fake.bot_user).status == "kicked"
    supergroup = FakeChat(-1004002, "supergroup", "Nouveau")
    other = fake.add_chat(-4002, "group", "Ancien")
    fake.migrate(other, supergroup)
    assert fake.migrated_to(other.id) == supergroup.id


@pytest.mark.parametrize(
    ("text", "substring", "kind", "occurrence", "offset", "length"),
    [
        ("#veille", "#veille", "hashtag", 0, 0, 7),
        ("Salut 👋 #veille", "#veille", "hashtag", 0, 9, 7),
        ("Vidéo 🇫🇷 #Liberté", "#Liberté", "hashtag", 0, 11, 8),
        ("👨‍👩‍👧 https://exemple.fr", "https://exemple.fr", "url", 0, 9, 18),
        ("مرحبا #حرية", "#حرية", "hashtag", 0, 6, 5),
        ("#a #a", "#a", "hashtag", 1, 3, 2),
        ("lien 🔗 ici", "🔗", "bold", 0, 5, 2),
    ],
)
def test_entity_for_counts_utf16_units(
    text: str, substring: str, kind: str, occurrence: int, offset: int, length: int
) -> None:
    entity = entity_for(text, substring, kind, occurrence=occurrence)
    assert (entity["offset"], entity["length"]) == (offset, length)
    parsed = Message.de_json(
        {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 1, "type": "private"},
            "text": text,
            "entities": [entity],
        },
        None,
    )
    assert parsed.parse_entity(MessageEntity.de_json(entity, None)) == substring


@pytest.mark.parametrize(
    ("substring", "kind", "occurrence", "url"),
    [
        ("absent", "hashtag", 0, None),
        ("", "bold", 0, None),
        ("#a", "hashtag", 2, None),
        ("#a", "text_link", 0, None),
    ],
)
def test_entity_for_rejects_impossible_entities(
    substring: str, kind: str, occurrence: int, url: str | None
) -> None:
    with pytest.raises(ValueError, match=r"occurs|empty|url"):
        entity_for("#a #a", substring, kind, url, occurrence)


# --- getUpdates -------------------------------------------------------------------------------


async def test_get_updates_offset_limit_and_allowed_updates(world: World) -> None:
    fake = world.fake
    pushed = [fake.message(world.group, world.bob, f"n°{n}") for n in range(5)]
    joined = fake.chat_member(world.group, world.leila, world.leila, "left", "member")
    fake.push_update(*pushed, joined)
    async with offline_bot(fake) as bot:
        first = await bot.get_updates(limit=2)
        assert [u.update_id for u in first] == [pushed[0]["update_id"], pushed[1]["update_id"]]
        rest = await bot.get_updates(offset=first[-1].update_id + 1)
        assert [u.message.text for u in rest if u.message] == ["n°2", "n°3", "n°4"]
        assert [u.update_id for u in await bot.get_updates(offset=-1)] == []
        everything = await bot.get_updates(offset=-1, allowed_updates=Update.ALL_TYPES)
        assert [u.chat_member is not None for u in everything] == [True]
    assert fake.pending_updates() == [joined]
