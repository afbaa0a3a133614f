"""Pure rendering of an import's summary: the bot's answer and the command line's output."""

from __future__ import annotations

import html

from bot.i18n import Lang
from bot.i18n import imports as texts
from bot.import_requests import ImportRun
from bot.importers import Position
from bot.importing import ImportSummary


def render_summary(summary: ImportSummary, lang: Lang) -> str:
    what = _what(summary, lang)
    lines: list[str] = []
    if summary.failure is None:
        lines.append(texts.DONE(lang, what=what))
    else:
        where = _where(summary.failure.position, lang)
        detail = summary.failure.detail.rstrip(".")
        lines.append(texts.STOPPED(lang, what=what, where=where, detail=detail))
    read = {"telegram": texts.READ_MESSAGES, "bookmarks": texts.READ_BOOKMARKS}
    lines.append(read.get(summary.kind, texts.READ_LINKS)(lang, count=_n(summary.read, lang)))
    if summary.kind != "jsonl":
        lines.append(texts.STORED(lang, count=_n(summary.stored, lang)))
    added, merged = _n(summary.links_added, lang), _n(summary.links_merged, lang)
    lines.append(texts.LINKS(lang, added=added, merged=merged))
    lines.append(texts.SHARES(lang, count=_n(summary.shares_added, lang)))
    if summary.skipped:
        lines.append(texts.SKIPPED(lang, details=skipped_details(summary, lang)))
    if summary.chat_created:
        lines.append(texts.CHAT_CREATED(lang, chat=summary.chat_id))
    for note, count in sorted(summary.notes.items()):
        if count and note in texts.NOTES:
            lines.append(texts.NOTES[note](lang, count=_n(count, lang)))
    if summary.failure is not None:
        lines.append(texts.STOPPED_HINT(lang))
    return "\n".join(lines)


def skipped_details(summary: ImportSummary, lang: Lang) -> str:
    parts = []
    for reason, count in summary.skipped.most_common():
        text = texts.REASONS.get(reason)
        shown = _n(count, lang)
        parts.append(
            text(lang, count=shown)
            if text
            else texts.REASON_OTHER(lang, count=shown, reason=reason)
        )
    return ", ".join(parts)


def _what(summary: ImportSummary, lang: Lang) -> str:
    if summary.kind == "telegram":
        return texts.WHAT_TELEGRAM(lang, chat=summary.chat_id)
    if summary.kind == "bookmarks":
        return texts.WHAT_BOOKMARKS(lang, chat=summary.chat_id)
    return texts.WHAT_JSONL(lang)


def _where(position: Position | None, lang: Lang) -> str:
    if position is None:
        return ""
    if position.line is None:
        return texts.WHERE_OFFSET(lang, offset=position.offset)
    column = texts.WHERE_COLUMN(lang, column=position.column) if position.column else ""
    line = texts.WHERE_LINE(lang, line=position.line)
    return line + column + texts.WHERE_BYTE(lang, offset=position.offset)


def _n(count: int, lang: Lang) -> str:
    """1234567 -> '1 234 567' in French (narrow no-break spaces), '1,234,567' in English."""
    grouped = f"{count:,}"
    return grouped.replace(",", "\u202f") if lang == "fr" else grouped


def render_run(run: ImportRun, chat_title: str, lang: Lang) -> str:
    """The bot's answer after a run from /import, as Telegram HTML."""
    if run.wrong_chat is not None:
        exported = html.escape(run.wrong_chat.exported_name or str(run.wrong_chat.exported_id))
        return texts.WRONG_CHAT(lang, exported=exported, chat=html.escape(chat_title))
    if run.download_error is not None or run.summary is None:
        return texts.DOWNLOAD_FAILED(lang, error=html.escape(run.download_error or "?"))
    return html.escape(render_summary(run.summary, lang))
