"""URL normalisation: one stored form per shared link, with the trackers stripped.

Two members who share the same article with different tracking junk must land on the same
row, and the junk (which often identifies the person who shared, or the newsletter they read)
must never be stored. `normalize_url` is pure and total: it returns the canonical
``http``/``https`` form of a URL, or ``None`` when the input is not a web link worth storing.
It never raises.

The canonical form, step by step:

* surrounding whitespace, control and format characters go; tabs and line breaks inside go
  (the WHATWG URL parser drops them too); any other control character inside rejects the URL;
* scheme-less input the way Telegram detects links (``lemonde.fr/article``) gets ``https://``;
* the scheme and host are lower-cased, an IDN host is stored in its ASCII (punycode) form, an
  IPv6 host in its compressed form, and a port equal to the scheme's default is dropped;
* user information (``user:pass@``) is dropped: credentials are never stored;
* percent-encoding is normalised the RFC 3986 way: escapes of unreserved characters are
  decoded, the others upper-cased (never decoded: ``%2F`` and ``%26`` keep their meaning), and
  characters a URI cannot hold are encoded as UTF-8; dot segments are removed from the path
  and an empty path becomes ``/``;
* tracking parameters are removed (bot/tracking.py, with ``bot/data/tracking_params.json``
  built from public maintained lists); every other parameter keeps its place, its spelling and
  its value;
* the fragment is dropped unless it is a route (``#!/...`` hashbang, ``#/...`` SPA route): an
  anchor does not name a different page, and fragments such as ``#xtor=RSS-3`` only track.

``normalize_url(normalize_url(x)) == normalize_url(x)`` for every ``x``.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

import idna

from bot.tracking import ParamSet, param_key, tracking_for_host
from bot.tracking import is_tracking_param as is_tracking_param  # importable from here too

MAX_URL_LENGTH = 8192
"""Longest normalised URL that is stored (bytes = characters: the result is ASCII)."""

# Past this the input is not a link someone shared but an attack on the parser; bounded work.
_MAX_INPUT_LENGTH = 65_536

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# What Telegram recognises as a link without a scheme: dotted labels ending in an alphabetic
# top-level domain (or a dotted IPv4 address), an optional port, then a path, query or nothing.
_SCHEMELESS_RE = re.compile(
    r"(?:(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W\d_]{2,}|xn--[a-z0-9-]+)|\d{1,3}(?:\.\d{1,3}){3})"
    r"(?::\d+)?(?:[/?#]|$)",
    re.IGNORECASE,
)
_ASCII_LABEL_RE = re.compile(r"[a-z0-9_-]{1,63}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# An escape, a lone "%", or a character a URI path, query or fragment cannot hold as is
# (RFC 3986: unreserved, sub-delims, ":", "@", "/" and "?" may stay).
_ENCODING_RE = re.compile(r"%[0-9A-Fa-f]{2}|%|[^A-Za-z0-9\-._~!$&'()*+,;=:@/?]")
_INSIDE_LINE_BREAKS = str.maketrans("", "", "\t\n\r")
_ROUTE_PREFIXES = ("/", "!/")


def normalize_url(raw: str) -> str | None:
    """The canonical form of ``raw`` to store, or ``None`` if it is not an http(s) link."""
    try:
        return _normalize(raw)
    except (ValueError, UnicodeError):
        # idna and ipaddress report hosts they reject by raising; such a URL is not stored.
        return None


def url_domain(url: str) -> str:
    """The host of ``url`` for display: lower case, Unicode IDN, without a leading ``www.``.

    Returns ``""`` when ``url`` is not a URL `normalize_url` accepts.
    """
    normalized = url if _looks_normalized(url) else normalize_url(url)
    if normalized is None:
        return ""
    return _display_host(normalized.split("://", 1)[1].split("/", 1)[0])


def _looks_normalized(url: str) -> bool:
    # Capture calls url_domain on what normalize_url returned: skip normalising it again.
    head = url.split("/", 3)
    return (
        len(head) >= 3
        and head[0] in ("http:", "https:")
        and head[1] == ""
        and head[2] == head[2].lower()
        and head[2].isascii()
        and "@" not in head[2]
    )


@lru_cache(maxsize=8192)
def _display_host(authority: str) -> str:
    if authority.startswith("["):
        return authority[1 : authority.index("]")]
    labels = [_unicode_label(label) for label in authority.partition(":")[0].split(".")]
    if labels[0] == "www" and len(labels) > 1:
        labels = labels[1:]
    return ".".join(labels)


# --- normalisation --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parts:
    scheme: str
    authority: str
    path: str
    query: str
    fragment: str


def _normalize(raw: str) -> str | None:
    text = _clean_input(raw)
    parts = _split(text) if text else None
    if parts is None:
        return None
    host_and_port = _host_and_port(parts.authority.rpartition("@")[2], parts.scheme)
    if host_and_port is None:
        return None
    host, port = host_and_port
    tracking = tracking_for_host(host)
    url = f"{parts.scheme}://{host}{port}{_normalize_path(parts.path)}"
    query = _clean_query(parts.query, tracking)
    if query:
        url += "?" + query
    fragment = _clean_fragment(parts.fragment, tracking)
    if fragment:
        url += "#" + fragment
    return url if len(url) <= MAX_URL_LENGTH else None


def _clean_input(raw: str) -> str:
    """The input without surrounding junk, or ``""`` if it cannot be a link."""
    if len(raw) > _MAX_INPUT_LENGTH:
        return ""
    start, end = 0, len(raw)
    while start < end and _is_surrounding_junk(raw[start]):
        start += 1
    while end > start and _is_surrounding_junk(raw[end - 1]):
        end -= 1
    text = raw[start:end].translate(_INSIDE_LINE_BREAKS)
    # A NUL or an escape sequence inside a link is an attack or a corruption, not a typo.
    if not text.isprintable() and any(unicodedata.category(c) in ("Cc", "Cs") for c in text):
        return ""
    return text


def _is_surrounding_junk(char: str) -> bool:
    # Whitespace (Z*) and control or format characters (C*): NBSP, zero-width space, BOM,
    # bidirectional marks pasted around a link by apps.
    return char.isspace() or unicodedata.category(char)[0] in ("C", "Z")


def _split(text: str) -> _Parts | None:
    """Scheme, authority, path, query and fragment; ``None`` unless an http(s) link."""
    scheme_match = _SCHEME_RE.match(text)
    if scheme_match and scheme_match.group(1).lower() in _DEFAULT_PORTS:
        scheme = scheme_match.group(1).lower()
        # Browsers accept any number of slashes, and backslashes, after "http:".
        rest = text[scheme_match.end() :].lstrip("/\\")
    elif text.startswith("//"):
        scheme, rest = "https", text[2:]
    elif _SCHEMELESS_RE.match(text):
        scheme, rest = "https", text
    else:
        return None
    rest, _, fragment = rest.partition("#")
    rest, _, query = rest.partition("?")
    # As in browsers, a backslash separates path segments in http(s) URLs (so that
    # "https://evil.example\@good.example" is stored as the host a browser would visit).
    rest = rest.replace("\\", "/")
    authority, slash, path = rest.partition("/")
    return _Parts(scheme, authority, slash + path, query, fragment)


def _host_and_port(host_and_port: str, scheme: str) -> tuple[str, str] | None:
    """The canonical host and ``":port"`` (``""`` for the default port), or ``None``."""
    if host_and_port.startswith("["):
        host, bracket, port = host_and_port.partition("]")
        host += bracket
        if port and not port.startswith(":"):
            return None
        port = port[1:]
    else:
        host, _, port = host_and_port.partition(":")
    canonical_host = _canonical_host(host)
    canonical_port = _canonical_port(port, scheme)
    if canonical_host is None or canonical_port is None:
        return None
    return canonical_host, canonical_port


@lru_cache(maxsize=8192)  # links come from a few hundred sites: check each host once
def _canonical_host(host: str) -> str | None:
    if "%" in host:
        host = unquote(host, errors="strict")
    if not host:
        return None
    if host.startswith("["):
        return _canonical_ipv6(host)
    mapped = host.lower() if host.isascii() else idna.uts46_remap(host, std3_rules=False)
    mapped = mapped.removesuffix(".")
    labels = [_ascii_label(label) for label in mapped.split(".")]
    if any(label is None for label in labels):
        return None
    ascii_host = ".".join(label for label in labels if label is not None)
    return ascii_host if len(ascii_host) <= 253 else None


def _canonical_ipv6(host: str) -> str | None:
    if not host.endswith("]") or "%" in host:  # zone identifiers name a local interface
        return None
    return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"


def _ascii_label(label: str) -> str | None:
    if label.isascii() and not label.startswith("xn--"):
        return label if _ASCII_LABEL_RE.fullmatch(label) else None
    if label.startswith("xn--"):
        # Decoding validates the punycode; re-encoding gives its one canonical spelling.
        label = idna.ulabel(label)
    return idna.alabel(label).decode("ascii")


def _unicode_label(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return idna.ulabel(label)
    except (ValueError, UnicodeError):
        return label


def _canonical_port(port: str, scheme: str) -> str | None:
    if not port:
        return ""
    # Leading zeros are legal ("google.com:000080" is port 80); the digits after them are bounded.
    if not (port.isascii() and port.isdigit() and len(port.lstrip("0")) <= 5):
        return None
    number = int(port)
    if number > 65535:
        return None
    return "" if number == _DEFAULT_PORTS[scheme] else f":{number}"


def _normalize_path(path: str) -> str:
    return _remove_dot_segments(_normalize_encoding(path)) or "/"


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, for a path that is empty or starts with "/"."""
    if not path:
        return path
    segments = path.split("/")[1:]
    output: list[str] = []
    for index, segment in enumerate(segments):
        is_last = index == len(segments) - 1
        if segment == "..":
            if output:
                output.pop()
        elif segment != ".":
            output.append(segment)
            continue
        if is_last:  # "/a/b/.." is the directory "/a/", not the file "/a"
            output.append("")
    return "/" + "/".join(output)


def _normalize_encoding(component: str) -> str:
    return _ENCODING_RE.sub(_normalize_escape, component)


def _normalize_escape(match: re.Match[str]) -> str:
    text = match.group()
    if len(text) == 3:
        char = chr(int(text[1:], 16))
        return char if char in _UNRESERVED else text.upper()
    if text == "%":
        return "%25"
    return "".join(f"%{byte:02X}" for byte in text.encode("utf-8", "surrogatepass"))


def _clean_query(query: str, tracking: tuple[ParamSet, ...]) -> str:
    """The query without tracking parameters nor empty pieces, others kept in order."""
    kept: list[str] = []
    for piece in query.split("&"):
        piece = _normalize_encoding(piece)
        key = param_key(piece.partition("=")[0])
        if piece and not any(params.matches(key) for params in tracking):
            kept.append(piece)
    return "&".join(kept)


def _clean_fragment(fragment: str, tracking: tuple[ParamSet, ...]) -> str:
    """A route fragment (tracking removed from its own query); ``""`` for anything else."""
    if not fragment.startswith(_ROUTE_PREFIXES):
        return ""
    route, _, query = fragment.partition("?")
    route = _normalize_encoding(route)
    query = _clean_query(query, tracking)
    if query:
        return f"{route}?{query}"
    return "" if route in _ROUTE_PREFIXES else route
