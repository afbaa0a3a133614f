"""The address guard: IP policy, libc-style literals, name rules, resolution, URL rules."""

from __future__ import annotations

import ipaddress

import pytest

from bot.netguard import (
    AddressGuard,
    AddressRefused,
    IPAddress,
    SystemResolver,
    check_ip,
    check_url,
    parse_host_literal,
    resolve_checked,
)
from tests.bot.webkit import FakeResolver

ip = ipaddress.ip_address


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "CGNAT"),
        ("224.0.1.1", "multicast"),
        ("ff02::1", "multicast"),
        ("ff0e::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "private"),
        ("::", "unspecified"),
        ("255.255.255.255", "broadcast"),
        ("198.18.0.1", "benchmarking"),
        ("192.0.2.1", "documentation"),
        ("203.0.113.9", "documentation"),
        ("2001:db8::1", "documentation"),
        ("240.0.0.1", "private"),
        ("fec0::1", "site-local"),
        ("::ffff:127.0.0.1", "IPv4-mapped"),
        ("::ffff:8.8.8.8", "IPv4-mapped"),
        ("::7f00:1", "IPv4-compatible"),
        ("2002:7f00:1::", "6to4 embeds 127.0.0.1"),
        ("2002:a9fe:a9fe::", "6to4 embeds 169.254.169.254"),
        ("64:ff9b::7f00:1", "NAT64 embeds 127.0.0.1"),
        ("64:ff9b::a00:1", "NAT64 embeds 10.0.0.1"),
        ("64:ff9b:1::808:808", "local-use NAT64"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
        ("100::1", "private"),
    ],
)
def test_check_ip_refuses(address: str, reason: str) -> None:
    with pytest.raises(AddressRefused) as refused:
        check_ip(ip(address))
    assert reason in refused.value.reason
    assert address in str(refused.value) or str(ip(address)) in str(refused.value)


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "91.198.174.192",
        "2606:4700::1111",
        "2a01:e0a:1::1",
        "2002:808:808::1",  # 6to4 of a public address
        "64:ff9b::808:808",  # DNS64/NAT64 of a public address
    ],
)
def test_check_ip_allows_public_unicast(address: str) -> None:
    check_ip(ip(address))


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0X7F.0X1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0177.1", "127.0.0.1"),
        ("0x7f.0.0.01", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0x", "0.0.0.0"),
        ("169.254.43518", "169.254.169.254"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
        ("[::ffff:7f00:1]", "::ffff:127.0.0.1"),
        ("[0:0:0:0:0:ffff:127.0.0.1]", "::ffff:127.0.0.1"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("[FE80::1]", "fe80::1"),
        ("example.org", None),
        ("127.0.0.1.nip.io", None),
        ("0x7f.example", None),
        ("a.0xzz", None),
        ("xn--vidosurveillance-bnb.fr", None),
        ("", None),
    ],
)
def test_parse_host_literal(host: str, expected: str | None) -> None:
    parsed = parse_host_literal(host)
    assert parsed == (None if expected is None else ip(expected))


@pytest.mark.parametrize(
    "host",
    [
        "1.2.3.256",
        "256.1",
        "08.1",
        "0x100.1",
        "1..2",
        "1.2.3.4.5",
        "4294967296",
        "[zz]",
        "[::1%lo]",
    ],
)
def test_parse_host_literal_refuses_malformed_numbers(host: str) -> None:
    with pytest.raises(AddressRefused):
        parse_host_literal(host)


HOSTILE_RESOLVER = FakeResolver(
    {
        "127.0.0.1.nip.io": [["127.0.0.1"]],
        "metadata.google.internal": [["169.254.169.254"]],
        "cgnat.example": [["100.64.0.1"]],
        "lan.example": [["192.168.1.1"]],
        "mixed.example": [["93.184.215.14", "10.0.0.1"]],
        "mixed6.example": [["2606:4700::1111", "fd00::1"]],
        "mapped.example": [["::ffff:127.0.0.1"]],
        "nothing.example": [[]],
    }
)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "0x7f.1",
        "2130706433",
        "017700000001",
        "127.1",
        "0177.0.0.1",
        "0",
        "169.254.169.254",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[0:0:0:0:0:ffff:127.0.0.1]",
        "[::1]",
        "[2002:7f00:1::]",
        "localhost",
        "localhost.",
        "LOCALHOST",
        "api.localhost",
        "imprimante.local",
        "metadata.google.internal",
        "",
        "   ",
        "127.0.0.1.nip.io",
        "cgnat.example",
        "lan.example",
        "mixed.example",
        "mixed6.example",
        "mapped.example",
        "nothing.example",
        "10.0.0.1",
        "172.16.0.1",
        "[fd00::1]",
        "[fe80::1]",
        "[ff02::1]",
        "0.0.0.0",
        "[2001:db8::1]",
        "100.64.0.1",
    ],
)
async def test_resolve_checked_refuses_hostile_hosts(host: str) -> None:
    with pytest.raises(AddressRefused):
        await resolve_checked(host, 80, HOSTILE_RESOLVER)


async def test_local_names_are_refused_before_any_lookup() -> None:
    resolver = FakeResolver({"metadata.google.internal": [["169.254.169.254"]]})
    with pytest.raises(AddressRefused, match="local name"):
        await resolve_checked("Metadata.Google.Internal.", 80, resolver)
    assert resolver.calls == []


async def test_resolve_checked_returns_every_checked_address() -> None:
    resolver = FakeResolver({"www.laquadrature.net": [["185.34.33.4", "2a00:5884:8316::1"]]})
    addresses = await resolve_checked("WWW.LaQuadrature.net.", 443, resolver)
    assert addresses == [ip("185.34.33.4"), ip("2a00:5884:8316::1")]
    assert resolver.calls == ["www.laquadrature.net"]


async def test_each_resolution_is_checked_again() -> None:
    resolver = FakeResolver({"rebind.example": [["93.184.215.14"], ["127.0.0.1"]]})
    assert await resolve_checked("rebind.example", 80, resolver) == [ip("93.184.215.14")]
    with pytest.raises(AddressRefused, match="loopback"):
        await resolve_checked("rebind.example", 80, resolver)


@pytest.mark.parametrize(
    ("host", "expected"),
    [("localhost", ["127.0.0.1"]), ("0x7f.1", ["127.0.0.1"]), ("[::1]", ["::1"])],
)
async def test_allow_private_lifts_the_checks(host: str, expected: list[str]) -> None:
    resolver = FakeResolver({"localhost": [["127.0.0.1"]]})
    addresses = await resolve_checked(host, 80, resolver, allow_private=True)
    assert addresses == [ip(address) for address in expected]


async def test_allow_private_still_refuses_an_empty_host() -> None:
    with pytest.raises(AddressRefused, match="empty"):
        await resolve_checked("", 80, FakeResolver({}), allow_private=True)


async def test_injected_policy_replaces_the_ip_check_only() -> None:
    def everything_public(_address: IPAddress) -> None:
        return None

    resolver = FakeResolver({"public.test": [["127.0.0.1"]]})
    guard = AddressGuard(resolver=resolver, ip_policy=everything_public)
    assert await guard.resolve("public.test", 80) == [ip("127.0.0.1")]
    with pytest.raises(AddressRefused, match="local name"):
        await guard.resolve("localhost", 80)


async def test_system_resolver_reads_numeric_hosts_without_dns() -> None:
    assert await SystemResolver().resolve("127.0.0.1", 80) == [ip("127.0.0.1")]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.laquadrature.net/2024/05/vidéosurveillance/",
        "http://example.org:8080/flux.xml?page=2#haut",
        "HTTPS://EXAMPLE.ORG",
        "https://pétitions.exemple.fr/signer",
        "https://example.org/%F0%9F%93%A2",
    ],
)
def test_check_url_accepts_plain_http_and_https(url: str) -> None:
    check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/file",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "dict://127.0.0.1:11211/stats",
        "ws://example.org/socket",
        "https://user@example.org/",
        "https://user:secret@example.org/",
        "https://example.org@127.0.0.1/",
        "http:///path-only",
        "http://[::1/",
        "//example.org/no-scheme",
        "",
    ],
)
def test_check_url_refuses(url: str) -> None:
    with pytest.raises(AddressRefused) as refused:
        check_url(url)
    assert refused.value.reason
