"""Previews through the real Application: capture queues, the worker fetches, /previews switches.

The bot runs with `allow_private_networks=True` so that its guarded fetcher may reach the
loopback server that plays the web.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import write_export
from bot.i18n import core
from bot.i18n import previews as texts
from storage.search import Filters, SearchRepository
from tests.bot.webkit import LoopbackServer, answer
from tests.fakes import FakeBotApi, FakeChat, FakeUser, entity_for
from tests.handlers.harness import Harness, add_by_operator, command, last, running

PAGES = Path(__file__).parent.parent / "bot" / "fixtures" / "pages"
ARTICLE_TITLE = "Reconnaissance faciale : « la CNIL s’inquiète »"


@pytest.fixture
def admin(fake: FakeBotApi) -> FakeUser:
    return fake.add_user(12, "Camille", "camille", language_code="fr")


@pytest.fixture
def group(fake: FakeBotApi, alice: FakeUser, admin: FakeUser) -> FakeChat:
    chat = fake.add_chat(-1001000000222, "supergroup", "Veille Rennes")
    fake.add_bot_to(chat, "administrator")
    fake.set_member(chat, alice, "member")
    fake.set_member(chat, admin, "administrator")
    return chat


@pytest.fixture
def web(server: LoopbackServer) -> LoopbackServer:
    page = (PAGES / "article_fr_opengraph.html").read_bytes()
    server.routes["/article"] = answer("200 OK", page, "Content-Type: text/html; charset=utf-8")
    return server


@pytest.fixture
async def harness(tmp_path: Path, fake: FakeBotApi, group: FakeChat) -> AsyncIterator[Harness]:
    options: dict[str, Any] = {"fetch_previews": True, "allow_private_networks": True}
    async with running(tmp_path, fake, **options) as h:
        await add_by_operator(h, group)
        yield h


def shared(fake: FakeBotApi, chat: FakeChat, user: FakeUser, url: str) -> dict[str, Any]:
    text = f"La CNIL alerte #vidéosurveillance {url}"
    entities = [
        entity_for(text, "#vidéosurveillance", "hashtag"),
        entity_for(text, url, "url"),
    ]
    return fake.message(chat, user, text, entities=entities)


def last_reply(fake: FakeBotApi, chat: FakeChat) -> str | None:
    return last(fake, chat).text


async def test_a_shared_link_gets_its_page_metadata_and_exports_it(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser, web: LoopbackServer
) -> None:
    await harness.send(shared(fake, group, alice, web.url("/article")))
    await harness.services.previews.wait_idle()
    [link] = await harness.rows("SELECT * FROM links")
    assert (link["title"], link["site_name"], link["language"]) == (
        ARTICLE_TITLE,
        "Veille Libertés",
        "fr-FR",
    )
    out = io.StringIO()
    await write_export(harness.services.settings, None, "jsonl", out)
    record = json.loads(out.getvalue())
    assert record["title"] == ARTICLE_TITLE
    assert record["description"].startswith("L’autorité rappelle")
    assert (record["site_name"], record["language"]) == ("Veille Libertés", "fr-FR")
    assert record["canonical_url"] == web.url("/articles/reconnaissance-faciale")


@pytest.mark.parametrize(
    "words",
    [
        "inquiete",  # from the fetched title (« la CNIL s’inquiète »), accents folded
        "algorithmique",  # from the fetched description
        "libertes",  # from the fetched site name
    ],
)
async def test_search_finds_a_link_by_what_its_page_says(
    harness: Harness,
    fake: FakeBotApi,
    group: FakeChat,
    alice: FakeUser,
    web: LoopbackServer,
    words: str,
) -> None:
    message = shared(fake, group, alice, web.url("/article"))
    assert words not in message["message"]["text"]  # only the page has these words
    search = SearchRepository(harness.services.db)
    await harness.send(message)
    await harness.services.previews.wait_idle()
    page = await search.search([group.id], words, "", Filters(), 0, 10)
    assert [hit.title for hit in page.hits] == [ARTICLE_TITLE]


async def test_an_admin_turns_previews_off_and_no_site_is_contacted(
    harness: Harness,
    fake: FakeBotApi,
    group: FakeChat,
    alice: FakeUser,
    admin: FakeUser,
    web: LoopbackServer,
) -> None:
    await harness.send(command(fake, group, admin, "/previews off"))
    assert last_reply(fake, group) == texts.TURNED_OFF("fr")
    [chat] = await harness.rows("SELECT previews_enabled FROM chats WHERE id = ?", group.id)
    assert chat["previews_enabled"] == 0
    await harness.send(shared(fake, group, alice, web.url("/article")))
    await harness.services.previews.wait_idle()
    assert await harness.rows("SELECT * FROM preview_jobs") == []
    assert web.connections == 0
    await harness.send(command(fake, group, admin, "/previews oui"))
    assert last_reply(fake, group) == texts.TURNED_ON("fr")
    await harness.send(shared(fake, group, alice, web.url("/article?nouveau=1")))
    await harness.services.previews.wait_idle()
    assert len(web.requests) == 1


async def test_members_who_are_not_admins_cannot_switch(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    await harness.send(command(fake, group, alice, "/previews off"))
    assert last_reply(fake, group) == core.ADMIN_ONLY("fr")
    [chat] = await harness.rows("SELECT previews_enabled FROM chats WHERE id = ?", group.id)
    assert chat["previews_enabled"] == 1


async def test_without_a_word_the_usage_shows_the_current_state(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    await harness.send(command(fake, group, alice, "/previews peut-être"))
    reply = last_reply(fake, group)
    assert reply == texts.USAGE("fr", state=texts.STATE_ON("fr"))
    assert "actuellement : activé" in (reply or "")


async def test_in_a_private_chat_the_switch_points_to_groups(
    harness: Harness, fake: FakeBotApi, alice: FakeUser
) -> None:
    private = fake.private_chat(alice)
    await harness.send(command(fake, private, alice, "/previews off"))
    assert last_reply(fake, private) == texts.GROUPS_ONLY("fr")


async def test_previews_off_for_the_deployment_means_no_queue_and_no_switch(
    tmp_path: Path,
    fake: FakeBotApi,
    group: FakeChat,
    alice: FakeUser,
    admin: FakeUser,
    web: LoopbackServer,
) -> None:
    async with running(tmp_path, fake, fetch_previews=False) as harness:
        await add_by_operator(harness, group)
        await harness.send(shared(fake, group, alice, web.url("/article")))
        await harness.send(command(fake, group, admin, "/previews on"))
        assert last_reply(fake, group) == texts.DISABLED_FOR_DEPLOYMENT("fr")
        assert len(await harness.rows("SELECT * FROM links")) == 1
        assert await harness.rows("SELECT * FROM preview_jobs") == []
        search = SearchRepository(harness.services.db)
        assert (await search.search([group.id], "inquiete", "", Filters(), 0, 10)).hits == ()
    assert web.connections == 0


async def test_the_help_lists_the_switch(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser
) -> None:
    await harness.send(command(fake, group, alice, "/help"))
    assert "/previews on|off" in (last_reply(fake, group) or "")


async def test_a_broken_preview_queue_never_loses_a_share(
    harness: Harness, fake: FakeBotApi, group: FakeChat, alice: FakeUser, web: LoopbackServer
) -> None:
    await harness.services.db.execute_write("DROP TABLE preview_jobs")
    await harness.send(shared(fake, group, alice, web.url("/article")))
    assert len(await harness.rows("SELECT * FROM shares")) == 1
    assert len(fake.reactions(group.id)) == 1
