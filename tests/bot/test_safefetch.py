"""SafeFetcher against real loopback HTTP servers: what it reads, within which limits.

Redirect chains, the size cap (gzip bombs included), content encodings, the time limit, the
headers it sends and the errors it raises. Which addresses it may reach: test_safefetch_guard.py.
"""

from __future__ import annotations

import asyncio
import socket
import time
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.netguard import AddressGuard
from bot.safefetch import (
    FetchBadResponse,
    FetchError,
    FetchHTTPError,
    FetchNetworkError,
    FetchResult,
    FetchTimeout,
    FetchTooManyRedirects,
    SafeFetcher,
    parse_retry_after,
)
from tests.bot.webkit import (
    USER_AGENT,
    LoopbackServer,
    MiB,
    Received,
    answer,
    get,
    gzip_bomb,
    gzip_bomb_blocks,
    one_byte_every_two_seconds,
    redirect,
    streamed,
    twenty_megabytes,
)


async def test_allow_private_fetches_loopback(
    server: LoopbackServer, make_fetcher: Callable[..., SafeFetcher]
) -> None:
    server.routes["/"] = answer("200 OK", b"<title>ok</title>", "Content-Type: text/html")
    result = await get(make_fetcher(), server.url("/"))
    assert (result.status, result.body, result.truncated) == (200, b"<title>ok</title>", False)
    assert result.headers["content-type"] == "text/html"


@pytest.mark.parametrize("hops", [0, 1, 5])
async def test_redirect_chain_is_recorded(
    server: LoopbackServer, make_fetcher: Callable[..., SafeFetcher], hops: int
) -> None:
    statuses = [301, 308, 302, 307, 303]
    for hop in range(1, hops + 1):
        server.routes[f"/r{hop}"] = redirect(statuses[hops - hop], f"/r{hop - 1}")
    server.routes["/r0"] = answer("200 OK", b"end")
    result = await get(make_fetcher(), server.url(f"/r{hops}"))
    assert result.final_url == server.url("/r0")
    assert [r.status for r in result.redirects] == statuses[:hops]
    assert [r.url for r in result.redirects] == [server.url(f"/r{n}") for n in range(hops)][::-1]
    assert result.permanent_url == {0: None, 1: server.url("/r0"), 5: server.url("/r3")}[hops]


async def test_six_redirects_are_too_many(
    server: LoopbackServer, make_fetcher: Callable[..., SafeFetcher]
) -> None:
    for hop in range(1, 7):
        server.routes[f"/r{hop}"] = redirect(302, f"/r{hop - 1}")
    server.routes["/r0"] = answer("200 OK", b"end")
    with pytest.raises(FetchTooManyRedirects):
        await get(make_fetcher(), server.url("/r6"))
    assert "/r0" not in [request.path for request in server.requests]


async def test_twenty_megabyte_body_stops_at_the_cap(
    server: LoopbackServer, make_fetcher: Callable[..., SafeFetcher]
) -> None:
    server.routes["/big"] = streamed(twenty_megabytes)
    started = time.monotonic()
    result = await get(make_fetcher(), server.url("/big"), max_bytes=256 * 1024)
    assert (len(result.body), result.truncated) == (256 * 1024, True)
    assert time.monotonic() - started < 2


async def test_gzip_bomb_stops_at_the_cap_without_inflating(
    server: LoopbackServer, make_fetcher: Callable[..., SafeFetcher]
) -> None:
    server.routes["/bomb"] = streamed(gzip_bomb, "Content-Encoding: gzip")
    fetcher = make_fetcher()
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = await get(fetcher, server.url("/bomb"), max_bytes=MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (len(result.body), result.truncated, set(result.body)) == (MiB, True, {0})
    assert time.monotonic() - started < 3
    # A few MiB at most (one capped body); httpx's own decoder inflates a 64 KiB chunk to 63 MiB.
    assert peak < 8 * MiB


@pytest.mark.parametrize(
    ("encoding", "payload", "expected"),
    [
        ("gzip", zlib.compress("Pétition n°42 ✊".encode(), wbits=31), "Pétition n°42 ✊"),
        ("deflate", zlib.compress("Zlib « deflate »".encode()), "Zlib « deflate »"),
        ("deflate", zlib.compress(b"raw deflate", wbits=-15), "raw deflate"),
        ("identity", b"plain", "plain"),
    ],
)
async def test_supported_encodings_are_decoded(
    server: LoopbackServer,
    make_fetcher: Callable[..., SafeFetcher],
    encoding: str,
    payload: bytes,
    expected: str,
) -> None:
    server.routes["/"] = answer("200 OK", payload, f"Content-Encoding: {encoding}")
    result = await get(make_fetcher(), server.url("/"))
    assert result.body.decode() == expected
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("encoding", "payload"),
    [
        # 2.8 KB on the wire, 1 GiB once both layers are inflated: refused before decoding.
        ("gzip, gzip", zlib.compress(b"".join(gzip_bomb_blocks()), wbits=31)),
        ("br", b"\x1b\x03\x00\xf8"),
        ("gzip", b"this is not gzip at all"),
    ],
)
async def test_unusable_encodings_are_bad_responses(
    server: LoopbackServer, make_fetcher: Callable[..., SafeFetcher], encoding: str, payload: bytes
) -> None:
    server.routes["/"] = answer("200 OK", payload, f"Content-Encoding: {encoding}")
    with pytest.raises(FetchBadResponse):
        await get(make_fetcher(), server.url("/"))


async def test_slow_server_is_cut_while_a_fast_fetch_completes(
    server: LoopbackServer, make_fetcher: Callable[..., SafeFetcher]
) -> None:
    server.routes["/slow"] = streamed(one_byte_every_two_seconds, "Content-Length: 50")
    server.routes["/fast"] = answer("200 OK", b"quick")
    fetcher = make_fetcher()
    started = time.monotonic()
    finished: dict[str, float] = {}

    async def timed(path: str) -> FetchResult | FetchError:
        try:
            return await get(fetcher, server.url(path), timeout=1.0)
        except FetchError as error:
            return error
        finally:
            finished[path] = time.monotonic() - started

    slow, fast = await asyncio.gather(timed("/slow"), timed("/fast"))
    assert isinstance(slow, FetchTimeout)
    assert isinstance(fast, FetchResult)
    assert fast.body == b"quick"
    assert finished["/fast"] < 0.5 < 0.9 < finished["/slow"] < 1.8


async def test_waiting_for_a_host_slot_does_not_spend_the_time_limit(
    server: LoopbackServer, make_fetcher: Callable[..., SafeFetcher]
) -> None:
    async def slowish(request: Received, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.4)
        await answer("200 OK", b"done")(request, writer)

    server.routes["/"] = slowish
    fetcher = make_fetcher(max_per_host=1)
    results = await asyncio.gather(*(get(fetcher, server.url("/"), timeout=0.7) for _ in range(3)))
    assert [result.body for result in results] == [b"done"] * 3


async def test_request_headers_cookies_and_referer(
    server: LoopbackServer, make_fetcher: Callable[..., SafeFetcher]
) -> None:
    server.routes["/login"] = redirect(302, "/next", "Set-Cookie: session=abc; Path=/")
    server.routes["/next"] = answer("200 OK", b"one", "Set-Cookie: tracker=xyz; Path=/")
    server.routes["/again"] = answer("200 OK", b"two")
    fetcher = make_fetcher()
    await get(fetcher, server.url("/login"), accept="application/rss+xml")
    await get(fetcher, server.url("/again"), extra_headers={"If-None-Match": '"e1"'})
    login, following, again = (request.headers for request in server.requests)
    for headers in (login, following, again):
        assert "cookie" not in headers
        assert "referer" not in headers
        assert headers["user-agent"] == USER_AGENT
    assert (login["accept"], again["accept"]) == ("application/rss+xml", "text/html")
    assert again["if-none-match"] == '"e1"'


async def test_not_modified_is_a_normal_result(
    server: LoopbackServer, make_fetcher: Callable[..., SafeFetcher]
) -> None:
    server.routes["/feed"] = answer(
        "304 Not Modified", b"", 'ETag: "e1"', "Cache-Control: max-age=60"
    )
    result = await get(
        make_fetcher(), server.url("/feed"), extra_headers={"If-None-Match": '"e1"'}
    )
    assert (result.status, result.body, result.truncated) == (304, b"", False)
    assert dict(result.headers) == {"etag": '"e1"', "cache-control": "max-age=60"}


@pytest.mark.parametrize(
    ("status", "headers", "retryable", "retry_after"),
    [
        ("404 Not Found", (), False, None),
        ("410 Gone", (), False, None),
        ("429 Too Many Requests", ("Retry-After: 120",), True, 120.0),
        ("503 Service Unavailable", ("Retry-After: soon",), True, None),
    ],
)
async def test_http_errors_carry_status_and_retry_after(
    server: LoopbackServer,
    make_fetcher: Callable[..., SafeFetcher],
    status: str,
    headers: tuple[str, ...],
    retryable: bool,
    retry_after: float | None,
) -> None:
    server.routes["/"] = answer(status, b"error page", *headers)
    with pytest.raises(FetchHTTPError) as caught:
        await get(make_fetcher(), server.url("/"))
    assert caught.value.status == int(status[:3])
    assert (caught.value.retryable, caught.value.retry_after) == (retryable, retry_after)


async def test_closed_port_is_a_transient_network_error(
    make_fetcher: Callable[..., SafeFetcher],
) -> None:
    with socket.socket() as unused:  # bound, never listening: connections are refused
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(FetchNetworkError) as caught:
        await get(make_fetcher(), f"http://127.0.0.1:{port}/")
    assert caught.value.retryable


async def test_fetcher_is_an_async_context_manager(server: LoopbackServer) -> None:
    server.routes["/"] = answer("200 OK", b"ok")
    async with SafeFetcher(USER_AGENT, guard=AddressGuard(allow_private=True)) as fetcher:
        assert (await get(fetcher, server.url("/"))).body == b"ok"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Wed, 01 Jan 2025 00:02:00 GMT", 120.0),
        ("Tue, 31 Dec 2024 23:00:00 GMT", 0.0),
        ("demain", None),
        ("١٢٠", None),
        ("-5", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=datetime(2025, 1, 1, tzinfo=UTC)) == expected
