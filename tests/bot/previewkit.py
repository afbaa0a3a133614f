"""What the preview worker tests share: a worker over the test database, a fake clock, pages."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.netguard import AddressGuard
from bot.previews import PreviewOutcome, PreviewWorker
from bot.safefetch import SafeFetcher
from bot.urls import url_domain
from storage.chats import ChatRepository
from storage.db import Database
from storage.links import LinkDraft, LinkRepository, MessageShare
from storage.previews import PreviewJobState, PreviewRepository
from tests.bot.webkit import Received, answer, guarded_fetcher

PAGES = Path(__file__).parent / "fixtures" / "pages"
GROUP = -100500
T0 = 1_700_000_000
MESSAGE_IDS = itertools.count(1)
HTML = "Content-Type: text/html; charset=utf-8"


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> int:
        return self.now


class Bench:
    """A worker over the test database, its outcomes, and the links it is given."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.repo = PreviewRepository(db)
        self.clock = FakeClock()
        self.outcomes: list[PreviewOutcome] = []
        self._fetchers: list[SafeFetcher] = []
        self._workers: list[PreviewWorker] = []

    def worker(self, *, guard: AddressGuard | None = None, **options: Any) -> PreviewWorker:
        settings: dict[str, Any] = {
            "concurrency": 4,
            "per_host": 2,
            "timeout": 5.0,
            "max_attempts": 3,
        }
        settings.update(options)
        fetcher = guarded_fetcher(settings, guard)
        worker = PreviewWorker(
            self.repo, fetcher, clock=self.clock, observe=self.outcomes.append, **settings
        )
        self._fetchers.append(fetcher)
        self._workers.append(worker)
        return worker

    async def share(self, *urls: str) -> list[int]:
        """Store a message sharing `urls` and queue its links, as capture does."""
        chats = ChatRepository(self.db)
        if await chats.get(GROUP) is None:
            await chats.upsert(GROUP, type="supergroup", title="Veille", username=None)
        drafts = tuple(LinkDraft(url, url_domain(url)) for url in urls)
        message = MessageShare(GROUP, next(MESSAGE_IDS), T0, drafts)
        [result] = await LinkRepository(self.db).save_messages([message])
        link_ids = [link.link_id for link in result.links]
        await self.repo.enqueue(link_ids, self.clock())
        return link_ids

    async def job(self, link_id: int) -> PreviewJobState:
        job = await self.repo.job(link_id)
        assert job is not None
        return job

    async def link(self, link_id: int) -> dict[str, Any]:
        async with self.db.reader.execute(
            "SELECT title, description, site_name, canonical_url, language, content_type "
            "FROM links WHERE id = ?",
            (link_id,),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return dict(row)

    async def close(self) -> None:
        for worker in self._workers:
            await worker.stop()
        for fetcher in self._fetchers:
            await fetcher.aclose()


async def eventually(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait until `condition()` holds (a bound against hangs, not a timing assertion)."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 (conditions on fakes, which have no event)
            await asyncio.sleep(0.01)


def fixture_page(name: str, content_type: str) -> Callable[..., Awaitable[None]]:
    return answer("200 OK", (PAGES / name).read_bytes(), f"Content-Type: {content_type}")


def gated(gate: asyncio.Event, body: bytes = b"<title>Enfin</title>") -> Any:
    async def handler(request: Received, writer: asyncio.StreamWriter) -> None:
        await gate.wait()
        await answer("200 OK", body, HTML)(request, writer)

    return handler


async def head_then_twenty_megabytes() -> AsyncIterator[bytes]:
    yield b"<html><head><title>Dossier de 20 Mo</title></head><body>"
    for _ in range(20 * 16):
        yield b"<p>" + b"a" * (64 * 1024) + b"</p>"


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Title (Rapport annuel) >> endobj\n"
