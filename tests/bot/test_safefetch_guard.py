"""SafeFetcher and its address guard, against loopback servers that record every connection.

A refused host gets no connection at all; every redirect hop is checked; a name that rebinds to
a private address never reaches it; TLS connects to the checked address with the original name.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.netguard import AddressGuard
from bot.safefetch import FetchNetworkError, FetchRefused, SafeFetcher
from tests.bot.webkit import (
    FakeResolver,
    LoopbackServer,
    StartServer,
    answer,
    get,
    public_test_guard,
    redirect,
)


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
