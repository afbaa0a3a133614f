"""Telegram's errors sorted by remedy: real answers of the fake, through PTB's own mapping."""

from __future__ import annotations

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError, TelegramError, TimedOut

from bot.remedies import (
    ChatGone,
    FloodWait,
    Migrated,
    Rejected,
    Remedy,
    Retry,
    Unconfirmed,
    describe,
    remedy_for,
)
from tests.fakes import FakeBotApi, offline_bot, payloads

CHANNEL = -1001000000777


async def refusal_of(error: payloads.FakeError) -> Exception:
    fake = FakeBotApi()
    channel = fake.add_chat(CHANNEL, "channel", "Pétitions", "petitions_fr")
    fake.add_bot_to(channel, "administrator", ["can_post_messages"])
    fake.fail_next("sendMessage", error)
    bot: Bot = offline_bot(fake)
    async with bot:
        with pytest.raises(TelegramError) as raised:
            await bot.send_message(CHANNEL, "x")
    return raised.value


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (payloads.retry_after(7), FloodWait(7.0)),
        (payloads.migrated(-1001000000999), Migrated(-1001000000999)),
        (payloads.forbidden(), ChatGone("forbidden", "Forbidden: bot was blocked by the user")),
        (
            payloads.forbidden("Forbidden: bot was kicked from the channel chat"),
            ChatGone("removed", "Forbidden: bot was kicked from the channel chat"),
        ),
        (
            payloads.forbidden("Forbidden: bot is not a member of the channel chat"),
            ChatGone("removed", "Forbidden: bot is not a member of the channel chat"),
        ),
        (payloads.chat_not_found(), ChatGone("not_found", "BadRequest: Chat not found")),
        (
            payloads.bad_request("need administrator rights in the channel chat"),
            ChatGone("cannot_post", "BadRequest: Need administrator rights in the channel chat"),
        ),
        (
            payloads.bad_request("not enough rights to send text messages to the chat"),
            ChatGone(
                "cannot_post", "BadRequest: Not enough rights to send text messages to the chat"
            ),
        ),
        (
            payloads.bad_request("can't parse entities: unsupported start tag"),
            Rejected("BadRequest: Can't parse entities: unsupported start tag"),
        ),
        (payloads.server_error(500), Retry("NetworkError: Internal Server Error")),
        (payloads.server_error(503), Retry("NetworkError: Service Unavailable")),
        (payloads.bad_gateway(), Retry("NetworkError: Bad Gateway (502)")),
        (payloads.timeout(), Unconfirmed("TimedOut: Timed out (ReadTimeout)")),
        (payloads.timeout(applied=True), Unconfirmed("TimedOut: Timed out (ReadTimeout)")),
    ],
)
async def test_each_answer_has_its_remedy(error: payloads.FakeError, expected: Remedy) -> None:
    assert remedy_for(await refusal_of(error)) == expected


def _caused(error: Exception, cause: Exception) -> Exception:
    error.__cause__ = cause
    return error


request = httpx.Request("POST", "https://api.telegram.org/bot<token>/sendMessage")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        # The request never left: sending again cannot make a duplicate.
        (_caused(NetworkError("httpx.ConnectError: refused"), httpx.ConnectError("x")), Retry),
        (_caused(TimedOut(), httpx.ConnectTimeout("x")), Retry),
        (_caused(TimedOut("Pool timeout"), httpx.PoolTimeout("x")), Retry),
        (_caused(TimedOut(), httpx.WriteTimeout("x")), Retry),
        # It may have arrived: never resent without an operator.
        (_caused(TimedOut(), httpx.ReadTimeout("x", request=request)), Unconfirmed),
        (_caused(NetworkError("httpx.ReadError"), httpx.ReadError("reset")), Unconfirmed),
        (
            _caused(NetworkError("x"), httpx.RemoteProtocolError("Server disconnected")),
            Unconfirmed,
        ),
        (RuntimeError("a bug"), Retry),
    ],
)
def test_network_failures_split_on_whether_the_request_left(
    error: Exception, kind: type[Remedy]
) -> None:
    assert isinstance(remedy_for(error), kind)


def test_descriptions_are_short_and_never_carry_the_request() -> None:
    error = _caused(TimedOut(), httpx.ReadTimeout("x", request=request))
    assert describe(error) == "TimedOut: Timed out (ReadTimeout)"
    assert len(describe(NetworkError("é" * 1000))) == 300
