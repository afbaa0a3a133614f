from __future__ import annotations

import logging

import pytest

from bot.logs import REDACTED, RedactSecrets

SECRET = "123456:TEST-secret-token"


def _record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("httpx", logging.INFO, __file__, 1, msg, args, exc_info)


@pytest.mark.parametrize(
    ("msg", "args"),
    [
        ("HTTP Request: POST https://api.telegram.org/bot%s/getMe", (SECRET,)),
        (f"base url https://api.telegram.org/bot{SECRET}/", ()),
        ("%s and %s", (SECRET, SECRET)),
        ("dict %r", ({"token": SECRET},)),
    ],
)
def test_the_secret_is_replaced_in_messages_and_arguments(msg: str, args: tuple[object]) -> None:
    record = _record(msg, *args)
    assert RedactSecrets([SECRET]).filter(record)
    assert SECRET not in record.getMessage() and REDACTED in record.getMessage()


def test_the_secret_is_replaced_in_tracebacks() -> None:
    try:
        raise RuntimeError(f"failed at https://api.telegram.org/bot{SECRET}/getUpdates")
    except RuntimeError as error:
        record = _record("boom", exc=error)
    RedactSecrets([SECRET]).filter(record)
    text = logging.Formatter().format(record)
    assert SECRET not in text and "RuntimeError" in text and REDACTED in text


def test_records_without_the_secret_are_untouched() -> None:
    record = _record("hello %s", "world")
    RedactSecrets([SECRET]).filter(record)
    assert record.getMessage() == "hello world"
