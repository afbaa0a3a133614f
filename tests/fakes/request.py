"""`FakeRequest`: python-telegram-bot's network seam, answered in process by a `FakeBotApi`.

PTB builds the URL and `RequestData` as for api.telegram.org, then `BaseRequest.post` maps our
status and JSON to its exceptions exactly as for the real server. Only the socket is missing:
`do_request` hands the already-decoded parameters to the fake. It is the fast path (thousands of
calls a second), so it copies nothing and keeps no per-call state of its own.
"""

import asyncio
import contextlib
from urllib.parse import unquote, urlsplit

import httpx
from telegram import Bot
from telegram._utils.types import ODVInput
from telegram.error import TimedOut
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest, RequestData

from tests.fakes.botapi import Answer, FakeBotApi, Params, Upload


class ApiPath:
    """What a Bot API URL path names: a method or a file, and the token."""

    __slots__ = ("is_file", "target", "token")

    def __init__(self, token: str, target: str, *, is_file: bool) -> None:
        self.token = token
        self.target = target
        self.is_file = is_file


def parse_api_path(path: str) -> ApiPath | None:
    """`/bot<token>/<method>` or `/file/bot<token>/<file_path>`, under any prefix."""
    segments = path.strip("/").split("/")
    for index, segment in enumerate(segments):
        if not segment.startswith("bot") or index + 1 >= len(segments):
            continue
        is_file = index > 0 and segments[index - 1] == "file"
        rest = segments[index + 1 :]
        if not is_file and len(rest) != 1:
            return None
        return ApiPath(unquote(segment[3:]), unquote("/".join(rest)), is_file=is_file)
    return None


def uploads_of(request_data: RequestData) -> dict[str, Upload]:
    """The files of a multipart request, keyed by part name, as `Upload`s."""
    uploads = {}
    for name, field in request_data.multipart_data.items():
        filename, content, *rest = field
        data = content if isinstance(content, bytes) else content.read()
        mime_type = rest[0] if rest else None
        uploads[name] = Upload(filename or name, mime_type, data)
    return uploads


class FakeRequest(BaseRequest):
    """Serves every Bot call from `fake`; getUpdates long-polls without blocking the loop."""

    def __init__(self, fake: FakeBotApi, read_timeout: float | None = 5.0) -> None:
        self._fake = fake
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open: there is no connection."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        target = parse_api_path(urlsplit(url).path)
        if target is None:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        if target.is_file:
            return _unwrapped(self._fake.download(target.token, target.target))
        params: Params = request_data.parameters if request_data else {}
        if request_data is not None and request_data.contains_files:
            params = {**params, **uploads_of(request_data)}
        if target.target.lower() == "getupdates":
            await self._long_poll(target.token, params)
        return _unwrapped(self._fake.handle(target.target, target.token, params))

    async def _long_poll(self, token: str, params: Params) -> None:
        """Wait, like Telegram, until an update arrives or `timeout` seconds pass."""
        timeout = float(params.get("timeout") or 0)
        if timeout <= 0 or self._fake.poll_ready(token, params):
            return
        loop = asyncio.get_running_loop()
        arrived = asyncio.Event()

        def wake() -> None:
            # Called from whichever thread pushed; that loop may have closed meanwhile.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(arrived.set)

        unsubscribe = self._fake.subscribe(wake)
        deadline = loop.time() + timeout
        try:
            while not self._fake.poll_ready(token, params):
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return
                arrived.clear()
                try:
                    await asyncio.wait_for(arrived.wait(), remaining)
                except TimeoutError:
                    return
        finally:
            unsubscribe()


def _unwrapped(answer: Answer) -> tuple[int, bytes]:
    if answer.hang_seconds is not None:
        # What HTTPXRequest raises when httpx gives up waiting for the answer.
        raise TimedOut from httpx.ReadTimeout("fake Bot API did not answer in time")
    return answer.status, answer.body


def offline_bot(fake: FakeBotApi) -> Bot:
    """A real `telegram.Bot` whose requests go to `fake` (use `async with` to initialise)."""
    return Bot(fake.token, request=fake.request(), get_updates_request=fake.request())


def offline_application(fake: FakeBotApi) -> Application:  # type: ignore[type-arg]
    """A real `Application`, built by PTB's builder, whose requests go to `fake`."""
    return (
        ApplicationBuilder()
        .token(fake.token)
        .request(fake.request())
        .get_updates_request(fake.request())
        .build()
    )


__all__ = [
    "ApiPath",
    "FakeRequest",
    "offline_application",
    "offline_bot",
    "parse_api_path",
    "uploads_of",
]
