"""Bot API error answers, exactly as Telegram (or its nginx front) sends them.

`fail_next(method, payloads.retry_after(5))` queues one of these; an endpoint raises `Refusal`
to answer with one. payloads.py re-exports everything here.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus

from tests.fakes.chats import JSONDict


@dataclass(frozen=True, slots=True)
class FakeError:
    """An error answer exactly as Telegram (or its nginx front) sends it."""

    status: int
    description: str
    parameters: Mapping[str, int] = field(default_factory=dict)
    # A body that is not Bot API JSON (nginx's HTML pages), sent verbatim.
    raw_body: bytes | None = None
    # Timeouts: the server keeps the client waiting this long instead of answering.
    hang_seconds: float | None = None
    # Timeouts: the call takes effect although the client never sees the answer.
    applied: bool = False

    def body(self) -> bytes:
        if self.raw_body is not None:
            return self.raw_body
        data: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            data["parameters"] = dict(self.parameters)
        return json.dumps(data).encode()


def retry_after(seconds: int) -> FakeError:
    return FakeError(
        429, f"Too Many Requests: retry after {seconds}", parameters={"retry_after": seconds}
    )


def forbidden(description: str = "Forbidden: bot was blocked by the user") -> FakeError:
    return FakeError(403, description)


def bad_request(description: str) -> FakeError:
    return FakeError(400, f"Bad Request: {description}")


def chat_not_found() -> FakeError:
    return bad_request("chat not found")


def migrated(new_chat_id: int) -> FakeError:
    return FakeError(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        parameters={"migrate_to_chat_id": new_chat_id},
    )


def server_error(status: int = 500) -> FakeError:
    return FakeError(status, HTTPStatus(status).phrase)


def bad_gateway() -> FakeError:
    """Telegram's nginx answers 502 with an HTML page, not Bot API JSON."""
    page = (
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
        "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return FakeError(502, "Bad Gateway", raw_body=page.encode())


def conflict() -> FakeError:
    return FakeError(
        409,
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
    )


def timeout(hang_seconds: float = 30.0, *, applied: bool = False) -> FakeError:
    """No answer in time. `applied=True`: Telegram did the work, only the answer was lost."""
    return FakeError(504, "Gateway Timeout", hang_seconds=hang_seconds, applied=applied)


def unauthorized() -> FakeError:
    return FakeError(401, "Unauthorized")


def not_found() -> FakeError:
    return FakeError(404, "Not Found")


class Refusal(Exception):
    """Raised inside an endpoint to answer with a Bot API error."""

    def __init__(self, error: FakeError) -> None:
        super().__init__(error.description)
        self.error = error
