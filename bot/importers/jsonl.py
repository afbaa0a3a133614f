"""Veille's own JSON Lines export (`veille export --format jsonl`), read back line by line.

Each line is one link with all its shares: it becomes the `ExportedLink` it was written from,
so whatever `storage.links.ExportedLink` carries (preview metadata included) comes back. The
fields the export adds for readers (`first_shared`, `sharers`, ...) are derived and ignored.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from bot.importers import MalformedFile, Position
from bot.importers.tracked import TrackedReader
from storage.links import ExportedLink, ExportedShare

_LINK_FIELDS = {field.name for field in dataclasses.fields(ExportedLink)}
_SHARE_FIELDS = {field.name for field in dataclasses.fields(ExportedShare)}
_REQUIRED_INTS = ("chat_id", "first_shared_at", "last_shared_at")
_REQUIRED_SHARE_INTS = ("message_id", "shared_at")


def read_links(reader: TrackedReader) -> Iterator[ExportedLink]:
    """Every link of the file, in order; a line that is not one raises `MalformedFile`."""
    line_number = 0
    offset = reader.offset
    for raw in _lines(reader):
        line_number += 1
        start, offset = offset, offset + len(raw)
        if not raw.strip():
            continue
        try:
            yield link_from_json(json.loads(raw))
        except json.JSONDecodeError as error:
            where = Position(start + len(raw[: error.pos].encode()), line_number, error.colno)
            raise MalformedFile(f"not JSON: {error.msg}", where) from None
        except (TypeError, ValueError) as error:
            raise MalformedFile(str(error), Position(start, line_number, 1)) from None


def _lines(reader: TrackedReader) -> Iterator[str]:
    pending = b""
    while chunk := reader.read(64 * 1024):
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            yield (line + b"\n").decode("utf-8", "replace")
    if pending:
        yield pending.decode("utf-8", "replace")


def link_from_json(record: object) -> ExportedLink:
    """Pure: one decoded line as the link it was exported from; ValueError if it is none."""
    if not isinstance(record, dict):
        raise ValueError("a line must be a JSON object (one link)")
    _require(record, ("url", "domain", "kind", "shares"), _REQUIRED_INTS)
    for name in ("url", "domain", "kind"):
        if not isinstance(record[name], str):
            raise ValueError(f'"{name}" must be a string')
    shares = record["shares"]
    if not isinstance(shares, list):
        raise ValueError('"shares" must be a list')
    values = {name: value for name, value in record.items() if name in _LINK_FIELDS}
    values["tags"] = tuple(_strings(record.get("tags", []), "tags"))
    values["shares"] = tuple(_share(share) for share in shares)
    values.setdefault("comment", "")
    values.setdefault("share_count", len(shares))
    return ExportedLink(**values)


def _share(record: object) -> ExportedShare:
    if not isinstance(record, dict):
        raise ValueError("each share must be a JSON object")
    _require(record, (), _REQUIRED_SHARE_INTS)
    values = {name: value for name, value in record.items() if name in _SHARE_FIELDS}
    values["tags"] = tuple(_strings(record.get("tags", []), "share tags"))
    for name, default in (("comment", ""), ("source", "live")):
        values.setdefault(name, default)
    for name in ("person_id", "person_name", "person_username", "edited_at"):
        values.setdefault(name, None)
    return ExportedShare(**values)


def _require(record: Mapping[str, Any], present: tuple[str, ...], ints: tuple[str, ...]) -> None:
    for name in (*present, *ints):
        if name not in record:
            raise ValueError(f'"{name}" is missing')
    for name in ints:
        value = record[name]
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f'"{name}" must be an integer, not {value!r}')


def _strings(values: object, what: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise ValueError(f'"{what}" must be a list of strings')
    return values


def tag_creation_order(tag_lists: Iterable[Sequence[str]]) -> list[str]:
    """Pure: an order in which to create tags so that every list keeps its order.

    The export lists each share's tags in the order the tags were created on the old server;
    creating them in an order consistent with every list makes the new server export the same
    lines. Ties (and cycles, which only a hand-edited file can hold) follow first appearance.
    """
    first_seen: dict[str, int] = {}
    after: dict[str, set[str]] = {}
    waiting_on: dict[str, int] = {}
    for tags in tag_lists:
        for tag in tags:
            if tag not in first_seen:
                first_seen[tag] = len(first_seen)
                after[tag], waiting_on[tag] = set(), 0
        for earlier, later in itertools.pairwise(dict.fromkeys(tags)):
            if later not in after[earlier]:
                after[earlier].add(later)
                waiting_on[later] += 1
    ready = [(first_seen[tag], tag) for tag, count in waiting_on.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while len(order) < len(first_seen):
        if not ready:  # a cycle: release the earliest tag still waiting
            stuck = min((first_seen[t], t) for t, n in waiting_on.items() if n > 0)
            waiting_on[stuck[1]] = 0
            ready.append(stuck)
        _, tag = heapq.heappop(ready)
        waiting_on[tag] = -1
        order.append(tag)
        for later in after[tag]:
            if waiting_on[later] > 0:
                waiting_on[later] -= 1
                if waiting_on[later] == 0:
                    heapq.heappush(ready, (first_seen[later], later))
    return order
