"""Telegram Desktop exports: parts -> text and UTF-16 entities, both formats, odd files."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.entities import Entity
from bot.importers import MalformedFile, Skipped
from bot.importers.telegram_export import (
    ExportedMessage,
    ExportHeader,
    message_record,
    origin_of,
    read_header,
    read_messages,
    sender_of,
    text_and_entities,
    timestamp,
)
from bot.importers.tracked import TrackedReader
from storage.links import Origin, PersonRecord

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def records(data: bytes) -> list[ExportedMessage | Skipped]:
    reader = TrackedReader(io.BytesIO(data))
    read_header(reader)
    return list(read_messages(reader))


def fixture_records(name: str) -> tuple[ExportHeader, list[ExportedMessage | Skipped]]:
    with (FIXTURES / name).open("rb") as file:
        reader = TrackedReader(file)
        return read_header(reader), list(read_messages(reader))


@pytest.mark.parametrize(
    ("parts", "text", "entities"),
    [
        ("plain text", "plain text", ()),
        ([], "", ()),
        (["a ", {"type": "link", "text": "x.fr"}], "a x.fr", (Entity("url", 2, 4),)),
        (
            [{"type": "text_link", "text": "ici", "href": "https://a.fr"}],
            "ici",
            (Entity("text_link", 0, 3, "https://a.fr"),),
        ),
        # Astral characters (emoji) count twice in UTF-16, as Telegram counts.
        (["🔥 ", {"type": "hashtag", "text": "#VSA"}], "🔥 #VSA", (Entity("hashtag", 3, 4),)),
        ([{"type": "bold", "text": "Gras"}], "Gras", (Entity("bold", 0, 4),)),
        (
            [{"type": "mention_name", "text": "Al", "user_id": 5}],
            "Al",
            (Entity("text_mention", 0, 2),),
        ),
        ([{"type": "phone", "text": "+33 1"}], "+33 1", (Entity("phone_number", 0, 5),)),
        ([{"type": "plain", "text": "a"}, {"type": "unknown", "text": "b"}], "ab", ()),
        ([{"type": "future_type", "text": "z"}], "z", (Entity("future_type", 0, 1),)),
        # Odd parts: no text, a number, an empty typed part.
        ([{"type": "bold"}, 42, {"type": "link", "text": ""}, "fin"], "fin", ()),
        (
            [{"type": "text_link", "text": "sans", "href": None}],
            "sans",
            (Entity("text_link", 0, 4),),
        ),
    ],
)
def test_parts_become_text_and_utf16_entities(
    parts: object, text: str, entities: tuple[Entity, ...]
) -> None:
    assert text_and_entities(parts) == (text, entities)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "text", "types"),
    [
        # A list in `text` wins over a placeholder in `text_entities` (seen in the wild).
        (
            {
                "text": ["voir ", {"type": "link", "text": "a.fr"}],
                "text_entities": [{"type": "plain", "text": "..."}],
            },
            "voir a.fr",
            ["url"],
        ),
        # A plain `text` beside typed `text_entities`: the types are only there.
        (
            {
                "text": "lien",
                "text_entities": [{"type": "text_link", "text": "lien", "href": "https://a.fr"}],
            },
            "lien",
            ["text_link"],
        ),
        ({"text": "juste du texte", "text_entities": []}, "juste du texte", []),
        ({"text": "ancien format"}, "ancien format", []),
        ({}, "", []),
    ],
)
def test_the_richest_form_of_the_text_is_used(
    raw: dict[str, object], text: str, types: list[str]
) -> None:
    record = message_record({"id": 1, "type": "message", "date_unixtime": "1", **raw})
    assert isinstance(record, ExportedMessage)
    assert record.text == text
    assert [entity.type for entity in record.entities] == types


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"date_unixtime": "1709287200", "date": "2000-01-01T00:00:00"}, 1709287200),
        ({"date_unixtime": 1709287200}, 1709287200),
        ({"date": "2024-03-01T10:00:00"}, 1709287200),  # old exports: no zone, read as UTC
        ({"date": "2024-03-01T10:00:00+01:00"}, 1709283600),
        ({"date": "1er mars"}, None),
        ({"date_unixtime": "-5"}, None),
        ({}, None),
    ],
)
def test_dates(raw: dict[str, object], expected: int | None) -> None:
    assert timestamp(raw, "date_unixtime", "date") == expected


def test_old_dates_can_be_read_in_the_exporters_time_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert timestamp({"date": "2024-03-01T11:00:00"}, "date_unixtime", "date", paris) == (
        timestamp({"date": "2024-03-01T10:00:00"}, "date_unixtime", "date", UTC)
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"from": "Alice", "from_id": "user11"}, PersonRecord(11, "Alice")),
        ({"from": "Canal", "from_id": "channel555"}, PersonRecord(-1000000000555, "Canal")),
        ({"from": "Groupe", "from_id": "chat77"}, PersonRecord(-77, "Groupe")),
        ({"from": "Vieux", "from_id": 4242}, PersonRecord(4242, "Vieux")),
        ({"from": None, "from_id": "user13"}, PersonRecord(13, "")),  # deleted account
        ({"from": "Sans id"}, None),
        ({"from": "Bizarre", "from_id": "bot12"}, None),
    ],
)
def test_senders(raw: dict[str, object], expected: PersonRecord | None) -> None:
    assert sender_of(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({}, None),
        (
            {"forwarded_from": "LQDN", "forwarded_from_id": "channel777"},
            Origin("channel", "LQDN", -1000000000777),
        ),
        ({"forwarded_from": "Bob", "forwarded_from_id": "user5"}, Origin("user", "Bob", 5)),
        ({"forwarded_from": "Anonyme"}, Origin("hidden_user", "Anonyme")),
        ({"forwarded_from": None}, Origin("hidden_user", None)),
    ],
)
def test_forward_origins(raw: dict[str, object], expected: Origin | None) -> None:
    assert origin_of(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"id": 1, "type": "service", "date_unixtime": "1", "action": "pin_message"}, "service"),
        ({"id": 87, "type": "unsupported"}, "unsupported"),
        ({"id": 2, "type": "message", "text": "pas de date"}, "malformed"),
        ({"type": "message", "date_unixtime": "1"}, "malformed"),
        ({"id": True, "type": "message", "date_unixtime": "1"}, "malformed"),
        ("une chaîne", "malformed"),
    ],
)
def test_records_left_out(raw: object, reason: str) -> None:
    assert message_record(raw) == Skipped(reason)


@pytest.mark.parametrize(
    ("type_", "bare", "chat_type", "chat_id"),
    [
        ("private_supergroup", 1234567890, "supergroup", -1001234567890),
        ("public_channel", 42, "channel", -1000000000042),
        ("private_group", 4321, "group", -4321),
        ("personal_chat", 700, "private", 700),
        ("something_new", 1, None, None),
    ],
)
def test_the_exported_chat_id_in_bot_api_terms(
    type_: str, bare: int, chat_type: str | None, chat_id: int | None
) -> None:
    header = ExportHeader("x", type_, bare)
    assert (header.chat_type, header.chat_id) == (chat_type, chat_id)


def test_current_format_fixture() -> None:
    header, found = fixture_records("telegram_current.json")
    assert header == ExportHeader("Veille Lyon", "private_supergroup", 1234567890)
    messages = {
        record.message_id: record for record in found if isinstance(record, ExportedMessage)
    }
    assert Counter(r.reason for r in found if isinstance(r, Skipped)) == {
        "service": 1,
        "unsupported": 1,
    }
    assert sorted(messages) == [2, 3, 4, 5, 6, 7, 8, 9]
    first = messages[2]
    assert first.date == 1709287200 and first.sender == PersonRecord(11, "Alice Martin")
    assert [e.type for e in first.entities] == ["hashtag", "hashtag", "url"]
    edited = messages[3]
    assert edited.edited == 1709287620
    assert [e.url for e in edited.entities if e.type == "text_link"] == [
        "https://www.laquadrature.net/2024/03/rapport/?fbclid=abc",
        "https://www.change.org/p/stop-vsa",
    ]
    assert messages[5].text.startswith("Photo du rassemblement")  # a photo's caption
    assert messages[5].origin == Origin("channel", "La Quadrature du Net", -1000000000777)
    assert messages[5].sender == PersonRecord(-1000000000555, "Carte Blanche")
    assert messages[6].entities == ()  # plain text only: Telegram's rules will apply
    assert messages[8].text == ""


def test_old_format_fixture() -> None:
    header, found = fixture_records("telegram_old.json")
    assert header.chat_id == -1000987654321 and header.chat_type == "channel"
    messages = {
        record.message_id: record for record in found if isinstance(record, ExportedMessage)
    }
    assert Counter(r.reason for r in found if isinstance(r, Skipped)) == {
        "service": 1,
        "malformed": 1,
    }
    assert messages[2].text.startswith("Notre carte") and messages[2].entities == ()
    assert messages[2].date == 1559392200  # "2019-06-01T12:30:00" read as UTC
    assert messages[3].edited == 1559463600
    assert messages[4].sender == PersonRecord(4242, "Dora")
    assert messages[4].origin == Origin("hidden_user", "Un membre anonyme")


def test_a_byte_order_mark_is_tolerated() -> None:
    data = b'\xef\xbb\xbf{"name": "G", "type": "private_group", "id": 5, "messages": []}'
    reader = TrackedReader(io.BytesIO(data))
    assert read_header(reader) == ExportHeader("G", "private_group", 5)
    assert list(read_messages(reader)) == []


def test_a_broken_file_names_the_line_and_column() -> None:
    lines = [
        '{"name": "G", "type": "private_group", "id": 5, "messages": [',
        '  {"id": 1, "type": "message", "date_unixtime": "1", "text": "a"},',
        '  {"id": 2, "type": "message" "date_unixtime": "2", "text": "b"}',
        "]}",
    ]
    reader = TrackedReader(io.BytesIO("\n".join(lines).encode()))
    read_header(reader)
    found = []
    with pytest.raises(MalformedFile) as caught:
        for record in read_messages(reader):
            found.append(record)
    assert [r.message_id for r in found if isinstance(r, ExportedMessage)] == [1]
    position = caught.value.position
    assert position is not None and position.line == 3
    assert position.column is not None and 28 <= position.column <= 45
    assert "line 3" in str(caught.value)


def test_a_truncated_file_fails_at_its_end() -> None:
    data = b'{"name": "G", "type": "private_group", "id": 5, "messages": [{"id": 1, "ty'
    reader = TrackedReader(io.BytesIO(data))
    read_header(reader)
    with pytest.raises(MalformedFile) as caught:
        list(read_messages(reader))
    assert caught.value.position is not None and caught.value.position.offset == len(data)


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        (b"<html><body>nope</body></html>", "lexical error"),
        (b"[1, 2]", "not a Telegram Desktop export"),
        (b'{"name": "G", "type": "private_group", "id": 5}', 'no "messages"'),
        (b'{"about": "x", "chats": {"list": []}}', "whole-account export"),
        (b"", "premature EOF"),
    ],
)
def test_files_that_are_no_chat_export(data: bytes, hint: str) -> None:
    with pytest.raises(MalformedFile, match=hint):
        read_header(TrackedReader(io.BytesIO(data)))
