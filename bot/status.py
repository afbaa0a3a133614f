"""The operators' view of a deployment: /status (HTML) and `veille outbox` (plain). Pure."""

from __future__ import annotations

import datetime as dtm
import html
from collections.abc import Mapping, Sequence

from bot.i18n import Lang, Text
from bot.i18n import alerts as texts
from storage.alerts import StatusCounts
from storage.outbox import DELIVERY_STATES, DeliveryLine

_STATE_NAMES: dict[str, Text] = {
    "pending": texts.STATE_PENDING,
    "sending": texts.STATE_SENDING,
    "sent": texts.STATE_SENT,
    "dead": texts.STATE_DEAD,
    "unconfirmed": texts.STATE_UNCONFIRMED,
    "cancelled": texts.STATE_CANCELLED,
    "dropped": texts.STATE_DROPPED,
}


def render_status(
    counts: StatusCounts,
    outbox: Mapping[str, int],
    errors: Sequence[DeliveryLine],
    lang: Lang,
    *,
    markup: bool,
) -> str:
    """Chats, links, subscriptions, outbox counts by state, the last errors."""
    escape = html.escape if markup else _same
    title = texts.STATUS_TITLE(lang)
    lines = [f"<b>{title}</b>" if markup else title, *_summary(counts, lang)]
    lines.append(texts.STATUS_OUTBOX(lang, counts=outbox_counts(outbox, lang)))
    lines.append(texts.STATUS_ERRORS(lang) if errors else texts.STATUS_NO_ERRORS(lang))
    lines.extend(f"• {escape(delivery_line(line))}" for line in errors)
    return "\n".join(lines)


def _summary(counts: StatusCounts, lang: Lang) -> list[str]:
    chats, links = counts.chats, counts.links
    return [
        texts.STATUS_CHATS(
            lang,
            approved=chats.get("approved", 0),
            pending=chats.get("pending", 0),
            denied=chats.get("denied", 0),
            inactive=counts.inactive_chats,
        ),
        texts.STATUS_LINKS(
            lang,
            links=sum(links.values()),
            petitions=links.get("petition", 0),
            campaigns=links.get("campaign", 0),
        ),
        texts.STATUS_SUBSCRIPTIONS(
            lang,
            active=counts.subscriptions_active,
            ended=counts.subscriptions_ended,
            announcements=counts.announcements,
        ),
    ]


def outbox_counts(outbox: Mapping[str, int], lang: Lang) -> str:
    """'3 en attente, 400 envoyés, 2 en échec' in the order of the outbox's states."""
    parts = [
        f"{outbox[state]} {_STATE_NAMES[state](lang)}"
        for state in DELIVERY_STATES
        if outbox.get(state)
    ]
    return ", ".join(parts) if parts else texts.STATUS_OUTBOX_EMPTY(lang)


def delivery_line(line: DeliveryLine) -> str:
    """'#12 [dead ×8] -1001234 Pétitions: NetworkError: Bad Gateway (2026-11-29 14:03 UTC)'."""
    when = dtm.datetime.fromtimestamp(line.updated_at, dtm.UTC).strftime("%Y-%m-%d %H:%M UTC")
    where = f"{line.chat_id} {line.chat_title}".strip()
    error = line.error or "-"
    return f"#{line.id} [{line.state} ×{line.attempts}] {where}: {error} ({when}) {line.url}"


def _same(text: str) -> str:
    return text
