"""A small Telegram world (three people, three chats) and helpers for tests of the fake itself.

`build_world()` is what the `world` fixture (fixtures.py) gives each test; `leftovers` finds what
PTB could not parse; `http_bot` and `eventually` serve the loopback tests.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from telegram import Bot, TelegramObject
from telegram.request import HTTPXRequest

from tests.fakes.botapi import FakeBotApi
from tests.fakes.payloads import FakeChat, FakeUser
from tests.fakes.server import FakeBotApiServer

T = TypeVar("T")


class ManualClock:
    """A clock the test moves by hand (`clock.now += 60`): flood windows without sleeping."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class World:
    """The fake, and the people and chats every test of the fake starts from."""

    fake: FakeBotApi
    clock: ManualClock
    alice: FakeUser
    bob: FakeUser
    leila: FakeUser
    group: FakeChat
    basic: FakeChat
    channel: FakeChat


def build_world() -> World:
    clock = ManualClock()
    fake = FakeBotApi(clock=clock)
    alice = fake.add_user(111, "Alice", "alice_lqdn")
    bob = fake.add_user(222, "Bénédicte", last_name="Éluard")
    leila = fake.add_user(333, "ليلى", "leila")
    group = fake.add_chat(-1001234567890, "supergroup", "Veille Lyon 🔍", "veille_lyon")
    basic = fake.add_chat(-4001, "group", "Collectif Gare")
    channel = fake.add_chat(-1009876543210, "channel", "Pétitions", "petitions_fr")
    fake.add_bot_to(group, "administrator", ["can_delete_messages", "can_pin_messages"])
    fake.add_bot_to(basic)
    fake.add_bot_to(channel, "administrator", ["can_post_messages", "can_edit_messages"])
    fake.set_member(group, alice, "creator")
    fake.set_member(group, bob, "member")
    return World(fake, clock, alice, bob, leila, group, basic, channel)


def http_bot(fake: FakeBotApi, server: FakeBotApiServer, token: str | None = None) -> Bot:
    """PTB's real HTTPXRequest, short timeouts so that timeout tests stay fast."""
    return Bot(
        token or fake.token,
        base_url=server.base_url,
        base_file_url=server.base_file_url,
        request=HTTPXRequest(read_timeout=0.5),
        get_updates_request=HTTPXRequest(read_timeout=0.5),
    )


def leftovers(obj: object, path: str = "") -> list[str]:
    """Fields PTB did not recognise (api_kwargs), anywhere in a parsed object."""
    if isinstance(obj, tuple | list):
        return [found for i, item in enumerate(obj) for found in leftovers(item, f"{path}[{i}]")]
    if not isinstance(obj, TelegramObject):
        return []
    found = [f"{path}: {sorted(obj.api_kwargs)}"] if obj.api_kwargs else []
    for name, value in obj._get_attrs(recursive=False).items():
        if name not in ("api_kwargs", "_bot"):
            found += leftovers(value, f"{path}.{name}")
    return found


async def eventually(probe: Callable[[], T], within: float = 5.0) -> T:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")
