"""The delivery worker against the fake Bot API: limits, every error class, restarts."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.announce import Filters
from bot.pacing import Limit
from tests.bot.alertkit import QUICK, Rig, running_alerts
from tests.fakes import FakeBotApi, FakeUser, payloads
from tests.fakes.world import eventually

X = -1001000000601
Y = -1001000000602
Z = -1001000000603
URL = "https://www.change.org/p/stop-vsa"
VSA = (("vsa", "VSA"),)
IN_FLIGHT = "SELECT count(*) FROM deliveries WHERE state = 'sending'"


@pytest.fixture
def fake() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
def alice(fake: FakeBotApi) -> FakeUser:
    user = fake.add_user(11, "Alice", "alice")
    fake.private_chat(user)
    return user


@pytest.fixture
async def rig(tmp_path: Path, fake: FakeBotApi) -> AsyncIterator[Rig]:
    async with running_alerts(tmp_path, fake) as running:
        yield running


def texts_in(fake: FakeBotApi, chat_id: int) -> list[str]:
    return [message.text or "" for message in fake.sent_messages(chat_id)]


async def test_an_announcement_reaches_each_matching_subscriber_once(
    rig: Rig, fake: FakeBotApi
) -> None:
    await rig.channel(X, "X", filters=Filters(frozenset({"petition"}), VSA))
    await rig.channel(Y, "Y")
    await rig.channel(Z, "Z", filters=Filters(frozenset({"campaign"})))
    announced = await rig.announce(URL, tags=VSA)
    assert announced is not None and sorted(announced.queued) == sorted([X, Y])
    assert await rig.announce(URL, tags=VSA) is None  # the same URL again: nothing
    await rig.drained()
    [sent] = fake.sent_messages(X)
    assert sent.parse_mode == "HTML" and sent.text is not None
    assert sent.text.startswith("<b>🖊 Pétition</b>\n<b>Stop à la VSA</b>\n" + URL)
    assert sent.link_preview_options == {"url": URL}
    assert len(fake.sent_messages(Y)) == 1 and fake.sent_messages(Z) == []
    rows = await rig.rows("SELECT chat_id, state, message_id FROM deliveries")
    assert sorted(rows) == sorted([(X, "sent", sent.message_id), (Y, "sent", 1)])


async def test_a_flood_wait_holds_only_its_chat_exactly_as_told(
    rig: Rig, fake: FakeBotApi
) -> None:
    await rig.channel(X, "X")
    await rig.channel(Y, "Y")
    fake.fail_next("sendMessage", payloads.retry_after(1), chat_id=X)
    await rig.announce(URL)
    await rig.drained()
    calls = [
        (call.params["chat_id"], call.time, call.status) for call in fake.calls_to("sendMessage")
    ]
    refused = next(time for chat, time, status in calls if chat == X and status == 429)
    accepted_x = next(time for chat, time, status in calls if chat == X and status == 200)
    accepted_y = next(time for chat, time, status in calls if chat == Y and status == 200)
    assert accepted_x - refused >= 1.0  # waited as told
    assert accepted_y < refused + 1.0  # the other chat did not wait
    assert len(fake.sent_messages(X)) == len(fake.sent_messages(Y)) == 1
    assert rig.service.worker.stats.flood_waits == 1
    assert rig.service.worker.stats.global_pauses == 0


async def test_refusals_in_several_chats_pause_everyone_and_lose_nothing(
    tmp_path: Path, fake: FakeBotApi
) -> None:
    fake.set_flood_limits(per_second=3)  # the bot believes it may send 25 a second
    async with running_alerts(tmp_path, fake) as rig:
        for n in range(8):
            await rig.channel(X - n, f"C{n}")
        await rig.announce(URL)
        await rig.drained(within=20.0)
        stats = rig.service.worker.stats
    assert fake.flood_violations >= 2 and stats.global_pauses >= 1
    assert all(len(fake.sent_messages(X - n)) == 1 for n in range(8))


async def test_a_migrated_group_gets_its_ids_rewritten_then_the_message(
    rig: Rig, fake: FakeBotApi
) -> None:
    group = fake.add_chat(-4001, "group", "Collectif")
    fake.add_bot_to(group)
    await rig.known(group)
    await rig.service.repo.subscribe(group.id, ["petition"], [], by=None)
    bigger = fake.add_chat(-1001000000999, "supergroup", "Collectif")
    fake.migrate(group, bigger)  # Telegram now answers "migrated" for the old id
    await rig.announce(URL)
    await rig.drained()
    assert len(fake.sent_messages(bigger.id)) == 1
    assert await rig.rows("SELECT chat_id, active FROM subscriptions") == [(bigger.id, 1)]
    assert await rig.rows("SELECT chat_id, state FROM deliveries") == [(bigger.id, "sent")]
    assert rig.service.worker.stats.migrations == 1


@pytest.mark.parametrize(
    ("prepare", "reason", "notice"),
    [
        ("left", "removed", "j'en ai été retiré"),
        ("no_post_right", "cannot_post", "je n'ai plus le droit d'y publier"),
        ("not_found", "not_found", "ce chat n'existe plus"),
        ("forbidden", "forbidden", "Telegram refuse mes messages"),
    ],
)
async def test_a_chat_out_of_reach_ends_its_subscription_and_its_subscriber_is_told(
    rig: Rig, fake: FakeBotApi, alice: FakeUser, prepare: str, reason: str, notice: str
) -> None:
    channel = await rig.channel(X, "Pétitions Lyon", by=alice)
    if prepare == "left":
        fake.add_bot_to(channel, "left")
    elif prepare == "no_post_right":
        fake.add_bot_to(channel, "administrator", ["can_edit_messages"])
    elif prepare == "not_found":
        fake.fail_next("sendMessage", payloads.chat_not_found(), chat_id=X)
    else:
        fake.fail_next("sendMessage", payloads.forbidden(), chat_id=X)
    await rig.announce(URL)
    await rig.announce("https://e.org/second")
    await rig.drained()
    assert await rig.rows("SELECT active, ended_reason FROM subscriptions") == [(0, reason)]
    assert await rig.states() == {"cancelled": 2}
    assert len(fake.calls_to("sendMessage")) == 2  # the announcement, then the notice
    [told] = fake.sent_messages(alice.id)
    assert "<b>Pétitions Lyon</b>" in (told.text or "") and notice in (told.text or "")


async def test_server_errors_are_retried_with_backoff(rig: Rig, fake: FakeBotApi) -> None:
    await rig.channel(X, "X")
    fake.fail_next("sendMessage", payloads.server_error(500), times=2)
    await rig.announce(URL)
    await rig.drained()
    assert len(fake.sent_messages(X)) == 1
    assert await rig.rows("SELECT state, attempts, last_error FROM deliveries") == [
        ("sent", 2, "NetworkError: Internal Server Error")
    ]


async def test_too_many_failures_make_a_dead_letter(tmp_path: Path, fake: FakeBotApi) -> None:
    async with running_alerts(tmp_path, fake, dataclasses.replace(QUICK, max_attempts=3)) as rig:
        await rig.channel(X, "X")
        fake.fail_next("sendMessage", payloads.bad_gateway(), times=10)
        await rig.announce(URL)
        await rig.drained()
        assert await rig.rows("SELECT state, attempts FROM deliveries") == [("dead", 3)]
        assert len(fake.calls_to("sendMessage")) == 3
        [line] = await rig.service.outbox.dead_letters()
        assert line.error == "NetworkError: Bad Gateway (502)"


@pytest.mark.parametrize("applied", [True, False])
async def test_a_timeout_after_sending_is_never_resent_on_its_own(
    rig: Rig, fake: FakeBotApi, applied: bool
) -> None:
    await rig.channel(X, "X")
    fake.fail_next("sendMessage", payloads.timeout(applied=applied))
    await rig.announce(URL)
    await rig.drained()
    assert len(fake.sent_messages(X)) == (1 if applied else 0)  # never two
    assert await rig.rows("SELECT state FROM deliveries") == [("unconfirmed",)]
    assert await rig.service.outbox.retry(None, at=0.0) == 1  # an operator may resend
    rig.service.worker.wake([X])
    await rig.drained()
    assert len(fake.sent_messages(X)) == (2 if applied else 1)


async def test_a_message_telegram_refuses_for_good_is_dead_at_once(
    rig: Rig, fake: FakeBotApi
) -> None:
    await rig.channel(X, "X")
    fake.fail_next("sendMessage", payloads.bad_request("can't parse entities: oops"))
    await rig.announce(URL)
    await rig.drained()
    assert await rig.rows("SELECT state, attempts FROM deliveries") == [("dead", 1)]
    assert len(fake.calls_to("sendMessage")) == 1


async def test_one_chats_backlog_never_holds_back_another(
    tmp_path: Path, fake: FakeBotApi
) -> None:
    pace = dataclasses.replace(QUICK, per_chat=Limit(3, 60.0))
    async with running_alerts(tmp_path, fake, pace) as rig:
        await rig.channel(X, "X")
        for n in range(6):
            await rig.announce(f"https://e.org/{n}")
        await eventually(lambda: len(fake.sent_messages(X)) >= 3)
        await rig.channel(Y, "Y")
        await rig.announce("https://e.org/late")  # to X and Y
        await eventually(lambda: fake.sent_messages(Y))
        assert len(fake.sent_messages(X)) == 3  # X waits for its minute, Y did not
        assert (await rig.states())["pending"] == 4


async def test_sends_in_flight_never_exceed_the_concurrency(
    tmp_path: Path, fake: FakeBotApi
) -> None:
    pace = dataclasses.replace(QUICK, concurrency=3, overall=Limit(1000, 1.0))
    async with running_alerts(tmp_path, fake, pace) as rig:
        for n in range(40):
            await rig.channel(X - n, f"C{n}")
        await rig.announce(URL)
        most = 0
        while not rig.service.worker.is_idle():
            [(sending,)] = await rig.rows(
                "SELECT count(*) FROM deliveries WHERE state = 'sending'"
            )
            most = max(most, int(sending))  # type: ignore[call-overload]
            await asyncio.sleep(0)
    assert 0 < most <= 3
    assert len(fake.sent_messages()) == 40


async def test_deliveries_in_flight_at_a_crash_are_sent_after_the_restart(
    tmp_path: Path, fake: FakeBotApi
) -> None:
    async with running_alerts(tmp_path, fake, start=False) as rig:
        await rig.channel(X, "X")
        await rig.channel(Y, "Y")
        await rig.announce(URL)
        await rig.service.outbox.claim([X], at=1e12, lease=60.0)  # claimed, then the crash
        rig.service.start()
        await rig.drained()
        assert rig.service.worker.stats.resumed == 1
    assert len(fake.sent_messages(X)) == len(fake.sent_messages(Y)) == 1


async def test_stopping_leaves_nothing_half_sent(tmp_path: Path, fake: FakeBotApi) -> None:
    async with running_alerts(tmp_path, fake) as rig:
        for n in range(30):
            await rig.channel(X - n, f"C{n}")
        await rig.announce(URL)
        await asyncio.sleep(0.05)
        await rig.service.stop()
        states = await rig.states()
    assert "sending" not in states
    assert states.get("sent", 0) == len(fake.sent_messages()) > 0
