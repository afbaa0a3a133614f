"""One guarded HTTP fetcher, shared by link previews and feed polling.

Every TCP connection goes through :class:`~bot.guarded_transport.GuardedNetworkBackend`: it
resolves the host with :class:`~bot.netguard.AddressGuard`, checks every address and connects to
the checked address itself, so a DNS answer that changes between check and connect (rebinding)
cannot get through.
Redirects are followed here, one checked hop at a time; bodies are read as a stream and
decoded by bounded decompressors, so neither a 20 MB page nor a gzip bomb is read past the cap.

Errors, by what the caller should do::

    FetchError                  base: nothing usable came back
    ├── FetchRefused            the guard said no (scheme, userinfo, local name or address):
    │                           permanent, never retry
    ├── FetchTooManyRedirects   more than MAX_REDIRECTS hops: permanent for this URL
    ├── FetchHTTPError          status >= 400, with .status and .retry_after: retry 408, 429
    │                           and 5xx later (after .retry_after when given), drop the rest
    ├── FetchBadResponse        unusable answer (corrupt or unsupported content encoding,
    │                           malformed Location): permanent until the site changes
    ├── FetchTimeout            total time limit reached: transient, retry later
    └── FetchNetworkError       DNS, connect, TLS or protocol failure: transient, retry later
"""

from __future__ import annotations

import asyncio
import email.utils
import http.cookiejar
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType, TracebackType
from typing import NamedTuple, Self

import httpx

from bot.guarded_transport import guarded_transport
from bot.netguard import AddressGuard, AddressRefused, check_url

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})
# Only what the bounded decoders below can decompress without ever exceeding the cap.
ACCEPT_ENCODING = "gzip, deflate"
KEPT_HEADERS = (
    "cache-control",
    "content-language",
    "content-type",
    "date",
    "etag",
    "expires",
    "last-modified",
    "retry-after",
)


class FetchError(Exception):
    """Base of every fetch failure; ``retryable`` says whether trying later may help."""

    retryable = False


class FetchRefused(FetchError):
    """The address guard refused the URL, a redirect target or a resolved address."""


class FetchTooManyRedirects(FetchError):
    """The redirect chain is longer than MAX_REDIRECTS."""


class FetchBadResponse(FetchError):
    """The server answered something this fetcher will not decode or follow."""


class FetchTimeout(FetchError):
    """The total time limit (connects, redirects and body) ran out."""

    retryable = True


class FetchNetworkError(FetchError):
    """Resolution, connection, TLS or HTTP protocol failure."""

    retryable = True


class FetchHTTPError(FetchError):
    """The final response has status >= 400."""

    def __init__(self, url: str, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status} from {url}")
        self.url = url
        self.status = status
        self.retry_after = retry_after
        self.retryable = status in (408, 425, 429) or status >= 500


class Redirect(NamedTuple):
    """One followed hop: the redirect status and the URL it pointed to."""

    status: int
    url: str


@dataclass(frozen=True)
class FetchResult:
    """A response with status < 400 (304 included), body capped at the caller's limit."""

    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    truncated: bool
    redirects: tuple[Redirect, ...]
    elapsed: float  # seconds from the call to the result, waiting for a slot included

    @property
    def permanent_url(self) -> str | None:
        """Where the requested URL moved for good: the target of the leading 301/308 hops."""
        moved: str | None = None
        for redirect in self.redirects:
            if redirect.status not in PERMANENT_REDIRECT_STATUSES:
                break
            moved = redirect.url
        return moved


class _RefuseAllCookies(http.cookiejar.DefaultCookiePolicy):
    """Keep no cookie and send none: previews must not be tracked across sites."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False


class _BoundedDecoder:
    """Content decoding that never produces more than it is asked for.

    httpx's own decoders inflate each network chunk completely: one 64 KiB chunk of a gzip bomb
    becomes 64 MiB in memory before any cap can apply. ``zlib``'s ``max_length`` stops at the
    cap instead. Stacked encodings are refused: no real server sends them, and bombs do.
    """

    def __init__(self, content_encoding: str | None) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [coding for coding in codings if coding not in ("", "identity")]
        if len(codings) > 1:
            raise FetchBadResponse(f"stacked content encodings {content_encoding!r}")
        self._coding = codings[0] if codings else "identity"
        if self._coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self._coding == "deflate":
            self._zlib = zlib.decompressobj()
        elif self._coding != "identity":
            raise FetchBadResponse(f"unsupported content encoding {self._coding!r}")
        self._started = False

    def decode(self, data: bytes, limit: int) -> bytes:
        """Decode ``data``, returning at most ``limit`` (>= 1) bytes."""
        if self._coding == "identity":
            return data[:limit]
        if self._zlib.eof:
            return b""
        first, self._started = not self._started, True
        try:
            return self._zlib.decompress(data, limit)
        except zlib.error as error:
            if first and self._coding == "deflate":
                # Some servers send raw deflate without the zlib header the RFC asks for.
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.decode(data, limit)
            raise FetchBadResponse(f"corrupt {self._coding} body") from error


async def read_capped(response: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    """Read and decode the body up to ``max_bytes``; say whether more was there."""
    decoder = _BoundedDecoder(response.headers.get("content-encoding"))
    body = bytearray()
    raw_read = 0
    async for raw in response.aiter_raw():
        raw_read += len(raw)
        body += decoder.decode(raw, max_bytes - len(body) + 1)
        # The raw count bounds bodies that inflate to little (endless empty deflate blocks).
        if len(body) > max_bytes or raw_read > max_bytes:
            return bytes(body[:max_bytes]), True
    return bytes(body), False


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class _HostSlots:
    """Per-host semaphores, dropped when nobody holds or waits for them."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._slots: dict[str, tuple[asyncio.Semaphore, int]] = {}

    @asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        semaphore, users = self._slots.get(host, (asyncio.Semaphore(self._per_host), 0))
        self._slots[host] = (semaphore, users + 1)
        try:
            async with semaphore:
                yield
        finally:
            semaphore, users = self._slots[host]
            if users == 1:
                del self._slots[host]
            else:
                self._slots[host] = (semaphore, users - 1)


class _Budget:
    """The total time limit, spent only while talking to servers (not queueing for slots)."""

    def __init__(self, seconds: float) -> None:
        self.remaining = seconds

    @asynccontextmanager
    async def spend(self) -> AsyncIterator[None]:
        started = time.monotonic()
        try:
            async with asyncio.timeout(max(self.remaining, 0.0)):
                yield
        finally:
            self.remaining -= time.monotonic() - started


@dataclass(frozen=True)
class _Request:
    max_bytes: int
    headers: httpx.Headers
    budget: _Budget


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes
    truncated: bool


class SafeFetcher:
    """Fetches public http(s) URLs under a size, time, redirect and concurrency budget."""

    def __init__(
        self,
        user_agent: str,
        *,
        guard: AddressGuard | None = None,
        max_concurrency: int = 8,
        max_per_host: int = 2,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """``ssl_context`` defaults to certifi's roots; tests pass one that trusts their CA."""
        transport = guarded_transport(guard or AddressGuard(), max_concurrency, ssl_context)
        self._client = httpx.AsyncClient(
            transport=transport,
            headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            cookies=http.cookiejar.CookieJar(policy=_RefuseAllCookies()),
            follow_redirects=False,
            trust_env=False,
        )
        self._all_slots = asyncio.Semaphore(max_concurrency)
        self._host_slots = _HostSlots(max_per_host)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        accept: str,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float,  # noqa: ASYNC109 (applied as one asyncio timeout, see _Budget)
    ) -> FetchResult:
        """GET ``url``, following at most MAX_REDIRECTS checked redirects.

        ``timeout`` bounds the whole fetch (every hop and the body); ``max_bytes`` bounds the
        decoded body. Raises a :class:`FetchError` subclass; see the module docstring.
        """
        if max_bytes < 1 or timeout <= 0:
            raise ValueError("max_bytes and timeout must be positive")
        started = time.monotonic()
        headers = httpx.Headers(extra_headers)
        headers["Accept"] = accept
        request = _Request(max_bytes, headers, _Budget(timeout))
        async with self._all_slots:
            try:
                answer, final_url, redirects = await self._follow(url, request)
            except AddressRefused as error:
                raise FetchRefused(error.reason) from error
            except (TimeoutError, httpx.TimeoutException) as error:
                raise FetchTimeout(f"{url}: no complete answer within {timeout} s") from error
            except httpx.TransportError as error:
                raise FetchNetworkError(f"{url}: {error}") from error
        return FetchResult(
            final_url=final_url,
            status=answer.status,
            headers=answer.headers,
            body=answer.body,
            truncated=answer.truncated,
            redirects=redirects,
            elapsed=time.monotonic() - started,
        )

    async def _follow(
        self, url: str, request: _Request
    ) -> tuple[_Answer, str, tuple[Redirect, ...]]:
        redirects: list[Redirect] = []
        current = url
        while True:
            check_url(current)
            async with self._host_slots.hold(httpx.URL(current).host), request.budget.spend():
                outcome = await self._hop(current, request)
            if isinstance(outcome, _Answer):
                return outcome, current, tuple(redirects)
            if len(redirects) == MAX_REDIRECTS:
                raise FetchTooManyRedirects(f"{url}: more than {MAX_REDIRECTS} redirects")
            redirects.append(outcome)
            current = outcome.url

    async def _hop(self, url: str, request: _Request) -> Redirect | _Answer:
        # httpx's per-operation timeouts only back up the budget's single asyncio timeout.
        sent = self._client.build_request(
            "GET", url, headers=request.headers, timeout=max(request.budget.remaining, 0.001)
        )
        response = await self._client.send(sent, stream=True)
        try:
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location is not None:
                return Redirect(response.status_code, _join_location(response.url, location))
            if response.status_code >= 400:
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                raise FetchHTTPError(url, response.status_code, retry_after)
            body, truncated = await read_capped(response, request.max_bytes)
        finally:
            await response.aclose()
        kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
        return _Answer(response.status_code, MappingProxyType(kept), body, truncated)


def _join_location(base: httpx.URL, location: str) -> str:
    try:
        return str(base.join(location.strip()))
    except httpx.InvalidURL as error:
        raise FetchBadResponse(f"malformed redirect location {location!r}") from error
