"""Random but well-typed updates through the real Application: nothing reaches the error handler.

Each example builds a fresh bot (fake Bot API, real SQLite file) and feeds it a random sequence
of messages, captions, edits, channel posts, commands with odd arguments, callback queries with
random data, membership changes, inline queries and documents.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any, cast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes import FakeBotApi
from tests.fakes.chats import MemberStatus
from tests.handlers.harness import OPERATOR_ID, running

COMMANDS = [
    "/start",
    "/help",
    "/lang",
    "/ack",
    "/search",
    "/tags",
    "/recent",
    "/delete",
    "/forgetme",
    "/previews",
    "/alerts",
    "/subscribe",
    "/unsubscribe",
    "/subscriptions",
    "/status",
    "/feed",
    "/import",
]
WORDS = st.sampled_from(
    [
        "https://www.lemonde.fr/a?utm_source=x",
        "#Vidéosurveillance",
        "#123",
        '"',
        "-",
        "OR",
        "NEAR(",
        "*",
        ":",
        "site:",
        "from:@",
        "since:2024-13-45",
        "kind:petition",
        "fr",
        "en",
        "on",
        "off",
        "@canal",
        "#",
        "'; DROP TABLE links; --",
        "🔥",
        "\u202e",
        "\x00",
        "é",
        "https://change.org/p/stop",
        "pétitions",
        "reply",
        "silent",
        "list",
        "add",
        "remove",
    ]
)
FREE_TEXT = st.one_of(st.text(max_size=80), st.lists(WORDS, max_size=8).map(" ".join))
COMMAND_TEXT = st.tuples(st.sampled_from(COMMANDS), FREE_TEXT).map(" ".join)


def _command_entities(text: str) -> list[dict[str, Any]]:
    first = text.split(" ", 1)[0]
    if not first.startswith("/"):
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(first.encode("utf-16-le")) // 2}]


ACTION = st.one_of(
    st.tuples(st.just("message"), FREE_TEXT),
    st.tuples(st.just("caption"), FREE_TEXT),
    st.tuples(st.just("command"), COMMAND_TEXT),
    st.tuples(st.just("private"), COMMAND_TEXT),
    st.tuples(st.just("edit"), FREE_TEXT),
    st.tuples(st.just("channel"), st.one_of(FREE_TEXT, COMMAND_TEXT)),
    st.tuples(st.just("callback"), st.text(max_size=64)),
    st.tuples(st.just("inline"), FREE_TEXT),
    st.tuples(st.just("member"), st.sampled_from(["left", "member", "administrator", "kicked"])),
    st.tuples(st.just("document"), FREE_TEXT),
)


class World:
    def __init__(self, fake: FakeBotApi) -> None:
        self.fake = fake
        self.operator = fake.add_user(OPERATOR_ID, "Opé", "ope")
        self.member = fake.add_user(11, "Alice", "alice")
        self.group = fake.add_chat(-1001000000901, "supergroup", "Groupe")
        self.channel = fake.add_chat(-1001000000902, "channel", "Canal", "canal")
        fake.add_bot_to(self.group, "administrator")
        fake.add_bot_to(self.channel, "administrator", ["can_post_messages"])
        fake.set_member(self.group, self.member, "member")
        fake.private_chat(self.member)
        fake.private_chat(self.operator)
        self.last: dict[str, Any] | None = None

    def update(self, kind: str, value: str) -> dict[str, Any]:
        fake, group, member = self.fake, self.group, self.member
        if kind == "message":
            self.last = fake.message(group, member, value or None)
            return self.last
        if kind == "caption":
            return fake.message(group, member, value, caption=True, photo=True)
        if kind == "command":
            return fake.message(group, member, value, entities=_command_entities(value))
        if kind == "private":
            chat = fake.private_chat(member)
            return fake.message(chat, member, value, entities=_command_entities(value))
        if kind == "edit" and self.last is not None:
            return fake.edited_message(self.last, value or ".")
        if kind == "channel":
            return fake.channel_post(self.channel, value, entities=_command_entities(value))
        if kind == "callback":
            return fake.callback_query(member, self._any_message(), value or "x")
        if kind == "inline":
            return fake.inline_query(member, value[:256])
        if kind == "member":
            status = cast("MemberStatus", value)
            return fake.my_chat_member(group, self.operator, "administrator", status)
        if kind == "document":
            chat = fake.private_chat(member)
            fake.add_file("file-1", b'{"messages": []}', file_name="result.json")
            return fake.document_message(chat, member, "file-1", "result.json", 16, value)
        return fake.message(group, member, value)

    def _any_message(self) -> dict[str, Any]:
        sent = self.fake.sent_messages()
        return (
            sent[-1].payload
            if sent
            else self.fake.message(self.group, self.member, "x")["message"]
        )


async def _feed(actions: list[tuple[str, str]], workdir: Path) -> list[logging.LogRecord]:
    fake = FakeBotApi()
    world = World(fake)
    records: list[logging.LogRecord] = []
    handler = _Collect(records)
    logging.getLogger("handlers.errors").addHandler(handler)
    try:
        async with running(workdir, fake, open_registration=True) as harness:
            await harness.send(
                fake.my_chat_member(world.group, world.operator, "left", "administrator")
            )
            for kind, value in actions:
                await harness.send(world.update(kind, value))
    finally:
        logging.getLogger("handlers.errors").removeHandler(handler)
    return records


class _Collect(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(ACTION, min_size=1, max_size=25))
def test_no_update_reaches_the_error_handler(actions: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        errors = asyncio.run(_feed(actions, Path(workdir)))
    assert [r.getMessage() + str(r.exc_info) for r in errors] == []
