"""The operator commands answer in the deployment's language (French by default)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def _veille(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "VEILLE_DATABASE": str(tmp_path / "v.sqlite3"),
            **env,
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("lang", "first", "again", "missing"),
    [
        ("fr", "migrations appliquées : 0001_core", "la base est à jour", "aucun chat -5"),
        ("en", "applied: 0001_core", "database is up to date", "no chat -5"),
    ],
)
def test_migrate_and_purge_speak_the_deployment_language(
    tmp_path: Path, lang: str, first: str, again: str, missing: str
) -> None:
    env = {"VEILLE_DEFAULT_LANGUAGE": lang}
    assert first in _veille(["migrate"], tmp_path, **env).stdout
    assert _veille(["migrate"], tmp_path, **env).stdout.strip() == again
    purge = _veille(["purge-chat", "-5", "--yes"], tmp_path, **env)
    assert purge.returncode == 1
    assert missing in purge.stderr
