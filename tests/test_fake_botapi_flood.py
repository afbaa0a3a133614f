"""The fake Bot API's flood limits: 429 with the `retry_after` that lets the send through."""

import datetime as dtm

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from tests.fakes.fixtures import bot_fixture, ptb_timedelta_fixture, world_fixture  # noqa: F401 (fixtures)
from tests.fakes.world import World

# --- flood limits -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limits", "chats", "allowed", "wait"),
    [
        ({"group_per_minute": 3}, ["group"] * 4, 3, 60),
        ({"per_second": 2.0}, ["group", "basic", "private"], 2, 1),
        ({"per_chat_per_minute": 2}, ["private", "private", "group", "private"], 3, 60),
        ({"per_second": 0.5}, ["private", "group"], 1, 2),
    ],
)
async def test_flood_limits_refuse_with_retry_after(
    bot: Bot,
    world: World,
    limits: dict[str, float],
    chats: list[str],
    allowed: int,
    wait: int,
) -> None:
    ids = {
        "group": world.group.id,
        "basic": world.basic.id,
        "private": world.fake.private_chat(world.bob).id,
    }
    world.fake.set_flood_limits(**limits)  # type: ignore[arg-type]
    for name in chats[:-1]:
        await bot.send_message(ids[name], "ok")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(ids[chats[-1]], "de trop")
    assert raised.value.retry_after == dtm.timedelta(seconds=wait)
    assert (len(world.fake.sent_messages()), world.fake.flood_violations) == (allowed, 1)
    world.clock.now += wait
    await bot.send_message(ids[chats[-1]], "après la pause")
    assert world.fake.sent_messages()[-1].text == "après la pause"


async def test_flood_window_slides_and_edits_count(bot: Bot, world: World) -> None:
    world.fake.set_flood_limits(group_per_minute=2)
    first = await bot.send_message(world.group.id, "un")
    world.clock.now += 40
    await bot.edit_message_text("un, corrigé", world.group.id, first.message_id)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(world.group.id, "deux")
    assert raised.value.retry_after == dtm.timedelta(seconds=20)
    world.clock.now += 20
    await bot.send_message(world.group.id, "deux")
    assert [m.text for m in world.fake.sent_messages()] == ["un", "deux"]
