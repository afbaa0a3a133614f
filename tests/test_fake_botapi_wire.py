"""The fake Bot API on the wire: answers PTB parses, errors PTB raises as the right class.

Every test with `bot` runs twice: through `FakeRequest` in process and over loopback HTTP.
"""

import datetime as dtm
from collections.abc import Callable
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from tests.fakes import payloads
from tests.fakes.fixtures import bot_fixture, ptb_timedelta_fixture, world_fixture  # noqa: F401 (fixtures)
from tests.fakes.payloads import FakeChat, FakeError
from tests.fakes.request import offline_bot
from tests.fakes.server import FakeBotApiServer
from tests.fakes.world import World, leftovers

# --- basic calls ------------------------------------------------------------------------------


async def test_get_me_parses_with_every_capability(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.username, me.is_bot, me.can_read_all_group_messages) == (
        "veille_test_bot",
        True,
        True,
    )
    assert (me.supports_inline_queries, me.can_join_groups) == (True, True)
    assert leftovers(me) == []


@pytest.mark.parametrize(
    ("text", "parse_mode"),
    [
        ("Reconnaissance faciale : la CNIL alerte #vidéosurveillance 🎥", None),
        ("<b>Pétition</b> &amp; campagne", "HTML"),
        ("مرحبا بالجميع #حرية", None),
        ("x" * 4096, None),
    ],
)
async def test_send_message_returns_a_message_and_is_recorded(
    bot: Bot, world: World, text: str, parse_mode: str | None
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Suivant ▶", callback_data="p:2")]])
    first = await bot.send_message(world.group.id, "avant")
    sent = await bot.send_message(
        world.group.id, text, parse_mode=parse_mode, reply_markup=keyboard
    )
    assert (sent.text, sent.chat.id, sent.message_id) == (
        text,
        world.group.id,
        first.message_id + 1,
    )
    assert sent.reply_markup == keyboard
    record = world.fake.sent_messages(world.group.id)[-1]
    assert (record.text, record.parse_mode, record.reply_markup) == (
        text,
        parse_mode,
        keyboard.to_dict(),
    )
    assert leftovers(sent) == []


async def test_channel_posts_by_the_bot_are_signed_by_the_channel(bot: Bot, world: World) -> None:
    post = await bot.send_message("@Petitions_FR", "Nouvelle pétition : https://exemple.fr/p")
    assert (post.chat.id, post.sender_chat, post.from_user) == (
        world.channel.id,
        post.chat,
        None,
    )
    assert leftovers(post) == []


@pytest.mark.parametrize(
    ("text", "parse_mode", "message"),
    [
        ("", None, "Message text is empty"),
        ("   ", None, "Message text is empty"),
        ("x" * 4097, None, "Message text is too long"),
        ("👋" * 2049, None, "Message text is too long"),
    ],
)
async def test_send_message_refuses_what_telegram_refuses(
    bot: Bot, world: World, text: str, parse_mode: str | None, message: str
) -> None:
    with pytest.raises(BadRequest) as raised:
        await bot.send_message(world.group.id, text, parse_mode=parse_mode)
    assert raised.value.message == message
    assert world.fake.sent_messages() == []


# --- errors -----------------------------------------------------------------------------------

ERROR_CASES: list[tuple[str, FakeError, type[TelegramError], Callable[[Any], object], object]] = [
    (
        "flood",
        payloads.retry_after(7),
        RetryAfter,
        lambda e: e.retry_after,
        dtm.timedelta(seconds=7),
    ),
    (
        "migrated",
        payloads.migrated(-1005550001),
        ChatMigrated,
        lambda e: e.new_chat_id,
        -1005550001,
    ),
    (
        "blocked",
        payloads.forbidden(),
        Forbidden,
        lambda e: e.message,
        "Forbidden: bot was blocked by the user",
    ),
    ("no chat", payloads.chat_not_found(), BadRequest, lambda e: e.message, "Chat not found"),
    ("500", payloads.server_error(), NetworkError, lambda e: e.message, "Internal Server Error"),
    ("502 html", payloads.bad_gateway(), NetworkError, lambda e: "Bad Gateway" in e.message, True),
    ("conflict", payloads.conflict(), Conflict, lambda e: e.message.startswith("Conflict"), True),
    ("timeout", payloads.timeout(), TimedOut, lambda e: e.message, "Timed out"),
]


@pytest.mark.parametrize(
    ("error", "exception", "probe", "expected"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
async def test_injected_error_raises_the_ptb_exception(
    bot: Bot,
    world: World,
    error: FakeError,
    exception: type[TelegramError],
    probe: Callable[[Any], object],
    expected: object,
) -> None:
    world.fake.fail_next("sendMessage", error, chat_id=world.group.id)
    with pytest.raises(TelegramError) as raised:
        await bot.send_message(world.group.id, "Pétition #climat")
    assert type(raised.value) is exception
    assert probe(raised.value) == expected
    assert world.fake.sent_messages() == []
    again = await bot.send_message(world.group.id, "Pétition #climat")
    assert world.fake.sent_messages()[-1].message_id == again.message_id


async def test_injected_error_targets_its_chat_and_counts_down(bot: Bot, world: World) -> None:
    world.fake.fail_next("sendMessage", payloads.server_error(), times=2, chat_id="@veille_lyon")
    await bot.send_message(world.basic.id, "ailleurs")
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(world.group.id, "ici")
    await bot.send_message(world.group.id, "ici")
    statuses = [call.status for call in world.fake.calls_to("sendMessage")]
    assert statuses == [200, 500, 500, 200]


async def test_applied_timeout_delivers_but_the_client_times_out(bot: Bot, world: World) -> None:
    world.fake.fail_next("sendMessage", payloads.timeout(applied=True))
    with pytest.raises(TimedOut):
        await bot.send_message(world.group.id, "envoyé quand même")
    assert [m.text for m in world.fake.sent_messages()] == ["envoyé quand même"]


async def test_wrong_token_and_unknown_method(world: World) -> None:
    with FakeBotApiServer(world.fake) as server:
        async with offline_bot(world.fake) as bot:
            with pytest.raises(EndPointNotFound):
                await bot.do_api_request("frobnicate")
        # Bot.shutdown() skips bots that never initialised: close their requests ourselves.
        requests = (HTTPXRequest(), HTTPXRequest())
        stranger = Bot(
            "654321:WRONG",
            base_url=server.base_url,
            request=requests[0],
            get_updates_request=requests[1],
        )
        try:
            with pytest.raises(InvalidToken, match="Unauthorized"):
                await stranger.get_me()
        finally:
            for request in requests:
                await request.shutdown()


@pytest.mark.parametrize(
    ("arrange", "target", "exception", "message"),
    [
        ("leave channel", "channel", Forbidden, "bot is not a member of the channel chat"),
        ("kick supergroup", "group", Forbidden, "bot was kicked from the supergroup chat"),
        ("kick group", "basic", Forbidden, "bot was kicked from the group chat"),
        ("block", "alice", Forbidden, "bot was blocked by the user"),
        ("demote channel", "channel", BadRequest, "Need administrator rights in the channel chat"),
        ("migrate", "basic", ChatMigrated, "Group migrated to supergroup. New chat id: -1007777"),
        ("nothing", "@nobody_here", BadRequest, "Chat not found"),
    ],
)
async def test_access_rules(
    bot: Bot, world: World, arrange: str, target: str, exception: type[Exception], message: str
) -> None:
    fake, me = world.fake, world.fake.bot_user
    private = fake.private_chat(world.alice)
    if arrange == "leave channel":
        fake.set_member(world.channel, me, "left")
    elif arrange == "kick supergroup":
        fake.set_member(world.group, me, "kicked")
    elif arrange == "kick group":
        fake.set_member(world.basic, me, "kicked")
    elif arrange == "block":
        fake.block_bot(world.alice)
    elif arrange == "demote channel":
        fake.set_member(world.channel, me, "administrator", ["can_edit_messages"])
    elif arrange == "migrate":
        fake.migrate(world.basic, FakeChat(-1007777, "supergroup", "Collectif Gare"))
    chats = {"channel": world.channel.id, "group": world.group.id, "basic": world.basic.id}
    chat_id: int | str = chats.get(target, private.id if target == "alice" else target)
    with pytest.raises(exception) as raised:
        await bot.send_message(chat_id, "coucou")
    assert message in str(raised.value)
