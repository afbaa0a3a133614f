"""Veille's JSON Lines export read back: lines as links, bad lines located, tag order kept."""

from __future__ import annotations

import io
import json

import pytest

from bot.importers import MalformedFile
from bot.importers.jsonl import link_from_json, read_links, tag_creation_order
from bot.importers.tracked import TrackedReader

SHARE = {
    "message_id": 7,
    "person_id": 11,
    "person_name": "Élise",
    "person_username": "elise",
    "shared_at": 1_700_000_000,
    "edited_at": None,
    "comment": "à lire",
    "tags": ["VSA"],
    "source": "live",
}
LINE = {
    "chat_id": -100123,
    "url": "https://a.fr/",
    "domain": "a.fr",
    "kind": "link",
    "title": "Titre",
    "description": None,
    "site_name": None,
    "tags": ["VSA"],
    "comment": "à lire",
    "first_shared_at": 1_700_000_000,
    "last_shared_at": 1_700_000_000,
    "share_count": 1,
    "shares": [SHARE],
    "chat_type": "supergroup",
    "chat_title": "Veille Lyon",
    "first_shared": "2023-11-14T22:13:20Z",
    "sharers": ["Élise"],
}


def lines(*records: object) -> TrackedReader:
    text = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    return TrackedReader(io.BytesIO(text.encode()))


def test_a_line_is_the_link_it_was_exported_from() -> None:
    [link] = read_links(lines(LINE))
    assert (link.chat_id, link.url, link.title, link.chat_title) == (
        -100123,
        "https://a.fr/",
        "Titre",
        "Veille Lyon",
    )
    [share] = link.shares
    assert (share.message_id, share.person_username, share.tags) == (7, "elise", ("VSA",))


def test_blank_lines_and_a_missing_final_newline_are_fine() -> None:
    text = "\n" + json.dumps(LINE) + "\n\n" + json.dumps({**LINE, "url": "https://b.fr/"})
    found = list(read_links(TrackedReader(io.BytesIO(text.encode()))))
    assert [link.url for link in found] == ["https://a.fr/", "https://b.fr/"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"url": None}, '"url" must be a string'),
        ({"chat_id": "-100"}, '"chat_id" must be an integer'),
        ({"shares": "none"}, '"shares" must be a list'),
        ({"shares": [{**SHARE, "shared_at": None}]}, '"shared_at" must be an integer'),
        ({"shares": [{"message_id": 1}]}, '"shared_at" is missing'),
        ({"tags": "VSA"}, '"tags" must be a list of strings'),
    ],
)
def test_lines_that_are_no_link(change: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        link_from_json({**LINE, **change})


def test_a_bad_line_is_located_and_the_lines_before_it_come_through() -> None:
    text = json.dumps(LINE) + "\n" + '{"chat_id": -1, "url": oops}\n'
    found = []
    with pytest.raises(MalformedFile) as caught:
        for link in read_links(TrackedReader(io.BytesIO(text.encode()))):
            found.append(link)
    assert len(found) == 1
    position = caught.value.position
    assert position is not None and (position.line, position.column) == (2, 24)
    assert position.offset == len(json.dumps(LINE)) + 1 + 23


@pytest.mark.parametrize(
    ("lists", "order"),
    [
        ([], []),
        ([["b", "c"], ["a", "b"], ["d"]], ["a", "b", "c", "d"]),
        ([["x", "y"], ["z"], ["y", "z"]], ["x", "y", "z"]),
        ([["a", "b"], ["b", "a"]], ["a", "b"]),  # a cycle (hand-edited file): first seen first
        ([["x", "x", "y"]], ["x", "y"]),
    ],
)
def test_tags_are_created_in_an_order_every_share_agrees_with(
    lists: list[list[str]], order: list[str]
) -> None:
    assert tag_creation_order(lists) == order
