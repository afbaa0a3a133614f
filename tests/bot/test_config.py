from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

TOKEN = "123456:TEST-secret-token"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("VEILLE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VEILLE_BOT_TOKEN", TOKEN)
    settings = load_settings(env_file=None)
    assert settings.token == TOKEN
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.database == Path("./data/veille.sqlite3")
    assert settings.operators == frozenset()
    assert not settings.open_registration and settings.fetch_previews
    assert not settings.allow_private_networks
    assert settings.feed_poll_seconds == 600 and settings.log_level == "INFO"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", frozenset()), ("42", {42}), ("1, 2,3", {1, 2, 3}), (" 7 ,", {7})],
)
def test_operators_are_comma_separated_ids(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: set[int]
) -> None:
    monkeypatch.setenv("VEILLE_OPERATORS", raw)
    assert load_settings(env_file=None).operators == expected


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("VEILLE_OPERATORS", "abc", "VEILLE_OPERATORS is invalid (got 'abc')"),
        ("VEILLE_OPERATORS", "12,@bob", "VEILLE_OPERATORS"),
        ("VEILLE_OPEN_REGISTRATION", "perhaps", "VEILLE_OPEN_REGISTRATION"),
        ("VEILLE_FEED_POLL_SECONDS", "-5", "VEILLE_FEED_POLL_SECONDS"),
        ("VEILLE_LOG_LEVEL", "LOUD", "VEILLE_LOG_LEVEL"),
        ("VEILLE_API_BASE_URL", "api.telegram.org", "VEILLE_API_BASE_URL"),
        ("VEILLE_BOT_TOKEN", "has space", "VEILLE_BOT_TOKEN"),
    ],
)
def test_malformed_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, fragment: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)
    message = str(raised.value)
    assert fragment in message and "\n" not in message


def test_the_token_is_never_echoed_in_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VEILLE_BOT_TOKEN", "123:secret value")
    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)
    assert "secret" not in str(raised.value)


def test_database_under_a_file_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    monkeypatch.setenv("VEILLE_DATABASE", str(tmp_path / "afile" / "sub" / "v.sqlite3"))
    with pytest.raises(SettingsError, match=r"VEILLE_DATABASE=.*not a writable directory"):
        load_settings(env_file=None)


def test_database_path_that_is_a_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VEILLE_DATABASE", str(tmp_path))
    with pytest.raises(SettingsError, match="is a directory"):
        load_settings(env_file=None)


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"VEILLE_BOT_TOKEN={TOKEN}\nVEILLE_OPERATORS=5,6\n")
    settings = load_settings()
    assert settings.operators == {5, 6} and settings.token == TOKEN


def _veille(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({}, "VEILLE_BOT_TOKEN is required"),
        ({"VEILLE_BOT_TOKEN": TOKEN, "VEILLE_OPERATORS": "abc"}, "VEILLE_OPERATORS"),
        ({"VEILLE_BOT_TOKEN": TOKEN, "VEILLE_DATABASE": "afile/x.db"}, "VEILLE_DATABASE"),
    ],
)
def test_cli_reports_bad_settings_in_one_line_with_exit_2(
    tmp_path: Path, env: dict[str, str], fragment: str
) -> None:
    (tmp_path / "afile").write_text("")
    done = _veille(["run"], env, tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]
    assert "Traceback" not in done.stderr
