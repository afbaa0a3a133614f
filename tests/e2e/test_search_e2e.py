"""End to end: `veille run` answers /search and inline queries; `veille reindex` rebuilds."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.e2e.process import OPERATOR_ID, bot_process, fake_server, veille, veille_env
from tests.fakes import FakeBotApi, entity_for

pytestmark = pytest.mark.e2e


def test_search_in_a_group_and_inline_then_reindex(tmp_path: Path) -> None:
    fake = FakeBotApi()
    operator = fake.add_user(OPERATOR_ID, "Opé", "ope")
    alice = fake.add_user(11, "Alice", "alice")
    lyon = fake.add_chat(-1001000000601, "supergroup", "Veille Lyon")
    paris = fake.add_chat(-1001000000602, "supergroup", "Veille Paris")
    for chat in (lyon, paris):
        fake.add_bot_to(chat, "administrator")
    fake.set_member(lyon, alice, "member")
    database = tmp_path / "veille.sqlite3"
    search = "/search l'État #VSA"
    with fake_server(fake) as server:
        env = veille_env(server, database)
        with bot_process(env, tmp_path) as bot:
            fake.push_update(
                fake.my_chat_member(lyon, operator, "left", "administrator"),
                fake.my_chat_member(paris, operator, "left", "administrator"),
            )
            fake.push_update(
                fake.message(lyon, alice, "L’État et la VSA https://a.org/lyon #vsa"),
                fake.message(paris, operator, "L’État et la VSA https://a.org/paris #vsa"),
            )
            bot.wait_until(lambda: len(fake.reactions()) == 2)
            command = [entity_for(search, "/search", "bot_command")]
            fake.push_update(fake.message(lyon, alice, search, entities=command))
            fake.push_update(fake.inline_query(alice, "état"))
            bot.wait_until(lambda: bool(fake.sent_messages(lyon.id) and fake.inline_answers()))
            assert bot.stop(signal.SIGTERM) == 0
    [reply] = fake.sent_messages(lyon.id)
    assert "https://a.org/lyon" in (reply.text or "") and "paris" not in (reply.text or "")
    [answer] = fake.inline_answers()
    assert [r["input_message_content"]["message_text"] for r in answer.results] == [
        "https://a.org/lyon"
    ]
    done = veille(["reindex"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "index de recherche reconstruit : 2 liens" in done.stdout
