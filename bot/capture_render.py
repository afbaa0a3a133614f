"""The short reply that acknowledges saved links, for chats that chose `/ack reply`. Pure."""

from __future__ import annotations

import html

from bot.capture import CaptureOutcome
from bot.i18n import Lang, core


def render_saved(outcome: CaptureOutcome, lang: Lang) -> str:
    """'Lien enregistré · #vsa #cnil.' or '3 liens enregistrés.'"""
    tags = " ".join(f"#{html.escape(tag)}" for tag in outcome.tags)
    suffix = core.SAVED_TAGS(lang, tags=tags) if tags else ""
    if outcome.saved_count == 1:
        return core.SAVED_ONE(lang, tags=suffix)
    return core.SAVED_MANY(lang, count=outcome.saved_count, tags=suffix)
