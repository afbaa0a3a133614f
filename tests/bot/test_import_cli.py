"""`veille import …` on the command line: summaries, exit codes, progress, the JSONL round trip."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from bot.cli import build_parser, write_export
from bot.config import Settings
from bot.import_cli import ProgressReport, import_command, progress_line
from bot.importing import ImportProgress

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def settings_for(database: Path) -> Settings:
    return Settings(_env_file=None, database=database)


def veille_import(settings: Settings, *argv: str) -> int:
    return import_command(settings, build_parser().parse_args(["import", *argv]))


def test_a_telegram_export_prints_its_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(tmp_path / "v.sqlite3")
    code = veille_import(
        settings, "telegram", str(FIXTURES / "telegram_current.json"), "--chat", "-1001234567890"
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[:4] == [
        "Import terminé (export Telegram → chat -1001234567890).",
        "Messages lus : 10",
        "Avec des liens : 5",
        "Liens ajoutés : 5 · déjà connus : 1",
    ]
    assert "Chat -1001234567890 créé (accepté)" in out


def test_an_export_of_another_chat_fails_with_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(tmp_path / "v.sqlite3")
    path = str(FIXTURES / "telegram_current.json")
    assert veille_import(settings, "telegram", path, "--chat", "-100") == 1
    assert "--any-chat" in capsys.readouterr().err
    assert veille_import(settings, "telegram", path, "--chat", "-100", "--any-chat") == 0


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["telegram", "missing.json", "--chat", "-1"], 1, "no such file"),
        (["telegram", "FIXTURE", "--chat", "-1", "--timezone", "Mars/Olympus"], 2, "time zone"),
    ],
)
def test_operator_mistakes_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    argv = [str(FIXTURES / "telegram_old.json") if arg == "FIXTURE" else arg for arg in argv]
    assert veille_import(settings_for(tmp_path / "v.sqlite3"), *argv) == code
    assert message in capsys.readouterr().err


def test_a_malformed_file_fails_with_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "result.json"
    text = (FIXTURES / "telegram_current.json").read_text()
    broken.write_text(text.replace('"id": 4,', '"id": 4 ,,'))
    code = veille_import(
        settings_for(tmp_path / "v.sqlite3"), "telegram", str(broken), "--chat", "-1001234567890"
    )
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("⚠️ Import interrompu (export Telegram → chat -1001234567890) : ")
    assert "à la ligne 78, colonne 14" in out and "Liens ajoutés : 3" in out


def test_bookmarks_and_private_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = settings_for(tmp_path / "v.sqlite3")
    path = str(FIXTURES / "bookmarks_shaarli.html")
    assert veille_import(settings, "bookmarks", path, "--chat", "-1001") == 0
    assert "privés (1)" in capsys.readouterr().out
    assert veille_import(settings, "bookmarks", path, "--chat", "-1001", "--include-private") == 0
    assert "Liens ajoutés : 1 · déjà connus : 2" in capsys.readouterr().out


def test_export_import_export_through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = settings_for(tmp_path / "old.sqlite3"), settings_for(tmp_path / "new.sqlite3")
    veille_import(old, "telegram", str(FIXTURES / "telegram_old.json"), "--chat", "-1000987654321")
    veille_import(old, "bookmarks", str(FIXTURES / "bookmarks_firefox.html"), "--chat", "-1001")
    first = io.StringIO()
    asyncio.run(write_export(old, None, "jsonl", first))
    dump = tmp_path / "veille.jsonl"
    dump.write_text(first.getvalue())
    assert veille_import(new, "jsonl", str(dump)) == 0
    second = io.StringIO()
    asyncio.run(write_export(new, None, "jsonl", second))
    assert second.getvalue() == first.getvalue() and first.getvalue().count("\n") == 7
    assert "Chats inconnus jusqu'ici, créés (acceptés) : 2" in capsys.readouterr().out


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_elsewhere() -> None:
    steps = [ImportProgress(500 * n, 1024 * 1024 * n, 4 * 1024 * 1024) for n in (1, 2, 4)]
    terminal = Terminal()
    with ProgressReport(terminal) as bar:
        for step in steps:
            bar(step)
    assert "import: 100%" in terminal.getvalue() and "records=2000" in terminal.getvalue()
    log = io.StringIO()
    with ProgressReport(log, interval=0.0) as lines:
        for step in steps:
            lines(step)
    assert log.getvalue().splitlines() == [progress_line(step) for step in steps]
    assert progress_line(steps[0]) == "veille import: 500 records read, 1.0 of 4.0 MiB (25%)"
    assert progress_line(ImportProgress(3, 0, None)) == "veille import: 3 records read, 0.0 MiB"
