"""The preview worker against loopback HTTP servers serving the fixture pages.

The guard runs with private networks allowed (the servers are on 127.0.0.x), except where a
test proves that a refused address gets no connection. Time is a fake clock for the queue's
timestamps; no test asserts how long anything took.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest

from bot.netguard import AddressGuard
from bot.previews import ACCEPT_LANGUAGE
from storage.db import Database
from tests.bot.previewkit import (
    HTML,
    PDF,
    T0,
    Bench,
    eventually,
    fixture_page,
    gated,
    head_then_twenty_megabytes,
)
from tests.bot.webkit import (
    FakeResolver,
    LoopbackServer,
    StartServer,
    answer,
    gzip_bomb,
    loopback_is_public,
    one_byte_every_two_seconds,
    streamed,
)


@pytest.fixture
async def bench(db: Database) -> AsyncIterator[Bench]:
    harness = Bench(db)
    yield harness
    await harness.close()


async def test_fixture_pages_are_fetched_and_stored(bench: Bench, server: LoopbackServer) -> None:
    server.routes["/article"] = fixture_page(
        "article_fr_opengraph.html", "text/html; charset=utf-8"
    )
    server.routes["/vieux"] = fixture_page("windows1252_title_only.html", "text/html")
    server.routes["/courrier"] = fixture_page("empty_title_site_name.html", "text/html")
    server.routes["/nu"] = fixture_page("no_metadata.html", "text/html")
    paths = ["/article", "/vieux", "/courrier", "/nu"]
    article, old, courrier, bare = await bench.share(*(server.url(p) for p in paths))
    bench.worker().start()
    await eventually(lambda: len(bench.outcomes) == 4)
    assert {outcome.status for outcome in bench.outcomes} == {"done"}
    assert await bench.link(article) == {
        "title": "Reconnaissance faciale : « la CNIL s’inquiète »",
        "description": (
            "L’autorité rappelle que la vidéosurveillance algorithmique reste interdite & "
            "demande un débat public — avant les JO."
        ),
        "site_name": "Veille Libertés",
        # og:url, made absolute, without the tracking parameter the page put in it.
        "canonical_url": server.url("/articles/reconnaissance-faciale"),
        "language": "fr-FR",
        "content_type": "text/html",
    }
    assert (await bench.link(old))["title"] == "Vidéosurveillance : l’État recule – « enfin »"
    courrier_row = await bench.link(courrier)
    assert (courrier_row["title"], courrier_row["site_name"]) == (None, "Le Courrier du Centre")
    assert await bench.link(bare) == {
        "title": None,
        "description": None,
        "site_name": None,
        "canonical_url": None,
        "language": None,
        "content_type": "text/html",
    }
    assert {(await bench.job(link)).state for link in (article, old, courrier, bare)} == {"done"}


async def test_requests_name_the_bot_and_carry_nothing_else(
    bench: Bench, server: LoopbackServer
) -> None:
    server.routes["/"] = answer("200 OK", b"<title>t</title>", HTML, "Set-Cookie: id=1")
    await bench.share(server.url("/"), server.url("/?deux"))
    bench.worker(concurrency=1).start()
    await eventually(lambda: len(bench.outcomes) == 2)
    first, second = server.requests
    assert re.fullmatch(
        r"Veille/\S+ \(self-hosted Telegram bot; .*\)", first.headers["user-agent"]
    )
    assert first.headers["accept-language"] == ACCEPT_LANGUAGE["fr"]
    assert "text/html" in first.headers["accept"]
    assert "cookie" not in second.headers and "referer" not in second.headers


async def test_tracking_parameters_are_stripped_before_fetching(
    bench: Bench, server: LoopbackServer
) -> None:
    server.routes["/page"] = answer("200 OK", b"<title>Sans traqueurs</title>", HTML)
    [link] = await bench.share(server.url("/page?id=3"))
    # A URL that reached the table without capture's normalisation (an old import, say).
    raw = server.url("/page?utm_source=newsletter&id=3&fbclid=abc")
    await bench.db.execute_write("UPDATE links SET url = ? WHERE id = ?", (raw, link))
    bench.worker().start()
    await eventually(lambda: len(bench.outcomes) == 1)
    assert [request.path for request in server.requests] == ["/page?id=3"]
    assert (await bench.link(link))["title"] == "Sans traqueurs"


async def test_big_bombed_and_binary_bodies_are_bounded(
    bench: Bench, server: LoopbackServer
) -> None:
    server.routes["/big"] = streamed(head_then_twenty_megabytes, HTML)
    server.routes["/bomb"] = streamed(gzip_bomb, HTML, "Content-Encoding: gzip")
    server.routes["/report.pdf"] = answer("200 OK", PDF, "Content-Type: application/pdf")
    big, bomb, pdf = await bench.share(*(server.url(p) for p in ("/big", "/bomb", "/report.pdf")))
    bench.worker().start()
    await eventually(lambda: len(bench.outcomes) == 3)
    assert {outcome.status for outcome in bench.outcomes} == {"done"}
    assert (await bench.link(big))["title"] == "Dossier de 20 Mo"
    bomb_row = await bench.link(bomb)
    assert (bomb_row["title"], bomb_row["content_type"]) == (None, "text/html")
    assert await bench.link(pdf) == {
        "title": None,
        "description": None,
        "site_name": None,
        "canonical_url": None,
        "language": None,
        "content_type": "application/pdf",
    }


async def test_a_slow_server_is_cut_without_holding_up_other_pages(
    bench: Bench, server: LoopbackServer
) -> None:
    server.routes["/slow"] = streamed(one_byte_every_two_seconds, HTML, "Content-Length: 50")
    server.routes["/fast"] = answer("200 OK", b"<title>Rapide</title>", HTML)
    slow, *fast = await bench.share(
        server.url("/slow"), *(server.url(f"/fast?{n}") for n in "abc")
    )
    bench.worker(concurrency=2, per_host=2, timeout=2.0).start()
    await eventually(lambda: len(bench.outcomes) == 4)
    # The three fast pages went through the other slot while the slow one held its own.
    assert [outcome.link_id for outcome in bench.outcomes] == [*fast, slow]
    assert [outcome.status for outcome in bench.outcomes] == ["done"] * 3 + ["retry"]
    job = await bench.job(slow)
    assert (job.state, job.attempts, job.next_attempt_at) == ("pending", 1, T0 + 60)
    assert (job.last_error or "").startswith("FetchTimeout")


async def test_a_failing_host_is_retried_with_backoff_then_given_up(
    bench: Bench, server: LoopbackServer
) -> None:
    server.routes["/down"] = answer("503 Service Unavailable", b"maintenance")
    [link] = await bench.share(server.url("/down"))
    worker = bench.worker(max_attempts=3)
    worker.start()
    schedule = []
    for _ in range(3):
        await worker.wait_idle()
        job = await bench.job(link)
        schedule.append((job.state, job.attempts, job.next_attempt_at - bench.clock.now))
        bench.clock.now = job.next_attempt_at
        worker.wake()
    await worker.wait_idle()
    assert schedule == [("pending", 1, 60), ("pending", 2, 240), ("failed", 3, 0)]
    assert len(server.requests) == 3
    assert (
        await bench.job(link)
    ).last_error == f"FetchHTTPError: HTTP 503 from {server.url('/down')}"


async def test_retry_after_is_respected(bench: Bench, server: LoopbackServer) -> None:
    server.routes["/busy"] = answer("429 Too Many Requests", b"", "Retry-After: 900")
    [link] = await bench.share(server.url("/busy"))
    worker = bench.worker()
    worker.start()
    await eventually(lambda: len(bench.outcomes) == 1)
    assert (await bench.job(link)).next_attempt_at == T0 + 900


async def test_permanent_failures_are_not_retried(bench: Bench, server: LoopbackServer) -> None:
    server.routes["/gone"] = answer("404 Not Found", b"")
    [gone] = await bench.share(server.url("/gone"))
    bench.worker().start()
    await eventually(lambda: len(bench.outcomes) == 1)
    job = await bench.job(gone)
    assert (job.state, job.attempts, len(server.requests)) == ("failed", 1, 1)


# Every name resolves to the loopback address the test server listens on: had the guard let
# one through, the server would have seen a connection.
HOSTILE_DNS = FakeResolver(
    {
        "127.0.0.1.nip.io": [["127.0.0.1"]],
        "rebind.example": [["127.0.0.1"]],
        "mixed.example": [["93.184.215.14", "127.0.0.1"]],
        "mapped.example": [["::ffff:127.0.0.1"]],
        "metadata.google.internal": [["127.0.0.1"]],
        "api.localhost": [["127.0.0.1"]],
        "imprimante.local": [["127.0.0.1"]],
    }
)
HOSTILE_HOSTS = [
    *("127.0.0.1", "127.0.0.1.", "0x7f.1", "0x7f000001", "2130706433", "017700000001"),
    *("127.1", "0177.0.0.1", "0", "0.0.0.0", "localhost", "localhost.", "LOCALHOST"),
    *("[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]", "[::1]"),
    *("[::127.0.0.1]", "[2002:7f00:1::]", "[64:ff9b::7f00:1]"),
    *("169.254.169.254", "10.0.0.1", "100.64.0.1", "192.168.1.1", "[fd00::1]", "[fe80::1]"),
    *("127.0.0.1.nip.io", "rebind.example", "mixed.example", "mapped.example"),
    *("metadata.google.internal", "api.localhost", "imprimante.local"),
]


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
async def test_a_refused_address_is_given_up_without_any_connection(
    bench: Bench, server: LoopbackServer, host: str
) -> None:
    server.routes["/secret"] = answer("200 OK", b"<title>admin</title>", HTML)
    [link] = await bench.share(server.url("/secret", host))
    bench.worker(guard=AddressGuard(resolver=HOSTILE_DNS)).start()  # private networks refused
    await eventually(lambda: len(bench.outcomes) == 1)
    job = await bench.job(link)
    assert (job.state, job.attempts) == ("failed", 1)
    assert (job.last_error or "").startswith("FetchRefused")
    assert server.connections == 0
    assert (await bench.link(link))["title"] is None


async def test_a_redirect_from_a_public_host_to_loopback_is_refused_at_the_hop(
    bench: Bench, start_server: StartServer
) -> None:
    outer, inner = await start_server("127.0.0.1"), await start_server("127.0.0.2")
    inner.routes["/admin"] = answer("200 OK", b"<title>admin</title>", HTML)
    outer.routes["/go"] = answer("302 Found", b"", f"Location: {inner.url('/admin')}")
    [link] = await bench.share(outer.url("/go", "public.example"))
    resolver = FakeResolver({"public.example": [["127.0.0.1"]]})
    guard = AddressGuard(resolver=resolver, ip_policy=loopback_is_public)
    bench.worker(guard=guard).start()
    await eventually(lambda: len(bench.outcomes) == 1)
    job = await bench.job(link)
    assert job.state == "failed" and "127.0.0.2" in (job.last_error or "")
    assert [request.path for request in outer.requests] == ["/go"]
    assert inner.connections == 0


async def test_one_sites_burst_does_not_take_every_slot(
    bench: Bench, start_server: StartServer
) -> None:
    big, small = await start_server("127.0.0.1"), await start_server("127.0.0.2")
    gate = asyncio.Event()
    big.routes["/"] = gated(gate)
    small.routes["/"] = answer("200 OK", b"<title>Petit site</title>", HTML)
    burst = await bench.share(*(big.url(f"/?{n}") for n in range(5)))
    [quick] = await bench.share(small.url("/"))
    bench.worker(concurrency=3, per_host=1).start()
    await eventually(lambda: len(bench.outcomes) == 1)
    assert bench.outcomes[0].link_id == quick  # while the big site holds its one slot
    assert len(big.requests) == 1
    gate.set()
    await eventually(lambda: len(bench.outcomes) == 6)
    assert {(await bench.job(link)).state for link in burst} == {"done"}


async def test_a_restart_resumes_jobs_left_in_flight(bench: Bench, server: LoopbackServer) -> None:
    gate = asyncio.Event()
    server.routes["/"] = gated(gate)
    links = await bench.share(server.url("/?1"), server.url("/?2"))
    first = bench.worker()
    first.start()
    await eventually(lambda: len(server.requests) == 2)
    await first.stop()  # shutdown while both fetches hang
    assert [(await bench.job(link)).state for link in links] == ["pending", "pending"]
    assert [(await bench.job(link)).attempts for link in links] == [0, 0]
    # The next process also finds a job that a crash left marked as fetching.
    [crashed] = await bench.share(server.url("/?3"))
    await bench.db.execute_write(
        "UPDATE preview_jobs SET state = 'fetching', attempts = 1 WHERE link_id = ?", (crashed,)
    )
    gate.set()
    second = bench.worker()
    second.start()
    await second.wait_idle()
    assert [(await bench.job(link)).state for link in [*links, crashed]] == ["done"] * 3
    assert (await bench.link(crashed))["title"] == "Enfin"


async def test_jobs_queued_while_idle_wake_the_worker(
    bench: Bench, server: LoopbackServer
) -> None:
    server.routes["/"] = answer("200 OK", b"<title>Nouveau</title>", HTML)
    worker = bench.worker()
    worker.start()
    await worker.wait_idle()
    [link] = await bench.share(server.url("/"))
    worker.wake()
    await worker.wait_idle()
    assert (await bench.link(link))["title"] == "Nouveau"
