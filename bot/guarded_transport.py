"""The network seam of `SafeFetcher`: an httpx transport that connects only to checked addresses.

httpx resolves nothing itself here: each TCP connection asks the address guard
(bot/netguard.py) for the host's addresses, each one checked, and dials one of them, so a DNS
answer that changes between the check and the connection (rebinding) cannot get through.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable

import httpcore
import httpx

from bot.netguard import AddressGuard, AddressRefused


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore backend that connects only to addresses the guard has just checked.

    httpcore passes the URL's host here and, separately, ``server_hostname`` to ``start_tls``
    (``AsyncHTTPConnection._connect``), so connecting to the IP keeps SNI and certificate
    checks on the original host name.
    """

    def __init__(self, guard: AddressGuard, inner: httpcore.AsyncNetworkBackend | None = None):
        self._guard = guard
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's backend signature)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._guard.resolve(host, port)
        except OSError as error:  # resolution failure: transient, not a refusal
            raise httpcore.ConnectError(f"cannot resolve {host!r}: {error}") from error
        failure: Exception = httpcore.ConnectError(f"no address for {host!r}")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's backend signature)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(
    guard: AddressGuard, max_connections: int, ssl_context: ssl.SSLContext | None = None
) -> httpx.AsyncHTTPTransport:
    """httpx transport whose connection pool dials through :class:`GuardedNetworkBackend`.

    httpx 0.28 builds its httpcore pool without exposing ``network_backend``, so the pool is
    replaced by an identical one that has it (httpx is pinned <0.29; the loopback tests fail if
    connections ever bypass the guard). ``trust_env=False``: an environment proxy would resolve
    hosts itself, out of the guard's sight.
    """
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
        max_connections=max_connections,
        network_backend=GuardedNetworkBackend(guard),
    )
    return transport
