"""Netscape bookmark files, read as a stream: browsers, Shaarli, linkding, Karakeep, Pocket.

The format is loose HTML: `<DT><A HREF=… ADD_DATE=… TAGS=…>title</A>`, an optional `<DD>`
description after it, folders as `<DT><H3>name</H3>` followed by a `<DL>` that holds their
entries. Pocket writes `<li><a href=… time_added=… tags=…>` instead. The stdlib `html.parser`
takes the file chunk by chunk, so memory stays flat whatever the size, and it never rejects
odd markup: unclosed tags and stray text are the norm in these files.

Each `<A>` becomes a `Bookmark` (or a `Skipped` for relative and non-http addresses such as
Shaarli's notes `?lY47tw`, Firefox's `place:` queries, `javascript:` bookmarklets). Tags are the
`TAGS` attribute (comma-separated; else pipe-separated; else space-separated) followed by the
names of the folders the bookmark sits in, outermost first; the browsers' own toolbar and
"unfiled" folders are structure, not topics, and give no tag. A folder's `<DD>` describes the
folder and is not any bookmark's description.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

from bot.importers import MalformedFile, Skipped
from bot.importers.tracked import TrackedReader

CHUNK_SIZE = 64 * 1024
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):")
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
# Browser folders that say where a bookmark is shown, not what it is about.
_STRUCTURAL_FOLDER_FLAGS = ("personal_toolbar_folder", "unfiled_bookmarks_folder")
_DATE_FORMATS = ("%d/%b/%Y:%H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
_MAX_PLAUSIBLE_SECONDS = 100_000_000_000  # year 5138: anything above is milliseconds or less


@dataclass(frozen=True, slots=True)
class Bookmark:
    url: str  # as written in HREF (character references decoded)
    title: str
    added: int | None  # ADD_DATE (or Pocket's time_added), Unix seconds; None if unreadable
    tags: tuple[str, ...]  # TAGS, then folder names, as written
    description: str
    private: bool  # PRIVATE="1" (Shaarli, linkding, Pinboard)


def read_bookmarks(reader: TrackedReader) -> Iterator[Bookmark | Skipped]:
    """Every bookmark of the file, in order; raises `MalformedFile` if it holds none at all."""
    first = reader.read(CHUNK_SIZE)
    decoder = codecs.getincrementaldecoder(_encoding_of(first))("replace")
    parser = NetscapeParser()
    seen = 0
    chunk = first
    while chunk:
        parser.feed(decoder.decode(chunk))
        seen += len(parser.found)
        yield from parser.take()
        chunk = reader.read(CHUNK_SIZE)
    parser.feed(decoder.decode(b"", final=True))
    parser.close()
    seen += len(parser.found)
    yield from parser.take()
    if seen == 0:
        raise MalformedFile(
            "no bookmarks found: is this a Netscape bookmark file (.html)?", reader.end_position()
        )


def _encoding_of(head: bytes) -> str:
    declared = _CHARSET.search(head[:4096])
    if declared:
        try:
            return codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            pass
    return "utf-8"


class NetscapeParser(HTMLParser):
    """Turns the tag stream into bookmarks; `found` fills up as `feed` goes, `take` empties it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Bookmark | Skipped] = []
        self._folders: list[str] = []  # one entry per open <DL>; "" for no tag
        self._next_folder: str | None = None  # an <H3> waiting for its <DL>
        self._reading: str | None = None  # "a", "h3", "dd": whose text the data is
        self._text: list[str] = []
        self._attrs: dict[str, str] = {}
        self._held: tuple[dict[str, str], str] | None = None  # a link waiting for its <DD>

    def take(self) -> list[Bookmark | Skipped]:
        found, self.found = self.found, []
        return found

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "h3", "dt", "dl", "hr", "li", "dd"):
            self._close_text()
        values = {name: value or "" for name, value in attrs}
        if tag in ("a", "h3"):
            self._emit_held()
            self._reading, self._text, self._attrs = tag, [], values
        elif tag == "dd" and self._held is not None:
            self._reading, self._text = "dd", []
        elif tag == "dl":
            self._emit_held()
            self._folders.append(self._next_folder or "")
            self._next_folder = None
        elif tag in ("dt", "hr", "li"):
            self._emit_held()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("a", "h3"):
            self._close_text()
        elif tag == "dl":
            self._close_text()
            self._emit_held()
            if self._folders:
                self._folders.pop()

    def handle_data(self, data: str) -> None:
        if self._reading is not None:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self._close_text()
        self._emit_held()

    def _close_text(self) -> None:
        """The text being read is complete: a link's title, a folder name, a description."""
        reading, text = self._reading, " ".join("".join(self._text).split())
        self._reading, self._text = None, []
        if reading == "a":
            self._held = (self._attrs, text)
        elif reading == "h3":
            structural = any(flag in self._attrs for flag in _STRUCTURAL_FOLDER_FLAGS)
            self._next_folder = "" if structural else text
        elif reading == "dd" and self._held is not None:
            self._emit_held(description=text)

    def _emit_held(self, description: str = "") -> None:
        if self._held is None:
            return
        attrs, title = self._held
        self._held = None
        folders = tuple(name for name in self._folders if name)
        self.found.append(bookmark_of(attrs, title, description, folders))


def bookmark_of(
    attrs: dict[str, str], title: str, description: str, folders: tuple[str, ...] = ()
) -> Bookmark | Skipped:
    """Pure: one `<A>`'s attributes (lower-case names), its text and context, as a record."""
    href = attrs.get("href", "").strip()
    scheme = _SCHEME.match(href)
    if scheme is None:
        return Skipped("relative_url")
    if scheme.group(1).lower() not in ("http", "https"):
        return Skipped("non_http_url")
    added = bookmark_date(attrs.get("add_date") or attrs.get("time_added"))
    if added is None:
        added = bookmark_date(attrs.get("last_modified"))
    tags = split_tags(attrs.get("tags", ""))
    return Bookmark(
        url=href,
        title=title,
        added=added,
        tags=tuple(dict.fromkeys((*tags, *folders))),
        description=description,
        private=attrs.get("private", "").strip() == "1",
    )


def split_tags(raw: str) -> list[str]:
    """'a,b c' -> ['a', 'b c']; 'a|b' -> ['a', 'b'] (Pocket); 'a b' -> ['a', 'b'] (Shaarli)."""
    separator = "," if "," in raw else "|" if "|" in raw else None
    pieces = raw.split(separator)
    return [piece.strip() for piece in pieces if piece.strip()]


def bookmark_date(raw: str | None) -> int | None:
    """Pure: Unix seconds from the dates these files hold, or None when there is no telling.

    Seconds are the rule; some tools write milliseconds or microseconds. Shaarli once wrote
    Apache-log dates ("10/Oct/2000:13:55:36 +0300"); others ISO 8601 or RFC 2822 dates.
    """
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        number = float(text)
    except ValueError:
        return _date_from_text(text)
    if number != number or number <= 0:  # NaN, zero and negatives mean "no date"
        return None
    while number >= _MAX_PLAUSIBLE_SECONDS:
        number /= 1000
    return int(number)


def _date_from_text(text: str) -> int | None:
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        for pattern in _DATE_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if moment is None:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
