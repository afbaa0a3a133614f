"""Long polling and the loopback HTTP front-end, driven by real PTB applications and clients."""

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.fakes import payloads
from tests.fakes.fixtures import ptb_timedelta_fixture, world_fixture  # noqa: F401 (fixtures)
from tests.fakes.payloads import to_update
from tests.fakes.request import offline_application, offline_bot, parse_api_path
from tests.fakes.server import FakeBotApiServer, decode_body
from tests.fakes.world import World, eventually, http_bot

# --- long polling and applications ------------------------------------------------------------


@pytest.mark.parametrize(
    ("transport", "pusher"),
    [
        ("in-process", "event loop"),
        ("in-process", "other thread"),
        ("loopback-http", "event loop"),
        ("loopback-http", "other thread"),
    ],
)
async def test_long_poll_returns_as_soon_as_an_update_is_pushed(
    world: World, transport: str, pusher: str
) -> None:
    fake = world.fake
    update = fake.message(world.group, world.bob, "réveil ⏰")
    timer = threading.Timer(0.05, fake.push_update, [update])
    with FakeBotApiServer(fake) as server:
        client = http_bot(fake, server) if transport == "loopback-http" else offline_bot(fake)
        async with client as bot:
            started = time.monotonic()
            if pusher == "other thread":
                timer.start()
            else:
                asyncio.get_running_loop().call_later(0.05, fake.push_update, update)
            got = await bot.get_updates(timeout=5)
            elapsed = time.monotonic() - started
    if timer.is_alive():
        timer.join()
    assert [u.update_id for u in got] == [update["update_id"]]
    assert elapsed < 2


async def test_offline_polling_drops_pending_updates_when_asked(world: World) -> None:
    fake = world.fake
    stale = fake.message(world.group, world.bob, "avant le démarrage")
    fake.push_update(stale)
    seen: list[str | None] = []

    async def remember(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.effective_message.text if update.effective_message else None)

    app = offline_application(fake)
    app.add_handler(MessageHandler(filters.TEXT, remember))
    async with app:
        assert app.updater is not None
        await app.start()
        await app.updater.start_polling(timeout=5, drop_pending_updates=True)
        fake.push_update(fake.message(world.group, world.bob, "après"))
        await eventually(lambda: seen)
        await app.updater.stop()
        await app.stop()
    assert seen == ["après"]
    assert [call.params for call in fake.calls_to("deleteWebhook")] == [
        {"drop_pending_updates": True}
    ]


async def test_polling_application_over_loopback_replies(world: World) -> None:
    fake = world.fake

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            f"Reçu : {update.effective_message.text}", do_quote=True
        )

    with FakeBotApiServer(fake) as server:
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(server.base_url)
            .base_file_url(server.base_file_url)
            .build()
        )
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            assert app.updater is not None
            await app.start()
            await app.updater.start_polling(timeout=2)
            incoming = fake.message(world.group, world.bob, "Pétition #RetraitLoi 🇫🇷")
            fake.push_update(incoming)
            replies = await eventually(lambda: fake.sent_messages(world.group.id))
            await app.updater.stop()
            await app.stop()
    assert (replies[0].text, replies[0].reply_to_message_id) == (
        "Reçu : Pétition #RetraitLoi 🇫🇷",
        incoming["message"]["message_id"],
    )
    assert fake.pending_updates() == []


async def test_offline_application_processes_an_update(world: World) -> None:
    app = offline_application(world.fake)

    async def react(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        await context.bot.set_message_reaction(message.chat_id, message.message_id, "👍")

    app.add_handler(MessageHandler(filters.TEXT, react))
    shared = world.fake.message(world.group, world.bob, "https://exemple.fr #climat")
    async with app:
        await app.process_update(to_update(shared, app.bot))
    reaction = world.fake.reactions(world.group.id)
    assert [(r.message_id, r.emojis) for r in reaction] == [
        (shared["message"]["message_id"], ("👍",))
    ]


# --- the HTTP front-end -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        (
            "application/x-www-form-urlencoded",
            b"chat_id=-100123&text=123&disable_notification=true&entities=%5B%5D",
            {"chat_id": -100123, "text": "123", "disable_notification": True, "entities": []},
        ),
        (
            "application/x-www-form-urlencoded",
            b"chat_id=%40veille_lyon&text=%C3%A9t%C3%A9+%F0%9F%8C%9E",
            {"chat_id": "@veille_lyon", "text": "été 🌞"},
        ),
        (
            "application/json",
            b'{"chat_id": 5, "text": "true", "reply_markup": {"inline_keyboard": []}}',
            {"chat_id": 5, "text": "true", "reply_markup": {"inline_keyboard": []}},
        ),
        ("application/json", b"", {}),
        ("", b"", {}),
    ],
)
def test_decode_body(content_type: str, body: bytes, expected: dict[str, object]) -> None:
    assert decode_body(content_type, body) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/bot123:abc/getMe", ("123:abc", "getMe", False)),
        ("/file/bot123:abc/documents/file_1.pdf", ("123:abc", "documents/file_1.pdf", True)),
        ("/proxy/bot123:abc/sendMessage", ("123:abc", "sendMessage", False)),
        ("/bot123:abc", None),
        ("/bot123:abc/a/b", None),
        ("/", None),
    ],
)
def test_parse_api_path(path: str, expected: tuple[str, str, bool] | None) -> None:
    parsed = parse_api_path(path)
    actual = None if parsed is None else (parsed.token, parsed.target, parsed.is_file)
    assert actual == expected


async def test_server_accepts_json_bodies_and_unknown_paths(world: World) -> None:
    with FakeBotApiServer(world.fake) as server:
        async with httpx.AsyncClient() as client:
            url = f"{server.base_url}{world.fake.token}/sendMessage"
            sent = await client.post(url, json={"chat_id": world.group.id, "text": "42"})
            missing = await client.get(f"{server.base_url}{world.fake.token}/frobnicate")
            stray = await client.get(f"http://127.0.0.1:{server.port}/favicon.ico")
    assert (sent.status_code, sent.json()["result"]["text"]) == (200, "42")
    assert (missing.status_code, missing.json()["description"]) == (404, "Not Found")
    assert stray.status_code == 404


def _server_threads() -> Iterator[threading.Thread]:
    return (t for t in threading.enumerate() if t.name.startswith(("fake-bot-api", "Thread-")))


async def test_server_stops_cleanly_with_a_hung_request(world: World) -> None:
    before = set(_server_threads())
    world.fake.fail_next("getMe", payloads.timeout(hang_seconds=60))
    with FakeBotApiServer(world.fake) as server:
        async with httpx.AsyncClient(timeout=0.3) as client:
            url = f"{server.base_url}{world.fake.token}/getMe"
            with pytest.raises(httpx.ReadTimeout):
                await client.post(url)
            assert (await client.post(url)).status_code == 200
        started = time.monotonic()
    assert time.monotonic() - started < 2
    assert set(_server_threads()) - before == set()
