"""Pure parsing of the words admins type to change a chat's settings, in French or English."""

from __future__ import annotations

from bot.folding import fold_key
from storage.chats import AckMode

_ACK_WORDS: dict[str, AckMode] = {
    "react": "react",
    "reaction": "react",
    "reactions": "react",
    "emoji": "react",
    "reply": "reply",
    "replies": "reply",
    "reponse": "reply",
    "reponses": "reply",
    "repondre": "reply",
    "message": "reply",
    "silent": "silent",
    "silence": "silent",
    "quiet": "silent",
    "rien": "silent",
    "none": "silent",
}

_ON = frozenset({"on", "oui", "yes", "true", "1", "active", "activer", "enable", "enabled"})
_OFF = frozenset(
    {"off", "non", "no", "false", "0", "desactive", "desactiver", "disable", "disabled"}
)


def parse_ack_mode(word: str) -> AckMode | None:
    """'réaction' -> 'react', 'Reply' -> 'reply', 'silence' -> 'silent'; unknown -> None."""
    return _ACK_WORDS.get(fold_key(word))


def parse_switch(word: str) -> bool | None:
    """'on'/'oui' -> True, 'off'/'non' -> False, anything else -> None."""
    key = fold_key(word)
    if key in _ON:
        return True
    if key in _OFF:
        return False
    return None
