"""`FakeBotApiServer`: the same `FakeBotApi` over HTTP on loopback, for end-to-end runs.

Point the bot at `server.base_url` (`VEILLE_API_BASE_URL`) and PTB's own `HTTPXRequest` talks to
it exactly as to api.telegram.org: form-encoded bodies whose non-string values are JSON
(`RequestData.json_parameters`), multipart bodies for uploads, or plain JSON bodies. getUpdates
long-polls on a condition variable and returns as soon as an update is pushed.

Stopping is clean: long polls and hung answers are woken, idle keep-alive connections are shut,
every handler thread is joined, every socket closed (tests treat ResourceWarning as an error).
"""

import contextlib
import json
import re
import socket
import threading
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.botapi import Answer, FakeBotApi, Params, Upload
from tests.fakes.payloads import not_found
from tests.fakes.request import parse_api_path

# Parameters that are strings in the Bot API even when they look like JSON ("123", "true").
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "file_id",
        "url",
        "next_offset",
        "language_code",
        "emoji",
        "business_connection_id",
        "message_effect_id",
        "description",
        "title",
    }
)
_DISPOSITION_PARAM = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def decode_form_value(name: str, value: str) -> object:
    """PTB JSON-encodes every non-string parameter of a form body; undo that."""
    if name in _STRING_PARAMS:
        return value
    try:
        decoded: object = json.loads(value)
    except ValueError:
        return value
    return decoded


def decode_form(body: str) -> dict[str, object]:
    pairs = parse_qsl(body, keep_blank_values=True)
    return {name: decode_form_value(name, value) for name, value in pairs}


def _disposition(headers: str) -> dict[str, str]:
    """name and filename of a part, as httpx escapes them (%22 for quotes, \\\\ for \\)."""
    for line in headers.split("\r\n"):
        if line.lower().startswith("content-disposition:"):
            return {
                key: value.replace("%22", '"').replace("\\\\", "\\")
                for key, value in _DISPOSITION_PARAM.findall(line)
            }
    return {}


def _part_type(headers: str) -> str | None:
    for line in headers.split("\r\n"):
        if line.lower().startswith("content-type:"):
            return line.split(":", 1)[1].strip()
    return None


def decode_multipart(body: bytes, boundary: str) -> dict[str, object]:
    """Fields JSON-decoded like a form; file parts (with a filename) become `Upload`s."""
    params: dict[str, object] = {}
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = head.decode("utf-8", "replace")
        disposition = _disposition(headers)
        name = disposition.get("name", "")
        content = content.removesuffix(b"\r\n")
        if "filename" in disposition:
            params[name] = Upload(disposition["filename"], _part_type(headers), content)
        else:
            params[name] = decode_form_value(name, content.decode("utf-8"))
    return params


def decode_body(content_type: str, body: bytes) -> dict[str, object]:
    """Parameters of a Bot API request body, whichever encoding the client chose."""
    kind = content_type.partition(";")[0].strip().lower()
    if kind == "application/json":
        decoded = json.loads(body or b"{}")
        return dict(decoded) if isinstance(decoded, dict) else {}
    if kind == "multipart/form-data":
        header = Message()
        header["Content-Type"] = content_type
        boundary = header.get_param("boundary")
        return decode_multipart(body, boundary) if isinstance(boundary, str) else {}
    return decode_form(body.decode("utf-8", "replace"))


class _HttpServer(ThreadingHTTPServer):
    """Keeps its open connections so that stopping can shut the idle keep-alive ones."""

    daemon_threads = True

    def __init__(self, fake: FakeBotApi, host: str) -> None:
        super().__init__((host, 0), _Handler)
        self.fake = fake
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (read timeout, cancelled long poll) is not a server bug.
        pass

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: without this, Nagle's algorithm and the
    # client's delayed ACK add 40 ms to every answer.
    disable_nagle_algorithm = True
    server: _HttpServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type") or ""
        self._serve(decode_body(content_type, body))

    def do_GET(self) -> None:
        self._serve(decode_form(urlsplit(self.path).query))

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the URL carries the token, and tests read the fake's records instead."""

    def _serve(self, params: Params) -> None:
        answer = self._answer(params)
        if answer is None:
            self.close_connection = True
            return
        if answer.hang_seconds is not None:
            # Keep the client waiting past its read timeout, then hang up without answering.
            self.server.stopping.wait(answer.hang_seconds)
            self.close_connection = True
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def _answer(self, params: Params) -> Answer | None:
        target = parse_api_path(urlsplit(self.path).path)
        fake = self.server.fake
        if target is None:
            return Answer(404, not_found().body())
        if target.is_file:
            return fake.download(target.token, target.target)
        if target.target.lower() == "getupdates":
            timeout = float(params.get("timeout") or 0)
            fake.wait_for_updates(target.token, params, timeout, self.server.stopping)
        if self.server.stopping.is_set():
            return None
        return fake.handle(target.target, target.token, params)


class FakeBotApiServer:
    """`with FakeBotApiServer(fake) as server:` serves `fake` on 127.0.0.1, ephemeral port."""

    def __init__(self, fake: FakeBotApi, host: str = "127.0.0.1") -> None:
        self.fake = fake
        self._host = host
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """PTB's `base_url`: it appends the token, then `/<method>`."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self.port}/file/bot"

    def start(self) -> None:
        self._httpd = _HttpServer(self.fake, self._host)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-bot-api-server",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        httpd.stopping.set()
        self.fake.wake_waiters()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()  # joins every handler thread
        thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
