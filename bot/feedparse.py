"""Feed documents -> entries. Pure: bytes in, frozen dataclasses out, no I/O.

- RSS 0.9x, 1.0 and 2.0 and Atom are read by feedparser (its strict XML parser, then its loose
  one for documents that are not well-formed, such as truncated ones); JSON Feed 1.0 and 1.1 is
  plain JSON. The HTTP Content-Type's charset, the XML declaration, then UTF-8 and
  windows-1252 decide the encoding, so legacy French feeds that declare nothing still read.
- An HTML page is not a feed: `NotAFeed` carries the feeds it links with
  `<link rel="alternate">`, so that the admin can be told where its feed is.
- Each entry gets an identity that survives edits upstream: its guid, else its normalised
  link, else a hash of its title and summary; `entry_key` keeps 64 bits of it.
- Titles lose their HTML; relative links are resolved against the document's URL; links lose
  their trackers (`normalize_url`); categories become hashtags (`category_tags`).

Call it off the event loop (asyncio.to_thread): feedparser takes milliseconds per document.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from bot.urls import normalize_url

MAX_ENTRIES = 500  # read from one document (newest first in nearly every feed)
MAX_TITLE_CHARS = 500
MAX_ENTRY_TAGS = 10
MAX_TAG_CHARS = 40
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/rdf+xml",
    "application/json",
)
# Encoding problems feedparser works around on its own: the entries it found are good.
_HARMLESS_BOZO = ("CharacterEncodingOverride", "NonXMLContentType", "CharacterEncodingUnknown")
_TAG_SPLIT = re.compile(r"[,;/|>]+")
_WORD = re.compile(r"\w+")
_MARKUP = re.compile(r"<[A-Za-z/!]|&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
_LEADING_JUNK = re.compile(rb"^(\xef\xbb\xbf|\s|<\?xml[^>]*>|<!--.*?-->)*", re.DOTALL)


class FeedProblem(Exception):
    """The document cannot be used as a feed; `reason` says why, in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotAFeed(FeedProblem):
    """A web page or another document; `alternates` are the feeds an HTML page links to."""

    def __init__(self, reason: str, alternates: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.alternates = tuple(alternates)


class MalformedFeed(FeedProblem):
    """Looks like a feed but nothing usable could be read from it."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    key: int  # 64-bit identity, see entry_key
    url: str | None  # normalised; None when the entry has no usable link
    title: str | None  # plain text
    tags: tuple[str, ...] = ()  # hashtags (display forms, without '#') from its categories
    published: int | None = None  # Unix seconds (published, else updated)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    format: str  # feedparser's version ("rss20", "atom10", ...) or "json1.0" / "json1.1"
    title: str | None
    site_url: str | None
    entries: tuple[FeedEntry, ...]
    warning: str | None = None  # the document was repaired (loose parsing) to read these

    def newest(self) -> FeedEntry | None:
        """The most recent entry by date, else the first one in the document."""
        dated = [entry for entry in self.entries if entry.published is not None]
        if dated:
            return max(dated, key=lambda entry: entry.published or 0)
        return self.entries[0] if self.entries else None


def parse_feed(body: bytes, content_type: str | None, url: str) -> ParsedFeed:
    """Read a fetched document; raise `NotAFeed` or `MalformedFeed` when it is no feed."""
    head = _LEADING_JUNK.sub(b"", body[:4096], count=1)[:512].lower()
    media_type = (content_type or "").split(";")[0].strip().lower()
    if head.startswith((b"{", b"[")) or media_type.endswith("json"):
        return _parse_json_feed(body, url)
    if head.startswith((b"<!doctype html", b"<html")) or (
        media_type in ("text/html", "application/xhtml+xml") and not _looks_like_xml_feed(head)
    ):
        raise NotAFeed("html", discover_alternates(body, url))
    return _parse_xml_feed(body, content_type, url)


def _looks_like_xml_feed(head: bytes) -> bool:
    return head.startswith((b"<rss", b"<feed", b"<rdf:rdf", b"<rdf"))


# --- RSS and Atom ----------------------------------------------------------------------------


def _parse_xml_feed(body: bytes, content_type: str | None, url: str) -> ParsedFeed:
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    document = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    problem = _real_problem(document)
    if not document.get("version") and not document.entries:
        raise NotAFeed("unknown format")
    if problem and not document.entries:  # truncated or broken: no entry could be read
        raise MalformedFeed(problem)
    channel = document.feed
    entries = tuple(
        _xml_entry(item, url) for item in document.entries[:MAX_ENTRIES] if isinstance(item, dict)
    )
    return ParsedFeed(
        format=document.get("version") or "unknown",
        title=_title(channel.get("title"), _is_html(channel.get("title_detail"))),
        site_url=_absolute_http(channel.get("link"), url),
        entries=entries,
        warning=problem,
    )


def _real_problem(document: Mapping[str, Any]) -> str | None:
    error = document.get("bozo_exception") if document.get("bozo") else None
    if error is None or type(error).__name__ in _HARMLESS_BOZO:
        return None
    return f"{type(error).__name__}: {error}"[:200]


def _xml_entry(item: Mapping[str, Any], base: str) -> FeedEntry:
    link = _entry_link(item, base)
    title = _title(item.get("title"), _is_html(item.get("title_detail")))
    summary = str(item.get("summary") or "")
    guid = str(item.get("id") or "")
    categories = [tag.get("label") or tag.get("term") for tag in item.get("tags") or ()]
    parsed = item.get("published_parsed") or item.get("updated_parsed")
    return FeedEntry(
        key=entry_key(guid, link, title or "", summary),
        url=link,
        title=title,
        tags=category_tags(str(value) for value in categories if value),
        published=calendar.timegm(parsed) if parsed else None,
    )


def _entry_link(item: Mapping[str, Any], base: str) -> str | None:
    candidates = [item.get("link")]
    candidates += [
        link.get("href")
        for link in item.get("links") or ()
        if link.get("rel", "alternate") == "alternate"
    ]
    for candidate in candidates:
        absolute = _absolute_http(candidate, base)
        if absolute:
            return absolute
    return None


def _is_html(detail: Mapping[str, Any] | None) -> bool:
    return bool(detail) and "html" in str(detail.get("type", ""))  # type: ignore[union-attr]


# --- JSON Feed -------------------------------------------------------------------------------


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        document = json.loads(_json_text(body))
    except ValueError as error:
        raise MalformedFeed(f"invalid JSON: {error}"[:200]) from None
    version = str(document.get("version", "")) if isinstance(document, dict) else ""
    if not version.startswith("https://jsonfeed.org/version/"):
        raise NotAFeed("json")
    items = document.get("items")
    entries = tuple(
        _json_entry(item, url)
        for item in (items if isinstance(items, list) else [])[:MAX_ENTRIES]
        if isinstance(item, dict)
    )
    return ParsedFeed(
        format="json" + version.rsplit("/", 1)[-1],
        title=_title(_text_or_none(document.get("title")), maybe_html=True),
        site_url=_absolute_http(_text_or_none(document.get("home_page_url")), url),
        entries=entries,
    )


def _json_text(body: bytes) -> str:
    """JSON is UTF-8 (8259); a UTF-16/32 BOM or a legacy single-byte file still reads."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("windows-1252", errors="replace")


def _json_entry(item: Mapping[str, Any], base: str) -> FeedEntry:
    link = _absolute_http(_text_or_none(item.get("url")), base) or _absolute_http(
        _text_or_none(item.get("external_url")), base
    )
    title = _title(_text_or_none(item.get("title")), maybe_html=True)
    summary = _text_or_none(item.get("summary")) or _text_or_none(item.get("content_text")) or ""
    if not summary:
        summary = _text_or_none(item.get("content_html")) or ""
    tags = item.get("tags")
    stamp = _json_date(item.get("date_published")) or _json_date(item.get("date_modified"))
    return FeedEntry(
        key=entry_key(_text_or_none(item.get("id")) or "", link, title or "", summary),
        url=link,
        title=title,
        tags=category_tags(str(tag) for tag in tags if tag) if isinstance(tags, list) else (),
        published=stamp,
    )


def _text_or_none(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # JSON Feed ids are strings, but some publishers send numbers
    return None


def _json_date(value: object) -> int | None:
    """RFC 3339 as the spec says, or RFC 822 as some publishers send."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if parsed.tzinfo is None:
        return calendar.timegm(parsed.timetuple())
    return int(parsed.timestamp())


# --- shared rules ----------------------------------------------------------------------------


def entry_key(guid: str, link: str | None, title: str, summary: str) -> int:
    """64 bits of BLAKE2b of the entry's identity, as a signed SQLite INTEGER.

    Identity: the guid (or Atom/JSON id) as published, else the normalised link, else the
    title and summary together. A title edited upstream keeps the guid, hence the key.
    """
    if guid.strip():
        identity = "g:" + guid.strip()
    elif link:
        identity = "l:" + link
    else:
        identity = "h:" + " ".join(title.split()) + "\x00" + " ".join(summary.split())
    digest = hashlib.blake2b(identity.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _title(value: str | None, is_html: bool = False, *, maybe_html: bool = False) -> str | None:
    """Plain text of a title: HTML removed (when it is HTML), whitespace collapsed."""
    if not value:
        return None
    text = value
    if is_html or (maybe_html and _MARKUP.search(text)):
        text = HTMLParser(f"<body>{text}</body>").body.text(separator=" ")  # type: ignore[union-attr]
    cleaned = " ".join(text.split())
    return cleaned[:MAX_TITLE_CHARS] or None


def _absolute_http(value: str | None, base: str) -> str | None:
    """`value` resolved against `base` and normalised; None unless it is an http(s) URL."""
    if not value or not value.strip():
        return None
    try:
        absolute = urljoin(base, value.strip())
    except ValueError:
        return None
    return normalize_url(absolute)


def category_tags(categories: Iterable[str]) -> tuple[str, ...]:
    """Entry categories as hashtags: 'Libertés numériques' -> 'LibertésNumériques'.

    A category may hold several ("Europe, Surveillance", "Société/Justice"): each part counts.
    Parts with no letter or digit, or too long to be a hashtag, are dropped.
    """
    found: dict[str, str] = {}
    for category in categories:
        for part in _TAG_SPLIT.split(category):
            words = _WORD.findall(part)
            if not words:
                continue
            tag = words[0] + "".join(word[:1].upper() + word[1:] for word in words[1:])
            if len(tag) <= MAX_TAG_CHARS and not tag.isdigit():
                found.setdefault(tag.casefold(), tag)
    return tuple(found.values())[:MAX_ENTRY_TAGS]


def discover_alternates(body: bytes, url: str) -> tuple[str, ...]:
    """The feeds an HTML page announces with `<link rel="alternate" type="…">`."""
    tree = HTMLParser(body[: 2 * 1024 * 1024])
    base = url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = urljoin(url, base_node.attributes.get("href") or "")
    found: dict[str, None] = {}
    for node in tree.css("link[rel][href]"):
        attributes = node.attributes
        rels = (attributes.get("rel") or "").lower().split()
        media = (attributes.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rels and media in FEED_TYPES:
            absolute = _absolute_http(attributes.get("href"), base)
            if absolute:
                found.setdefault(absolute)
    return tuple(found)[:5]
