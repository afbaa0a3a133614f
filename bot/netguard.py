"""Address guard: decide whether a URL's host may be contacted (SSRF protection).

Any member can post any URL, and the bot fetches it. Without a guard, a link to
``http://169.254.169.254/`` or ``http://0x7f.1:8080/admin`` would make the bot reach inside its
own network. This module owns the three questions asked before a connection is opened:

* is the URL itself acceptable (:func:`check_url`: http/https, no userinfo, a host)?
* which addresses does the host name mean, read the way libc and browsers read it
  (:func:`parse_host_literal`, :func:`resolve_checked`)?
* is each of those addresses one the public internet routes to (:func:`check_ip`)?

:class:`AddressGuard` bundles the resolver and the policy so that the fetcher's network backend
asks once per connection and connects to exactly the addresses that were checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPPolicy = Callable[[IPAddress], None]

ALLOWED_SCHEMES = frozenset({"http", "https"})
# Names that always mean "this machine or its local network", whatever DNS answers.
REFUSED_NAMES = frozenset({"localhost", "localhost.localdomain"})
REFUSED_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network
_CGNAT = _V4("100.64.0.0/10")
_BENCHMARKING = _V4("198.18.0.0/15")
_DOCUMENTATION = (
    _V4("192.0.2.0/24"),
    _V4("198.51.100.0/24"),
    _V4("203.0.113.0/24"),
    _V6("2001:db8::/32"),
    _V6("3fff::/20"),
)
_IPV4_COMPATIBLE = _V6("::/96")
_NAT64_WELL_KNOWN = _V6("64:ff9b::/96")
_NAT64_LOCAL_USE = _V6("64:ff9b:1::/48")
_HEX = frozenset("0123456789abcdef")


class AddressRefused(Exception):
    """The guard refuses to contact this URL, host or address; permanent, never retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Resolver(Protocol):
    """Turns a host name into addresses; injectable so tests never touch real DNS."""

    async def resolve(self, host: str, port: int) -> Sequence[IPAddress]: ...


class SystemResolver:
    """The operating system's resolver, through the event loop's ``getaddrinfo``."""

    async def resolve(self, host: str, port: int) -> Sequence[IPAddress]:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses: list[IPAddress] = []
        for _family, _type, _proto, _canonname, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]))
            if address not in addresses:
                addresses.append(address)
        return addresses


def check_ip(ip: IPAddress) -> None:
    """Raise :class:`AddressRefused` unless ``ip`` is a public unicast address.

    ``is_global`` (the IANA special-purpose registries) is the base, but Python 3.11's table
    calls several dangerous ranges global: multicast (224/4, ff00::/8), site-local fec0::/10,
    IPv4-compatible ``::7f00:1``, and 6to4/NAT64 addresses that embed 127.0.0.1. Those are
    checked first, each with a reason that says which rule fired.
    """
    reason = refusal_reason(ip)
    if reason is not None:
        raise AddressRefused(f"{ip}: {reason}")


def refusal_reason(ip: IPAddress) -> str | None:
    """Say why ``ip`` must not be contacted, or None when it is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        reason = _ipv6_embedding_reason(ip)
        if reason is not None or ip in _NAT64_WELL_KNOWN:
            # A well-known NAT64 address is the public IPv4 it embeds (DNS64 networks): its
            # embedded address was just checked, and the range itself counts as reserved.
            return reason
        if ip.is_site_local:
            return "site-local (fec0::/10)"
    return _category_reason(ip)


def _category_reason(ip: IPAddress) -> str | None:
    labelled = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local (includes cloud metadata 169.254.169.254)"),
        (ip.is_multicast, "multicast"),
        (ip in _CGNAT, "shared address space (CGNAT 100.64/10)"),
        (ip in _BENCHMARKING, "benchmarking (198.18/15)"),
        (any(ip in network for network in _DOCUMENTATION), "documentation range"),
        (ip == ipaddress.IPv4Address("255.255.255.255"), "broadcast"),
        (ip.is_private, "private or special-purpose"),
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "not globally routable"),
    )
    return next((label for matched, label in labelled if matched), None)


def _ipv6_embedding_reason(ip: ipaddress.IPv6Address) -> str | None:
    """Refuse IPv6 forms that carry an IPv4 address the kernel or a relay would reach."""
    if ip.ipv4_mapped is not None:
        # Never produced by DNS for a real site; a socket would reach the IPv4 directly.
        return f"IPv4-mapped IPv6 (embeds {ip.ipv4_mapped})"
    if ip in _IPV4_COMPATIBLE and not (ip.is_unspecified or ip.is_loopback):
        return "IPv4-compatible IPv6 (deprecated, embeds an IPv4 address)"
    if ip in _NAT64_LOCAL_USE:
        return "local-use NAT64 (64:ff9b:1::/48)"
    for kind, embedded in _embedded_ipv4(ip):
        inner = refusal_reason(embedded)
        if inner is not None:
            return f"{kind} embeds {embedded} ({inner})"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if ip.sixtofour is not None:
        found.append(("6to4", ip.sixtofour))
    if ip.teredo is not None:
        server, client = ip.teredo
        found += [("Teredo server", server), ("Teredo client", client)]
    if ip in _NAT64_WELL_KNOWN:
        found.append(("NAT64", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    return found


def parse_host_literal(host: str) -> IPAddress | None:
    """Read ``host`` as an IP literal the way libc's ``inet_aton`` and browsers do.

    Accepts ``[::1]``, bare IPv6, and the IPv4 shorthands (``127.1``, ``0x7f.1``,
    ``2130706433``, ``0177.0.0.1``, ``017700000001``, ``0``, one trailing dot). Returns None
    for a host name. A host that ends in a number but is not a valid address (``1.2.3.256``,
    ``08.1``) is refused, as the WHATWG URL standard rejects it, rather than sent to DNS.
    """
    text = host.strip().lower()
    if text.startswith("[") and text.endswith("]"):
        return _parse_ipv6(text[1:-1])
    if ":" in text:
        return _parse_ipv6(text)
    if text.endswith("."):
        text = text[:-1]
    parts = text.split(".")
    if not _looks_numeric(parts[-1]):
        return None
    address = _parse_ipv4_parts(parts)
    if address is None:
        raise AddressRefused(f"{host!r}: malformed numeric host")
    return address


def _parse_ipv6(text: str) -> ipaddress.IPv6Address:
    if "%" in text:
        raise AddressRefused("IPv6 zone identifiers are not allowed")
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        raise AddressRefused(f"{text!r}: malformed IPv6 literal") from None


def _looks_numeric(part: str) -> bool:
    # WHATWG "ends in a number": decimal digits, or 0x and hex digits. Such a host is an IPv4
    # address or an error, never a name to look up.
    hex_digits = part[2:] if part.startswith("0x") else None
    return part.isdigit() or (hex_digits is not None and all(c in _HEX for c in hex_digits))


def _parse_ipv4_part(part: str) -> int | None:
    if not part.isascii():
        return None
    if part.startswith("0x"):
        digits, base = part[2:], 16
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    if digits == "" and base == 16:
        return 0
    try:
        return int(digits, base) if digits.isalnum() else None
    except ValueError:
        return None


def _parse_ipv4_parts(parts: list[str]) -> ipaddress.IPv4Address | None:
    numbers = [_parse_ipv4_part(part) for part in parts]
    if not 1 <= len(numbers) <= 4 or any(number is None for number in numbers):
        return None
    values = [number for number in numbers if number is not None]
    *leading, last = values
    if any(value > 255 for value in leading) or last >= 256 ** (5 - len(values)):
        return None
    total = last
    for index, value in enumerate(leading):
        total += value << (8 * (3 - index))
    return ipaddress.IPv4Address(total)


def check_url(url: str) -> None:
    """Refuse URLs that are not plain http(s) with a host and without userinfo.

    Parsed with httpx's own URL parser, the one the fetcher uses, so the guard and the client
    never disagree about which host a tricky URL names.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise AddressRefused("malformed URL") from None
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise AddressRefused(f"scheme {parsed.scheme!r} is not http or https")
    if parsed.userinfo:
        raise AddressRefused("URLs with user information are refused")
    if not parsed.host:
        raise AddressRefused("URL has no host")


def check_host_name(name: str) -> None:
    """Refuse names that mean this machine or its local network whatever DNS says."""
    if name in REFUSED_NAMES or name.endswith(REFUSED_SUFFIXES):
        raise AddressRefused(f"{name!r} is a local name")


async def resolve_checked(
    host: str,
    port: int,
    resolver: Resolver | None = None,
    *,
    allow_private: bool = False,
    ip_policy: IPPolicy = check_ip,
) -> list[IPAddress]:
    """Resolve ``host`` and check EVERY address; return them, to be connected to as they are.

    ``allow_private`` lifts the name and address checks (tests, and
    ``VEILLE_ALLOW_PRIVATE_NETWORKS``). ``ip_policy`` replaces :func:`check_ip` in tests that
    must treat a loopback test server as a public host.
    """
    name = host.strip().lower().removesuffix(".")
    if not name:
        raise AddressRefused("empty host")
    literal = parse_host_literal(name)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        if not allow_private:
            check_host_name(name)
        addresses = list(await (resolver or SystemResolver()).resolve(name, port))
    if not addresses:
        raise AddressRefused(f"{name!r} resolved to no address")
    if not allow_private:
        for address in addresses:
            ip_policy(address)
    return addresses


@dataclass(frozen=True)
class AddressGuard:
    """The resolver and the address policy one fetcher applies to every connection."""

    resolver: Resolver = field(default_factory=SystemResolver)
    allow_private: bool = False
    ip_policy: IPPolicy = check_ip

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        return await resolve_checked(
            host, port, self.resolver, allow_private=self.allow_private, ip_policy=self.ip_policy
        )
