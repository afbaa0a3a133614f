"""The last line: an exception no handler caught is logged, never shown to users raw."""

from __future__ import annotations

import logging

from telegram import Update

from handlers.context import Context

log = logging.getLogger(__name__)


async def log_error(update: object, context: Context) -> None:
    """Log what went wrong with which update; the user gets no stack trace."""
    where = ""
    if isinstance(update, Update):
        chat = update.effective_chat
        where = f" (update {update.update_id}, chat {chat.id if chat else '-'})"
    log.error("unhandled error%s", where, exc_info=context.error)
