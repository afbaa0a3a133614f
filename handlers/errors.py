"""The last line: an exception no handler caught is logged, never shown to users raw.

Telegram refusing an answer (the bot was removed or muted, the chat is gone, a flood wait, the
network) is an operating condition, not a bug: one warning line, no traceback. Anything else is
a bug: logged at ERROR with its traceback (the token is redacted by the logging set-up).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from handlers.context import Context

log = logging.getLogger(__name__)


async def log_error(update: object, context: Context) -> None:
    """Log what went wrong with which update; the user gets no stack trace."""
    where = ""
    if isinstance(update, Update):
        chat = update.effective_chat
        where = f" (update {update.update_id}, chat {chat.id if chat else '-'})"
    error = context.error
    if isinstance(error, TelegramError):
        log.warning("Telegram refused an answer%s: %s: %s", where, type(error).__name__, error)
        return
    log.error("unhandled error%s", where, exc_info=error)
