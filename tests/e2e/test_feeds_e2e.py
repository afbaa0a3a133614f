"""End to end with `veille run`: a feed's new entry reaches the chat once, across restarts.

The feed is served by a loopback HTTP server in this process (hence
VEILLE_ALLOW_PRIVATE_NETWORKS=true). Between runs, the test makes the feed due at once by
rewriting its `next_poll_at` in the database, rather than wait for the poll interval.
"""

from __future__ import annotations

import html
import signal
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.process import OPERATOR_ID, bot_process, fake_server, veille_env
from tests.fakes import FakeBotApi, FakeChat, entity_for

pytestmark = pytest.mark.e2e

NEW_URL = "https://www.change.org/p/pas-de-drones"


class FeedDocument:
    """What the feed server answers; the test rewrites `items` between runs."""

    def __init__(self) -> None:
        self.items = [("o-1", "Pétition : stop VSA", "https://www.change.org/p/stop-vsa")]

    def body(self) -> bytes:
        entries = "".join(
            f"<item><guid>{g}</guid><title>{html.escape(t)}</title><link>{link}</link></item>"
            for g, t, link in self.items
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Observatoire</title><link>https://obs.example.org/</link>{entries}"
            "</channel></rss>"
        ).encode()


@contextmanager
def feed_server(document: FeedDocument) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = document.body()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    finally:
        server.shutdown()
        server.server_close()


def announced(fake: FakeBotApi, chat: FakeChat) -> int:
    return sum(NEW_URL in (message.text or "") for message in fake.sent_messages(chat.id))


def make_due(database: Path) -> None:
    """Make the feed due now (the bot is stopped)."""
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE feeds SET next_poll_at = 0")


def polled_again(database: Path) -> bool:
    """The run polled: next_poll_at, set to 0 before it started, is in the future again."""
    with sqlite3.connect(database) as conn:
        (due,) = conn.execute("SELECT next_poll_at FROM feeds").fetchone()
    return int(due) > 0


def test_a_new_entry_is_announced_once_across_restarts_and_edits(tmp_path: Path) -> None:
    fake = FakeBotApi()
    operator = fake.add_user(OPERATOR_ID, "Opé", "ope")
    alice = fake.add_user(11, "Alice", "alice")
    group = fake.add_chat(-1001000006001, "supergroup", "Veille Lyon", "veille_lyon")
    fake.add_bot_to(group, "administrator")
    fake.set_member(group, alice, "administrator")
    database = tmp_path / "veille.sqlite3"
    document = FeedDocument()
    with fake_server(fake) as server, feed_server(document) as url:
        env = veille_env(server, database, VEILLE_ALLOW_PRIVATE_NETWORKS="true")
        with bot_process(env, tmp_path) as bot:
            fake.push_update(fake.my_chat_member(group, operator, "left", "administrator"))
            text = f"/feed add {url}"
            entities = [entity_for(text, "/feed", "bot_command")]
            fake.push_update(fake.message(group, alice, text, entities=entities))
            bot.wait_until(
                lambda: any("Flux n° 1" in (m.text or "") for m in fake.sent_messages())
            )
            assert bot.stop(signal.SIGTERM) == 0
        document.items.insert(0, ("o-3", "Pétition : pas de drones", NEW_URL + "?utm_source=rss"))
        make_due(database)
        with bot_process(env, tmp_path) as bot:  # a restart: the new entry is announced
            bot.wait_until(lambda: announced(fake, group) == 1 and polled_again(database))
            assert bot.stop(signal.SIGTERM) == 0
        document.items[0] = ("o-3", "Pétition (modifiée) : pas de drones", NEW_URL)
        make_due(database)
        with bot_process(env, tmp_path) as bot:  # another restart, the entry edited upstream
            bot.wait_until(lambda: polled_again(database))
            assert bot.stop(signal.SIGTERM) == 0
    assert announced(fake, group) == 1
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT state FROM deliveries").fetchall()
        (count,) = conn.execute("SELECT announced FROM feeds").fetchone()
    assert rows == [("sent",)] and count == 1
