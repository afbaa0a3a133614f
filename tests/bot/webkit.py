"""A fake web for the fetching tests: loopback HTTP servers, their handlers, a table resolver.

`LoopbackServers` starts servers (the `start_server` and `server` fixtures of tests/conftest.py
use it) and closes them, with the connections they still serve. `guarded_fetcher` is the client
a worker under test fetches with: private networks allowed (the servers are on 127.0.0.x)
unless the test gives its own guard.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.netguard import AddressGuard, IPAddress, check_ip
from bot.previews import user_agent
from bot.safefetch import FetchResult, SafeFetcher

MiB = 1024 * 1024
LOOPBACK = ipaddress.IPv4Address("127.0.0.1")
USER_AGENT = "Veille/0.1.0 (+https://github.com/example/veille; link previews)"


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


class LoopbackServers:
    """Servers started by one test, closed together at its end."""

    def __init__(self) -> None:
        self._started: list[tuple[LoopbackServer, asyncio.Server]] = []

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None
    ) -> LoopbackServer:
        server = LoopbackServer(host)
        listener = await asyncio.start_server(server.serve, host, port, ssl=tls)
        server.port = listener.sockets[0].getsockname()[1]
        self._started.append((server, listener))
        return server

    async def close(self) -> None:
        for server, listener in self._started:
            listener.close()
            for task in list(server._tasks):
                task.cancel()
            await asyncio.gather(*server._tasks, return_exceptions=True)
            await listener.wait_closed()


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


def guarded_fetcher(settings: Mapping[str, Any], guard: AddressGuard | None = None) -> SafeFetcher:
    """A worker's client, with the worker's `concurrency` and `per_host` settings."""
    return SafeFetcher(
        user_agent(),
        guard=guard or AddressGuard(allow_private=True),
        max_concurrency=settings["concurrency"],
        max_per_host=settings["per_host"],
    )


def public_test_guard(*rounds: Sequence[str]) -> tuple[AddressGuard, FakeResolver]:
    """A guard for which public.test is 127.0.0.1 (or `rounds` of answers), playing a public
    host, and inside.test is a private address."""
    resolver = FakeResolver(
        {"public.test": rounds or [["127.0.0.1"]], "inside.test": [["10.0.0.1"]]}
    )
    return AddressGuard(resolver=resolver, ip_policy=loopback_is_public), resolver


async def get(fetcher: SafeFetcher, url: str, **options: object) -> FetchResult:
    """`fetcher.fetch` with the settings of a page fetch unless `options` say otherwise."""
    settings: dict[str, object] = {"max_bytes": MiB, "accept": "text/html", "timeout": 5.0}
    settings.update(options)
    return await fetcher.fetch(url, **settings)  # type: ignore[arg-type]
