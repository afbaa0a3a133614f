"""Graceful shutdown: SIGTERM and SIGINT stop polling, finish in-flight work, close the DB."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from tests.e2e.process import OPERATOR_ID, bot_process, fake_server, veille, veille_env
from tests.fakes import FakeBotApi

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stop_signals_finish_in_flight_work_and_exit_0(
    tmp_path: Path, sig: signal.Signals
) -> None:
    fake = FakeBotApi()
    operator = fake.add_user(OPERATOR_ID, "Opé")
    member = fake.add_user(11, "Alice")
    group = fake.add_chat(-1001000000701, "supergroup", "Veille Lyon")
    fake.add_bot_to(group, "administrator")
    database = tmp_path / "veille.sqlite3"
    with fake_server(fake) as server:
        env = veille_env(server, database)
        with bot_process(env, tmp_path) as bot:
            fake.push_update(fake.my_chat_member(group, operator, "left", "administrator"))
            first = fake.message(group, member, "https://example.org/0")
            fake.push_update(first)
            bot.wait_until(lambda: len(fake.reactions()) == 1)
            fake.push_update(
                *(fake.message(group, member, f"https://example.org/{i}") for i in range(1, 300))
            )
            bot.wait_until(lambda: len(fake.reactions()) > 20)  # mid-stream
            started = time.monotonic()
            code = bot.stop(sig, timeout=20)
            elapsed = time.monotonic() - started
            output = bot.output()
        acknowledged = {r.message_id for r in fake.reactions()}
    assert code == 0, output
    assert elapsed < 15, f"took {elapsed:.1f}s to stop"
    assert "Traceback" not in output
    assert not (tmp_path / "veille.sqlite3-wal").exists()  # closed cleanly (WAL checkpointed)
    done = veille(["export"], env, tmp_path)
    stored = {
        share["message_id"]
        for line in done.stdout.splitlines()
        for share in json.loads(line)["shares"]
    }
    assert acknowledged <= stored  # every acknowledged share was stored
