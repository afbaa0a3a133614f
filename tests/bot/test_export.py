from __future__ import annotations

import csv
import dataclasses
import io
import json
from html.parser import HTMLParser

import pytest

from bot.export import entry, footer, header, iso
from storage.links import ExportedLink, ExportedShare

SHARE = ExportedShare(
    message_id=7,
    person_id=11,
    person_name="Élise « la veilleuse »",
    person_username="elise",
    shared_at=1_700_000_000,
    edited_at=None,
    comment='La CNIL alerte, "enfin"',
    tags=("Vidéosurveillance", "CNIL"),
    source="live",
)
LINK = ExportedLink(
    chat_id=-100123,
    url="https://www.lemonde.fr/a?b=1&c=2",
    domain="lemonde.fr",
    kind="link",
    title="Reconnaissance faciale : <la> CNIL & l'État",
    description=None,
    site_name=None,
    tags=("Vidéosurveillance", "CNIL"),
    comment='La CNIL alerte, "enfin"',
    first_shared_at=1_700_000_000,
    last_shared_at=1_700_000_600,
    share_count=2,
    shares=(SHARE, ExportedShare(8, None, None, "anon", 1_700_000_600, None, "", (), "live")),
)


def test_iso_is_utc() -> None:
    assert iso(0) == "1970-01-01T00:00:00Z"


def test_jsonl_carries_everything_and_round_trips() -> None:
    line = entry(LINK, "jsonl")
    assert line.endswith("\n") and line.count("\n") == 1
    record = json.loads(line)
    assert record["url"] == LINK.url and record["tags"] == ["Vidéosurveillance", "CNIL"]
    assert record["sharers"] == ["Élise « la veilleuse »", "@anon"]
    assert record["first_shared"] == "2023-11-14T22:13:20Z"
    assert record["shares"][0]["message_id"] == 7 and record["share_count"] == 2


def test_csv_has_a_header_and_quotes_properly() -> None:
    text = header("csv") + entry(LINK, "csv") + footer("csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    assert rows[0]["comment"] == LINK.comment
    assert rows[0]["tags"] == "#Vidéosurveillance #CNIL"
    assert rows[0]["sharers"] == "Élise « la veilleuse », @anon"
    assert rows[0]["share_count"] == "2"


class _Bookmarks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append(data.strip())


@pytest.mark.parametrize("title", [LINK.title, None])
def test_netscape_bookmarks_are_escaped_and_importable(title: str | None) -> None:
    link = LINK if title else dataclasses.replace(LINK, title=None)
    text = header("html") + entry(link, "html") + footer("html")
    assert text.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>")
    parser = _Bookmarks()
    parser.feed(text)
    [anchor] = parser.links
    assert anchor["href"] == LINK.url
    assert anchor["add_date"] == "1700000000"
    assert anchor["tags"] == "Vidéosurveillance,CNIL"
    assert (title or LINK.url) in parser.texts
    assert LINK.comment in parser.texts
