"""Pure rendering of exported links: JSON Lines, CSV, and Netscape bookmark HTML.

JSON Lines carries everything (shares included), so that `veille import jsonl` can move a
deployment to another server. CSV is for spreadsheets. The bookmark file is the format Shaarli,
linkding and browsers import (`TAGS`, `ADD_DATE`, `<DD>` for the comment).
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Literal

from storage.links import ExportedLink

Format = Literal["jsonl", "csv", "html"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "html")

CSV_COLUMNS = (
    "chat_id",
    "url",
    "title",
    "tags",
    "comment",
    "first_shared",
    "last_shared",
    "sharers",
    "share_count",
    "kind",
    "domain",
    "description",
    "site_name",
    "canonical_url",
    "language",
)


def iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


def sharers(link: ExportedLink) -> list[str]:
    names: list[str] = []
    for share in link.shares:
        name = share.person_name or (f"@{share.person_username}" if share.person_username else "")
        if name and name not in names:
            names.append(name)
    return names


def jsonl_line(link: ExportedLink) -> str:
    record = asdict(link)
    record["first_shared"] = iso(link.first_shared_at)
    record["last_shared"] = iso(link.last_shared_at)
    record["sharers"] = sharers(link)
    record["tags"] = list(link.tags)
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def csv_row(values: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def csv_line(link: ExportedLink) -> str:
    return csv_row(
        [
            link.chat_id,
            link.url,
            link.title or "",
            " ".join(f"#{t}" for t in link.tags),
            link.comment,
            iso(link.first_shared_at),
            iso(link.last_shared_at),
            ", ".join(sharers(link)),
            link.share_count,
            link.kind,
            link.domain,
            link.description or "",
            link.site_name or "",
            link.canonical_url or "",
            link.language or "",
        ]
    )


BOOKMARKS_HEADER = (
    "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n"
    "<!-- This is an automatically generated file. It will be read and overwritten. -->\n"
    '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n'
    "<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n"
)
BOOKMARKS_FOOTER = "</DL><p>\n"


def bookmark_entry(link: ExportedLink) -> str:
    attrs = (
        f'HREF="{html.escape(link.url, quote=True)}" ADD_DATE="{link.first_shared_at}" '
        f'LAST_MODIFIED="{link.last_shared_at}" '
        f'TAGS="{html.escape(",".join(link.tags), quote=True)}"'
    )
    title = html.escape(link.title or link.url, quote=False)
    entry = f"    <DT><A {attrs}>{title}</A>\n"
    note = link.comment or link.description  # the members' words first, else the page's
    if note:
        entry += f"    <DD>{html.escape(note, quote=False)}\n"
    return entry


def header(fmt: Format) -> str:
    if fmt == "csv":
        return csv_row(list(CSV_COLUMNS))
    return BOOKMARKS_HEADER if fmt == "html" else ""


def entry(link: ExportedLink, fmt: Format) -> str:
    if fmt == "jsonl":
        return jsonl_line(link)
    return csv_line(link) if fmt == "csv" else bookmark_entry(link)


def footer(fmt: Format) -> str:
    return BOOKMARKS_FOOTER if fmt == "html" else ""
