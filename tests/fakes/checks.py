"""What Telegram refuses: its length limits, measured as it measures them, and its checks.

Each `checked_*` function returns the value as Telegram keeps it, or raises `Refusal` with the
description Telegram gives. payloads.py re-exports everything here.
"""

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from telegram.constants import ReactionEmoji

from tests.fakes.chats import JSONDict
from tests.fakes.errors import Refusal, bad_request

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_TAG = re.compile(r"<[^>]*>")
_ALLOWED_REACTIONS: frozenset[str] = frozenset(emoji.value for emoji in ReactionEmoji)
MAX_TEXT = 4096
MAX_CAPTION = 1024


def utf16_length(text: str) -> int:
    """Telegram measures entities in UTF-16 code units: an emoji outside the BMP counts 2."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(text: str, parse_mode: str | None) -> int:
    """Length Telegram checks against its limits: after markup, in UTF-16 units.

    HTML is stripped of tags and unescaped; Markdown is counted as sent (an overestimate).
    """
    if parse_mode is not None and parse_mode.upper() == "HTML":
        text = html.unescape(_TAG.sub("", text))
    return utf16_length(text)


def checked_text(text: object, parse_mode: str | None, *, limit: int, what: str) -> str:
    value = "" if text is None else str(text)
    if not value.strip():
        raise Refusal(bad_request(f"{what} is empty"))
    if visible_length(value, parse_mode) > limit:
        raise Refusal(bad_request(f"{what} is too long"))
    return value


def checked_commands(commands: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    """setMyCommands' rules: lowercase names of 1-32 chars, descriptions of 1-256 chars."""
    if len(commands) > 100:
        raise Refusal(bad_request("BOT_COMMANDS_TOO_MUCH"))
    checked = []
    for command in commands:
        name, description = str(command.get("command", "")), str(command.get("description", ""))
        if not _COMMAND.fullmatch(name.removeprefix("/")):
            raise Refusal(bad_request("BOT_COMMAND_INVALID"))
        if not 1 <= len(description.strip()) <= 256:
            raise Refusal(bad_request("BOT_COMMAND_DESCRIPTION_INVALID"))
        checked.append((name.removeprefix("/"), description))
    return tuple(checked)


def checked_reactions(reaction: Sequence[Mapping[str, Any]] | None) -> tuple[str, ...]:
    """Bots may set one reaction, from Telegram's fixed emoji list (no ✅, no 👌🏽)."""
    emojis = tuple(str(item.get("emoji", "")) for item in reaction or ())
    if len(emojis) > 1:
        raise Refusal(bad_request("REACTIONS_TOO_MANY"))
    if any(emoji not in _ALLOWED_REACTIONS for emoji in emojis):
        raise Refusal(bad_request("REACTION_INVALID"))
    return emojis


def checked_inline_results(results: Sequence[Mapping[str, Any]]) -> tuple[JSONDict, ...]:
    if len(results) > 50:
        raise Refusal(bad_request("RESULTS_TOO_MUCH"))
    ids = [str(result.get("id", "")) for result in results]
    if len(set(ids)) != len(ids):
        raise Refusal(bad_request("RESULT_ID_DUPLICATE"))
    if any(not 1 <= len(result_id.encode()) <= 64 for result_id in ids):
        raise Refusal(bad_request("RESULT_ID_INVALID"))
    return tuple(dict(result) for result in results)
