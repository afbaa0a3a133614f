"""Replies of /feed as HTML: the list of feeds, the confirmation of an added one, why one was
refused. Pure."""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.alerts import Target
from bot.alerts_render import target_name
from bot.feed_schedule import describe_interval
from bot.i18n import Lang, Text
from bot.i18n import feeds as texts
from storage.feeds import Feed

if TYPE_CHECKING:
    from bot.feeds import AddRefused

MAX_LISTED = 20  # a Telegram message holds 4,096 characters; each line takes about 200
SHORT_REASONS: dict[str, Text] = {
    "failures": texts.SHORT_FAILURES,
    "gone": texts.SHORT_GONE,
    "refused": texts.SHORT_REFUSED,
    "chat_unavailable": texts.SHORT_CHAT_UNAVAILABLE,
}
_KIND_TEXTS = {"petition": texts.WHAT_PETITIONS, "campaign": texts.WHAT_CAMPAIGNS}


def utc_time(stamp: int | None, lang: Lang) -> str:
    if stamp is None:
        return texts.NEVER(lang)
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(stamp))


def describe_what(kind: str, tags: Sequence[tuple[str, str]], lang: Lang) -> str:
    """'ses pétitions et campagnes (reconnues automatiquement) #vsa' and the like."""
    what = _KIND_TEXTS.get(kind, texts.WHAT_AUTO)(lang)
    if tags:
        what += " " + " ".join(f"#{display}" for _, display in tags)
    return html.escape(what)


def feed_line(feed: Feed, lang: Lang, default_interval: int) -> str:
    state = texts.STATE_ACTIVE(lang)
    if feed.state == "paused":
        reason = SHORT_REASONS.get(feed.paused_reason or "", texts.SHORT_FAILURES)(lang)
        state = texts.STATE_PAUSED(lang, reason=reason)
    line = texts.LIST_LINE(
        lang,
        id=feed.id,
        title=html.escape(feed.title or "?"),
        state=state,
        public=texts.PUBLIC_MARK(lang) if feed.public else "",
        url=html.escape(feed.url),
        success=utc_time(feed.last_success_at, lang),
        next=utc_time(feed.next_poll_at, lang) if feed.state == "active" else "—",
        interval=describe_interval(feed.interval_seconds or default_interval),
    )
    if feed.last_error and feed.failures:
        error = html.escape(feed.last_error[:120])
        when = utc_time(feed.last_error_at, lang)
        line += "\n" + texts.LIST_ERROR(lang, error=error, when=when)
    return line


def render_feed_list(feeds: Sequence[Feed], header: str, lang: Lang, default_interval: int) -> str:
    if not feeds:
        return texts.LIST_EMPTY(lang)
    lines = [header, *(feed_line(feed, lang, default_interval) for feed in feeds[:MAX_LISTED])]
    if len(feeds) > MAX_LISTED:
        lines.append(texts.LIST_MORE(lang, count=len(feeds) - MAX_LISTED))
    return "\n\n".join(lines)


def render_added(
    feed: Feed, entries: int, sampled: bool | None, chat: str, lang: Lang, interval: int
) -> str:
    """The confirmation; `sampled` None when no sample was asked for."""
    text = texts.ADDED(
        lang,
        id=feed.id,
        title=html.escape(feed.title or feed.url),
        chat=chat,
        what=describe_what(feed.kind, feed.tags, lang),
        count=entries,
        interval=describe_interval(interval),
    )
    if sampled is not None:
        text += "\n" + (texts.ADDED_SAMPLE if sampled else texts.ADDED_NO_SAMPLE)(lang)
    return text


def feed_chat_name(target: Target | None, lang: Lang) -> str:
    """The chat a feed is for; None is the whole community (operators' feeds)."""
    return texts.WHAT_COMMUNITY(lang) if target is None else target_name(target, lang)


def render_add_refused(refusal: AddRefused, url: str, lang: Lang) -> str:
    """Why `url` was not added, with the feeds an HTML page links to."""
    shown = html.escape(url)
    if refusal.code == "not_a_feed" and "html" in refusal.detail:
        if not refusal.alternates:
            return texts.NOT_A_FEED_HTML_NONE(lang)
        found = "\n".join(html.escape(link) for link in refusal.alternates)
        return texts.NOT_A_FEED_HTML(lang, alternates=found)
    detail = html.escape(refusal.detail)
    return {
        "invalid_url": lambda: texts.INVALID_URL(lang, url=shown),
        "unreachable": lambda: texts.UNREACHABLE(lang, url=shown, reason=detail),
        "not_a_feed": lambda: texts.NOT_A_FEED(lang, reason=detail),
        "unreadable": lambda: texts.UNREADABLE(lang, reason=detail),
        "duplicate": lambda: texts.DUPLICATE(lang),
        "too_many": lambda: texts.TOO_MANY(lang, limit=refusal.detail),
    }[refusal.code]()
