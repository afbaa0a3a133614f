"""Fixtures every handler test module may use: the fake Bot API, its people and two groups,
a running bot.

A module that needs them otherwise (other users, settings, chats) defines its own, which
pytest prefers to these.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes import FakeBotApi, FakeChat, FakeUser
from tests.handlers.harness import OPERATOR_ID, Harness, running


@pytest.fixture
def fake() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
def operator(fake: FakeBotApi) -> FakeUser:
    return fake.add_user(OPERATOR_ID, "Opé", "ope")


@pytest.fixture
def alice(fake: FakeBotApi) -> FakeUser:
    return fake.add_user(11, "Alice", "alice", language_code="fr")


@pytest.fixture
def bob(fake: FakeBotApi) -> FakeUser:
    return fake.add_user(22, "Bob", "bob", language_code="fr")


@pytest.fixture
def group_a(fake: FakeBotApi) -> FakeChat:
    return fake.add_chat(-1001000000111, "supergroup", "Groupe A")


@pytest.fixture
def group_b(fake: FakeBotApi) -> FakeChat:
    return fake.add_chat(-1001000000222, "supergroup", "Groupe B")


@pytest.fixture
async def harness(tmp_path: Path, fake: FakeBotApi) -> AsyncIterator[Harness]:
    async with running(tmp_path, fake) as h:
        yield h


@pytest.fixture
def private_chats(fake: FakeBotApi, operator: FakeUser, alice: FakeUser, bob: FakeUser) -> None:
    """The operator, Alice and Bob have opened a private chat with the bot."""
    for user in (operator, alice, bob):
        fake.private_chat(user)
