"""`veille doctor` against the loopback fake Bot API and a real database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.config import Settings
from bot.doctor import Finding, diagnose, print_findings
from storage.chats import ChatRepository
from storage.db import Database
from storage.migrate import migrate
from tests.e2e.process import veille
from tests.fakes import FakeBotApi, FakeBotApiServer


def settings(server: FakeBotApiServer, tmp_path: Path, **values: object) -> Settings:
    base: dict[str, object] = {
        "bot_token": server.fake.token,
        "api_base_url": server.base_url,
        "database": tmp_path / "v.sqlite3",
        "operators": frozenset({1000}),
        **values,
    }
    return Settings(_env_file=None, **base)  # type: ignore[arg-type]


async def _approved_chats(path: Path, *chats: tuple[int, str, str]) -> None:
    async with Database(path) as db:
        await migrate(db)
        for chat_id, kind, title in chats:
            await ChatRepository(db).upsert(
                chat_id, type=kind, title=title, username=None, status="approved"
            )


def _levels(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.level, f.text) for f in findings]


async def test_a_healthy_deployment(tmp_path: Path) -> None:
    fake = FakeBotApi(can_read_all_group_messages=True)
    group = fake.add_chat(-1001000000601, "supergroup", "Veille Lyon")
    fake.add_bot_to(group, "member")
    with FakeBotApiServer(fake) as server:
        config = settings(server, tmp_path)
        await _approved_chats(config.database, (group.id, "supergroup", "Veille Lyon"))
        findings = await diagnose(config)
    assert [f.level for f in findings] == ["ok"] * len(findings)
    texts = " ".join(f.text for f in findings)
    assert "@veille_test_bot" in texts and "Veille Lyon" in texts
    out = io.StringIO()
    assert print_findings(findings, out) == 0
    assert out.getvalue().startswith("✓ ")


async def test_problems_are_named_in_plain_words(tmp_path: Path) -> None:
    fake = FakeBotApi(can_read_all_group_messages=False)
    reader = fake.add_chat(-1001000000602, "supergroup", "Groupe muet")
    fake.add_bot_to(reader, "member")  # privacy mode on and not admin: cannot read
    gone = fake.add_chat(-1001000000603, "supergroup", "Groupe quitté")
    channel = fake.add_chat(-1001000000604, "channel", "Canal")
    fake.add_bot_to(channel, "administrator", rights=[])  # admin without the right to post
    with FakeBotApiServer(fake) as server:
        config = settings(server, tmp_path, operators=frozenset())
        await _approved_chats(
            config.database,
            (reader.id, "supergroup", "Groupe muet"),
            (gone.id, "supergroup", "Groupe quitté"),
            (channel.id, "channel", "Canal"),
        )
        findings = await diagnose(config)
    problems = [text for level, text in _levels(findings) if level == "problem"]
    warnings = [text for level, text in _levels(findings) if level == "warning"]
    assert any("VEILLE_OPERATORS est vide" in text for text in problems)
    assert any("Groupe muet" in text and "administrateur" in text for text in problems)
    assert any("Groupe quitté" in text for text in problems)
    assert any("Canal" in text and "publier" in text for text in warnings)
    assert any("confidentialité activé" in text for text in warnings)


async def test_a_rejected_token_and_a_pending_migration(tmp_path: Path) -> None:
    fake = FakeBotApi()
    with FakeBotApiServer(fake) as server:
        wrong = settings(server, tmp_path, bot_token="999:wrong-token")
        findings = await diagnose(wrong)
    assert _levels(findings) == [("problem", findings[0].text)]
    assert "refuse le jeton" in findings[0].text


@pytest.mark.e2e
def test_cli_exit_codes(tmp_path: Path) -> None:
    fake = FakeBotApi()
    with FakeBotApiServer(fake) as server:
        env = {
            "PATH": "/usr/bin:/bin",
            "VEILLE_BOT_TOKEN": fake.token,
            "VEILLE_API_BASE_URL": server.base_url,
            "VEILLE_DATABASE": str(tmp_path / "v.sqlite3"),
            "VEILLE_DEFAULT_LANGUAGE": "en",
        }
        healthy = veille(["doctor"], {**env, "VEILLE_OPERATORS": "1000"}, tmp_path)
        broken = veille(["doctor"], env, tmp_path)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "✓ The token is valid" in healthy.stdout
    assert broken.returncode == 1
    assert "✗ VEILLE_OPERATORS is empty" in broken.stdout
