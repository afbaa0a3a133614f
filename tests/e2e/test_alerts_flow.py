"""End to end with `veille run`: a petition shared in a group reaches the matching channels."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.process import OPERATOR_ID, bot_process, fake_server, veille_env
from tests.fakes import FakeBotApi, FakeChat, FakeUser, entity_for

pytestmark = pytest.mark.e2e

PETITION = "https://www.change.org/p/stop-videosurveillance-algorithmique"


def command(fake: FakeBotApi, channel: FakeChat, text: str) -> dict[str, Any]:
    entities = [entity_for(text, text.split()[0], "bot_command")]
    return fake.channel_post(channel, text, entities=entities)


def share(fake: FakeBotApi, group: FakeChat, user: FakeUser, text: str) -> dict[str, Any]:
    entities = [entity_for(text, word, "hashtag") for word in text.split() if word[0] == "#"]
    return fake.message(group, user, text, entities=[*entities, entity_for(text, PETITION, "url")])


def announced(fake: FakeBotApi, chat: FakeChat) -> int:
    return sum(PETITION in (message.text or "") for message in fake.sent_messages(chat.id))


def test_x_and_y_receive_z_does_not_and_a_second_share_sends_nothing(tmp_path: Path) -> None:
    fake = FakeBotApi()
    operator = fake.add_user(OPERATOR_ID, "Opé", "ope")
    alice = fake.add_user(11, "Alice", "alice")
    a = fake.add_chat(-1001000003001, "supergroup", "Veille Lyon", "veille_lyon")
    b = fake.add_chat(-1001000003002, "supergroup", "Veille Nantes")
    x, y, z = (
        fake.add_chat(-1001000003010 - n, "channel", f"Canal {name}", name)
        for n, name in enumerate(("x_surveillance", "y_tout", "z_campagnes"))
    )
    for group in (a, b):
        fake.add_bot_to(group, "administrator")
        fake.set_member(group, alice, "member")
    database = tmp_path / "veille.sqlite3"
    with fake_server(fake) as server, bot_process(veille_env(server, database), tmp_path) as bot:
        fake.push_update(
            *(fake.my_chat_member(chat, operator, "left", "administrator") for chat in (a, b)),
            *(
                fake.my_chat_member(c, operator, "left", "administrator", ["can_post_messages"])
                for c in (x, y, z)
            ),
        )
        fake.push_update(
            command(fake, x, "/subscribe pétitions #surveillance"),
            command(fake, y, "/subscribe"),
            command(fake, z, "/subscribe campagnes"),
        )
        bot.wait_until(lambda: all(fake.sent_messages(c.id) for c in (x, y, z)))
        fake.push_update(share(fake, a, alice, f"Signez ! #Surveillance {PETITION}"))
        bot.wait_until(lambda: announced(fake, x) == 1 and announced(fake, y) == 1)
        fake.push_update(share(fake, b, alice, f"#petition à signer {PETITION}"))
        bot.wait_until(lambda: len(fake.reactions(b.id)) == 1)  # stored, hence decided
        assert bot.stop(signal.SIGTERM) == 0
    assert (announced(fake, x), announced(fake, y), announced(fake, z)) == (1, 1, 0)
    [text] = [m.text or "" for m in fake.sent_messages(x.id) if PETITION in (m.text or "")]
    assert 'Partagée dans <a href="https://t.me/veille_lyon">Veille Lyon</a>' in text
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT chat_id, state FROM deliveries ORDER BY chat_id").fetchall()
    assert sorted(rows) == sorted([(x.id, "sent"), (y.id, "sent")])  # nothing queued for B's
