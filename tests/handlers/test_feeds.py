"""/feed through the real Application, with feeds served from loopback HTTP servers.

Polls are driven by the test (`poll`: the poller's own fetch, then the service's write), so
nothing waits for a timer; deliveries go through the real outbox worker and the fake Bot API.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.webkit import LoopbackServer, Received, answer
from tests.fakes import FakeBotApi, FakeChat, FakeUser
from tests.fakes.world import eventually
from tests.handlers.harness import Harness, command, running

pytestmark = pytest.mark.usefixtures("private_chats")  # notices reach everyone here

PAGE = (Path(__file__).parents[1] / "bot" / "fixtures" / "feeds" / "page.html").read_bytes()
GROUP_ID = -1001000005201


def rss(*items: tuple[str, str, str]) -> bytes:
    """An RSS 2.0 document of (guid, title, link) items, newest first."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{html.escape(title)}</title>"
        f"<link>{html.escape(link)}</link></item>"
        for guid, title, link in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Observatoire des libertés</title><link>https://obs.example.org/</link>{body}"
        "</channel></rss>"
    ).encode()


OLD = ("o-1", "Pétition : stop VSA", "https://www.change.org/p/stop-vsa")
NEWS = ("o-2", "Compte rendu de l'AG", "https://obs.example.org/ag")
NEW = ("o-3", "Pétition : pas de drones", "https://www.change.org/p/pas-de-drones?utm_source=rss")
NEW_URL = "https://www.change.org/p/pas-de-drones"


class FeedSite:
    """A loopback server whose /feed.xml the test rewrites between polls."""

    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self.body = rss(OLD, NEWS)
        self.status = "200 OK"
        server.routes["/feed.xml"] = self.serve
        server.routes["/page"] = answer("200 OK", PAGE, "Content-Type: text/html")

    async def serve(self, request: Received, writer: asyncio.StreamWriter) -> None:
        await answer(self.status, self.body, "Content-Type: application/rss+xml")(request, writer)

    @property
    def url(self) -> str:
        return self.server.url("/feed.xml")


@pytest.fixture
def site(server: LoopbackServer) -> FeedSite:
    return FeedSite(server)


@pytest.fixture
def bob(fake: FakeBotApi) -> FakeUser:
    return fake.add_user(22, "Bob", "bob", language_code="en")


@pytest.fixture
async def harness(tmp_path: Path, fake: FakeBotApi) -> AsyncIterator[Harness]:
    async with running(tmp_path, fake, allow_private_networks=True, feed_max_failures=2) as h:
        yield h


async def group(h: Harness, operator: FakeUser, admin: FakeUser) -> FakeChat:
    chat = h.fake.add_chat(GROUP_ID, "supergroup", "Veille Lyon", "veille_lyon")
    await h.send(h.fake.my_chat_member(chat, operator, "left", "administrator"))
    h.fake.set_member(chat, admin, "administrator")
    return chat


async def channel(h: Harness, operator: FakeUser, chat_id: int, username: str) -> FakeChat:
    chat = h.fake.add_chat(chat_id, "channel", f"Canal {username}", username)
    rights = ["can_post_messages"]
    await h.send(h.fake.my_chat_member(chat, operator, "left", "administrator", rights))
    return chat


async def poll(h: Harness, feed_id: int) -> None:
    """One poll of the feed, as the poller makes it, and its outcome written and delivered."""
    feeds = h.services.feeds
    feed = await feeds.repo.get(feed_id)
    assert feed is not None and feeds.poller is not None
    await feeds.record(await feeds.poller.poll(feed))
    await eventually(h.services.alerts.worker.is_idle, within=10.0)


def texts(fake: FakeBotApi, chat: FakeChat | FakeUser) -> list[str]:
    return [message.text or "" for message in fake.sent_messages(chat.id)]


def about(fake: FakeBotApi, chat: FakeChat, url: str) -> list[str]:
    return [text for text in texts(fake, chat) if url in text]


async def test_a_new_entry_reaches_the_chat_once_and_edits_are_not_announced_again(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, alice: FakeUser, site: FeedSite
) -> None:
    chat = await group(harness, operator, alice)
    await harness.send(command(fake, chat, alice, f"/feed add {site.url} #VSA"))
    reply = texts(fake, chat)[-1]
    assert "✅ Flux n° 1 suivi : <b>Observatoire des libertés</b>." in reply
    assert "<b>@veille_lyon</b> recevra ses pétitions et campagnes" in reply and "#VSA" in reply
    assert "Les 2 entrées actuelles ne seront pas annoncées" in reply
    sent = len(fake.sent_messages())
    site.body = rss(NEW, OLD, NEWS)
    await poll(harness, 1)
    [announced] = about(fake, chat, NEW_URL)
    assert announced.startswith("<b>🖊 Pétition</b>\n<b>Pétition : pas de drones</b>\n" + NEW_URL)
    assert "#VSA" in announced
    assert '<i>Source : <a href="https://obs.example.org/">Observatoire des libertés</a></i>' in (
        announced
    )
    assert len(fake.sent_messages()) == sent + 1  # the old petition and the news: nothing
    site.body = rss(("o-3", "Pétition (mise à jour) : pas de drones", NEW[2]), OLD, NEWS)
    await poll(harness, 1)
    await poll(harness, 1)
    assert len(about(fake, chat, NEW_URL)) == 1
    [row] = await harness.rows("SELECT announced, failures, primed FROM feeds WHERE id = 1")
    assert tuple(row) == (1, 0, 1)


async def test_a_page_that_is_no_feed_gets_told_where_its_feed_is(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, alice: FakeUser, site: FeedSite
) -> None:
    chat = await group(harness, operator, alice)
    await harness.send(command(fake, chat, alice, f"/feed add {site.server.url('/page')}"))
    assert texts(fake, chat)[-1] == (
        "Cette page est du HTML, pas un flux. Son flux est peut-être :\n"
        "https://vigie.example.org/fr/actualites.rss\nhttps://vigie.example.org/atom.xml"
    )
    await harness.send(command(fake, chat, alice, f"/feed add {site.server.url('/absent')}"))
    assert "Je n'ai pas pu lire" in texts(fake, chat)[-1] and "HTTP 404" in texts(fake, chat)[-1]
    await harness.send(command(fake, chat, alice, "/feed add ftp://example.org/feed"))
    assert "n'est pas une adresse http(s)" in texts(fake, chat)[-1]
    await harness.send(command(fake, chat, alice, "/feed ajouter"))
    assert texts(fake, chat)[-1].startswith("Je ne comprends pas « ajouter ».")
    assert await harness.rows("SELECT id FROM feeds") == []


async def test_only_admins_add_and_change_a_chats_feeds(
    harness: Harness,
    fake: FakeBotApi,
    operator: FakeUser,
    alice: FakeUser,
    bob: FakeUser,
    site: FeedSite,
) -> None:
    chat = await group(harness, operator, alice)
    fake.set_member(chat, bob, "member")
    await harness.send(command(fake, chat, bob, f"/feed add {site.url}"))
    assert texts(fake, chat)[-1] == "Only this chat's administrators can change this setting."
    await harness.send(command(fake, chat, alice, f"/feed add {site.url} pétitions"))
    await harness.send(command(fake, chat, alice, f"/feed add {site.url}"))
    assert texts(fake, chat)[-1] == "Ce flux est déjà suivi ici."
    await harness.send(command(fake, chat, bob, "/feed remove 1"))
    assert "Only this chat's administrators" in texts(fake, chat)[-1]
    await harness.send(command(fake, chat, alice, "/feed public 1"))
    assert texts(fake, chat)[-1] == "Réservé aux opérateurs de cette instance."
    await harness.send(command(fake, chat, alice, "/feed interval 1 1"))
    assert texts(fake, chat)[-1].startswith("Durée : un nombre de minutes")
    await harness.send(command(fake, chat, alice, "/feed interval 1 45min"))
    assert texts(fake, chat)[-1] == "Flux n° 1 : lu toutes les 45 min."
    await harness.send(command(fake, chat, bob, "/feed list"))  # anyone may look, in English
    listing = texts(fake, chat)[-1]
    assert "<b>#1</b> · Observatoire des libertés — active" in listing
    assert "every 45 min" in listing and site.url in listing
    await harness.send(command(fake, chat, alice, "/feed liste"))
    assert "<b>n° 1</b> · Observatoire des libertés — actif" in texts(fake, chat)[-1]
    await harness.send(command(fake, fake.private_chat(bob), bob, "/feed remove 1"))
    assert texts(fake, bob)[-1] == "No feed #1 here."  # not an admin of its chat
    await harness.send(command(fake, chat, alice, "/feed remove 1"))
    assert texts(fake, chat)[-1] == "Flux n° 1 retiré."
    assert await harness.rows("SELECT id FROM feeds") == []


async def test_a_sample_is_sent_at_once_when_asked(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, alice: FakeUser, site: FeedSite
) -> None:
    chat = await group(harness, operator, alice)
    await harness.send(command(fake, chat, alice, f"/feed add {site.url} exemple"))
    assert "La dernière entrée part tout de suite, en exemple." in texts(fake, chat)[-1]
    await eventually(harness.services.alerts.worker.is_idle, within=10.0)
    assert len(about(fake, chat, OLD[2])) == 1 and about(fake, chat, NEWS[2]) == []


async def test_a_channel_admin_adds_a_feed_from_a_private_chat(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, alice: FakeUser, site: FeedSite
) -> None:
    x = await channel(harness, operator, -1001000005211, "x_vigie")
    fake.set_member(x, alice, "administrator")
    private = fake.private_chat(alice)
    await harness.send(command(fake, private, alice, f"/feed add {site.url}"))
    assert texts(fake, alice)[-1].startswith("En message privé, dites pour quel canal")
    await harness.send(command(fake, private, alice, f"/feed add @x_vigie {site.url} campagnes"))
    assert "<b>@x_vigie</b> recevra chaque entrée, comme campagne" in texts(fake, alice)[-1]
    site.body = rss(NEW, OLD, NEWS)
    await poll(harness, 1)
    [announced] = about(fake, x, NEW_URL)
    assert announced.startswith("<b>📣 Campagne</b>")
    await harness.send(command(fake, private, alice, "/feed list"))
    assert "Les flux que vous avez ajoutés" in texts(fake, alice)[-1]


async def test_a_public_feed_reaches_matching_subscriptions_once(
    harness: Harness,
    fake: FakeBotApi,
    operator: FakeUser,
    alice: FakeUser,
    site: FeedSite,
) -> None:
    chat = await group(harness, operator, alice)
    x = await channel(harness, operator, -1001000005221, "x_petitions")
    y = await channel(harness, operator, -1001000005222, "y_campagnes")
    await harness.send(command(fake, x, None, "/subscribe pétitions"))
    await harness.send(command(fake, y, None, "/subscribe campagnes"))
    await harness.send(command(fake, chat, alice, f"/feed add {site.url}"))
    await harness.send(command(fake, fake.private_chat(operator), operator, "/feed public 1"))
    assert "Flux n° 1 public" in texts(fake, operator)[-1]
    site.body = rss(NEW, OLD, NEWS)
    await poll(harness, 1)
    assert len(about(fake, chat, NEW_URL)) == 1  # its own copy
    assert len(about(fake, x, NEW_URL)) == 1 and about(fake, y, NEW_URL) == []
    rows = await harness.rows("SELECT audience FROM announcements ORDER BY id")
    assert [row[0] for row in rows] == ["direct", "community"]


async def test_an_operator_follows_a_feed_for_the_whole_community(
    harness: Harness, fake: FakeBotApi, operator: FakeUser, site: FeedSite
) -> None:
    x = await channel(harness, operator, -1001000005231, "x_tout")
    await harness.send(command(fake, x, None, "/subscribe"))
    await harness.send(
        command(fake, fake.private_chat(operator), operator, f"/feed add {site.url}")
    )
    assert "<b>toute la communauté</b>" not in texts(fake, operator)[-1]
    assert "toute la communauté recevra" in texts(fake, operator)[-1]
    site.body = rss(NEW, OLD, NEWS)
    await poll(harness, 1)
    assert len(about(fake, x, NEW_URL)) == 1


async def test_a_failing_feed_is_paused_and_its_adder_told_in_their_language(
    harness: Harness,
    fake: FakeBotApi,
    operator: FakeUser,
    alice: FakeUser,
    bob: FakeUser,
    site: FeedSite,
) -> None:
    chat = await group(harness, operator, bob)
    await harness.send(command(fake, chat, bob, f"/feed add {site.url}"))
    site.status = "500 Internal Server Error"
    await poll(harness, 1)
    assert texts(fake, bob) == []
    await poll(harness, 1)  # VEILLE_FEED_MAX_FAILURES=2 here
    [notice] = texts(fake, bob)
    assert notice.startswith("⏸ I paused feed #1, <b>Observatoire des libertés</b>")
    assert "It failed 2 times in a row (last error: HTTP 500)." in notice
    assert notice.endswith("To resume it: /feed resume 1")
    await harness.send(command(fake, chat, alice, "/feed list"))
    listing = texts(fake, chat)[-1]
    assert "en pause (trop d'échecs)" in listing and "dernière erreur : HTTP 500" in listing
    site.status = "200 OK"
    await harness.send(command(fake, chat, bob, "/feed resume 1"))
    assert texts(fake, chat)[-1] == "Feed #1 resumed: I am reading it now."
    [row] = await harness.rows("SELECT state, failures FROM feeds WHERE id = 1")
    assert tuple(row) == ("active", 0)
