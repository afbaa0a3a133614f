"""Test doubles for what Veille cannot reach from a test: Telegram's Bot API.

`FakeBotApi` keeps Telegram's state; `FakeRequest` (or `offline_bot`, `offline_application`)
serves it in process; `FakeBotApiServer` serves it over loopback HTTP; `payloads` builds the
JSON and the error answers (`payloads.retry_after(5)`, `payloads.migrated(-100…)`...).

Inside: botapi.py wires `FakeBotApi` over one `TelegramState` (state.py); updates.py builds and
queues updates; endpoints.py and messaging.py answer the methods, under the rules of access.py
and flood.py; records.py holds what tests assert on. payloads.py re-exports chats.py, errors.py
and checks.py. world.py and fixtures.py serve the fake's own tests.
"""

from tests.fakes.botapi import Call, FakeBotApi, SentMessage
from tests.fakes.payloads import FakeChat, FakeUser, entity_for, to_update
from tests.fakes.request import FakeRequest, offline_application, offline_bot
from tests.fakes.server import FakeBotApiServer

__all__ = [
    "Call",
    "FakeBotApi",
    "FakeBotApiServer",
    "FakeChat",
    "FakeRequest",
    "FakeUser",
    "SentMessage",
    "entity_for",
    "offline_application",
    "offline_bot",
    "to_update",
]
