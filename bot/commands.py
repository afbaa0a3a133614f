"""The bot's commands as users see them: /help lines and Telegram's command menus.

Every feature adds its commands here, so /help and `set_my_commands` never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.i18n import Lang, Text
from bot.i18n import alerts as alert_texts
from bot.i18n import feeds as feed_texts
from bot.i18n import imports as import_texts
from bot.i18n import search as search_texts

Where = Literal["everywhere", "private", "groups"]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    usage: str  # arguments as typed, e.g. "fr|en"
    description: Text
    where: Where = "everywhere"
    admin: bool = False


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", "", Text(fr="présentation de Veille", en="what Veille does"), "private"),
    CommandSpec("help", "", Text(fr="les commandes", en="the commands")),
    CommandSpec("search", "mots #tag", search_texts.CMD_SEARCH),
    CommandSpec("recent", "", search_texts.CMD_RECENT),
    CommandSpec("tags", "", search_texts.CMD_TAGS),
    CommandSpec("delete", "", search_texts.CMD_DELETE, "groups"),
    CommandSpec("forgetme", "", search_texts.CMD_FORGETME, "private"),
    CommandSpec(
        "lang",
        "fr|en",
        Text(fr="langue du bot dans ce chat", en="the bot's language in this chat"),
        admin=True,
    ),
    CommandSpec(
        "ack",
        "reaction|reply|silent",
        Text(
            fr="comment je signale un lien enregistré",
            en="how I acknowledge a saved link",
        ),
        "groups",
        admin=True,
    ),
    CommandSpec(
        "previews",
        "on|off",
        Text(
            fr="récupérer titre et description des liens partagés ici",
            en="fetch the title and description of links shared here",
        ),
        "groups",
        admin=True,
    ),
    CommandSpec("import", "", import_texts.COMMAND, "private", admin=True),
    CommandSpec("alerts", "on|off", alert_texts.CMD_ALERTS, "groups", admin=True),
    CommandSpec("subscribe", alert_texts.SUBSCRIBE_ARGS, alert_texts.CMD_SUBSCRIBE, admin=True),
    CommandSpec("unsubscribe", "[@…]", alert_texts.CMD_UNSUBSCRIBE, admin=True),
    CommandSpec("subscriptions", "", alert_texts.CMD_SUBSCRIPTIONS),
    CommandSpec("feed", feed_texts.FEED_ARGS, feed_texts.CMD_FEED, admin=True),
    CommandSpec("status", "", alert_texts.CMD_STATUS, "private"),
)


def commands_for(where: Literal["private", "groups"]) -> list[CommandSpec]:
    return [spec for spec in COMMANDS if spec.where in ("everywhere", where)]


def help_lines(lang: Lang, where: Literal["private", "groups"]) -> str:
    lines = []
    for spec in commands_for(where):
        usage = f" {spec.usage}" if spec.usage else ""
        suffix = " (admin)" if spec.admin else ""
        lines.append(f"/{spec.name}{usage} — {spec.description(lang)}{suffix}")
    return "\n".join(lines)
