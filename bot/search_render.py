"""Result pages as Telegram HTML: escaped, and never over Telegram's 4,096 characters.

Pure: hits in, text out. Telegram counts UTF-16 code units, so lengths are measured that way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING

from bot.i18n import Lang
from bot.i18n import search as texts
from bot.query import parse_query
from storage.search import Hit, TagCount

if TYPE_CHECKING:
    from bot.search import SavedSearch

MAX_MESSAGE = 4096
MAX_LABEL = 200  # characters of a title (or URL) shown
MAX_HREF = 2048  # longer URLs are shown, not linked
MAX_TAGS = 6
MAX_QUERY_SHOWN = 120


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def shown_date(timestamp: int, lang: Lang) -> str:
    day = datetime.fromtimestamp(timestamp, UTC)
    return day.strftime("%d/%m/%Y") if lang == "fr" else day.strftime("%Y-%m-%d")


def sharer(hit: Hit) -> str | None:
    if hit.sharer_name:
        return hit.sharer_name
    return f"@{hit.sharer_username}" if hit.sharer_username else None


def label(hit: Hit) -> str:
    """The title, or the URL when the link has none."""
    return shorten(hit.title or hit.url, MAX_LABEL)


def hit_meta(hit: Hit, lang: Lang, show_chat: bool) -> list[str]:
    """domain, kind, tags, who and when, how many times, which group: escaped parts."""
    parts = [escape(hit.domain)]
    if hit.kind == "petition":
        parts.append(texts.KIND_PETITION(lang))
    elif hit.kind == "campaign":
        parts.append(texts.KIND_CAMPAIGN(lang))
    if hit.tags:
        parts.append(" ".join("#" + escape(tag) for tag in hit.tags[:MAX_TAGS]))
    who = sharer(hit)
    when = shown_date(hit.first_shared_at, lang)
    parts.append(f"{texts.SHARED_BY(lang, name=escape(shorten(who, 64)))} {when}" if who else when)
    if hit.share_count > 1:
        parts.append(texts.SHARED_TIMES(lang, count=hit.share_count))
    if show_chat:
        parts.append(texts.IN_GROUP(lang, title=escape(shorten(hit.chat_title, 64))))
    return parts


def hit_block(hit: Hit, lang: Lang, show_chat: bool) -> str:
    shown = escape(label(hit))
    link = f'<a href="{escape(hit.url)}">{shown}</a>' if len(hit.url) <= MAX_HREF else shown
    return f"{link}\n{' · '.join(hit_meta(hit, lang, show_chat))}"


def results_header(query: str, page: int, lang: Lang) -> str:
    if not query.strip():
        return texts.RECENT_HEADER(lang, page=page + 1)
    shown = escape(shorten(query, MAX_QUERY_SHOWN))
    return texts.RESULTS_HEADER(lang, query=shown, page=page + 1)


def render_page(
    hits: Sequence[Hit],
    *,
    query: str,
    page: int,
    page_size: int,
    lang: Lang,
    show_chat: bool,
    ignored: Sequence[str] = (),
) -> str:
    """One page of results; hits that would overflow the message are left out."""
    if not hits:
        return render_empty(query, lang, ignored)
    text = results_header(query, page, lang) + _ignored(ignored, lang)
    for number, hit in enumerate(hits, start=page * page_size + 1):
        block = f"\n\n{number}. {hit_block(hit, lang, show_chat)}"
        if utf16_len(text + block) > MAX_MESSAGE:
            break
        text += block
    return text


def render_saved_page(
    hits: Sequence[Hit], saved: SavedSearch, page: int, page_size: int, lang: Lang
) -> str:
    """A page of a saved search: private searches name each link's group."""
    return render_page(
        hits,
        query=saved.text,
        page=page,
        page_size=page_size,
        lang=lang,
        show_chat=saved.private,
        ignored=parse_query(saved.text).ignored,
    )


def render_empty(query: str, lang: Lang, ignored: Sequence[str] = ()) -> str:
    if not query.strip():
        return texts.NO_LINKS_YET(lang)
    shown = escape(shorten(query, MAX_QUERY_SHOWN))
    return texts.NO_RESULTS(lang, query=shown) + _ignored(ignored, lang)


def _ignored(ignored: Sequence[str], lang: Lang) -> str:
    if not ignored:
        return ""
    parts = ", ".join(escape(shorten(part, 30)) for part in ignored[:5])
    return "\n" + texts.IGNORED(lang, parts=parts)


def render_tags(tags: Sequence[TagCount], lang: Lang) -> str:
    if not tags:
        return texts.TAGS_EMPTY(lang)
    text = texts.TAGS_HEADER(lang)
    for tag in tags:
        line = "\n" + texts.TAG_LINE(lang, tag=escape(shorten(tag.display, 64)), count=tag.links)
        if utf16_len(text + line) > MAX_MESSAGE:
            break
        text += line
    return text


def inline_message(hit: Hit) -> str:
    """What choosing an inline result posts: the title in bold, then the link."""
    url = escape(hit.url[:3000])
    if not hit.title:
        return url
    return f"<b>{escape(shorten(hit.title, MAX_LABEL))}</b>\n{url}"


def inline_description(hit: Hit, lang: Lang) -> str:
    """The grey line under an inline result (plain text, no HTML)."""
    parts = [hit.domain]
    if hit.tags:
        parts.append(" ".join("#" + tag for tag in hit.tags[:MAX_TAGS]))
    parts.append(hit.chat_title)
    return shorten(" · ".join(parts), 200)
