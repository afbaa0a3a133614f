"""`veille` as a real subprocess against the loopback fake Bot API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from tests.fakes import FakeBotApi, FakeBotApiServer

OPERATOR_ID = 1000


def veille_env(server: FakeBotApiServer, database: Path, **extra: str) -> dict[str, str]:
    """A clean environment: only what the bot needs, nothing inherited from the developer."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(database.parent),
        "PTB_TIMEDELTA": "1",
        "VEILLE_BOT_TOKEN": server.fake.token,
        "VEILLE_API_BASE_URL": server.base_url,
        "VEILLE_API_BASE_FILE_URL": server.base_file_url,
        "VEILLE_DATABASE": str(database),
        "VEILLE_OPERATORS": str(OPERATOR_ID),
        "VEILLE_FETCH_PREVIEWS": "false",
        "VEILLE_LOG_LEVEL": "INFO",
    }
    env.update(extra)
    return env


def veille(args: list[str], env: Mapping[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a one-shot `veille` command (export, migrate...) to completion."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class BotProcess:
    """`veille run` in the background; its output goes to a file read at the end."""

    def __init__(self, env: Mapping[str, str], cwd: Path) -> None:
        self._log: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env=dict(env),
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def output(self) -> str:
        self._log.seek(0)
        return self._log.read()

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"veille exited early:\n{self.output()}")
            time.sleep(0.05)
        raise AssertionError(f"condition not met within {timeout}s; output:\n{self.output()}")

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"veille did not stop on {sig.name}:\n{self.output()}") from None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()


@contextmanager
def bot_process(env: Mapping[str, str], cwd: Path) -> Iterator[BotProcess]:
    bot = BotProcess(env, cwd)
    try:
        yield bot
    finally:
        bot.close()


@contextmanager
def fake_server(fake: FakeBotApi) -> Iterator[FakeBotApiServer]:
    with FakeBotApiServer(fake) as server:
        yield server
