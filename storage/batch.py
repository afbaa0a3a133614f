"""Group commit: concurrent writers share one transaction and one fsync.

Each caller awaits its own result, and only after the transaction that holds its write has
committed, so an acknowledged write is durable. While one batch commits, the next accumulates;
no timer is involved, so a lone write is not delayed. A second batch may be handed to the
database thread before the first one's result has reached the event loop (the thread commits
them in order), so a busy loop does not leave the database idle. When a batch fails, its items
are retried one by one, so one bad item cannot make the others fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from storage.db import Database

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Runs in the writer's thread, inside the transaction (see Database.run_write).
ApplyBatch = Callable[[sqlite3.Connection, Sequence[T]], Sequence[R]]


class GroupCommit(Generic[T, R]):
    """Collects items from concurrent callers and writes them with `apply` in shared commits."""

    def __init__(
        self, db: Database, apply: ApplyBatch[T, R], max_batch: int = 256, in_flight: int = 2
    ) -> None:
        self._db = db
        self._apply = apply
        self._max_batch = max_batch
        self._in_flight = asyncio.Semaphore(in_flight)
        self._queue: asyncio.Queue[tuple[T, asyncio.Future[R]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="group-commit")

    async def stop(self) -> None:
        """Finish what was submitted, then stop."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def submit(self, item: T) -> R:
        """Write `item`; returns once it is committed (or raises what writing it raised)."""
        if self._task is None:
            # Not running (CLI tools, tests): write directly in a transaction of its own.
            return (await self._db.run_write(lambda conn: self._apply(conn, [item])))[0]
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        await self._queue.put((item, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            await self._in_flight.acquire()
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            task = asyncio.create_task(self._write(batch))
            task.add_done_callback(functools.partial(self._done, len(batch)))

    def _done(self, size: int, _: object) -> None:
        self._in_flight.release()
        for _ in range(size):
            self._queue.task_done()

    async def _write(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            items = [item for item, _ in batch]
            results = await self._db.run_write(lambda conn: self._apply(conn, items))
        except Exception as error:
            if len(batch) == 1:
                if not batch[0][1].done():
                    batch[0][1].set_exception(error)
                return
            log.warning("batch of %d failed; retrying its items one by one", len(batch))
            for entry in batch:
                await self._write([entry])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
