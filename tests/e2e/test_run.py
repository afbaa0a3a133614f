"""End to end: `veille run` as a subprocess, long polling the loopback fake Bot API."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.e2e.process import OPERATOR_ID, bot_process, fake_server, veille, veille_env
from tests.fakes import FakeBotApi, entity_for

pytestmark = pytest.mark.e2e


def test_capture_edit_migrate_then_export(tmp_path: Path) -> None:
    fake = FakeBotApi()
    operator = fake.add_user(OPERATOR_ID, "Opé", "ope")
    alice = fake.add_user(11, "Alice", "alice")
    lyon = fake.add_chat(-1001000000501, "supergroup", "Veille Lyon")
    small = fake.add_chat(-4000502, "group", "Veille Nantes")
    bigger = fake.add_chat(-1001000000503, "supergroup", "Veille Nantes")
    for chat in (lyon, small):
        fake.add_bot_to(chat, "administrator")
        fake.set_member(chat, alice, "member")
    database = tmp_path / "veille.sqlite3"
    text = "La CNIL alerte #Vidéosurveillance https://www.lemonde.fr/a?utm_source=x"
    with fake_server(fake) as server:
        env = veille_env(server, database, VEILLE_LOG_LEVEL="DEBUG")
        with bot_process(env, tmp_path) as bot:
            fake.push_update(
                fake.my_chat_member(lyon, operator, "left", "administrator"),
                fake.my_chat_member(small, operator, "left", "administrator"),
            )
            first = fake.message(
                lyon,
                alice,
                text,
                entities=[
                    entity_for(text, "#Vidéosurveillance", "hashtag"),
                    entity_for(text, "https://www.lemonde.fr/a?utm_source=x", "url"),
                ],
            )
            fake.push_update(
                first, fake.message(small, alice, "https://example.org/nantes #avant")
            )
            bot.wait_until(lambda: len(fake.reactions()) == 2)
            fake.push_update(fake.edited_message(first, "Corrigé #CNIL https://www.lemonde.fr/a"))
            fake.push_update(*fake.migrate(small, bigger))
            fake.push_update(fake.message(bigger, alice, "https://example.org/apres #apres"))
            bot.wait_until(lambda: len(fake.reactions()) == 3)
            assert bot.stop(signal.SIGTERM) == 0
            output = bot.output()
    assert fake.token not in output
    assert fake.token.split(":")[1] not in output
    assert "<token>" in output  # DEBUG logging did mention it, redacted

    done = veille(["export", "--format", "jsonl"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    by_url = {record["url"]: record for record in records}
    assert set(by_url) == {
        "https://www.lemonde.fr/a",
        "https://example.org/nantes",
        "https://example.org/apres",
    }
    lemonde = by_url["https://www.lemonde.fr/a"]
    assert lemonde["chat_id"] == lyon.id
    assert lemonde["tags"] == ["CNIL"] and lemonde["comment"] == "Corrigé"
    assert lemonde["share_count"] == 1 and lemonde["sharers"] == ["Alice"]
    assert by_url["https://example.org/nantes"]["chat_id"] == bigger.id
    assert by_url["https://example.org/apres"]["chat_id"] == bigger.id

    csv_out = veille(["export", "--chat", str(bigger.id), "--format", "csv"], env, tmp_path)
    assert csv_out.returncode == 0
    assert len(csv_out.stdout.strip().splitlines()) == 3  # header + two links
