"""`veille feeds`: the list, OPML import and export, on a real database file."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.config import Settings
from bot.feeds_cli import feeds_command
from bot.opml import read_opml
from storage.chats import ChatRepository
from storage.db import Database
from storage.migrate import migrate

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Flux</title></head><body>
  <outline text="Libert\xc3\xa9s num\xc3\xa9riques">
    <outline type="rss" text="Observatoire" xmlUrl="https://libertes.example.org/feed.xml?utm_source=opml"/>
    <outline type="rss" text="Vigie" xmlUrl="https://vigie.example.org/feed.json"/>
  </outline>
  <outline type="rss" text="Sans dossier" xmlUrl="https://sans.example.org/rss"/>
  <outline type="rss" text="Pas web" xmlUrl="ftp://ftp.example.org/rss"/>
</body></opml>
"""
GROUP = -1001000007001


def veille_feeds(settings: Settings, *argv: str) -> int:
    return feeds_command(settings, build_parser().parse_args(["feeds", *argv]))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, database=tmp_path / "v.sqlite3", feed_poll_seconds=600)


def test_import_list_export_round_trip(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = tmp_path / "flux.opml"
    opml.write_bytes(OPML)
    assert veille_feeds(settings, "import", str(opml)) == 0
    assert capsys.readouterr().out == (
        "3 feeds imported, 0 already there, 1 not http(s) addresses\n"
    )
    assert veille_feeds(settings, "import", str(opml)) == 0
    assert capsys.readouterr().out.startswith("0 feeds imported, 3 already there")
    with sqlite3.connect(settings.database) as conn:
        rows = conn.execute(
            "SELECT url, chat_id, public, primed, tags, next_poll_at - created_at FROM feeds"
        ).fetchall()
    assert [row[:5] for row in rows] == [
        (
            "https://libertes.example.org/feed.xml",
            None,
            1,
            0,
            '[["libertesnumeriques", "LibertésNumériques"]]',
        ),
        (
            "https://vigie.example.org/feed.json",
            None,
            1,
            0,
            '[["libertesnumeriques", "LibertésNumériques"]]',
        ),
        ("https://sans.example.org/rss", None, 1, 0, "[]"),
    ]
    assert all(0 <= row[5] < 600 for row in rows)  # first polls spread over one interval
    assert veille_feeds(settings) == 0
    listing = capsys.readouterr().out
    assert "#1 active community auto every 600s https://libertes.example.org/feed.xml" in listing
    assert listing.endswith("3 active\n")
    assert veille_feeds(settings, "export") == 0
    exported = read_opml(capsys.readouterr().out.encode())
    assert [(f.url, f.folders) for f in exported] == [
        ("https://libertes.example.org/feed.xml", ("LibertésNumériques",)),
        ("https://vigie.example.org/feed.json", ("LibertésNumériques",)),
        ("https://sans.example.org/rss", ()),
    ]


def test_import_into_a_chat_needs_the_chat(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = tmp_path / "flux.opml"
    opml.write_bytes(OPML)
    assert veille_feeds(settings, "import", str(opml), "--chat", str(GROUP)) == 1
    assert f"no chat {GROUP}" in capsys.readouterr().err

    async def add_chat() -> None:
        async with Database(settings.database) as db:
            await migrate(db)
            await ChatRepository(db).upsert(GROUP, type="channel", title="Canal", username=None)

    asyncio.run(add_chat())
    args = ("import", str(opml), "--chat", str(GROUP), "--kind", "petition")
    assert veille_feeds(settings, *args) == 0
    with sqlite3.connect(settings.database) as conn:
        rows = conn.execute("SELECT DISTINCT chat_id, kind, public FROM feeds").fetchall()
    assert rows == [(GROUP, "petition", 0)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<!DOCTYPE x [<!ENTITY a 'b'>]><opml/>", "DOCTYPE"),
        (b"<html><body>nope</body></html>", "no <opml>"),
    ],
)
def test_bad_opml_is_one_line_and_exit_1(
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    message: str,
) -> None:
    opml = tmp_path / "bad.opml"
    opml.write_bytes(content)
    assert veille_feeds(settings, "import", str(opml)) == 1
    err = capsys.readouterr().err
    assert err.startswith("veille: cannot import") and message in err
    assert veille_feeds(settings, "import") == 2
