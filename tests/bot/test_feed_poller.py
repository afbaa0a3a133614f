"""The feed poller against loopback HTTP servers serving the fixture feeds.

The guard allows private networks (the servers are on 127.0.0.x) except where a test proves
that a refused address gets no connection. Time is a fake clock for the rows' timestamps; no
test asserts how long anything took.
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.feed_poller import FeedPoller, PollResult, PollSettings, conditional_headers
from bot.netguard import AddressGuard, IPAddress, check_ip
from storage.chats import ChatRepository
from storage.db import Database
from storage.feeds import Feed, FeedRepository, NewFeed, insert_feed, record_poll
from tests.bot.webkit import (
    FakeResolver,
    LoopbackServer,
    Received,
    StartServer,
    answer,
    guarded_fetcher,
    one_byte_every_two_seconds,
    streamed,
    write_head,
)

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
RSS = (FEEDS / "rss_fr.xml").read_bytes()
RSS_TYPE = "Content-Type: application/rss+xml; charset=utf-8"
T0 = 1_800_000_000
GROUP = -1001000005101


class Rig:
    """Feeds in the test database, pollers over them, and what their polls produced."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.repo = FeedRepository(db)
        self.now = T0
        self.results: list[PollResult] = []
        self._closing: list[Callable[[], Awaitable[None]]] = []

    async def feed(self, url: str, **fields: Any) -> Feed:
        chats = ChatRepository(self.db)
        if await chats.get(GROUP) is None:
            await chats.upsert(GROUP, type="supergroup", title="Veille", username=None)
        new = NewFeed(url, GROUP, fields.pop("next_poll_at", T0), **fields)
        feed_id = await self.db.run_write(lambda conn: insert_feed(conn, new, T0))
        found = await self.repo.get(feed_id)
        assert found is not None
        return found

    def poller(self, guard: AddressGuard | None = None, **options: Any) -> FeedPoller:
        settings: dict[str, Any] = {
            "concurrency": 4,
            "per_host": 2,
            "timeout": 5.0,
            "default_interval": 600,
            "max_failures": 3,
        }
        settings.update(options)
        fetcher = guarded_fetcher(settings, guard)
        poller = FeedPoller(
            self.repo,
            fetcher,
            self.write,
            PollSettings(**settings),
            clock=lambda: self.now,
            rng=random.Random(1),
        )
        self._closing += [poller.stop, fetcher.aclose]
        return poller

    async def write(self, result: PollResult) -> None:
        await self.db.run_write(lambda conn: record_poll(conn, result.record))
        self.results.append(result)

    async def poll(self, feed: Feed, **options: Any) -> PollResult:
        result = await self.poller(**options).poll(feed)
        await self.write(result)
        return result

    async def reload(self, feed: Feed) -> Feed:
        found = await self.repo.get(feed.id)
        assert found is not None
        return found

    async def close(self) -> None:
        for close in reversed(self._closing):
            await close()


@pytest.fixture
async def rig(db: Database) -> AsyncIterator[Rig]:
    made = Rig(db)
    yield made
    await made.close()


def conditional(body: bytes, etag: str, modified: str) -> Any:
    """200 with validators, or 304 when the request carries them."""

    async def handler(request: Received, writer: asyncio.StreamWriter) -> None:
        if request.headers.get("if-none-match") == etag:
            await write_head(writer, "304 Not Modified", [f"ETag: {etag}"])
            return
        headers = [RSS_TYPE, f"ETag: {etag}", f"Last-Modified: {modified}"]
        await answer("200 OK", body, *headers)(request, writer)

    return handler


async def test_conditional_get_then_not_modified(rig: Rig, server: LoopbackServer) -> None:
    modified = "Sat, 28 Nov 2026 09:30:00 GMT"
    server.routes["/feed"] = conditional(RSS, '"v1"', modified)
    feed = await rig.feed(server.url("/feed"))
    first = await rig.poll(feed)
    assert first.record.ok and first.record.status == 200 and len(first.entries) == 3
    assert (
        first.newest is not None
        and first.newest.url == "https://www.change.org/p/non-a-la-vsa-marseille"
    )
    feed = await rig.reload(feed)
    assert (feed.etag, feed.last_modified, feed.primed, feed.title) == (
        '"v1"',
        modified,
        True,
        "Observatoire des libertés numériques",
    )
    assert conditional_headers(feed) == {"If-None-Match": '"v1"', "If-Modified-Since": modified}
    rig.now += 600
    second = await rig.poll(feed)
    assert server.requests[-1].headers["if-none-match"] == '"v1"'
    assert server.requests[-1].headers["if-modified-since"] == modified
    assert (second.record.status, second.record.ok, second.entries) == (304, True, ())
    assert 600 <= second.record.next_poll_at - rig.now <= 660
    assert (await rig.reload(feed)).etag == '"v1"'  # a 304 keeps the validators


async def test_same_body_without_validators_is_not_parsed_again(
    rig: Rig, server: LoopbackServer
) -> None:
    server.routes["/feed"] = answer("200 OK", RSS, RSS_TYPE, "Cache-Control: max-age=3600")
    feed = await rig.feed(server.url("/feed"))
    assert len((await rig.poll(feed)).entries) == 3
    again = await rig.poll(await rig.reload(feed))
    assert (again.record.ok, again.record.status, again.entries) == (True, 200, ())
    assert again.record.next_poll_at - rig.now >= 3600  # fresh for an hour: not before


async def test_gzip_and_encodings_undeclared(rig: Rig, server: LoopbackServer) -> None:
    latin = (FEEDS / "latin1_undeclared.xml").read_bytes()
    server.routes["/gz"] = answer("200 OK", gzip.compress(latin), "Content-Encoding: gzip")
    server.routes["/cp"] = answer(
        "200 OK", (FEEDS / "cp1252_undeclared.xml").read_bytes(), "Content-Type: text/xml"
    )
    [entry] = (await rig.poll(await rig.feed(server.url("/gz")))).entries
    assert entry.title == "« Sécurité globale » : réunion à Besançon"
    [entry] = (await rig.poll(await rig.feed(server.url("/cp")))).entries
    assert entry.title == "L’appel aux dons : 10 € pour l’hiver"


async def test_too_many_requests_waits_as_asked_without_counting_a_failure(
    rig: Rig, server: LoopbackServer
) -> None:
    server.routes["/feed"] = answer("429 Too Many Requests", b"", "Retry-After: 7200")
    result = await rig.poll(await rig.feed(server.url("/feed")))
    record = result.record
    assert (record.ok, record.status, record.error, record.failures) == (False, 429, "HTTP 429", 0)
    assert 7200 <= record.next_poll_at - rig.now <= 7920
    assert record.paused_reason is None


async def test_failures_back_off_then_pause(rig: Rig, server: LoopbackServer) -> None:
    server.routes["/feed"] = answer("503 Service Unavailable", b"")
    feed = await rig.feed(server.url("/feed"))
    waits = []
    for _ in range(3):
        result = await rig.poll(feed)
        waits.append(result.record.next_poll_at - rig.now)
        feed = await rig.reload(feed)
    assert [feed.failures, feed.state, feed.paused_reason] == [3, "paused", "failures"]
    assert 600 <= waits[0] < 1200 <= waits[1] < 2400 <= waits[2]


@pytest.mark.parametrize(
    ("route", "error", "paused"),
    [
        (answer("410 Gone", b""), "HTTP 410", "gone"),
        (answer("404 Not Found", b""), "HTTP 404", None),
        (
            answer("200 OK", (FEEDS / "page.html").read_bytes(), "Content-Type: text/html"),
            "not a feed (html)",
            None,
        ),
        (answer("200 OK", (FEEDS / "truncated_empty.xml").read_bytes()), "unreadable feed", None),
        (answer("200 OK", b"\x00\x01binary"), "not a feed (unknown format)", None),
    ],
)
async def test_failures_are_recorded_with_their_reason(
    rig: Rig, server: LoopbackServer, route: Any, error: str, paused: str | None
) -> None:
    server.routes["/feed"] = route
    result = await rig.poll(await rig.feed(server.url("/feed")))
    assert not result.record.ok and (result.record.error or "").startswith(error)
    assert result.record.paused_reason == paused


async def test_truncated_and_malformed_documents_give_what_they_hold(
    rig: Rig, server: LoopbackServer
) -> None:
    for name in ("truncated.xml", "malformed.xml"):
        server.routes[f"/{name}"] = answer("200 OK", (FEEDS / name).read_bytes(), RSS_TYPE)
    truncated = await rig.poll(await rig.feed(server.url("/truncated.xml")))
    malformed = await rig.poll(await rig.feed(server.url("/malformed.xml")))
    assert [e.title for e in truncated.entries] == ["Entrée complète", "Entrée coupée"]
    assert [e.url for e in malformed.entries] == [
        "https://mal.example.org/1",
        "https://mal.example.org/2",
    ]


async def test_a_ten_megabyte_body_is_cut_at_five(rig: Rig, server: LoopbackServer) -> None:
    async def ten_megabytes() -> AsyncIterator[bytes]:
        yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>Gros</title>'
        for _ in range(160):
            yield b"<item><title>" + b"a" * (64 * 1024) + b"</title></item>"

    server.routes["/feed"] = streamed(ten_megabytes, RSS_TYPE)
    result = await rig.poll(await rig.feed(server.url("/feed")))
    assert result.record.error == "larger than 5 MB" and result.entries == ()


async def test_a_slow_server_is_cut_by_the_time_limit(rig: Rig, server: LoopbackServer) -> None:
    server.routes["/feed"] = streamed(one_byte_every_two_seconds, RSS_TYPE, "Content-Length: 50")
    result = await rig.poll(await rig.feed(server.url("/feed")), timeout=1.0)
    assert (result.record.error or "").startswith("FetchTimeout")
    assert result.record.failures == 1 and result.record.paused_reason is None


def only_second_loopback_is_public(ip: IPAddress) -> None:
    if ip != ipaddress.IPv4Address("127.0.0.2"):
        check_ip(ip)


async def test_a_redirect_to_loopback_is_refused_and_never_connected(
    rig: Rig, start_server: StartServer
) -> None:
    outer, inner = await start_server("127.0.0.2"), await start_server("127.0.0.1")
    inner.routes["/feed"] = answer("200 OK", RSS, RSS_TYPE)
    outer.routes["/feed"] = answer("302 Found", b"", f"Location: {inner.url('/feed')}")
    resolver = FakeResolver({"public.example": [["127.0.0.2"]]})
    guard = AddressGuard(resolver=resolver, ip_policy=only_second_loopback_is_public)
    feed = await rig.feed(outer.url("/feed", "public.example"))
    result = await rig.poll(feed, guard=guard)  # private networks NOT allowed
    assert (result.record.error or "").startswith("FetchRefused") and "127.0.0.1" in (
        result.record.error or ""
    )
    assert result.record.paused_reason == "refused"
    assert [request.path for request in outer.requests] == ["/feed"]
    assert inner.connections == 0


async def test_a_permanent_redirect_updates_the_stored_url(
    rig: Rig, server: LoopbackServer
) -> None:
    server.routes["/old"] = answer("301 Moved Permanently", b"", f"Location: {server.url('/new')}")
    server.routes["/new"] = answer("200 OK", RSS, RSS_TYPE)
    feed = await rig.feed(server.url("/old"))
    result = await rig.poll(feed)
    assert result.record.moved_to == server.url("/new") and len(result.entries) == 3
    assert (await rig.reload(feed)).url == server.url("/new")


def gated(gate: asyncio.Event, body: bytes = RSS) -> Any:
    async def handler(request: Received, writer: asyncio.StreamWriter) -> None:
        await gate.wait()
        await answer("200 OK", body, RSS_TYPE)(request, writer)

    return handler


async def test_the_loop_polls_due_feeds_once_each_and_a_slow_host_keeps_its_share(
    rig: Rig, start_server: StartServer
) -> None:
    slow, quick = await start_server("127.0.0.1"), await start_server("127.0.0.2")
    gate = asyncio.Event()
    slow.routes["/feed"] = gated(gate)
    quick.routes["/feed"] = answer("200 OK", RSS, RSS_TYPE)
    stuck = [await rig.feed(slow.url(f"/feed?{n}")) for n in range(4)]
    fine = [await rig.feed(quick.url(f"/feed?{n}")) for n in range(4)]
    later = await rig.feed(quick.url("/feed?later"), next_poll_at=T0 + 3600)
    poller = rig.poller(concurrency=3, per_host=1)
    poller.start()
    async with asyncio.timeout(10):
        while len(rig.results) < 4:  # noqa: ASYNC110 (the results list has no event)
            await asyncio.sleep(0.01)
    # The slow host holds one slot; the quick host's feeds went through the others.
    assert {r.feed.id for r in rig.results} == {f.id for f in fine}
    gate.set()
    async with asyncio.timeout(10):
        await poller.wait_idle()
    polled = [r.feed.id for r in rig.results]
    assert sorted(polled) == sorted(f.id for f in stuck + fine)  # each once; `later` not due
    assert later.id not in polled
    assert len(slow.requests) == 4
