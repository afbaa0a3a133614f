"""SafeFetcher against real loopback HTTP servers that record every accepted connection."""

from __future__ import annotations

import asyncio
import ipaddress
import shutil
import socket
import ssl
import subprocess
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.netguard import AddressGuard, IPAddress, check_ip
from bot.safefetch import (
    FetchBadResponse,
    FetchError,
    FetchHTTPError,
    FetchNetworkError,
    FetchRefused,
    FetchResult,
    FetchTimeout,
    FetchTooManyRedirects,
    SafeFetcher,
    parse_retry_after,
)

USER_AGENT = "Veille/0.1.0 (+https://github.com/example/veille; link previews)"
MiB = 1024 * 1024
LOOPBACK = ipaddress.IPv4Address("127.0.0.1")


@dataclass(frozen=True)
class Received:
    path: str
    headers: Mapping[str, str]


Handler = Callable[[Received, asyncio.StreamWriter], Awaitable[None]]
StartServer = Callable[..., Awaitable["LoopbackServer"]]


@dataclass
class LoopbackServer:
    """A tiny HTTP/1.1 server: one request per connection, routes by path, records everything."""

    host: str
    routes: dict[str, Handler] = field(default_factory=dict)
    connections: int = 0
    requests: list[Received] = field(default_factory=list)
    port: int = 0
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            path = head[0].split(" ")[1]
            headers = {
                k.lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)
            }
            received = Received(path, headers)
            self.requests.append(received)
            await self.routes.get(path.split("?")[0], not_found)(received, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client hung up, as it should after a cap or a timeout
        finally:
            writer.close()
            self._tasks.discard(task)


async def write_head(writer: asyncio.StreamWriter, status: str, headers: Sequence[str]) -> None:
    lines = [f"HTTP/1.1 {status}", "Connection: close", *headers, "", ""]
    writer.write("\r\n".join(lines).encode("latin-1"))
    await writer.drain()


def answer(status: str, body: bytes = b"", *headers: str) -> Handler:
    async def handler(_request: Received, writer: asyncio.StreamWriter) -> None:
        await write_head(writer, status, [f"Content-Length: {len(body)}", *headers])
        writer.write(body)
        await writer.drain()

    return handler


def redirect(status: int, location: str, *headers: str) -> Handler:
    return answer(f"{status} Moved", b"", f"Location: {location}", *headers)


def streamed(chunks: Callable[[], AsyncIterator[bytes]], *headers: str) -> Handler:
    async def handler(_request: Received, writer: asyncio.StreamWriter) -> None:
        await write_head(writer, "200 OK", headers)
        async for chunk in chunks():
            writer.write(chunk)
            await writer.drain()

    return handler


async def not_found(_request: Received, writer: asyncio.StreamWriter) -> None:
    await answer("404 Not Found", b"nope")(_request, writer)


async def twenty_megabytes() -> AsyncIterator[bytes]:
    for _ in range(20 * 16):
        yield b"a" * (64 * 1024)


def gzip_bomb_blocks() -> Iterator[bytes]:
    """A valid gzip start inflating to 1 GiB of zeros, built from ~1 KB without compressing 1 GiB.

    After a sync flush the compressor's window is all zeros, so every further MiB of zeros
    compresses to the same bytes: the stream is the first block, that block 1023 times, the
    end of the deflate stream. The trailer's CRC is left wrong: no client may read that far.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    zeros = bytes(MiB)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_SYNC_FLUSH)
    repeated = compressor.compress(zeros) + compressor.flush(zlib.Z_SYNC_FLUSH)
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + first
    for _ in range(1023):
        yield repeated
    yield compressor.flush() + bytes(8)


async def gzip_bomb() -> AsyncIterator[bytes]:
    for block in gzip_bomb_blocks():
        yield block


async def one_byte_every_two_seconds() -> AsyncIterator[bytes]:
    for _ in range(50):
        yield b"x"
        await asyncio.sleep(2)


@pytest.fixture
async def start_server() -> AsyncIterator[StartServer]:
    started: list[tuple[LoopbackServer, asyncio.Server]] = []

    async def start(
        host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None
    ) -> LoopbackServer:
        server = LoopbackServer(host)
        listener = await asyncio.start_server(server.serve, host, port, ssl=tls)
        server.port = listener.sockets[0].getsockname()[1]
        started.append((server, listener))
        return server

    yield start
    for server, listener in started:
        listener.close()
        for task in list(server._tasks):
            task.cancel()
        await asyncio.gather(*server._tasks, return_exceptions=True)
        await listener.wait_closed()


@pytest.fixture
async def server(start_server: StartServer) -> LoopbackServer:
    return await start_server("127.0.0.1")


@dataclass
class FakeResolver:
    """Answers from a table; a host with several answer lists gets the next one on each call."""

    answers: Mapping[str, Sequence[Sequence[str]]]
    calls: list[str] = field(default_factory=list)

    async def resolve(self, host: str, port: int) -> Sequence[IPAddress]:
        self.calls.append(host)
        rounds = self.answers[host]
        chosen = rounds[min(self.calls.count(host), len(rounds)) - 1]
        return [ipaddress.ip_address(address) for address in chosen]


def loopback_is_public(ip: IPAddress) -> None:
    """Test policy: 127.0.0.1 plays a public host; everything else gets the real check."""
    if ip != LOOPBACK:
        check_ip(ip)


@pytest.fixture
async def make_fetcher() -> AsyncIterator[Callable[..., SafeFetcher]]:
    fetchers: list[SafeFetcher] = []

    def make(guard: AddressGuard | None = None, **options: Any) -> SafeFetcher:
        fetcher = SafeFetcher(
            USER_AGENT, guard=guard or AddressGuard(allow_private=True), **options
        )
        fetchers.append(fetcher)
        return fetcher

    yield make
    for fetcher in fetchers:
        await fetcher.aclose()


def public_test_guard(*rounds: Sequence[str]) -> tuple[AddressGuard, FakeResolver]:
    resolver = FakeResolver(
        {"public.test": rounds or [["127.0.0.1"]], "inside.test": [["10.0.0.1"]]}
    )
    return AddressGuard(resolver=resolver, ip_policy=loopback_is_public), resolver


async def get(fetcher: SafeFetcher, url: str, **options: object) -> FetchResult:
    settings: dict[str, object] = {"max_bytes": MiB, "accept": "text/html", "timeout": 5.0}
    settings.update(options)
    return await fetcher.fetch(url, **settings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "LOCALHOST",
        "0x7f.1",
        "2130706433",
        "0177.0.0.1",
        "127.1",
        "[::ffff:127.0.0.1]",
        "[::1]",
        "rebind.test",
        "0",
    ],
)
async def test_refused_host_gets_no_connection(
    server: LoopbackServer, make_fetcher: Callable[..., SafeFetcher], host: str
) -> None:
    resolver = FakeResolver({"rebind.test": [["127.0.0.1"]]})
    fetcher = make_fetcher(AddressGuard(resolver=resolver))
    server.routes["/"] = answer("200 OK", b"secret")
    with pytest.raises(FetchRefused):
        await get(fetcher, server.url("/", host))
    assert server.connections == 0


async def test_public_host_connects_to_the_checked_address(
    server: LoopbackServer, make_fetcher: Callable[..., SafeFetcher]
) -> None:
    guard, resolver = public_test_guard()
    server.routes["/page"] = answer("200 OK", "Éloge du « doute »".encode(), 'ETag: "v1"')
    result = await get(make_fetcher(guard), server.url("/page", "public.test"))
    assert (result.status, result.body.decode()) == (200, "Éloge du « doute »")
    assert server.requests[0].headers["host"] == f"public.test:{server.port}"
    assert resolver.calls == ["public.test"]
    assert result.headers["etag"] == '"v1"'


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{inner}/secret",
        "http://inside.test:{inner}/secret",
        "http://localhost:{inner}/secret",
        "http://[::ffff:127.0.0.2]:{inner}/secret",
        "http://user:pw@public.test:{outer}/ok",
        "file:///etc/passwd",
        "gopher://public.test:{outer}/",
    ],
)
async def test_redirect_to_a_forbidden_target_is_refused_at_the_hop(
    start_server: StartServer,
    make_fetcher: Callable[..., SafeFetcher],
    target: str,
) -> None:
    outer, inner = await start_server("127.0.0.1"), await start_server("127.0.0.2")
    outer.routes["/go"] = redirect(302, target.format(inner=inner.port, outer=outer.port))
    outer.routes["/ok"] = answer("200 OK", b"fine")
    guard, _ = public_test_guard()
    with pytest.raises(FetchRefused):
        await get(make_fetcher(guard), outer.url("/go", "public.test"))
    assert inner.connections == 0
    assert [request.path for request in outer.requests] == ["/go"]


@pytest.mark.parametrize(
    ("rounds", "fetched_ok"),
    [
        ([["127.0.0.1"], ["127.0.0.2"]], 1),  # rebinding after the first check
        ([["127.0.0.1", "127.0.0.2"]], 0),  # one answer mixing public and private
        ([["127.0.0.2", "127.0.0.1"]], 0),
    ],
)
async def test_rebinding_never_reaches_the_private_address(
    start_server: StartServer,
    make_fetcher: Callable[..., SafeFetcher],
    rounds: list[list[str]],
    fetched_ok: int,
) -> None:
    public = await start_server("127.0.0.1")
    private = await start_server("127.0.0.2", public.port)  # only the address differs
    for listener in (public, private):
        listener.routes["/"] = answer("200 OK", listener.host.encode())
    fetcher = make_fetcher(public_test_guard(*rounds)[0])
    outcomes = []
    for _ in range(2):
        try:
            outcomes.append((await get(fetcher, public.url("/", "public.test"))).body)
        except FetchRefused:
            outcomes.append(b"refused")
    assert outcomes.count(b"127.0.0.1") == fetched_ok
    assert private.connections == 0


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


@dataclass(frozen=True)
class SelfSignedCertificate:
    cert: Path
    key: Path


@pytest.fixture(scope="module")
def public_test_certificate(tmp_path_factory: pytest.TempPathFactory) -> SelfSignedCertificate:
    """A throw-away self-signed certificate for public.test, made by the openssl command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    made = SelfSignedCertificate(folder / "cert.pem", folder / "key.pem")
    command = [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    command += ["-nodes", "-days", "2", "-subj", "/CN=public.test"]
    command += ["-addext", "subjectAltName=DNS:public.test"]
    command += ["-keyout", str(made.key), "-out", str(made.cert)]
    subprocess.run(command, check=True, capture_output=True)
    return made


@pytest.mark.parametrize("trusted", [True, False])
async def test_tls_goes_to_the_checked_address_with_the_original_host_name(
    start_server: StartServer,
    make_fetcher: Callable[..., SafeFetcher],
    public_test_certificate: SelfSignedCertificate,
    trusted: bool,
) -> None:
    server_names: list[str | None] = []
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(public_test_certificate.cert, public_test_certificate.key)
    tls.sni_callback = lambda _socket, name, _context: server_names.append(name)
    server = await start_server("127.0.0.1", 0, tls)
    server.routes["/"] = answer("200 OK", b"chiffre")
    client_tls = ssl.create_default_context(cafile=public_test_certificate.cert)
    guard, _ = public_test_guard()
    fetcher = make_fetcher(guard, ssl_context=client_tls if trusted else None)
    url = f"https://public.test:{server.port}/"
    if trusted:
        assert (await get(fetcher, url)).body == b"chiffre"
    else:  # certifi's roots do not know this certificate: verification is on
        with pytest.raises(FetchNetworkError, match="CERTIFICATE_VERIFY_FAILED"):
            await get(fetcher, url)
    assert server_names == ["public.test"]


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
