"""Replies of /subscribe, /unsubscribe and /subscriptions as HTML: chat names, refusals, what a
subscription receives. Pure."""

from __future__ import annotations

import html
from collections.abc import Sequence

from bot.alerts import ENDED_REASONS, Refusal, Target, filters_of
from bot.announce import Filters, describe_filters
from bot.i18n import Lang, Text
from bot.i18n import alerts as texts
from storage.alerts import Subscription

REFUSALS: dict[Refusal, Text] = {
    "not_admin": texts.REFUSED_NOT_ADMIN,
    "cannot_post": texts.REFUSED_CANNOT_POST,
    "unknown_chat": texts.REFUSED_UNKNOWN_CHAT,
    "not_approved": texts.REFUSED_NOT_APPROVED,
    "unavailable": texts.REFUSED_UNAVAILABLE,
}


def target_name(target: Target, lang: Lang) -> str:
    """The chat a command is about, in bold: @username, else its title."""
    ref = target.ref
    if ref.id == 0:  # not found: show what was typed
        return f"<b>{html.escape(ref.title)}</b>"
    shown = f"@{ref.username}" if ref.username else ref.title or texts.THIS_CHAT(lang)
    return f"<b>{html.escape(shown)}</b>"


def render_refusal(refusal: Refusal, target: Target, lang: Lang) -> str:
    """Why the command cannot act on `target`."""
    return REFUSALS[refusal](lang, chat=target_name(target, lang))


def render_subscribed(target: Target, filters: Filters, lang: Lang) -> str:
    what = html.escape(describe_filters(filters, lang))
    return texts.SUBSCRIBED(lang, chat=target_name(target, lang), what=what)


def subscription_name(subscription: Subscription) -> str:
    shown = subscription.chat_title or str(subscription.chat_id)
    if subscription.chat_username:
        shown = f"@{subscription.chat_username}"
    return f"<b>{html.escape(shown)}</b>"


def describe_subscription(subscription: Subscription | None, name: str, lang: Lang) -> str:
    """In force (and what it receives), ended (and why), or none."""
    if subscription is None:
        return texts.NOT_SUBSCRIBED(lang, chat=name)
    if not subscription.active:
        why = ENDED_REASONS.get(subscription.ended_reason or "", texts.REASON_UNSUBSCRIBED)
        return texts.SUBSCRIPTION_ENDED(lang, chat=name, reason=why(lang))
    what = html.escape(describe_filters(filters_of(subscription), lang))
    return texts.SUBSCRIPTION_IN_FORCE(lang, chat=name, what=what)


def render_my_subscriptions(mine: Sequence[Subscription], lang: Lang) -> str:
    """/subscriptions in private: every chat the person subscribed."""
    if not mine:
        return texts.NO_SUBSCRIPTIONS(lang)
    lines = "\n".join(f"• {describe_subscription(s, subscription_name(s), lang)}" for s in mine)
    return texts.MY_SUBSCRIPTIONS(lang, lines=lines)
