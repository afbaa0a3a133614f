"""Settings: one pydantic-settings object, built in `main()` and passed down.

Nothing here reads the environment at import time. `load_settings()` turns every validation
problem into a `SettingsError` whose message names the variable and how to fix it, so the CLI can
print one line and exit 2 instead of a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

ENV_PREFIX = "VEILLE_"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line meant for the operator."""


class Settings(BaseSettings):
    """Every deployment setting. Names are `VEILLE_<FIELD>`; see `.env.example`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    bot_token: SecretStr | None = None
    api_base_url: str = "https://api.telegram.org/bot"
    api_base_file_url: str | None = None
    database: Path = Path("./data/veille.sqlite3")
    operators: Annotated[frozenset[int], NoDecode] = frozenset()
    open_registration: bool = False
    fetch_previews: bool = True
    allow_private_networks: bool = False
    feed_poll_seconds: int = Field(default=600, ge=10)
    log_level: LogLevel = "INFO"

    # Capture and acknowledgement.
    reaction_emoji: str = "👀"
    default_language: Literal["fr", "en"] = "fr"
    concurrent_updates: int = Field(default=1024, ge=1, le=4096)
    rules_file: Path | None = None

    # Delivery of announcements (Telegram's limits: ~30 messages/s, 20/min in one group).
    delivery_per_second: float = Field(default=25.0, gt=0)
    delivery_per_chat_per_minute: int = Field(default=20, ge=1)
    delivery_max_attempts: int = Field(default=8, ge=1)
    # Sends in flight at once; also the most messages a crash can duplicate (README).
    delivery_concurrency: int = Field(default=8, ge=1, le=64)

    # Link previews.
    preview_concurrency: int = Field(default=8, ge=1, le=64)
    preview_per_host: int = Field(default=2, ge=1, le=16)
    preview_timeout_seconds: float = Field(default=15.0, gt=0)
    preview_max_attempts: int = Field(default=4, ge=1)
    preview_info_url: str | None = None

    # Feed polling (VEILLE_FEED_POLL_SECONDS above is the default interval).
    feed_concurrency: int = Field(default=32, ge=1, le=256)
    feed_per_host: int = Field(default=2, ge=1, le=16)
    feed_timeout_seconds: float = Field(default=20.0, gt=0)
    feed_max_failures: int = Field(default=10, ge=1)

    # Search.
    member_cache_seconds: int = Field(default=300, ge=0)
    search_page_size: int = Field(default=8, ge=5, le=10)
    search_page_seconds: int = Field(default=3600, ge=60)

    @field_validator("operators", mode="before")
    @classmethod
    def _parse_operators(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            bad = [part for part in parts if not part.lstrip("-").isdigit()]
            if bad:
                raise ValueError(f"expected comma-separated numeric user ids, got {bad[0]!r}")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError("is empty")
        if any(ch.isspace() for ch in token) or "/" in token:
            raise ValueError("must be the token @BotFather gave you (digits:letters, no spaces)")
        return SecretStr(token)

    @field_validator("api_base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @property
    def token(self) -> str:
        """The bot token; `require_token()` has checked it is set."""
        if self.bot_token is None:
            raise SettingsError(MISSING_TOKEN)
        return self.bot_token.get_secret_value()

    def require_token(self) -> None:
        if self.bot_token is None:
            raise SettingsError(MISSING_TOKEN)


MISSING_TOKEN = (
    "VEILLE_BOT_TOKEN is required but not set; set it to the token from @BotFather "  # noqa: S105
    "(in .env or the environment)."
)

_HINTS = {
    "bot_token": "set VEILLE_BOT_TOKEN to the token from @BotFather (in .env or the environment)",
    "operators": "use comma-separated numeric Telegram user ids, e.g. VEILLE_OPERATORS=12345,678",
    "database": "set VEILLE_DATABASE to a writable file path",
}


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else "?"
    name = ENV_PREFIX + field.upper()
    if first["type"] == "missing":
        problem = "is required but not set"
    else:
        raw = first.get("input")
        shown = "" if field == "bot_token" or isinstance(raw, dict) else f" (got {raw!r})"
        problem = f"is invalid{shown}: {first['msg']}"
    hint = _HINTS.get(field, f"check {name} in .env or the environment")
    return f"{name} {problem}; {hint}."


def check_database_path(path: Path) -> None:
    """Fail early, with a clear message, when the database cannot be created or written."""
    directory = path.expanduser().resolve().parent
    if path.exists() and path.is_dir():
        raise SettingsError(f"VEILLE_DATABASE={path} is a directory; give it a file path.")
    probe = directory
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise SettingsError(
            f"VEILLE_DATABASE={path}: {probe} is not a writable directory; "
            "choose another path or fix its permissions."
        )
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise SettingsError(f"VEILLE_DATABASE={path} is not readable and writable; fix its mode.")


def load_settings(env_file: Path | str | None = ".env") -> Settings:
    """Build the settings from the environment (and `.env`), or raise `SettingsError`."""
    try:
        settings = Settings(_env_file=env_file)
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None
    check_database_path(settings.database)
    return settings
