"""OPML, the list format every feed reader imports and exports. Pure.

`read_opml` takes the feeds (`<outline xmlUrl="…">`) of an OPML 1.0/2.0 file, with the titles of
the folders they sit in as tags. It parses with expat directly and refuses any DOCTYPE: no
entity can be declared, so neither entity expansion ("billion laughs") nor external entities
are possible, whatever the expat version. `write_opml` writes OPML 2.0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NoReturn
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

MAX_OPML_BYTES = 20 * 1024 * 1024


class OpmlError(ValueError):
    """The file is not OPML Veille can read; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str | None = None
    folders: tuple[str, ...] = ()  # enclosing outlines' titles, outermost first


class _Forbidden(Exception):
    pass


def read_opml(data: bytes) -> list[OpmlFeed]:
    """Every feed outline of the document, in document order, each URL once."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"file larger than {MAX_OPML_BYTES // (1024 * 1024)} MB")
    reader = _OpmlReader()
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = reader.forbid
    parser.EntityDeclHandler = reader.forbid
    parser.ExternalEntityRefHandler = reader.forbid
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    try:
        parser.Parse(data, True)
    except _Forbidden:
        raise OpmlError("DOCTYPE and entity declarations are not accepted") from None
    except expat.ExpatError as error:
        raise OpmlError(f"not well-formed XML: {error}") from None
    if not reader.saw_opml:
        raise OpmlError("no <opml> root element")
    return list(reader.feeds.values())


class _OpmlReader:
    def __init__(self) -> None:
        self.saw_opml = False
        self.feeds: dict[str, OpmlFeed] = {}
        self._stack: list[str | None] = []  # per open outline: its folder title, or None

    def forbid(self, *_: object) -> NoReturn:
        raise _Forbidden

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == "opml":
            self.saw_opml = True
        if name != "outline":
            return
        url = (attributes.get("xmlUrl") or attributes.get("xmlurl") or "").strip()
        title = (attributes.get("title") or attributes.get("text") or "").strip() or None
        if url:
            folders = tuple(folder for folder in self._stack if folder)
            self.feeds.setdefault(url, OpmlFeed(url, title, folders))
        self._stack.append(None if url else title)

    def end(self, name: str) -> None:
        if name == "outline" and self._stack:
            self._stack.pop()


def write_opml(feeds: Iterable[OpmlFeed], title: str = "Veille feeds") -> str:
    """An OPML 2.0 document: one folder per first folder name, feeds without one at the top."""
    grouped: dict[str, list[OpmlFeed]] = {}
    for feed in feeds:
        grouped.setdefault(feed.folders[0] if feed.folders else "", []).append(feed)
    stamp = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_text(title)}</title><dateCreated>{stamp}</dateCreated></head>",
        "  <body>",
    ]
    for folder, members in grouped.items():
        indent = "    "
        if folder:
            lines.append(f"    <outline text={quoteattr(folder)} title={quoteattr(folder)}>")
            indent = "      "
        lines.extend(indent + _outline(feed) for feed in members)
        if folder:
            lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _outline(feed: OpmlFeed) -> str:
    name = feed.title or feed.url
    return (
        f'<outline type="rss" text={quoteattr(name)} title={quoteattr(name)} '
        f"xmlUrl={quoteattr(feed.url)}/>"
    )


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
