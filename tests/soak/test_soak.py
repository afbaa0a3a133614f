"""Soak: `veille run` under mixed traffic, killed with SIGKILL and restarted, loses nothing.

Opt-in (`pytest -m soak`); `.ci/run` runs it with a short duration (VEILLE_SOAK_SECONDS).
Traffic: shares in 20 groups (plain links, petitions and campaigns with hashtags, edits),
searches, channel subscriptions, and a feed on a loopback server when the feeds module exists.
The bot is killed three times mid-traffic. At the end:

- every share the bot acknowledged (reacted to) is in `veille export`;
- every announcement reached every channel whose filters match, duplicates within the bound
  (in-flight deliveries at each kill);
- `PRAGMA integrity_check` is ok;
- the resident memory of the steady bot does not keep growing.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.process import OPERATOR_ID, BotProcess, fake_server, veille, veille_env
from tests.fakes import FakeBotApi, FakeChat, FakeUser, entity_for

pytestmark = [pytest.mark.soak, pytest.mark.e2e]

DURATION = float(os.environ.get("VEILLE_SOAK_SECONDS", "60"))
KILLS = 3
DELIVERY_CONCURRENCY = 8  # VEILLE_DELIVERY_CONCURRENCY's default: the in-flight bound per kill


@dataclass
class Expected:
    """What the traffic generator sent, and which channel should receive which announcement."""

    announced: dict[str, set[str]] = field(default_factory=dict)  # channel title -> URLs
    # (chat, message) -> (kind, text, url) of every share pushed
    messages: dict[tuple[int, int], tuple[str, str, str]] = field(default_factory=dict)


@dataclass
class World:
    fake: FakeBotApi
    operator: FakeUser
    users: list[FakeUser]
    groups: list[FakeChat]
    channels: dict[str, FakeChat]

    @classmethod
    def build(cls) -> World:
        fake = FakeBotApi()
        operator = fake.add_user(OPERATOR_ID, "Opé", "ope")
        users = [fake.add_user(100 + i, f"Membre {i}", f"membre{i}") for i in range(40)]
        groups = [
            fake.add_chat(-1001000001000 - g, "supergroup", f"Groupe {g}") for g in range(20)
        ]
        for index, group in enumerate(groups):
            fake.add_bot_to(group, "administrator")
            for user in users[index % 4 :: 4]:
                fake.set_member(group, user, "member")
        channels = {
            name: fake.add_chat(-1001000002000 - i, "channel", name, f"canal{i}")
            for i, name in enumerate(("Tout", "Pétitions surveillance", "Campagnes"))
        }
        for channel in channels.values():
            fake.add_bot_to(channel, "administrator", ["can_post_messages"])
        return cls(fake, operator, users, groups, channels)


def _entities(text: str, urls: list[str], tags: list[str]) -> list[dict[str, Any]]:
    return [entity_for(text, url, "url") for url in urls] + [
        entity_for(text, tag, "hashtag") for tag in tags
    ]


class Traffic(threading.Thread):
    """Pushes a steady mix of updates until stopped."""

    def __init__(self, world: World, expected: Expected, rate: float = 40.0) -> None:
        super().__init__(daemon=True)
        self.world, self.expected, self.rate = world, expected, rate
        self.stopping = threading.Event()
        self.rng = random.Random(20261129)
        self.serial = 0
        self.last: dict[str, Any] | None = None

    def run(self) -> None:
        while not self.stopping.is_set():
            self.world.fake.push_update(self.next_update())
            time.sleep(1 / self.rate)

    def next_update(self) -> dict[str, Any]:
        self.serial += 1
        roll = self.rng.random()
        group = self.rng.choice(self.world.groups)
        user = self.rng.choice([u for u in self.world.users if u.id % 4 == (abs(group.id) % 4)])
        if roll < 0.08:
            text = "/search surveillance"
            return self.world.fake.message(group, user, text, entities=[_command(text)])
        if roll < 0.12 and self.last is not None:
            return self.world.fake.edited_message(self.last, self.last_text + " #corrigé")
        return self.share(group, user)

    def share(self, group: FakeChat, user: FakeUser) -> dict[str, Any]:
        kind = self.rng.choices(["link", "petition", "campaign"], [0.7, 0.2, 0.1])[0]
        n = self.serial
        if kind == "petition":
            urls = [f"https://www.change.org/p/soak-{n}"]
            tags = ["#surveillance"] if n % 2 else ["#libertés"]
        elif kind == "campaign":
            urls = [f"https://example.org/campagne/{n}"]
            tags = ["#mobilisation"]
        else:
            urls = [f"https://www.lemonde.fr/article/{n}?utm_source=tg"]
            tags = self.rng.sample(["#VSA", "#CNIL", "#police"], k=self.rng.randint(0, 2))
        text = " ".join(["Lire", *urls, *tags])
        update = self.world.fake.message(group, user, text, entities=_entities(text, urls, tags))
        self.last, self.last_text = update, text
        key = (group.id, update["message"]["message_id"])
        self.expected.messages[key] = (kind, text, urls[0])
        return update


def _command(text: str) -> dict[str, Any]:
    return {"type": "bot_command", "offset": 0, "length": len(text.split(" ")[0])}


def _subscribe(world: World) -> None:
    filters = {
        "Tout": "",
        "Pétitions surveillance": " pétitions #surveillance",
        "Campagnes": " campagnes",
    }
    fake = world.fake
    for group in world.groups:
        fake.push_update(fake.my_chat_member(group, world.operator, "left", "administrator"))
    for name, channel in world.channels.items():
        fake.push_update(
            fake.my_chat_member(
                channel, world.operator, "left", "administrator", ["can_post_messages"]
            )
        )
        text = "/subscribe" + filters[name]
        fake.push_update(fake.channel_post(channel, text, entities=[_command(text)]))


def _expected_announcements(world: World, expected: Expected) -> dict[str, set[str]]:
    acked = {(r.chat_id, r.message_id) for r in world.fake.reactions()}
    per_channel: dict[str, set[str]] = {name: set() for name in world.channels}
    for key, (kind, text, url) in expected.messages.items():
        if key not in acked or kind == "link":
            continue
        per_channel["Tout"].add(url)
        if kind == "petition" and "#surveillance" in text:
            per_channel["Pétitions surveillance"].add(url)
        if kind == "campaign":
            per_channel["Campagnes"].add(url)
    return per_channel


def _received(world: World) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for name, channel in world.channels.items():
        counts[name] = Counter(
            word
            for message in world.fake.sent_messages(channel.id)
            for word in (message.text or "").split()
            if word.startswith("https://")
        )
    return counts


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@pytest.mark.timeout(int(DURATION * 3) + 300)
def test_soak_with_kills(tmp_path: Path) -> None:
    world = World.build()
    expected = Expected()
    database = tmp_path / "veille.sqlite3"
    traffic = Traffic(world, expected)
    memory: list[int] = []
    with fake_server(world.fake) as server:
        # The fake enforces no flood limit here; the bot's own limits are raised so that the
        # announcements of a short, dense soak can drain in seconds, not hours.
        env = veille_env(
            server,
            database,
            VEILLE_LOG_LEVEL="WARNING",
            VEILLE_DELIVERY_PER_SECOND="200",
            VEILLE_DELIVERY_PER_CHAT_PER_MINUTE="6000",
        )
        bot = BotProcess(env, tmp_path)
        try:
            _subscribe(world)
            bot.wait_until(lambda: len(world.fake.sent_messages()) >= len(world.channels), 30)
            traffic.start()
            phase = DURATION / (KILLS + 1)
            for _ in range(KILLS):
                time.sleep(phase)
                bot.stop(signal.SIGKILL)
                bot.close()
                bot = BotProcess(env, tmp_path)
            # Let the restarted bot catch up with the backlog, then sample a steady bot's memory.
            bot.wait_until(lambda: len(world.fake.pending_updates()) < 20, timeout=60)
            time.sleep(2)
            deadline = time.monotonic() + max(phase, 12.0)
            while time.monotonic() < deadline:
                memory.append(_rss_kib(bot.process.pid))
                time.sleep(0.5)
            traffic.stopping.set()
            traffic.join()
            want = _expected_announcements(world, expected)

            def delivered() -> bool:
                got = _received(world)
                return all(want[name] <= set(got[name]) for name in want)

            bot.wait_until(delivered, timeout=60)
            assert bot.stop(signal.SIGTERM) == 0, bot.output()[-3000:]
            output = bot.output()
        finally:
            bot.close()
    assert "Traceback" not in output, output[-3000:]

    # Every acknowledged share is stored.
    done = veille(["export"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    stored = {
        (record["chat_id"], share["message_id"])
        for line in done.stdout.splitlines()
        for record in [json.loads(line)]
        for share in record["shares"]
    }
    acked = {(r.chat_id, r.message_id) for r in world.fake.reactions()}
    assert acked <= stored, sorted(acked - stored)[:10]

    # Every announcement reached every matching channel, duplicates within the bound.
    got = _received(world)
    duplicates = sum(count - 1 for counts in got.values() for count in counts.values())
    assert all(want[name] <= set(got[name]) for name in want)
    assert duplicates <= KILLS * DELIVERY_CONCURRENCY

    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    # A steady bot's memory does not keep growing: the last samples stay near the first ones.
    assert len(memory) >= 8
    quarter = len(memory) // 4
    early = sum(memory[:quarter]) / quarter
    late = sum(memory[-quarter:]) / quarter
    print(
        f"steady RSS: {early / 1024:.1f} MiB -> {late / 1024:.1f} MiB over {len(memory)} samples"
    )
    assert late <= early * 1.10 + 4 * 1024, (early, late, memory)
